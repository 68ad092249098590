package zmq4

import (
	"syscall"
	"testing"

	"github.com/purezmq/zmq4/internal/mechanism"
)

// A handshake the server refuses (here a ZAP denial, ERROR 400) ends the
// client's Connect, as libzmq's session ends on a protocol error: it does
// not reconnect and fail again every RECONNECT_IVL (libzmq's
// test_security_curve counts one HANDSHAKE_FAILED_AUTH on the client).
func TestConnectEndsWhenHandshakeRefused(t *testing.T) {
	ctx := newTestContext(t)
	must(t, ctx.AuthStart())
	t.Cleanup(ctx.AuthStop)
	serverCert, _ := NewCert()
	unknown, _ := NewCert()
	_, ep, mon := ctxCurveServer(t, ctx, "refused", serverCert)

	client := newTestSocket(t, ctx, PUSH)
	must(t, unknown.Apply(client))
	must(t, client.SetCurveServerkey(serverCert.PublicTxt()))
	must(t, client.Connect(ep))
	if ev, _, value, err := mon.RecvEvent(0); err != nil || ev != EVENT_HANDSHAKE_FAILED_AUTH || value != 400 {
		t.Fatalf("server event %v %d %v, want HANDSHAKE_FAILED_AUTH 400", ev, value, err)
	}
	waitUntil(t, "the Connect to end", func() bool {
		client.mu.Lock()
		defer client.mu.Unlock()
		return len(client.connects[ep]) == 0
	})
}

// Only a protocol matter ends the Connect: a connection that broke during
// the handshake (HANDSHAKE_FAILED_NO_DETAIL) is tried again, as libzmq
// reconnects after a connection error.
func TestHandshakeRefusedOnlyOnProtocolErrors(t *testing.T) {
	for _, c := range []struct {
		err     error
		refused bool
	}{
		{nil, false},
		{&mechanism.Error{Kind: mechanism.FailedNoDetail, Code: int(syscall.EPIPE)}, false},
		{&mechanism.Error{Kind: mechanism.FailedAuth, Code: 400}, true},
		{&mechanism.Error{Kind: mechanism.FailedProtocol, Code: mechanism.ProtocolErrorZMTPInvalidMetadata}, true},
		{&mechanism.Error{Kind: mechanism.FailedUnreported}, true},
		{&protocolError{code: protoErrUnspecified, msg: "bad"}, true},
	} {
		if got := handshakeRefused(c.err); got != c.refused {
			t.Errorf("handshakeRefused(%#v) = %v, want %v", c.err, got, c.refused)
		}
	}
}
