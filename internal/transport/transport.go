// Package transport opens the byte streams ZeroMQ sockets run ZMTP over:
// it parses endpoints and binds or connects tcp, ipc, ws (ZMTP over
// WebSocket, see package ws) and wss (ws over TLS) with libzmq 4.3's address rules. inproc is parsed here but carried in memory by the socket
// layer.
package transport

import (
	"context"
	"net"
	"net/netip"
	"syscall"
)

// Listener accepts connections on a bound endpoint.
type Listener interface {
	// Accept waits for and returns the next connection. Once the listener
	// is closed it returns an error wrapping net.ErrClosed.
	Accept() (net.Conn, error)
	// Close stops listening; for ipc it removes the socket file it created
	// (and the directory of ipc://*), and the error says when that failed.
	Close() error
	// Endpoint returns the resolved endpoint, as ZMQ_LAST_ENDPOINT shows it.
	Endpoint() string
	// FD returns the listening socket's file descriptor (for monitor
	// events), or 0 when it is not available.
	FD() int
}

// listenerFD returns the file descriptor behind a listener, or 0.
func listenerFD(l syscall.Conn) int {
	rc, err := l.SyscallConn()
	if err != nil {
		return 0
	}
	fd := 0
	rc.Control(func(f uintptr) { fd = int(f) })
	return fd
}

// Listen binds ep. opts may be nil for the defaults. inproc and udp, which
// the socket layer carries itself, give ErrProtocolNotSupported.
func Listen(ep Endpoint, opts *Options) (Listener, error) {
	opts = orDefault(opts)
	switch ep.Scheme {
	case "tcp":
		return listenTCP(ep, opts)
	case "ipc":
		return listenIPC(ep, opts)
	case "ws":
		return listenWS(ep, opts)
	case "wss":
		return listenWSS(ep, opts)
	}
	return nil, ErrProtocolNotSupported
}

// Dial connects to ep, resolving host names now. opts may be nil for the
// defaults; opts.ConnectTimeout, when set, bounds the attempt in addition
// to ctx. With opts.SocksProxy set, tcp goes through that SOCKS5 proxy.
// ws and wss connections come back wrapped (ws.Conn), to be upgraded when the
// engine writes its greeting. inproc and udp give ErrProtocolNotSupported.
//
// When opts.ConnectTurn is set, Dial calls it before its connection
// starts: for a tcp dial (ws and wss too) to a numeric address with no
// source address and no SOCKS proxy, with a function that issues the
// non-blocking connect(2) of the dial's socket, for ConnectTurn to call
// when the dial's turn comes (its own connect(2) then finds the
// connection started, as after EINTR; if ConnectTurn returns without
// calling it, the dial connects by itself); for every other dial, with
// nil, before any step that may block (resolving a name, binding a source
// address, a proxy, ipc). Dial may call it more than once (a proxy's tcp
// dial); the caller orders only the first call.
func Dial(ctx context.Context, ep Endpoint, opts *Options) (net.Conn, error) {
	opts = orDefault(opts)
	if opts.ConnectTurn != nil && (ep.Scheme != "tcp" && ep.Scheme != "ws" && ep.Scheme != "wss" || opts.SocksProxy != "") {
		opts.ConnectTurn(nil)
	}
	if opts.ConnectTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.ConnectTimeout)
		defer cancel()
	}
	switch ep.Scheme {
	case "tcp":
		if opts.SocksProxy != "" {
			return dialSocks(ctx, ep, opts)
		}
		return dialTCP(ctx, ep, opts)
	case "ipc":
		return dialIPC(ctx, ep, opts)
	case "ws":
		return dialWS(ctx, ep, opts)
	case "wss":
		return dialWSS(ctx, ep, opts)
	}
	return nil, ErrProtocolNotSupported
}

// PeerAddress returns the peer IP as text ("127.0.0.1", "::1") for tcp, ""
// otherwise. An IPv4 peer of a dual-stack listener shows as
// "::ffff:127.0.0.1", as in libzmq.
func PeerAddress(c net.Conn) string {
	ta, ok := c.RemoteAddr().(*net.TCPAddr)
	if !ok {
		return ""
	}
	ip, ok := netip.AddrFromSlice(ta.IP)
	if !ok {
		return ""
	}
	return ip.WithZone(ta.Zone).String()
}
