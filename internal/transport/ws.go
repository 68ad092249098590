package transport

import (
	"context"
	"crypto/tls"
	"net"
	"strings"

	"github.com/purezmq/zmq4/internal/transport/ws"
)

// wsListener accepts tcp connections for a ws or wss endpoint and wraps
// each as the server side of a WebSocket; the upgrade (and for wss the TLS
// handshake before it) runs when the engine starts.
type wsListener struct {
	tcp      Listener
	endpoint string
	tls      *tls.Config // wss: the server's TLS configuration; nil for ws
}

// checkWSAddress validates the address of a ws or wss endpoint:
// "host:port" with tcp's rules (no source address), optionally followed by
// a path.
func checkWSAddress(addr string) error {
	hostPort, _, err := ws.SplitAddress(addr)
	if err != nil {
		return err
	}
	for i := 0; i < len(hostPort); i++ {
		if c := hostPort[i]; c == ';' || !isTCPAddrChar(c) {
			return errorString("unexpected character in ws host")
		}
	}
	_, _, err = splitHostPort(hostPort)
	return err
}

// listenWS binds the tcp address of a ws endpoint.
func listenWS(ep Endpoint, opts *Options) (Listener, error) {
	return listenWebSocket(ep, opts, nil)
}

// listenWebSocket binds the tcp address of a ws endpoint, or of a wss one
// when cfg is not nil. The resolved endpoint keeps the path, as libzmq's
// ZMQ_LAST_ENDPOINT does.
func listenWebSocket(ep Endpoint, opts *Options, cfg *tls.Config) (Listener, error) {
	hostPort, path, err := ws.SplitAddress(ep.Addr)
	if err != nil {
		return nil, invalidf("%q: %v", ep.Raw, err)
	}
	l, err := listenTCP(Endpoint{Scheme: "tcp", Addr: hostPort, Raw: ep.Raw}, opts)
	if err != nil {
		return nil, err
	}
	scheme := "ws://"
	if cfg != nil {
		scheme = "wss://"
	}
	return &wsListener{tcp: l, endpoint: scheme + strings.TrimPrefix(l.Endpoint(), "tcp://") + path, tls: cfg}, nil
}

// Accept waits for the next tcp connection and wraps it.
func (l *wsListener) Accept() (net.Conn, error) {
	c, err := l.tcp.Accept()
	if err != nil {
		return nil, err
	}
	if l.tls != nil {
		c = tlsServer(c, l.tls)
	}
	return ws.Server(c), nil
}

// Close stops listening.
func (l *wsListener) Close() error { return l.tcp.Close() }

// Endpoint returns "ws://ip:port/path" or "wss://ip:port/path".
func (l *wsListener) Endpoint() string { return l.endpoint }

// FD returns the listening socket's file descriptor.
func (l *wsListener) FD() int { return l.tcp.FD() }

// dialWS connects to the tcp address of a ws endpoint.
func dialWS(ctx context.Context, ep Endpoint, opts *Options) (net.Conn, error) {
	return dialWebSocket(ctx, ep, opts, nil)
}

// dialWebSocket connects to the tcp address of a ws endpoint, or of a wss
// one when cfg is not nil, and wraps the connection as the client side of
// a WebSocket for the endpoint's path.
func dialWebSocket(ctx context.Context, ep Endpoint, opts *Options, cfg *tls.Config) (net.Conn, error) {
	hostPort, path, err := ws.SplitAddress(ep.Addr)
	if err != nil {
		return nil, invalidf("%q: %v", ep.Raw, err)
	}
	c, err := dialTCP(ctx, Endpoint{Scheme: "tcp", Addr: hostPort, Raw: ep.Raw}, opts)
	if err != nil {
		return nil, err
	}
	if cfg != nil {
		c = tlsClient(c, cfg)
	}
	return ws.Client(c, hostPort, path), nil
}
