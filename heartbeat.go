package zmq4

import (
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/purezmq/zmq4/internal/zmtp"
)

// heartbeatState runs ZMTP heartbeats for one engine, as libzmq does:
//   - with HEARTBEAT_IVL set, a PING (TTL = HEARTBEAT_TTL in tenths of a
//     second, no context) goes out every interval;
//   - after a PING, if nothing at all arrives within HEARTBEAT_TIMEOUT, the
//     connection is dropped;
//   - a PING from the peer with a TTL arms a timer of that TTL; any frame
//     received afterwards cancels it, and its expiry drops the connection.
//
// The reader does not touch the timers: it counts every frame, and every
// read that brought bytes, in heard, and a timer that fires compares the
// count with the one it saw when it was armed. A changed count means the
// peer was heard from, which cancels the timer. libzmq cancels only on a
// whole message, so a large message still arriving on a slow link trips its
// HEARTBEAT_TIMEOUT (libzmq issue 2709); counting reads avoids that.
type heartbeatState struct {
	heard atomic.Uint64 // frames and reads received; only the reader adds

	mu      sync.Mutex
	stopped bool

	ivl *time.Timer // our PING interval

	timeout      *time.Timer // HEARTBEAT_TIMEOUT after one of our PINGs
	timeoutArmed bool        // timeout is pending and not yet cancelled
	timeoutSince uint64      // heard when the timeout was armed
	timeoutAt    time.Time   // when the armed timeout is due

	ttl      *time.Timer // the peer's TTL
	ttlSince uint64      // heard, counting the PING that armed ttl
	ttlAt    time.Time   // when the armed TTL is due
}

// progressReader counts each read that returns bytes in a heartbeat's heard
// counter.
type progressReader struct {
	r     io.Reader
	heard *atomic.Uint64
}

func (p progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.heard.Add(1)
	}
	return n, err
}

// pingTTL converts HEARTBEAT_TTL to the PING's TTL field in tenths of a
// second, capped to what 16 bits hold.
func pingTTL(d time.Duration) uint16 {
	if d <= 0 {
		return 0
	}
	ds := d / (100 * time.Millisecond)
	if ds > 0xFFFF {
		ds = 0xFFFF
	}
	return uint16(ds)
}

// startHeartbeat arms the PING timer when HEARTBEAT_IVL is set.
func (e *engine) startHeartbeat(so *sessionOptions) {
	if so.heartbeatIvl <= 0 || e.v2 {
		return
	}
	ivl, timeout, ttl := so.heartbeatIvl, so.heartbeatTout, pingTTL(so.heartbeatTTL)
	tick := func() {
		h := &e.hb
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.stopped || e.isStopped() {
			return
		}
		e.sendPing(ttl, timeout)
		h.ivl.Reset(ivl)
	}
	e.hb.mu.Lock()
	if !e.hb.stopped {
		e.hb.ivl = time.AfterFunc(ivl, tick)
	}
	e.hb.mu.Unlock()
}

// sendPing queues a PING and arms the HEARTBEAT_TIMEOUT timer unless one is
// already pending with no frame received since. Called with hb.mu held.
func (e *engine) sendPing(ttl uint16, timeout time.Duration) {
	h := &e.hb
	last := h.heard.Load()
	if e.direct != nil {
		// The answer must be read even when the application's Recv,
		// which holds the connection, is not reading (engine_direct.go).
		e.reclaimRead()
	}
	e.p.out.pushFrame(frame{data: zmtp.AppendPing(nil, ttl, nil), flags: frameCommand}, true)
	if timeout <= 0 {
		return
	}
	if h.timeoutArmed && h.timeoutSince == last {
		return // still waiting for an answer to an earlier PING
	}
	h.timeoutArmed = true
	h.timeoutSince = last
	h.timeoutAt = time.Now().Add(timeout)
	if h.timeout == nil {
		h.timeout = time.AfterFunc(timeout, e.heartbeatTimedOut)
		return
	}
	h.timeout.Stop()
	h.timeout.Reset(timeout)
}

// heartbeatTimedOut drops the connection when nothing arrived since the
// PING that armed the timeout.
func (e *engine) heartbeatTimedOut() {
	h := &e.hb
	h.mu.Lock()
	if time.Now().Before(h.timeoutAt) {
		// A firing that waited for the lock while a later PING armed
		// the timer again: that arming's own firing decides.
		h.mu.Unlock()
		return
	}
	silent := !h.stopped && h.timeoutArmed && h.heard.Load() == h.timeoutSince
	h.timeoutArmed = false
	h.mu.Unlock()
	if silent {
		e.stop(false)
	}
}

// armPeerTTL handles a PING's TTL: with d > 0 the connection is dropped
// unless another frame arrives within d. The reader calls it after counting
// that PING.
func (e *engine) armPeerTTL(d time.Duration) {
	if d <= 0 {
		return
	}
	h := &e.hb
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped {
		return
	}
	h.ttlSince = h.heard.Load()
	h.ttlAt = time.Now().Add(d)
	if h.ttl == nil {
		h.ttl = time.AfterFunc(d, e.peerTTLExpired)
		return
	}
	h.ttl.Stop()
	h.ttl.Reset(d)
}

// peerTTLExpired drops the connection when no frame followed the PING that
// armed the TTL timer.
func (e *engine) peerTTLExpired() {
	h := &e.hb
	h.mu.Lock()
	if time.Now().Before(h.ttlAt) {
		h.mu.Unlock()
		return // a stale firing, as in heartbeatTimedOut
	}
	silent := !h.stopped && h.heard.Load() == h.ttlSince
	h.mu.Unlock()
	if silent {
		e.stop(false)
	}
}

// isStopped reports whether the engine was told to stop.
func (e *engine) isStopped() bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}

// stopHeartbeat stops every heartbeat timer.
func (e *engine) stopHeartbeat() {
	h := &e.hb
	h.mu.Lock()
	h.stopped = true
	for _, t := range []*time.Timer{h.ivl, h.timeout, h.ttl} {
		if t != nil {
			t.Stop()
		}
	}
	h.mu.Unlock()
}
