package zmq4

import (
	"fmt"
	"testing"
	"time"

	"github.com/purezmq/zmq4/internal/pyzmq"
)

// monitorOf starts monitoring s and returns the PAIR socket reading events.
func monitorOf(t *testing.T, s *Socket, events Event) *Socket {
	t.Helper()
	addr := fmt.Sprintf("inproc://monitor-%d", ipcCounter.Add(1))
	must(t, s.Monitor(addr, events))
	m := newTestSocket(t, s.ctx, PAIR)
	must(t, m.Connect(addr))
	return m
}

// expectEvents reads events until it has seen each wanted one in order,
// skipping others; it returns the values seen for the wanted events.
func expectEvents(t *testing.T, m *Socket, want ...Event) []int {
	t.Helper()
	var values []int
	for _, w := range want {
		for {
			ev, _, val, err := m.RecvEvent(0)
			if err != nil {
				t.Fatalf("waiting for %v: %v", w, err)
			}
			if ev == w {
				values = append(values, val)
				break
			}
		}
	}
	return values
}

func TestMonitorConnectionLifecycle(t *testing.T) {
	ctx := newTestContext(t)
	srv := newTestSocket(t, ctx, PULL)
	smon := monitorOf(t, srv, EVENT_ALL)
	must(t, srv.Bind("tcp://127.0.0.1:*"))
	ep := srv.opt.lastEndpoint
	cli := newTestSocket(t, ctx, PUSH)
	cmon := monitorOf(t, cli, EVENT_ALL)
	must(t, cli.Connect(ep))

	ev, addr, _, err := smon.RecvEvent(0)
	must(t, err)
	if ev != EVENT_LISTENING || addr != ep {
		t.Fatalf("first server event %v %q", ev, addr)
	}
	expectEvents(t, smon, EVENT_ACCEPTED, EVENT_HANDSHAKE_SUCCEEDED)
	ev, addr, val, err := cmon.RecvEvent(0)
	must(t, err)
	if ev != EVENT_CONNECT_DELAYED || addr != ep || val != int(EINPROGRESS) {
		t.Fatalf("first client event %v %q %d", ev, addr, val)
	}
	expectEvents(t, cmon, EVENT_CONNECTED, EVENT_HANDSHAKE_SUCCEEDED)

	must(t, srv.Close())
	expectEvents(t, cmon, EVENT_DISCONNECTED)
	vals := expectEvents(t, cmon, EVENT_CONNECT_RETRIED)
	if vals[0] < 100 || vals[0] > 200 {
		t.Fatalf("CONNECT_RETRIED value %d, want RECONNECT_IVL plus jitter", vals[0])
	}
	expectEvents(t, cmon, EVENT_CONNECT_DELAYED, EVENT_CLOSED, EVENT_CONNECT_RETRIED)

	must(t, cli.Monitor("", 0))
	expectEvents(t, cmon, EVENT_MONITOR_STOPPED)
}

func TestMonitorHandshakeFailure(t *testing.T) {
	ctx := newTestContext(t)
	srv := newTestSocket(t, ctx, PULL)
	must(t, srv.SetPlainServer(1))
	smon := monitorOf(t, srv, EVENT_HANDSHAKE_FAILED_PROTOCOL|EVENT_DISCONNECTED)
	must(t, srv.Bind("tcp://127.0.0.1:*"))
	cli := newTestSocket(t, ctx, PUSH)
	cmon := monitorOf(t, cli, EVENT_HANDSHAKE_FAILED_PROTOCOL|EVENT_DISCONNECTED)
	must(t, cli.Connect(srv.opt.lastEndpoint))
	v := expectEvents(t, smon, EVENT_HANDSHAKE_FAILED_PROTOCOL, EVENT_DISCONNECTED)
	if v[0] != protoErrMechanismMismatch {
		t.Fatalf("server protocol error %#x", v[0])
	}
	v = expectEvents(t, cmon, EVENT_HANDSHAKE_FAILED_PROTOCOL)
	if v[0] != protoErrMechanismMismatch {
		t.Fatalf("client protocol error %#x", v[0])
	}
}

func TestMonitorOnlyInproc(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, PUB)
	if err := s.Monitor("tcp://127.0.0.1:9", EVENT_ALL); err != EPROTONOSUPPORT {
		t.Fatalf("got %v, want EPROTONOSUPPORT", err)
	}
}

// TestMonitorAgainstLibzmq checks the client-side sequence of a connection
// to a libzmq peer, and of one it refuses (nothing listening).
func TestMonitorAgainstLibzmq(t *testing.T) {
	pyzmq.Require(t)
	ctx := newTestContext(t)
	probe := newTestSocket(t, ctx, PULL)
	must(t, probe.Bind("tcp://127.0.0.1:*"))
	ep := probe.opt.lastEndpoint
	probe.Close()
	script := fmt.Sprintf(`
import zmq, sys
c = zmq.Context(); s = c.socket(zmq.PULL); s.bind(%q)
print("ready", flush=True)
s.RCVTIMEO = 10000
print(s.recv().decode(), flush=True)
`, ep)
	cmd := pyzmq.Command("-c", script)
	out, _ := cmd.StdoutPipe()
	must(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	buf := make([]byte, 6)
	out.Read(buf)
	cli := newTestSocket(t, ctx, PUSH)
	cmon := monitorOf(t, cli, EVENT_ALL)
	must(t, cli.Connect(ep))
	expectEvents(t, cmon, EVENT_CONNECT_DELAYED, EVENT_CONNECTED, EVENT_HANDSHAKE_SUCCEEDED)
	sendParts(t, cli, "hello libzmq")
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("libzmq peer did not receive")
	}
	expectEvents(t, cmon, EVENT_DISCONNECTED, EVENT_CONNECT_RETRIED, EVENT_CONNECT_DELAYED, EVENT_CLOSED)
}
