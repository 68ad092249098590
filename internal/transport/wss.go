package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"syscall"
)

// wss is ws over TLS, as libzmq 4.3.5's draft wss transport: the TLS
// handshake runs first, then the WebSocket upgrade and ZMTP inside it. Both
// start lazily, when the engine writes its greeting, so a slow or hostile
// peer holds up only its own connection and ZMQ_HANDSHAKE_IVL bounds it.

// tlsConn is a TLS connection that still gives access to the file
// descriptor of the tcp connection underneath, for monitor events.
type tlsConn struct {
	*tls.Conn
}

// tlsServer wraps an accepted tcp connection as the server side of TLS.
func tlsServer(c net.Conn, cfg *tls.Config) net.Conn {
	return tlsConn{tls.Server(c, cfg)}
}

// tlsClient wraps a dialed tcp connection as the client side of TLS.
func tlsClient(c net.Conn, cfg *tls.Config) net.Conn {
	return tlsConn{tls.Client(c, cfg)}
}

// SyscallConn gives access to the tcp connection's file descriptor.
func (c tlsConn) SyscallConn() (syscall.RawConn, error) {
	sc, ok := c.NetConn().(syscall.Conn)
	if !ok {
		return nil, errors.New("transport: tls connection has no file descriptor")
	}
	return sc.SyscallConn()
}

// listenWSS binds the tcp address of a wss endpoint. Like libzmq, it needs
// opts.WssCertPem and opts.WssKeyPem, read now: later changes apply to
// later binds only.
func listenWSS(ep Endpoint, opts *Options) (Listener, error) {
	cfg, err := serverTLSConfig(opts)
	if err != nil {
		return nil, err
	}
	return listenWebSocket(ep, opts, cfg)
}

// dialWSS connects to the tcp address of a wss endpoint and wraps the
// connection in TLS, checked against opts' trust options, and then in the
// client side of a WebSocket.
func dialWSS(ctx context.Context, ep Endpoint, opts *Options) (net.Conn, error) {
	return dialWebSocket(ctx, ep, opts, clientTLSConfig(opts))
}
