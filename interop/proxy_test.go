package interop

import (
	"strconv"
	"strings"
	"testing"

	zmq "github.com/purezmq/zmq4"
)

// TestInteropProxyBetweenLibzmqPeers runs our ROUTER-DEALER proxy between
// libzmq REQ clients and libzmq REP workers: every request reaches a
// worker and every reply finds its client, through our envelopes.
func TestInteropProxyBetweenLibzmqPeers(t *testing.T) {
	requirePyzmq(t)
	ctx := newContext(t)
	frontend := newSocket(t, ctx, zmq.ROUTER)
	backend := newSocket(t, ctx, zmq.DEALER)
	must(t, "bind frontend", frontend.Bind("tcp://127.0.0.1:*"))
	must(t, "bind backend", backend.Bind("tcp://127.0.0.1:*"))
	front, back := lastEndpoint(t, frontend), lastEndpoint(t, backend)

	done := make(chan error, 1)
	go func() { done <- zmq.Proxy(frontend, backend, nil) }()

	// One worker, so that the count it must echo does not depend on how
	// the DEALER spreads requests; two clients, so envelopes must route.
	worker := startPeer(t, "--type", "REP", "--connect", back)
	var clients []*peer
	for i := 0; i < 2; i++ {
		clients = append(clients, startPeer(t, "--type", "REQ", "--connect", front))
	}
	const rounds = 200
	worker.write("echo " + strconv.Itoa(2*rounds))
	for _, c := range clients {
		c.expect("pingn "+strconv.Itoa(rounds)+" 16", "OK")
	}
	if got := worker.await(); !strings.HasPrefix(got, "ECHOED") {
		t.Fatalf("worker: %q", got)
	}
	// Closing the context ends the proxy with ETERM.
	frontend.Close()
	backend.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Proxy returned nil after its sockets closed")
		}
	default:
	}
}
