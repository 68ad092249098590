//go:build unix

package zmq4

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestMonitorCloseFailed: as libzmq's ipc listener does, closing an
// "ipc://*" listener whose temporary directory cannot be removed (here a
// file was put into it) reports EVENT_CLOSE_FAILED with the errno, not
// EVENT_CLOSED. (libzmq 4.3.4 over pyzmq reports the same: CLOSE_FAILED,
// ENOTEMPTY.)
func TestMonitorCloseFailed(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, PULL)
	mon := monitorOf(t, s, EVENT_LISTENING|EVENT_CLOSED|EVENT_CLOSE_FAILED)
	must(t, s.Bind("ipc://*"))
	ep := s.opt.lastEndpoint
	dir := filepath.Dir(strings.TrimPrefix(ep, "ipc://"))
	t.Cleanup(func() { os.RemoveAll(dir) })
	must(t, os.WriteFile(filepath.Join(dir, "squatter"), nil, 0o600))
	expectEvents(t, mon, EVENT_LISTENING)
	must(t, s.Unbind(ep))
	ev, addr, val, err := mon.RecvEvent(0)
	must(t, err)
	if ev != EVENT_CLOSE_FAILED || addr != ep || val != int(syscall.ENOTEMPTY) {
		t.Fatalf("got %v %q %d, want EVENT_CLOSE_FAILED %q %d (ENOTEMPTY)", ev, addr, val, ep, int(syscall.ENOTEMPTY))
	}
	if _, err := os.Stat(filepath.Join(dir, "socket")); !os.IsNotExist(err) {
		t.Fatalf("socket file still there: %v", err)
	}
}

// TestMonitorClosedIPC: the same listener with nothing in the way reports
// EVENT_CLOSED and leaves no directory behind.
func TestMonitorClosedIPC(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, PULL)
	mon := monitorOf(t, s, EVENT_CLOSED|EVENT_CLOSE_FAILED)
	must(t, s.Bind("ipc://*"))
	ep := s.opt.lastEndpoint
	must(t, s.Unbind(ep))
	ev, _, _, err := mon.RecvEvent(0)
	must(t, err)
	if ev != EVENT_CLOSED {
		t.Fatalf("got %v, want EVENT_CLOSED", ev)
	}
	if _, err := os.Stat(filepath.Dir(strings.TrimPrefix(ep, "ipc://"))); !os.IsNotExist(err) {
		t.Fatalf("temporary directory still there: %v", err)
	}
}

const acceptFailedChildEnv = "PUREZMQ_TEST_ACCEPT_FAILED_CHILD"

// TestMonitorAcceptFailed: a listener that cannot accept because the
// process has no file descriptor left reports EVENT_ACCEPT_FAILED with
// EMFILE, as libzmq's tcp listener does. The listener runs in a child
// process (this test binary again) whose descriptor table is full; this
// process connects to it.
func TestMonitorAcceptFailed(t *testing.T) {
	if os.Getenv(acceptFailedChildEnv) == "1" {
		acceptFailedChild()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestMonitorAcceptFailed$")
	cmd.Env = append(os.Environ(), acceptFailedChildEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	must(t, err)
	stdout, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	defer cmd.Wait()
	defer stdin.Close()
	lines := bufio.NewScanner(stdout)
	next := func() string {
		t.Helper()
		if !lines.Scan() {
			t.Fatalf("child ended early: %v", lines.Err())
		}
		return lines.Text()
	}
	line := next()
	ep, ok := strings.CutPrefix(line, "ENDPOINT ")
	if !ok {
		t.Fatalf("child said %q", line)
	}
	// A descriptor the child's runtime opened and closed meanwhile (the
	// race detector's do) lets an accept succeed: the child then fills
	// its table again and this process connects again.
	for range 5 {
		conn, err := netDial(strings.TrimPrefix(ep, "tcp://"))
		must(t, err)
		defer conn.Close()
		line = next()
		var ev, val int
		var addr string
		if _, err := fmt.Sscanf(line, "EVENT %d %s %d", &ev, &addr, &val); err != nil {
			t.Fatalf("child said %q: %v", line, err)
		}
		if Event(ev) == EVENT_ACCEPTED {
			if _, err := io.WriteString(stdin, "again\n"); err != nil {
				t.Fatal(err)
			}
			if line = next(); line != "FILLED" {
				t.Fatalf("child said %q", line)
			}
			continue
		}
		if Event(ev) != EVENT_ACCEPT_FAILED || addr != ep || val != int(syscall.EMFILE) {
			t.Fatalf("got %v %q %d, want EVENT_ACCEPT_FAILED %q %d (EMFILE)", Event(ev), addr, val, ep, int(syscall.EMFILE))
		}
		return
	}
	t.Fatal("every connection was accepted")
}

// acceptFailedChild binds, fills its descriptor table, prints its endpoint
// and then the first event its monitor reports, and waits for stdin to end.
func acceptFailedChild() {
	fail := func(err error) {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	ctx, err := NewContext()
	if err != nil {
		fail(err)
	}
	s, err := ctx.NewSocket(PULL)
	if err != nil {
		fail(err)
	}
	if err := s.Monitor("inproc://accept-failed", EVENT_ACCEPT_FAILED|EVENT_ACCEPTED); err != nil {
		fail(err)
	}
	m, err := ctx.NewSocket(PAIR)
	if err != nil {
		fail(err)
	}
	if err := m.Connect("inproc://accept-failed"); err != nil {
		fail(err)
	}
	if err := s.Bind("tcp://127.0.0.1:*"); err != nil {
		fail(err)
	}
	ep, _ := s.GetLastEndpoint()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		fail(err)
	}
	lim.Cur = 64
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		fail(err)
	}
	// Take every descriptor number the limit allows: dup until EMFILE.
	fill := func() {
		for {
			if _, err := syscall.Dup(0); err != nil {
				if err != syscall.EMFILE {
					fail(err)
				}
				return
			}
		}
	}
	fill()
	fmt.Println("ENDPOINT", ep)
	in := bufio.NewReader(os.Stdin)
	for {
		ev, addr, val, err := m.RecvEvent(0)
		if err != nil {
			fail(err)
		}
		fmt.Println("EVENT", int(ev), addr, val)
		if ev != EVENT_ACCEPTED {
			break
		}
		if _, err := in.ReadString('\n'); err != nil {
			os.Exit(0) // the parent gave up
		}
		fill()
		fmt.Println("FILLED")
	}
	in.ReadString('\n') // until the parent closes stdin
	os.Exit(0)
}

// TestPollerNoPollErr: libzmq's zmq_poll reports ZMQ_POLLERR (4) only for
// raw file descriptors, never for sockets; our Poller takes only sockets,
// so even when asked for that bit, and with the socket's peer gone, it
// reports only POLLIN and POLLOUT.
func TestPollerNoPollErr(t *testing.T) {
	const zmqPollErr = State(4)
	ctx := newTestContext(t)
	a := newTestSocket(t, ctx, PAIR)
	b := newTestSocket(t, ctx, PAIR)
	must(t, a.Bind("tcp://127.0.0.1:*"))
	must(t, b.Connect(a.opt.lastEndpoint))
	sendParts(t, b, "x")
	p := NewPoller()
	p.Add(a, POLLIN|zmqPollErr)
	got, err := p.PollAll(-1)
	must(t, err)
	if len(got) != 1 || got[0].Events&zmqPollErr != 0 || got[0].Events&POLLIN == 0 {
		t.Fatalf("PollAll: %v, want POLLIN and never bit 4", got)
	}
	expectParts(t, a, "x")
	b.Close()
	waitUntil(t, "the peer to leave", func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		return len(a.pipes) == 0
	})
	// Nothing to read, peer gone: a zero-time poll reports no error state.
	_, err = p.Update(0, POLLIN|POLLOUT|zmqPollErr)
	must(t, err)
	got, err = p.PollAll(0)
	must(t, err)
	if len(got) != 1 || got[0].Events&zmqPollErr != 0 {
		t.Fatalf("PollAll after the peer left: %v, want no bit 4", got)
	}
}
