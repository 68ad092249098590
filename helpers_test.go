package zmq4

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var ipcCounter atomic.Int64

// transports lists the transports every pattern test runs over.
var transports = []string{"inproc", "ipc", "tcp", "ws"}

// endpointFor returns a fresh bind endpoint for the transport.
func endpointFor(t *testing.T, transport string) string {
	switch transport {
	case "inproc":
		return fmt.Sprintf("inproc://test-%d", ipcCounter.Add(1))
	case "ipc":
		return "ipc://" + filepath.Join(t.TempDir(), "s")
	case "ws":
		return "ws://127.0.0.1:*/zmq"
	default:
		return "tcp://127.0.0.1:*"
	}
}

// pairUp makes a context and two sockets, binds b and connects c, over the
// transport, bind-first or connect-first. Everything is closed and the
// context terminated when the test ends.
func pairUp(t *testing.T, transport string, bindFirst bool, bt, ct Type) (*Socket, *Socket) {
	t.Helper()
	ctx := newTestContext(t)
	b := newTestSocket(t, ctx, bt)
	c := newTestSocket(t, ctx, ct)
	ep := endpointFor(t, transport)
	if transport == "tcp" || transport == "ws" || bindFirst {
		must(t, b.Bind(ep))
		ep = b.opt.lastEndpoint
		must(t, c.Connect(ep))
	} else {
		must(t, c.Connect(ep))
		must(t, b.Bind(ep))
	}
	return b, c
}

func newTestContext(t *testing.T) *Context {
	t.Helper()
	ctx, err := NewContext()
	must(t, err)
	t.Cleanup(func() {
		done := make(chan struct{})
		go func() { ctx.Term(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Errorf("context Term hung:\n%s", buf[:n])
		}
	})
	return ctx
}

// newTestSocket makes a socket with linger 0 and a receive timeout that
// guards against hangs; it is closed when the test ends.
func newTestSocket(t *testing.T, ctx *Context, typ Type) *Socket {
	t.Helper()
	s, err := ctx.NewSocket(typ)
	must(t, err)
	s.mu.Lock()
	s.opt.linger = 0
	s.opt.rcvtimeo = 10 * time.Second
	s.opt.sndtimeo = 10 * time.Second
	s.mu.Unlock()
	t.Cleanup(func() { s.Close() })
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// eachTransport runs fn over every transport, bind-first and connect-first.
func eachTransport(t *testing.T, fn func(t *testing.T, transport string, bindFirst bool)) {
	for _, tr := range transports {
		for _, bf := range []bool{true, false} {
			name := tr + "/connect-first"
			if bf {
				name = tr + "/bind-first"
			}
			t.Run(name, func(t *testing.T) { fn(t, tr, bf) })
		}
	}
}

func sendParts(t *testing.T, s *Socket, parts ...string) {
	t.Helper()
	args := make([]interface{}, len(parts))
	for i, p := range parts {
		args[i] = p
	}
	if _, err := s.SendMessage(args...); err != nil {
		t.Fatalf("send %q: %v", parts, err)
	}
}

func recvParts(t *testing.T, s *Socket) []string {
	t.Helper()
	m, err := s.RecvMessage(0)
	if err != nil {
		t.Fatalf("recv: %v", err)
	}
	return m
}

func expectParts(t *testing.T, s *Socket, want ...string) {
	t.Helper()
	got := recvParts(t, s)
	if strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// waitUntil polls cond (a hang guard, not a timing assertion).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestMain(m *testing.M) {
	base := takeLeakBaseline()
	code := m.Run()
	if code == 0 {
		if report := checkLeaks(base); report != "" {
			fmt.Fprint(os.Stderr, report)
			code = 1
		}
	}
	os.Exit(code)
}

func netDial(addr string) (net.Conn, error) { return net.DialTimeout("tcp", addr, 5*time.Second) }
