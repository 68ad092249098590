package zmq4

import (
	"syscall"
	"testing"
)

// A client that goes away while the ZAP handler is still deciding ends the
// server's handshake at once with HANDSHAKE_FAILED_NO_DETAIL and EPIPE, as
// libzmq's engine (which keeps reading during the ZAP exchange) reports it
// (libzmq's test_security_zap, handler that never answers). Before, the
// handshake waited for a reply that never came.
func TestZAPPeerGoneDuringRequest(t *testing.T) {
	ctx, err := NewContext()
	must(t, err)
	t.Cleanup(func() { ctx.Term() })
	handler := newTestSocket(t, ctx, REP)
	must(t, handler.Bind("inproc://zeromq.zap.01"))

	server := newTestSocket(t, ctx, DEALER)
	must(t, server.SetPlainServer(1))
	mon := monitorOf(t, server, EVENT_HANDSHAKE_FAILED_NO_DETAIL)
	must(t, server.Bind("tcp://127.0.0.1:*"))
	ep, err := server.GetLastEndpoint()
	must(t, err)

	client := newTestSocket(t, ctx, DEALER)
	must(t, client.SetPlainUsername("admin"))
	must(t, client.SetPlainPassword("password"))
	must(t, client.Connect(ep))
	// A message queued at once, so the client's bytes wait unread in the
	// server's socket when it closes (the watch must not read them).
	if _, err := client.Send("x", 0); err != nil {
		t.Fatal(err)
	}
	// The handler takes the request and never answers.
	if _, err := handler.RecvMessageBytes(0); err != nil {
		t.Fatal(err)
	}
	must(t, client.Close())

	values := expectEvents(t, mon, EVENT_HANDSHAKE_FAILED_NO_DETAIL)
	if values[0] != int(syscall.EPIPE) {
		t.Fatalf("HANDSHAKE_FAILED_NO_DETAIL value %d, want EPIPE (%d)", values[0], int(syscall.EPIPE))
	}
}
