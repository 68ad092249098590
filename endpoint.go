package zmq4

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"sync"
	"syscall"
	"time"

	"net/netip"

	"github.com/purezmq/zmq4/internal/transport"
)

// transportOptionsLocked builds the transport options from the socket's.
func (s *Socket) transportOptionsLocked() *transport.Options {
	o := &s.opt
	return &transport.Options{
		IPv6:           o.ipv6,
		HaveUseFD:      o.useFd >= 0,
		UseFD:          o.useFd,
		Backlog:        o.backlog,
		KeepAlive:      o.tcpKeepalive,
		KeepAliveCnt:   o.tcpKeepaliveCnt,
		KeepAliveIdle:  o.tcpKeepaliveIdle,
		KeepAliveIntvl: o.tcpKeepaliveIntvl,
		SndBuf:         o.sndbuf,
		RcvBuf:         o.rcvbuf,
		TOS:            o.tos,
		BindToDevice:   o.bindToDevice,
		ConnectTimeout: max(o.connectTimeout, 0),
		TCPMaxRT:       max(o.tcpMaxrt, 0),
		AcceptFilters:  append([]netip.Prefix(nil), o.acceptFilters...),
		IPCFilters:     o.ipcFilters.Clone(),
		SocksProxy:     o.socksProxy,
		SocksUsername:  o.socksUsername,
		SocksPassword:  o.socksPassword,
		WssKeyPem:      o.wssKeyPem,
		WssCertPem:     o.wssCertPem,
		WssTrustPem:    o.wssTrustPem,
		WssHostname:    o.wssHostname,
		WssTrustSystem: o.wssTrustSystem,
	}
}

// errnoOf maps a transport error to the Errno pebbe's callers expect.
func errnoOf(err error) error {
	var se syscall.Errno
	if errors.As(err, &se) {
		return Errno(se)
	}
	if errors.Is(err, transport.ErrProtocolNotSupported) {
		return EPROTONOSUPPORT
	}
	if errors.Is(err, transport.ErrInvalidEndpoint) {
		return einval
	}
	return err
}

// ---- bind ----

// binding is one bound endpoint: a listener and the connections it accepted.
type binding struct {
	s          *Socket
	l          transport.Listener
	endpoint   string
	mu         sync.Mutex
	closed     bool
	inprocName string
	udp        *pipe          // the pipe of a udp bind
	so         sessionOptions // options snapshot for accepted connections
}

// endpointHandlers are the ways Bind or Connect serve each kind of endpoint.
type endpointHandlers struct {
	inproc func(name, endpoint string) error
	udp    func(addr, endpoint string) error
	stream func(ep transport.Endpoint, endpoint string) error // tcp, ipc, ws, wss
}

// openEndpoint parses endpoint, checks that the socket is usable and that
// its type fits the transport, and hands it to the matching handler with
// s.mu held.
func (s *Socket) openEndpoint(endpoint string, h endpointHandlers) error {
	ep, err := transport.ParseEndpoint(endpoint)
	if err != nil {
		return errnoOf(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkUsable(); err != nil {
		return err
	}
	switch {
	case ep.Scheme == "inproc":
		return h.inproc(ep.Addr, endpoint)
	case ep.Scheme == "udp":
		return h.udp(ep.Addr, endpoint)
	case s.typ == DGRAM:
		return ENOCOMPATPROTO
	case !connectionScheme(ep.Scheme), s.typ == STREAM && ep.Scheme != "tcp":
		return EPROTONOSUPPORT
	}
	return h.stream(ep, endpoint)
}

// connectionScheme reports whether a transport carries ZMTP over
// connections that the engine runs: tcp, ipc, ws and wss.
func connectionScheme(scheme string) bool {
	switch scheme {
	case "tcp", "ipc", "ws", "wss":
		return true
	}
	return false
}

// Bind makes the socket accept connections on endpoint.
func (s *Socket) Bind(endpoint string) error {
	return s.openEndpoint(endpoint, endpointHandlers{s.bindInprocLocked, s.bindUDPLocked, s.listenLocked})
}

// listenLocked binds a tcp, ipc, ws or wss endpoint. Call with s.mu held.
func (s *Socket) listenLocked(ep transport.Endpoint, endpoint string) error {
	so := s.sessionOptionsLocked()
	l, err := transport.Listen(ep, so.transport)
	if err != nil {
		s.event(EVENT_BIND_FAILED, endpoint, int(AsErrno(errnoOf(err))))
		return errnoOf(err)
	}
	b := &binding{s: s, l: l, endpoint: l.Endpoint(), so: so}
	s.binds[b.endpoint] = append(s.binds[b.endpoint], b)
	s.opt.lastEndpoint = b.endpoint
	s.event(EVENT_LISTENING, b.endpoint, l.FD())
	s.goTracked(b.acceptLoop)
	return nil
}

// goTracked runs fn in a goroutine that Term waits for.
func (s *Socket) goTracked(fn func()) {
	s.ctx.wg.Add(1)
	go func() {
		defer s.ctx.wg.Done()
		fn()
	}()
}

func (b *binding) acceptLoop() {
	for {
		conn, err := b.l.Accept()
		if err != nil {
			b.mu.Lock()
			closed := b.closed
			b.mu.Unlock()
			if closed || errors.Is(err, net.ErrClosed) {
				return
			}
			b.s.event(EVENT_ACCEPT_FAILED, b.endpoint, int(AsErrno(errnoOf(err))))
			time.Sleep(10 * time.Millisecond)
			continue
		}
		b.mu.Lock()
		if b.closed {
			b.mu.Unlock()
			conn.Close()
			return
		}
		b.mu.Unlock()
		b.s.event(EVENT_ACCEPTED, b.endpoint, fdOf(conn))
		b.s.goTracked(func() { b.s.serveConn(conn, b.endpoint, &b.so) })
	}
}

// serveConn runs the right engine for an accepted connection.
func (s *Socket) serveConn(conn net.Conn, endpoint string, so *sessionOptions) bool {
	if so.raw {
		return s.runRawSession(conn, endpoint, so, nil)
	}
	return s.runSession(conn, nil, endpoint, so, nil)
}

// close stops accepting. The pipes of accepted connections are ended by
// the caller (Unbind at once, Close after their linger).
func (b *binding) close() {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	if b.l != nil {
		fd := b.l.FD()
		if err := b.l.Close(); err != nil {
			// As libzmq's ipc listener: closed, but its file or the
			// directory of ipc://* could not be removed.
			b.s.event(EVENT_CLOSE_FAILED, b.endpoint, int(AsErrno(err)))
		} else {
			b.s.event(EVENT_CLOSED, b.endpoint, fd)
		}
	}
	if b.inprocName != "" {
		b.s.ctx.inproc.unbind(b.inprocName, b.s)
	}
	if b.udp != nil {
		b.s.endPipe(b.udp, false)
	}
}

// Unbind stops accepting on an endpoint given to Bind (or read back with
// GetLastEndpoint) and closes the connections accepted there.
func (s *Socket) Unbind(endpoint string) error {
	s.mu.Lock()
	if err := s.checkUsable(); err != nil {
		s.mu.Unlock()
		return err
	}
	bs := s.binds[endpoint]
	if len(bs) == 0 {
		s.mu.Unlock()
		return ENOENT
	}
	delete(s.binds, endpoint)
	var pipes []*pipe
	for p := range s.pipes {
		if !p.connectSide && p.endpoint == endpoint {
			pipes = append(pipes, p)
		}
	}
	s.mu.Unlock()
	for _, b := range bs {
		b.close()
	}
	for _, p := range pipes {
		s.endPipe(p, false)
		s.detachPipe(p)
	}
	return nil
}

// ---- connect ----

// connecter keeps one connected endpoint alive, reconnecting with backoff.
type connecter struct {
	s        *Socket
	ep       transport.Endpoint
	endpoint string
	p        *pipe          // kept across reconnections; nil for id-keyed patterns
	rid      []byte         // CONNECT_ROUTING_ID for this connect
	so       sessionOptions // options snapshot taken by Connect

	mu      sync.Mutex
	ctx     context.Context
	cancel  context.CancelFunc
	closing bool
	eng     *engine
	done    chan struct{} // closed when run returns
}

// Connect connects the socket to endpoint. It returns at once: connecting,
// reconnecting and queueing meanwhile happen in the background.
func (s *Socket) Connect(endpoint string) error {
	return s.openEndpoint(endpoint, endpointHandlers{s.connectInprocLocked, s.connectUDPLocked, s.dialLocked})
}

// dialLocked starts a connecter for a tcp, ipc, ws or wss endpoint. Call with
// s.mu held.
func (s *Socket) dialLocked(ep transport.Endpoint, endpoint string) error {
	c := &connecter{s: s, ep: ep, endpoint: endpoint, rid: s.opt.connectRid, done: make(chan struct{})}
	s.opt.connectRid = nil
	c.so = s.sessionOptionsLocked()
	c.ctx, c.cancel = context.WithCancel(context.Background())
	// A persistent pipe queues messages while the connection is down; a
	// ROUTER can address one only when CONNECT_ROUTING_ID names it. Raw
	// engines (STREAM, ROUTER_RAW) make their pipe per connection.
	if !s.opt.immediate && !c.so.raw && (s.typ != ROUTER || c.rid != nil) {
		c.p = newNetPipe(s, c.so.sndhwm, c.so.rcvhwm, endpoint)
		c.p.connectSide = true
		c.p.connectRid = c.rid
		c.p.setStop(c.stopPipe)
		s.attachPipeLocked(c.p)
		s.lastConnected = c.p
	}
	s.connects[endpoint] = append(s.connects[endpoint], c)
	s.opt.lastEndpoint = endpoint
	s.goTracked(c.run)
	return nil
}

func (c *connecter) run() {
	defer close(c.done)
	s := c.s
	ivl, ivlMax, stopOn := c.so.reconnectIvl, c.so.reconnectIvlMax, c.so.reconnectStop
	topts := c.so.transport
	next := ivl
	for {
		if c.finished() {
			return
		}
		// Dialing is synchronous here; the events follow libzmq's
		// asynchronous connect: DELAYED, then CONNECTED or CLOSED.
		s.event(EVENT_CONNECT_DELAYED, c.endpoint, int(EINPROGRESS))
		conn, err := transport.Dial(c.ctx, c.ep, topts)
		if err != nil {
			if c.ctx.Err() != nil {
				return
			}
			s.event(EVENT_CLOSED, c.endpoint, 0)
			if stopOn&ReconnectStopConnRefused != 0 && errors.Is(err, syscall.ECONNREFUSED) {
				return
			}
		} else {
			next = ivl
			s.event(EVENT_CONNECTED, c.endpoint, fdOf(conn))
			handshaken := s.serveConnectedPipe(c, conn)
			if c.finished() {
				return
			}
			if !handshaken && stopOn&ReconnectStopHandshakeFailed != 0 ||
				handshaken && stopOn&ReconnectStopAfterDisconnect != 0 {
				return
			}
			if ivl < 0 {
				s.connectEnded(c)
				return
			}
		}
		if ivl < 0 {
			return
		}
		// As libzmq: the wait is the current interval plus a random part
		// of RECONNECT_IVL; with RECONNECT_IVL_MAX the interval doubles.
		wait := next
		if ivl > 0 {
			wait += time.Duration(rand.Int64N(int64(ivl/time.Millisecond)+1)) * time.Millisecond
		}
		if ivlMax > ivl {
			next *= 2
			if next > ivlMax {
				next = ivlMax
			}
		}
		s.event(EVENT_CONNECT_RETRIED, c.endpoint, int(wait/time.Millisecond))
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-c.ctx.Done():
			t.Stop()
			return
		}
	}
}

// serveConnectedPipe runs one connection of the connecter.
func (s *Socket) serveConnectedPipe(c *connecter, conn net.Conn) bool {
	if c.so.raw {
		return s.runRawSession(conn, c.endpoint, &c.so, c.rid)
	}
	return s.runSession(conn, c.p, c.endpoint, &c.so, func(e *engine) {
		e.connectRid = c.rid
		c.mu.Lock()
		c.eng = e
		stopNow := c.ctx.Err() != nil
		c.mu.Unlock()
		if stopNow {
			e.conn.Close()
		}
	})
}

// finished reports whether the connecter should stop: it was stopped, or
// it is closing and has nothing left to send.
func (c *connecter) finished() bool {
	if c.ctx.Err() != nil {
		return true
	}
	c.mu.Lock()
	closing := c.closing
	c.mu.Unlock()
	if !closing {
		return false
	}
	return c.p == nil || c.p.out.pending() == 0
}

// stop ends the connecter. With linger, it keeps trying to deliver what is
// queued until the socket's LINGER passes.
func (c *connecter) stop(linger bool) {
	c.mu.Lock()
	c.closing = true
	e := c.eng
	c.mu.Unlock()
	if !linger || c.p == nil || e == nil && c.p.out.pending() == 0 {
		c.cancel()
		if e != nil {
			e.stop(false)
		}
		return
	}
	c.p.out.close()
	d := c.s.lingerDuration()
	if d > 0 {
		time.AfterFunc(d, func() {
			c.cancel()
			c.mu.Lock()
			e := c.eng
			c.mu.Unlock()
			if e != nil {
				e.stop(false)
			}
		})
	}
}

// stopPipe is the persistent pipe's stop function.
func (c *connecter) stopPipe(linger bool) { c.stop(linger) }

func (s *Socket) lingerDuration() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opt.linger
}

// Disconnect undoes one Connect to endpoint.
func (s *Socket) Disconnect(endpoint string) error {
	s.mu.Lock()
	if err := s.checkUsable(); err != nil {
		s.mu.Unlock()
		return err
	}
	cs := s.connects[endpoint]
	if len(cs) == 0 {
		if s.disconnectInprocLocked(endpoint) {
			s.mu.Unlock()
			return nil
		}
		s.mu.Unlock()
		return ENOENT
	}
	delete(s.connects, endpoint)
	var pipes []*pipe
	for p := range s.pipes {
		if p.connectSide && p.endpoint == endpoint {
			pipes = append(pipes, p)
		}
	}
	s.mu.Unlock()
	for _, c := range cs {
		c.stop(false)
	}
	for _, p := range pipes {
		s.disconnectPipe(p)
	}
	return nil
}

// connectEnded undoes c's Connect as Disconnect does, once c's connection
// ended and RECONNECT_IVL forbids another: libzmq's session then ends the
// endpoint, so the socket can take a new peer (PAIR) and a later Connect
// to the same endpoint starts afresh.
func (s *Socket) connectEnded(c *connecter) {
	s.mu.Lock()
	cs := s.connects[c.endpoint]
	for i, x := range cs {
		if x == c {
			cs = append(cs[:i:i], cs[i+1:]...)
			break
		}
	}
	if len(cs) == 0 {
		delete(s.connects, c.endpoint)
	} else {
		s.connects[c.endpoint] = cs
	}
	s.mu.Unlock()
	if c.p != nil {
		s.disconnectPipe(c.p)
	}
}

// fdOf returns the connection's file descriptor for monitor events, or 0.
func fdOf(c net.Conn) int {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return 0
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return 0
	}
	fd := 0
	rc.Control(func(f uintptr) { fd = int(f) })
	return fd
}

// pipeDisconnected is called when the connection behind a persistent pipe
// ends; the pipe stays and keeps queueing. With HICCUP_MSG the application
// receives that message, as if from the peer.
func (s *Socket) pipeDisconnected(p *pipe) {
	s.mu.Lock()
	hiccup := s.opt.hiccupMsg
	s.mu.Unlock()
	if len(hiccup) > 0 {
		p.in.q.pushFrame(frame{data: hiccup}, true)
	}
	s.signal()
}
