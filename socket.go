package zmq4

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Socket is a ZeroMQ socket. Unlike libzmq's, it is safe for concurrent use
// by several goroutines: each call runs under the socket's lock, and a
// multipart message sent in one call never interleaves with another.
//
// When options take effect. As libzmq copies a socket's options into each
// endpoint at zmq_bind and zmq_connect, Bind and Connect take a snapshot of
// the options their connections use, and every connection accepted on that
// bind or (re)made by that connect uses the snapshot: the routing id
// (SetIdentity), security mechanism, keys, credentials and ZAP domain,
// metadata, MAXMSGSIZE, HANDSHAKE_IVL, heartbeats, reconnection interval and
// RECONNECT_STOP, STREAM_NOTIFY, CONFLATE, the TCP, IPv6, SOCKS and WSS
// options, and the HWMs of new connections. A later setter changes only the
// endpoints opened after it; the doc of each such setter says "read at Bind
// and Connect". SNDHWM and RCVHWM also resize the queues of connections
// that exist (libzmq 4.2 and later; over inproc only SNDHWM does). Everything else (timeouts, LINGER at
// Close, subscriptions, ROUTER, REQ and XPUB behaviour) acts at once. inproc
// connections take the options current when the two sides meet.
type Socket struct {
	ctx *Context
	typ Type
	pat pattern
	id  int

	mu       sync.Mutex
	opt      options
	closed   bool
	pipes    map[*pipe]struct{}
	binds    map[string][]*binding
	connects map[string][]*connecter

	// Frame-by-frame API state.
	sendParts   []frame // frames sent with SNDMORE, waiting for the last one
	batchFrames []frame // SendBatch's reused list of messages
	// sendNoWait: the send the pattern is routing fails rather than
	// waits when refused (DONTWAIT or SNDTIMEO 0); see roomForAll.
	sendNoWait    bool
	recvRest      []frame    // frames of the current message not yet returned
	recvPipe      *pipe      // pipe the current message came from
	recvProps     *connProps // properties of the connection the current message arrived on (nil: its pipe's)
	rcvmore       bool
	slab          []byte      // copy buffer for outgoing data
	pendingNotes  [][][]byte  // ROUTER_NOTIFY messages waiting to be received
	sendOpts      sendOptions // draft options of the message being sent
	lastConnected *pipe       // the pipe the last Connect made (ConnectPeer)

	// Readiness: pipes report edges here without taking mu.
	readyMu  sync.Mutex
	readyIn  []*pipe
	readyOut []*pipe
	changed  chan struct{} // closed when readiness may have changed
	hasReady atomic.Bool
	watchers []*pollReg   // pollers the socket is in (Poller.Add)
	watching atomic.Int32 // len(watchers), read without readyMu
	onSignal func()       // extra notification at each signal (ZMQ_FD); set once, under readyMu
	// lent is the engine whose connection the application's Recv reads
	// itself (engine_direct.go); written under mu, read by signalLocked.
	lent atomic.Pointer[engine]

	mon   monitorState
	stats socketCounters // for Stats
	// behindSends counts the sends that found a peer with no room, up to
	// behindPatience (noteBehind); under mu.
	behindSends int
}

// newSocket makes a socket of the given type in ctx.
func newSocket(ctx *Context, t Type) (*Socket, error) {
	s := &Socket{ctx: ctx, typ: t, pipes: map[*pipe]struct{}{},
		binds: map[string][]*binding{}, connects: map[string][]*connecter{}}
	s.opt = defaultOptions(t)
	pat, err := newPattern(s, t)
	if err != nil {
		return nil, err
	}
	s.pat = pat
	return s, nil
}

// String describes the socket, as pebbe's does.
func (s *Socket) String() string {
	return fmt.Sprintf("Socket(%v,%p)", s.typ, s)
}

// Context returns the context the socket was made in.
func (s *Socket) Context() (*Context, error) {
	if s.isClosed() {
		return nil, ErrorSocketClosed
	}
	return s.ctx, nil
}

func (s *Socket) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// ---- readiness ----

// pipeReadable is called (outside any socket lock) when p's inbound queue
// gets a message after the socket found it empty.
func (s *Socket) pipeReadable(p *pipe) {
	s.readyMu.Lock()
	s.readyIn = append(s.readyIn, p)
	s.hasReady.Store(true)
	s.signalLocked()
	s.readyMu.Unlock()
}

// pipeWritable is called when p's outbound queue has room again.
func (s *Socket) pipeWritable(p *pipe) {
	s.readyMu.Lock()
	s.readyOut = append(s.readyOut, p)
	s.hasReady.Store(true)
	s.signalLocked()
	s.readyMu.Unlock()
}

// signal wakes everything waiting for a change in the socket's state.
func (s *Socket) signal() {
	s.readyMu.Lock()
	s.signalLocked()
	s.readyMu.Unlock()
}

func (s *Socket) signalLocked() {
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
	if s.onSignal != nil {
		s.onSignal()
	}
	if e := s.lent.Load(); e != nil {
		e.kickRead()
	}
	for _, w := range s.watchers {
		w.wake()
	}
}

// changedChan returns a channel closed at the next signal. Take it before
// checking a condition, then wait on it if the condition was false.
func (s *Socket) changedChan() <-chan struct{} {
	s.readyMu.Lock()
	if s.changed == nil {
		s.changed = make(chan struct{})
	}
	c := s.changed
	s.readyMu.Unlock()
	return c
}

// watch registers a poller registration that is woken at each signal.
func (s *Socket) watch(c *pollReg) {
	s.readyMu.Lock()
	s.watchers = append(s.watchers, c)
	s.watching.Store(int32(len(s.watchers)))
	s.readyMu.Unlock()
}

// unwatch undoes watch.
func (s *Socket) unwatch(c *pollReg) {
	s.readyMu.Lock()
	for i, w := range s.watchers {
		if w == c {
			s.watchers = append(s.watchers[:i], s.watchers[i+1:]...)
			break
		}
	}
	s.watching.Store(int32(len(s.watchers)))
	s.readyMu.Unlock()
}

// absorbReady hands pipes that reported readiness to the pattern. Call with
// mu held.
func (s *Socket) absorbReady() {
	if !s.hasReady.Load() {
		return
	}
	s.readyMu.Lock()
	in, out := s.readyIn, s.readyOut
	s.readyIn, s.readyOut = nil, nil
	s.hasReady.Store(false)
	s.readyMu.Unlock()
	for _, p := range in {
		// Detached pipes still deliver what they received before their
		// peer went away.
		s.pat.readable(p)
	}
	for _, p := range out {
		if p.attached {
			s.pat.writable(p)
		}
	}
}

// ---- pipes ----

// attachPipe adds p to the socket. It fails when the socket is closed.
func (s *Socket) attachPipe(p *pipe) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attachPipeLocked(p)
}

func (s *Socket) attachPipeLocked(p *pipe) bool {
	if s.closed {
		return false
	}
	p.attached = true
	if s.opt.conflate && conflateApplies(s.typ) {
		p.out.setConflate()
		p.in.q.setConflate()
	}
	s.pipes[p] = struct{}{}
	s.pat.attach(p)
	s.signal()
	return true
}

// detachPipe removes p from the socket; messages it still holds for the
// socket stay readable until drained.
func (s *Socket) detachPipe(p *pipe) {
	s.mu.Lock()
	s.detachPipeLocked(p)
	s.mu.Unlock()
}

// pipeGone removes a pipe whose peer went away: its connection ended, or
// its inproc peer closed. A pattern that acts on input as it arrives
// (goneInputApplier) first takes in what the pipe still holds; for the
// others it stays readable until drained.
func (s *Socket) pipeGone(p *pipe) {
	s.mu.Lock()
	if a, ok := s.pat.(goneInputApplier); ok && p.attached {
		a.applyGoneInput(p)
	}
	s.detachPipeLocked(p)
	s.mu.Unlock()
}

func (s *Socket) detachPipeLocked(p *pipe) {
	if !p.attached {
		return
	}
	p.attached = false
	s.stats.goneConflated += p.out.counts().conflated + p.in.q.counts().conflated
	delete(s.pipes, p)
	s.pat.detach(p)
	if s.recvPipe == p && len(s.recvRest) == 0 {
		s.recvPipe = nil
	}
	s.signal()
}

// disconnectPipe ends p because the application disconnected its endpoint:
// the far side stops at once and the messages p received that the
// application has not read are dropped, as libzmq's zmq_disconnect
// terminates the pipe without delay. (A peer that goes away by itself
// leaves what it sent readable.)
func (s *Socket) disconnectPipe(p *pipe) {
	s.endPipe(p, false)
	s.mu.Lock()
	s.detachPipeLocked(p)
	p.in.drop()
	s.mu.Unlock()
}

// peerReady tells the pattern that p's peer finished a handshake.
func (s *Socket) peerReady(p *pipe) {
	s.mu.Lock()
	if p.attached {
		s.sendHelloLocked(p)
		s.pat.peerReady(p)
	}
	s.mu.Unlock()
	s.signal()
}

// sendHelloLocked queues HELLO_MSG, which greets every new connection, on
// p. Call with s.mu held.
func (s *Socket) sendHelloLocked(p *pipe) {
	if len(s.opt.helloMsg) > 0 {
		p.out.pushFrame(frame{data: s.opt.helloMsg}, true)
	}
}

// ---- copying outgoing data ----

const slabSize = 32 << 10

// copyData copies b into memory the library owns, so the caller may reuse b.
// Small parts share a slab that is never written twice.
func (s *Socket) copyData(b []byte) []byte { return copyOwned(s, b) }

// copyOwned is copyData for strings and byte slices alike, so Send(string)
// costs no conversion.
func copyOwned[T ~string | ~[]byte](s *Socket, b T) []byte {
	n := len(b)
	if n == 0 {
		return nil
	}
	if n > slabSize/4 {
		c := make([]byte, n)
		copy(c, b)
		return c
	}
	if len(s.slab)+n > cap(s.slab) {
		s.slab = make([]byte, 0, slabSize)
	}
	start := len(s.slab)
	s.slab = append(s.slab, b...)
	return s.slab[start : start+n : start+n]
}

// ---- the blocking core ----

// waitFor waits until ch is closed, the timeout passes or the context ends.
// It returns nil to retry, EAGAIN on timeout, ETERM on termination.
func (s *Socket) waitFor(ch <-chan struct{}, deadline time.Time, hasDeadline bool) error {
	if !hasDeadline {
		select {
		case <-ch:
			return nil
		case <-s.ctx.done:
			return ETERM
		}
	}
	d := time.Until(deadline)
	if d <= 0 {
		return eagain
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch:
		return nil
	case <-t.C:
		return eagain
	case <-s.ctx.done:
		return ETERM
	}
}

// sendMessage routes one whole message, blocking as the flags and SNDTIMEO
// say. The frames' data must already be owned by the library.
func (s *Socket) sendMessageLocked(m []frame, flags Flag) error {
	if s.watching.Load() > 0 {
		// A send can change what a poller in another goroutine waits for
		// (REQ/REP states), so tell it to look again.
		defer s.signal()
	}
	s.absorbReady()
	s.sendNoWait = flags&DONTWAIT != 0 || s.opt.sndtimeo == 0
	err := s.pat.send(m)
	s.sendNoWait = false
	if err != eagain || flags&DONTWAIT != 0 {
		s.countSent(m, err)
		return err
	}
	timeout := s.opt.sndtimeo
	if timeout == 0 {
		return eagain
	}
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	// The lock is released while waiting, so the message must not live in
	// memory another call may reuse meanwhile.
	m = append([]frame(nil), m...)
	for {
		ch := s.changedChan()
		s.absorbReady()
		if err = s.pat.send(m); err != eagain {
			s.countSent(m, err)
			return err
		}
		s.mu.Unlock()
		werr := s.waitFor(ch, deadline, timeout > 0)
		s.mu.Lock()
		if s.closed {
			return ErrorSocketClosed
		}
		if werr != nil {
			return werr
		}
	}
}

// recvMessageLocked returns one whole message, blocking as flags and
// RCVTIMEO say.
func (s *Socket) recvMessageLocked(flags Flag) ([]frame, *pipe, error) {
	if s.watching.Load() > 0 {
		defer s.signal()
	}
	if flags&DONTWAIT != 0 || s.opt.rcvtimeo == 0 {
		// A Recv that does not wait does not read in place.
		s.releaseReadLocked()
	}
	s.absorbReady()
	m, p, err := s.pat.recv()
	if err != eagain || flags&DONTWAIT != 0 {
		s.countReceived(m, err)
		return m, p, err
	}
	timeout := s.opt.rcvtimeo
	if timeout == 0 {
		return nil, nil, eagain
	}
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	for {
		ch := s.changedChan()
		s.absorbReady()
		if m, p, err = s.pat.recv(); err != eagain {
			s.countReceived(m, err)
			return m, p, err
		}
		var werr error
		if e := s.directReadLocked(); e != nil {
			s.mu.Unlock()
			if werr = e.readForApp(ch, s.ctx.done, deadline); werr == errReadGivenBack {
				werr = s.waitFor(ch, deadline, timeout > 0)
			}
		} else {
			s.mu.Unlock()
			werr = s.waitFor(ch, deadline, timeout > 0)
		}
		s.mu.Lock()
		if s.closed {
			return nil, nil, ErrorSocketClosed
		}
		if werr != nil {
			return nil, nil, werr
		}
	}
}

// checkUsable returns the error for calls on a closed socket or a
// terminated context. Call with mu held.
func (s *Socket) checkUsable() error {
	if s.closed {
		return ErrorSocketClosed
	}
	if s.ctx.terminated() {
		return ETERM
	}
	return nil
}

// ---- close ----

// Close closes the socket. Messages still queued for peers keep being sent
// in the background for up to LINGER (forever when it is -1); Term waits for
// them.
func (s *Socket) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrorSocketClosed
	}
	s.closed = true
	linger := s.opt.linger
	binds := s.binds
	connects := s.connects
	s.binds = map[string][]*binding{}
	s.connects = map[string][]*connecter{}
	pipes := make([]*pipe, 0, len(s.pipes))
	for p := range s.pipes {
		pipes = append(pipes, p)
	}
	s.mu.Unlock()

	for _, bs := range binds {
		for _, b := range bs {
			b.close()
		}
	}
	for _, cs := range connects {
		for _, c := range cs {
			c.stop(linger != 0)
		}
	}
	for _, p := range pipes {
		s.endPipe(p, linger != 0)
	}
	s.mu.Lock()
	for _, p := range pipes {
		s.detachPipeLocked(p)
	}
	s.mu.Unlock()
	s.stopMonitor()
	s.signal()
	s.closeFd()
	s.ctx.forget(s, linger)
	return nil
}

// endPipe stops the far side of p; with linger, queued output is sent first.
func (s *Socket) endPipe(p *pipe, linger bool) {
	if stop := p.stopFunc(); stop != nil {
		stop(linger)
	}
}
