package zmq4

import (
	"errors"
	"os"
	"runtime"
	"sync/atomic"
	"time"
)

// Reading in place: a REQ or REP socket with one tcp or ipc connection
// waits in Recv for one reply or request at a time, and handing each one
// from the connection goroutine to the application's goroutine costs as
// much as the rest of the round trip. Readying a parked goroutine makes
// the runtime wake a second thread to look for work, which on a loaded
// machine takes a core from the peer. So the connection goroutine lends
// the connection to the application's blocking Recv, which then reads and
// decodes itself and is woken by the runtime's poller directly.
//
// Only REQ and REP, for the reason only they write in place
// (engine_inplace.go): they wait for one message at a time. Where messages
// come in bursts or streams, the connection goroutine reading the next
// batch while the application handles the last one is worth its
// hand-offs: with every receiving socket type reading in place, a ROUTER
// echoing a DEALER paced at 20,000 msg/s used 1.09 times the CPU per
// message, and a PULL receiving 64 KiB messages with RecvBytes ran at
// 0.84 of the rate (zmq perf local_echo/remote_paced and
// local_thr_bytes, medians of five alternated runs against this build).
//
// Exactly one goroutine reads a connection at a time: the holder of its
// read token (directRead.state). It moves like this:
//
//   - The connection goroutine holds it (readByReader) until a Recv asks
//     for it (takeRead): the Recv sets a read deadline in the past, which
//     wakes the connection goroutine out of its read; it clears the
//     deadline and lends the token (lendRead), then waits for it back.
//   - A Recv that holds the token reads until it has delivered a message
//     to the inbound queue (readForApp), then keeps the token (readIdle)
//     for its next Recv, so in a steady exchange the connection is lent
//     once.
//   - While the token is idle no one reads. It goes back to the connection
//     goroutine when the application does anything else that needs the
//     connection read: a Recv that does not wait, a poller or
//     ZMQ_EVENTS (releaseReadLocked), a second connection on the socket,
//     a PING of ours whose answer must be heard (sendPing); and in any
//     case when no Recv took it for directIdleCheck, so that the peer's
//     PINGs are answered and a closed connection is noticed while the
//     application is busy elsewhere (reclaimTick).
//   - A Recv that finds another goroutine's Recv reading in place waits
//     for what that one delivers.
//   - Anything that signals the socket while a Recv reads in place (a new
//     connection, Close, Term) kicks it (kickRead): a read deadline wakes
//     it, and Recv looks at the socket again.
//   - A read error (the peer gone, a protocol error) goes back to the
//     connection goroutine with the token, which ends the connection as
//     if it had met the error itself.
//   - takeRead's deadline may land after lendRead cleared it; a Recv that
//     meets such a deadline clears it and reads on (readForApp).

// directIdleCheck is how often a lent connection's clock looks whether a
// Recv took the token since it last looked. When none did and the token
// is idle, the connection goroutine takes it back: a connection goes
// unread for less than twice this once the application's Recv has
// returned. The clock is not reset at each Recv: adding a timer wakes an
// idle thread of the runtime, which is the cost reading in place avoids;
// it stops while a Recv reads and starts again at the next goIdle.
const directIdleCheck = 5 * time.Millisecond

// States of a connection's read token.
const (
	readByReader int32 = iota // the connection goroutine reads
	readIdle                  // lent to the application, which is not reading
	readByApp                 // a Recv is reading and decoding
	readAppWaits              // a Recv may be waiting for data; kickRead wakes it
	readKicking               // kickRead is setting the read deadline
	readKicked                // kickRead has set the read deadline
)

// errAppFull ends a read in place whose messages found no room in the
// inbound queue: the connection goroutine delivers them, waiting.
var errAppFull = errors.New("zmq4: inbound queue full")

// errReadGivenBack tells a Recv that readForApp gave the connection back
// to its goroutine: the Recv waits for the socket as any other does.
var errReadGivenBack = errors.New("zmq4: connection given back to its reader")

// aLongTimeAgo is a read deadline that has passed: it wakes a read.
var aLongTimeAgo = time.Unix(1, 0)

// directRead is the state of a connection the application may read itself.
type directRead struct {
	state atomic.Int32
	want  atomic.Bool   // a Recv has asked the connection goroutine for the token
	lent  chan struct{} // the connection goroutine lent the token
	back  chan struct{} // the token went back to the connection goroutine
	// err is the read error a Recv met, for the connection goroutine to
	// end with; written before the token goes back.
	err error
	// reclaim runs reclaimTick every directIdleCheck while the token is
	// idle (ticking); turns counts the Recvs that took the token, and
	// seen is the count reclaimTick saw last.
	reclaim *time.Timer
	ticking atomic.Bool
	turns   atomic.Uint32
	seen    atomic.Uint32
}

// enableDirectRead lets the application's Recv read the connections of a
// REQ or REP socket that senders write in place (plain tcp and ipc on
// Linux). Call from the connection goroutine after enableInPlace and
// before serve.
func (e *engine) enableDirectRead(typ Type) {
	if e.inPlace == nil || !writesInPlace(typ) {
		return
	}
	d := &directRead{lent: make(chan struct{}, 1), back: make(chan struct{}, 1)}
	d.reclaim = time.AfterFunc(time.Hour, e.reclaimTick)
	d.reclaim.Stop()
	e.direct = d
}

// lendRead lends the read token to the Recv that asked for it and waits
// until it comes back. It returns the error the application met while
// reading, or errStopped when the engine stops meanwhile. The connection
// goroutine calls it after takeRead's deadline ended its read.
func (e *engine) lendRead() error {
	d := e.direct
	e.conn.SetReadDeadline(time.Time{})
	d.want.Store(false)
	e.goIdle()
	signalChan(d.lent)
	for {
		select {
		case <-d.back:
		case <-e.done:
			// The engine is stopping: take the token back, or wait for
			// the Recv reading to fail on the closed connection.
			if d.state.CompareAndSwap(readIdle, readByReader) {
				return errStopped
			}
			<-d.back
			return errStopped
		}
		if d.state.Load() == readByReader {
			err := d.err
			d.err = nil
			return err
		}
	}
}

// goIdle leaves the token idle with the application side, and starts
// the clock that gives it back unless it runs. When the engine stopped
// meanwhile, the token goes back at once, since the connection goroutine
// may be waiting for it.
func (e *engine) goIdle() {
	d := e.direct
	d.state.Store(readIdle)
	if !d.ticking.Load() && d.ticking.CompareAndSwap(false, true) {
		d.seen.Store(d.turns.Load())
		d.reclaim.Reset(directIdleCheck)
	}
	if e.isStopped() {
		e.reclaimRead()
	}
}

// reclaimTick runs every directIdleCheck while the token is idle: it gives
// the token back when no Recv took it since the last tick. Once the token
// is back, or a Recv is reading, the clock stops until goIdle starts it
// again, so a Recv that waits long costs no wake-ups.
func (e *engine) reclaimTick() {
	d := e.direct
	turns := d.turns.Load()
	if turns == d.seen.Load() {
		e.reclaimRead()
	}
	if d.state.Load() != readIdle {
		d.ticking.Store(false)
		// goIdle may have found the clock running just before: look
		// again, now that it would start it.
		if d.state.Load() != readIdle || !d.ticking.CompareAndSwap(false, true) {
			return
		}
	}
	d.seen.Store(turns)
	d.reclaim.Reset(directIdleCheck)
}

// reclaimRead gives an idle token back to the connection goroutine.
func (e *engine) reclaimRead() {
	d := e.direct
	if d.state.CompareAndSwap(readIdle, readByReader) {
		signalChan(d.back)
	}
}

// takeRead gets the read token for a Recv. It returns false when the
// Recv should look at the socket again instead: changed was closed or the
// engine stopped; or with ETERM when the context ended, EAGAIN when the
// deadline (zero: none) passed.
func (e *engine) takeRead(changed, term <-chan struct{}, deadline time.Time) (bool, error) {
	d := e.direct
	var expired <-chan time.Time
	for {
		switch d.state.Load() {
		case readIdle:
			if d.state.CompareAndSwap(readIdle, readByApp) {
				d.turns.Add(1)
				// A request of this or another Recv that came too
				// late to be lent is done with (readForApp clears
				// its deadline if it came after lendRead's).
				d.want.Store(false)
				return true, nil
			}
			continue
		case readByReader:
			if !d.want.Swap(true) {
				// Wake the connection goroutine out of its read; it
				// lends the token (lendRead).
				e.conn.SetReadDeadline(aLongTimeAgo)
			}
		default:
			// Another goroutine's Recv reads in place: wait for what
			// it delivers.
		}
		if !deadline.IsZero() && expired == nil {
			t := time.NewTimer(time.Until(deadline))
			defer t.Stop()
			expired = t.C
		}
		select {
		case <-d.lent:
		case <-changed:
			return false, nil
		case <-term:
			return false, ETERM
		case <-e.done:
			return false, nil
		case <-expired:
			return false, eagain
		}
	}
}

// readForApp reads the connection on the application's goroutine until it
// has delivered a message to the inbound queue, then keeps the token for
// the next Recv. It returns nil when the Recv should look at the socket
// again (a message arrived, or changed was closed), ETERM when the
// context ended, EAGAIN when the deadline (zero: none) passed first, and
// errReadGivenBack when the Recv must wait for the socket (Socket.waitFor)
// while the connection goroutine reads. Call without the socket's lock.
func (e *engine) readForApp(changed, term <-chan struct{}, deadline time.Time) error {
	select {
	case <-term:
		return ETERM
	default:
	}
	if !deadline.IsZero() && !time.Now().Before(deadline) {
		return eagain
	}
	ok, err := e.takeRead(changed, term, deadline)
	if !ok {
		return err
	}
	d := e.direct
	if !deadline.IsZero() {
		e.conn.SetReadDeadline(deadline)
	}
	var kicked bool
	for {
		d.state.Store(readAppWaits)
		select {
		case <-changed:
			// Signalled before kickRead could see readAppWaits.
			err = nil
		default:
			err = e.readFrames(true)
		}
		kicked = e.settleRead()
		if !errors.Is(err, os.ErrDeadlineExceeded) || kicked || !deadline.IsZero() && !time.Now().Before(deadline) {
			break
		}
		// A deadline that asked the connection goroutine for the token
		// after it had lent it already (takeRead's and lendRead's
		// steps may interleave so): clear it and read on.
		e.conn.SetReadDeadline(deadline)
	}
	if !deadline.IsZero() {
		e.conn.SetReadDeadline(time.Time{})
	}
	switch {
	case err == nil:
		// A message: the Recv takes it.
		e.goIdle()
		return nil
	case errors.Is(err, os.ErrDeadlineExceeded):
		e.goIdle()
		if kicked {
			return nil // the Recv looks at the socket again
		}
		return eagain
	case err == errAppFull:
		// The connection goroutine delivers, waiting for room; this
		// Recv waits for it.
		d.state.Store(readByReader)
		signalChan(d.back)
	default:
		// The connection goroutine ends the connection with the error.
		d.err = err
		d.state.Store(readByReader)
		signalChan(d.back)
	}
	return errReadGivenBack
}

// settleRead ends the part of a read in place during which kickRead may
// set a read deadline: afterwards the Recv reads and signals without being
// kicked. It clears the deadline of a kick that came, waiting for
// kickRead to have set it, and reports whether one came.
func (e *engine) settleRead() bool {
	d := e.direct
	if d.state.CompareAndSwap(readAppWaits, readByApp) || d.state.Load() == readByApp {
		return false
	}
	for d.state.Load() == readKicking {
		runtime.Gosched()
	}
	e.conn.SetReadDeadline(time.Time{})
	d.state.Store(readByApp)
	return true
}

// kickRead wakes a Recv that may be waiting in a read in place, so that it
// looks at the socket again. Socket.signalLocked calls it.
func (e *engine) kickRead() {
	d := e.direct
	if d.state.CompareAndSwap(readAppWaits, readKicking) {
		e.conn.SetReadDeadline(aLongTimeAgo)
		d.state.Store(readKicked)
	}
}

// directReadLocked returns the engine whose connection a Recv that waits
// reads itself (engine_direct.go): the only connection
// of a socket no poller watches, when its engine allows it. It records the
// engine in s.lent, so that signals kick the read. When there is none, it
// gives back a connection lent before. Call with s.mu held.
func (s *Socket) directReadLocked() *engine {
	if s.watching.Load() > 0 || len(s.pipes) != 1 {
		s.releaseReadLocked()
		return nil
	}
	var e *engine
	for p := range s.pipes {
		e = p.engine.Load()
	}
	if e == nil || !e.directOn.Load() || e.isStopped() {
		s.releaseReadLocked()
		return nil
	}
	if s.lent.Load() != e {
		s.releaseReadLocked()
		s.lent.Store(e)
	}
	return e
}

// releaseReadLocked gives a connection lent to the application back to its
// connection goroutine, for anything but a Recv that reads it: a Recv
// that does not wait, a poller, ZMQ_EVENTS. Call with s.mu held.
func (s *Socket) releaseReadLocked() {
	e := s.lent.Load()
	if e == nil {
		return
	}
	e.reclaimRead()
	if e.direct.state.Load() == readByReader {
		s.lent.Store(nil)
	}
}
