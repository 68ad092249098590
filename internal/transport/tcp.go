package transport

import (
	"context"
	"net"
	"net/netip"
	"syscall"
)

// tcpListener accepts tcp connections, applies the per-connection options
// and drops peers outside the accept filters.
type tcpListener struct {
	ln       *net.TCPListener
	endpoint string
	opts     Options
}

// FD returns the listening socket's file descriptor.
func (l *tcpListener) FD() int { return listenerFD(l.ln) }

// listenTCP binds the tcp address in ep.Addr.
func listenTCP(ep Endpoint, opts *Options) (Listener, error) {
	if ep.Source != "" {
		return nil, invalidf("%q: a source address is only valid when connecting", ep.Raw)
	}
	addr, err := resolveBindHostPort(ep.Addr, opts.IPv6)
	if err != nil {
		return nil, err
	}
	if opts.HaveUseFD {
		ln, err := fileListener(opts.UseFD)
		if err != nil {
			return nil, err
		}
		tln, ok := ln.(*net.TCPListener)
		if !ok {
			ln.Close()
			return nil, invalidf("ZMQ_USE_FD %d is not a tcp socket", opts.UseFD)
		}
		bound := tln.Addr().(*net.TCPAddr)
		ip, _ := netip.AddrFromSlice(bound.IP)
		return &tcpListener{
			ln:       tln,
			endpoint: formatTCPEndpoint(ip.Unmap(), bound.Port, false),
			opts:     copyOptions(opts),
		}, nil
	}
	lc := net.ListenConfig{
		KeepAlive: -1, // keepalive follows opts, applied per accepted connection
		Control: func(network, address string, rc syscall.RawConn) error {
			return controlFD(rc, func(fd int) error {
				return applyPreBindOptions(fd, isIPv6Network(network), opts)
			})
		},
	}
	ln, err := lc.Listen(context.Background(), addr.network(), netip.AddrPortFrom(addr.ip, addr.port).String())
	if err != nil {
		return nil, err
	}
	tln := ln.(*net.TCPListener)
	if opts.Backlog > 0 {
		rc, err := tln.SyscallConn()
		if err == nil {
			err = controlFD(rc, func(fd int) error { return setBacklog(fd, opts.Backlog) })
		}
		if err != nil {
			tln.Close()
			return nil, err
		}
	}
	bound := tln.Addr().(*net.TCPAddr)
	return &tcpListener{
		ln:       tln,
		endpoint: formatTCPEndpoint(addr.ip, bound.Port, addr.mapped),
		opts:     copyOptions(opts),
	}, nil
}

// isIPv6Network reports whether a Go network name such as "tcp6" was given
// to a socket Control function for an AF_INET6 socket.
func isIPv6Network(network string) bool {
	return len(network) > 0 && network[len(network)-1] == '6'
}

// copyOptions copies opts so later changes by the caller do not race with
// Accept.
func copyOptions(opts *Options) Options {
	c := *opts
	c.AcceptFilters = append([]netip.Prefix(nil), opts.AcceptFilters...)
	return c
}

// Accept waits for the next connection whose peer passes the accept filters.
func (l *tcpListener) Accept() (net.Conn, error) {
	for {
		c, err := l.ln.AcceptTCP()
		if err != nil {
			return nil, err
		}
		if !l.allowed(c) {
			c.Close()
			continue
		}
		if err := tuneConn(c, &l.opts); err != nil {
			c.Close()
			continue
		}
		return c, nil
	}
}

// allowed reports whether the peer of c matches one of the accept filters
// (or there are none).
func (l *tcpListener) allowed(c *net.TCPConn) bool {
	if len(l.opts.AcceptFilters) == 0 {
		return true
	}
	ta, ok := c.RemoteAddr().(*net.TCPAddr)
	if !ok {
		return false
	}
	ip, ok := netip.AddrFromSlice(ta.IP)
	if !ok {
		return false
	}
	for _, p := range l.opts.AcceptFilters {
		if p.Contains(ip) || p.Contains(ip.Unmap()) {
			return true
		}
	}
	return false
}

// Close stops listening.
func (l *tcpListener) Close() error { return l.ln.Close() }

// Endpoint returns the bound address in libzmq's ZMQ_LAST_ENDPOINT form.
func (l *tcpListener) Endpoint() string { return l.endpoint }

// tuneConn applies the per-connection options to an established connection.
func tuneConn(c *net.TCPConn, opts *Options) error {
	if err := c.SetNoDelay(true); err != nil {
		return err
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	return controlFD(rc, func(fd int) error {
		if opts.TOS != 0 {
			if err := setTOS(fd, isIPv6Socket(fd), opts.TOS); err != nil {
				return err
			}
		}
		if err := setPriority(fd, opts.Priority); err != nil {
			return err
		}
		return applyConnOptions(fd, opts)
	})
}

// dialTCP connects to ep.Addr, resolving host names now, optionally from
// the source address in ep.Source.
func dialTCP(ctx context.Context, ep Endpoint, opts *Options) (net.Conn, error) {
	// The dial's turn among others (Options.ConnectTurn): right before
	// connect(2) when nothing before it can block, else at once.
	turn := opts.ConnectTurn
	if turn != nil && !orderedDial(ep.Addr, ep.Source) {
		turn(nil)
		turn = nil
	}
	remotes, err := resolveDialHostPort(ctx, ep.Addr, opts.IPv6)
	if err != nil {
		return nil, err
	}
	d := net.Dialer{
		KeepAlive: -1, // keepalive follows opts, set in Control
		Control: func(network, address string, rc syscall.RawConn) error {
			return controlFD(rc, func(fd int) error {
				if ep.Source != "" {
					if err := setReuseAddr(fd); err != nil {
						return err
					}
				}
				if err := applyPreBindOptions(fd, isIPv6Network(network), opts); err != nil {
					return err
				}
				if err := applyConnOptions(fd, opts); err != nil {
					return err
				}
				if turn != nil {
					turn(func() { startConnect(fd, address) })
				}
				return nil
			})
		},
	}
	var src bindAddr
	if ep.Source != "" {
		if src, err = resolveSource(ep.Source, opts.IPv6); err != nil {
			return nil, err
		}
	}
	// Each address the name resolved to is tried in turn; the first error
	// is the one reported when none answers.
	var c net.Conn
	var firstErr error
	for _, remote := range remotes {
		if ep.Source != "" {
			srcIP := src.ip
			if srcIP.IsUnspecified() && remote.Addr().Is4() {
				srcIP = netip.IPv4Unspecified()
			}
			d.LocalAddr = net.TCPAddrFromAddrPort(netip.AddrPortFrom(srcIP, src.port))
		}
		network := "tcp6"
		if remote.Addr().Is4() {
			network = "tcp4"
		}
		c, err = d.DialContext(ctx, network, remote.String())
		if err == nil {
			break
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	if c == nil {
		return nil, firstErr
	}
	tc := c.(*net.TCPConn)
	if err := tc.SetNoDelay(true); err != nil {
		tc.Close()
		return nil, err
	}
	return tc, nil
}
