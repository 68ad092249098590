package transport

import (
	"context"
	"net"
	"strings"

	"github.com/purezmq/zmq4/internal/transport/ws"
)

// wsListener accepts tcp connections for a ws endpoint and wraps each as
// the server side of a WebSocket; the upgrade runs when the engine starts.
type wsListener struct {
	tcp      Listener
	endpoint string
}

// checkWSAddress validates the address of a ws endpoint: "host:port" with
// tcp's rules (no source address), optionally followed by a path.
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

// listenWS binds the tcp address of a ws endpoint. The resolved endpoint
// keeps the path, as libzmq's ZMQ_LAST_ENDPOINT does.
func listenWS(ep Endpoint, opts *Options) (Listener, error) {
	hostPort, path, err := ws.SplitAddress(ep.Addr)
	if err != nil {
		return nil, invalidf("%q: %v", ep.Raw, err)
	}
	l, err := listenTCP(Endpoint{Scheme: "tcp", Addr: hostPort, Raw: ep.Raw}, opts)
	if err != nil {
		return nil, err
	}
	return &wsListener{tcp: l, endpoint: "ws://" + strings.TrimPrefix(l.Endpoint(), "tcp://") + path}, nil
}

// Accept waits for the next tcp connection and wraps it.
func (l *wsListener) Accept() (net.Conn, error) {
	c, err := l.tcp.Accept()
	if err != nil {
		return nil, err
	}
	return ws.Server(c), nil
}

// Close stops listening.
func (l *wsListener) Close() error { return l.tcp.Close() }

// Endpoint returns "ws://ip:port/path".
func (l *wsListener) Endpoint() string { return l.endpoint }

// FD returns the listening socket's file descriptor.
func (l *wsListener) FD() int { return l.tcp.FD() }

// dialWS connects to the tcp address of a ws endpoint and wraps the
// connection as the client side of a WebSocket for the endpoint's path.
func dialWS(ctx context.Context, ep Endpoint, opts *Options) (net.Conn, error) {
	hostPort, path, err := ws.SplitAddress(ep.Addr)
	if err != nil {
		return nil, invalidf("%q: %v", ep.Raw, err)
	}
	c, err := dialTCP(ctx, Endpoint{Scheme: "tcp", Addr: hostPort, Raw: ep.Raw}, opts)
	if err != nil {
		return nil, err
	}
	return ws.Client(c, hostPort, path), nil
}
