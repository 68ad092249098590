//go:build linux

package zmq4

import (
	"syscall"
	"testing"
)

// ZMQ_PRIORITY becomes the SO_PRIORITY of the socket's tcp connections, on
// the accepting side and on the connecting side, as libzmq sets it in
// tcp_listener's accept and in tcp_open_socket.
func TestPriorityAppliedToConnections(t *testing.T) {
	ctx := newTestContext(t)
	server := newTestSocket(t, ctx, ROUTER)
	must(t, server.SetPriority(3))
	must(t, server.Bind("tcp://127.0.0.1:*"))
	client := newTestSocket(t, ctx, DEALER)
	must(t, client.SetPriority(5))
	must(t, client.Connect(server.opt.lastEndpoint))

	// priorityOfNextPart receives one part and returns the SO_PRIORITY of
	// the connection it came over, and the part.
	priorityOfNextPart := func(s *Socket) (int, string) {
		t.Helper()
		var part string
		info, err := s.RecvPart(0, func(b []byte) { part = string(b) })
		must(t, err)
		p, err := syscall.GetsockoptInt(info.SrcFD, syscall.SOL_SOCKET, syscall.SO_PRIORITY)
		must(t, err)
		return p, part
	}
	sendParts(t, client, "ping")
	p, routingID := priorityOfNextPart(server)
	if p != 3 {
		t.Errorf("accepted connection: SO_PRIORITY %d, want 3", p)
	}
	if _, ping := priorityOfNextPart(server); ping != "ping" {
		t.Fatalf("server got %q, want ping", ping)
	}
	sendParts(t, server, routingID, "pong")
	if p, _ := priorityOfNextPart(client); p != 5 {
		t.Errorf("dialed connection: SO_PRIORITY %d, want 5", p)
	}
}
