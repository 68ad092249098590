package zmq4

import (
	"errors"
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
		Priority:       o.priority,
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
		// Each connection's pipe takes its place among the socket's
		// pipes in the order accepted, whichever handshake ends first.
		so := b.so
		so.order = nextPipeOrder()
		b.s.goTracked(func() { b.s.serveConn(conn, b.endpoint, &so) })
	}
}

// serveConn runs the right engine for an accepted connection.
func (s *Socket) serveConn(conn net.Conn, endpoint string, so *sessionOptions) bool {
	if so.raw {
		return runRawSession(s, conn, endpoint, so, nil)
	}
	return runSession(s, conn, nil, endpoint, so, nil)
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

// lingerDuration returns the socket's LINGER.
func (s *Socket) lingerDuration() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opt.linger
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
