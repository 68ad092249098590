package zmq4

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/purezmq/zmq4/internal/pyzmq"
	"github.com/purezmq/zmq4/internal/zmtp"
)

// hbGuard bounds every blocking step of these tests; it is a hang guard,
// never a timing assertion.
const hbGuard = 10 * time.Second

// hbRawPeer is a hand-written ZMTP 3.1 peer on a raw TCP connection, NULL
// mechanism, for driving our engine frame by frame.
type hbRawPeer struct {
	t    *testing.T
	conn net.Conn
	r    *zmtp.Reader
}

// hbHandshake sends a greeting and READY as socketType and reads the
// peer's greeting and READY.
func hbHandshake(t *testing.T, conn net.Conn, socketType string) *hbRawPeer {
	t.Helper()
	conn.SetDeadline(time.Now().Add(hbGuard))
	p := &hbRawPeer{t: t, conn: conn, r: zmtp.NewReader(conn, 1<<20)}
	if _, err := conn.Write(zmtp.AppendGreeting(nil, "NULL", false)); err != nil {
		t.Fatal(err)
	}
	raw, err := p.r.ReadGreeting()
	if err != nil {
		t.Fatalf("reading greeting: %v", err)
	}
	if _, err := zmtp.ParseGreeting(raw); err != nil {
		t.Fatal(err)
	}
	props := zmtp.AppendProperty(nil, "Socket-Type", socketType)
	if socketType == "DEALER" || socketType == "ROUTER" {
		props = zmtp.AppendProperty(props, "Identity", "")
	}
	p.writeCommand(zmtp.AppendCommand(nil, zmtp.CmdReady, props))
	f, err := p.r.ReadFrame()
	if err != nil {
		t.Fatalf("reading READY: %v", err)
	}
	if name, _, err := zmtp.ParseCommand(f.Body); err != nil || !f.IsCommand() || name != zmtp.CmdReady {
		t.Fatalf("expected READY, got flags %#x body %q", f.Flags, f.Body)
	}
	return p
}

func (p *hbRawPeer) writeCommand(body []byte) {
	p.t.Helper()
	if _, err := p.conn.Write(zmtp.AppendFrame(nil, zmtp.FlagCommand, body)); err != nil {
		p.t.Fatal(err)
	}
}

// readUntilClosed reads frames until the connection ends and returns the
// PINGs seen. Running into the hang guard fails the test: the peer was
// expected to be dropped.
func (p *hbRawPeer) readUntilClosed() (pings [][]byte) {
	p.t.Helper()
	for {
		f, err := p.r.ReadFrame()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				p.t.Fatalf("connection still open after %v (saw %d PINGs)", hbGuard, len(pings))
			}
			return pings
		}
		if !f.IsCommand() {
			continue
		}
		name, data, err := zmtp.ParseCommand(f.Body)
		if err == nil && name == zmtp.CmdPing {
			pings = append(pings, append([]byte(nil), data...))
		}
	}
}

// expectPong reads frames until a PONG and returns its context.
func (p *hbRawPeer) expectPong() []byte {
	p.t.Helper()
	for {
		f, err := p.r.ReadFrame()
		if err != nil {
			p.t.Fatalf("waiting for PONG: %v", err)
		}
		if !f.IsCommand() {
			continue
		}
		name, data, err := zmtp.ParseCommand(f.Body)
		if err == nil && name == zmtp.CmdPong {
			return append([]byte(nil), data...)
		}
	}
}

func hbSetHeartbeats(t *testing.T, s *Socket, ivl, timeout, ttl time.Duration) {
	t.Helper()
	must(t, s.SetHeartbeatIvl(ivl))
	must(t, s.SetHeartbeatTimeout(timeout))
	must(t, s.SetHeartbeatTtl(ttl))
}

func hbAccept(t *testing.T, ln net.Listener) net.Conn {
	t.Helper()
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(hbGuard))
	c, err := ln.Accept()
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func hbListen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// hbCheckPing checks a PING's data: the TTL we configured, no context.
func hbCheckPing(t *testing.T, data []byte, wantTTL uint16) {
	t.Helper()
	ttl, ctx, err := zmtp.ParsePing(data)
	if err != nil {
		t.Fatal(err)
	}
	if ttl != wantTTL || len(ctx) != 0 {
		t.Fatalf("PING ttl %d context %q, want ttl %d and no context", ttl, ctx, wantTTL)
	}
}

// A silent peer is dropped HEARTBEAT_TIMEOUT after one of our PINGs, on the
// connecting side (which then reconnects) and on the binding side.
func TestHeartbeatTimeoutDropsSilentPeer(t *testing.T) {
	t.Run("connecter", func(t *testing.T) {
		ln := hbListen(t)
		ctx := newTestContext(t)
		s := newTestSocket(t, ctx, DEALER)
		hbSetHeartbeats(t, s, 30*time.Millisecond, 100*time.Millisecond, 1500*time.Millisecond)
		must(t, s.Connect("tcp://"+ln.Addr().String()))

		peer := hbHandshake(t, hbAccept(t, ln), "ROUTER")
		pings := peer.readUntilClosed()
		if len(pings) == 0 {
			t.Fatal("connection closed without any PING")
		}
		hbCheckPing(t, pings[0], 15)

		// The connecter dials again after the drop.
		again := hbHandshake(t, hbAccept(t, ln), "ROUTER")
		if pings := again.readUntilClosed(); len(pings) == 0 {
			t.Fatal("reconnected connection closed without any PING")
		}
	})
	t.Run("binder", func(t *testing.T) {
		ctx := newTestContext(t)
		s := newTestSocket(t, ctx, ROUTER)
		hbSetHeartbeats(t, s, 30*time.Millisecond, 100*time.Millisecond, 0)
		must(t, s.Bind("tcp://127.0.0.1:*"))
		conn, err := netDial(strings.TrimPrefix(s.opt.lastEndpoint, "tcp://"))
		must(t, err)
		t.Cleanup(func() { conn.Close() })
		peer := hbHandshake(t, conn, "DEALER")
		pings := peer.readUntilClosed()
		if len(pings) == 0 {
			t.Fatal("connection closed without any PING")
		}
		hbCheckPing(t, pings[0], 0)
	})
}

// A peer's PING with a TTL, followed by silence, gets the connection
// dropped even though our own heartbeats are off; the PONG echoes the
// context.
func TestHeartbeatPeerTTLDropsSilentPeer(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, ROUTER)
	must(t, s.Bind("tcp://127.0.0.1:*"))
	conn, err := netDial(strings.TrimPrefix(s.opt.lastEndpoint, "tcp://"))
	must(t, err)
	t.Cleanup(func() { conn.Close() })
	peer := hbHandshake(t, conn, "DEALER")

	peer.writeCommand(zmtp.AppendPing(nil, 2, []byte("ctx-1")))
	if got := peer.expectPong(); string(got) != "ctx-1" {
		t.Fatalf("PONG context %q, want ctx-1", got)
	}
	if pings := peer.readUntilClosed(); len(pings) != 0 {
		t.Fatalf("heartbeats are off but we sent %d PINGs", len(pings))
	}
}

// Any frame after a PING cancels its TTL: the connection survives a long
// silence that follows a message, and still carries messages afterwards.
func TestHeartbeatPeerTTLCancelledByTraffic(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, ROUTER)
	mon := hbMonitor(t, s, EVENT_DISCONNECTED)
	must(t, s.Bind("tcp://127.0.0.1:*"))
	conn, err := netDial(strings.TrimPrefix(s.opt.lastEndpoint, "tcp://"))
	must(t, err)
	t.Cleanup(func() { conn.Close() })
	peer := hbHandshake(t, conn, "DEALER")

	peer.writeCommand(zmtp.AppendPing(nil, 1, nil)) // TTL 100 ms
	peer.expectPong()
	if _, err := conn.Write(zmtp.AppendFrame(nil, 0, []byte("first"))); err != nil {
		t.Fatal(err)
	}
	// Three TTLs of silence: an uncancelled TTL timer would drop us here.
	time.Sleep(300 * time.Millisecond)
	if _, err := conn.Write(zmtp.AppendFrame(nil, 0, []byte("second"))); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"first", "second"} {
		m := recvParts(t, s)
		if len(m) != 2 || m[1] != want {
			t.Fatalf("got %q, want [id %s]", m, want)
		}
	}
	must(t, mon.SetRcvtimeo(0))
	if ev, _, _, err := mon.RecvEvent(DONTWAIT); err == nil {
		t.Fatalf("unexpected event %v: the connection was dropped", ev)
	}
}

// hbMonitor starts monitoring s for events and returns the PAIR socket
// that reads them.
func hbMonitor(t *testing.T, s *Socket, events Event) *Socket {
	t.Helper()
	addr := fmt.Sprintf("inproc://hb-monitor-%d", ipcCounter.Add(1))
	must(t, s.Monitor(addr, events))
	m := newTestSocket(t, s.ctx, PAIR)
	must(t, m.Connect(addr))
	return m
}

// hbTap relays TCP connections to a target and parses both directions as
// ZMTP (NULL mechanism), counting PINGs and PONGs per direction.
type hbTap struct {
	ln       net.Listener
	target   string
	accepted atomic.Int32
	pings    [2]atomic.Int32 // [0] client to server, [1] server to client
	pongs    [2]atomic.Int32
	frames   [2]atomic.Int32 // every frame, including CURVE boxes
	mu       sync.Mutex
	pingData [2][][]byte
	wg       sync.WaitGroup
}

func newHBTap(t *testing.T, target string) *hbTap {
	t.Helper()
	tap := &hbTap{ln: hbListen(t), target: target}
	tap.wg.Add(1)
	go tap.acceptLoop()
	t.Cleanup(func() {
		tap.ln.Close()
		tap.wg.Wait()
	})
	return tap
}

func (tap *hbTap) endpoint() string { return "tcp://" + tap.ln.Addr().String() }

func (tap *hbTap) acceptLoop() {
	defer tap.wg.Done()
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for {
		c, err := tap.ln.Accept()
		if err != nil {
			return
		}
		tap.accepted.Add(1)
		s, err := net.Dial("tcp", tap.target)
		if err != nil {
			c.Close()
			continue
		}
		conns = append(conns, c, s)
		tap.wg.Add(2)
		go tap.pump(c, s, 0)
		go tap.pump(s, c, 1)
	}
}

// pump copies src to dst and feeds a copy to the frame parser.
func (tap *hbTap) pump(src, dst net.Conn, dir int) {
	defer tap.wg.Done()
	pr, pw := io.Pipe()
	parsed := make(chan struct{})
	go func() {
		defer close(parsed)
		tap.parse(pr, dir)
		io.Copy(io.Discard, pr)
	}()
	io.Copy(io.MultiWriter(dst, pw), src)
	pw.Close()
	<-parsed
	src.Close()
	dst.Close()
}

func (tap *hbTap) parse(r io.Reader, dir int) {
	zr := zmtp.NewReader(r, 1<<20)
	if _, err := zr.ReadGreeting(); err != nil {
		return
	}
	for {
		f, err := zr.ReadFrame()
		if err != nil {
			return
		}
		tap.frames[dir].Add(1)
		if !f.IsCommand() {
			continue
		}
		name, data, err := zmtp.ParseCommand(f.Body)
		if err != nil {
			continue
		}
		switch name {
		case zmtp.CmdPing:
			tap.mu.Lock()
			tap.pingData[dir] = append(tap.pingData[dir], append([]byte(nil), data...))
			tap.mu.Unlock()
			tap.pings[dir].Add(1)
		case zmtp.CmdPong:
			tap.pongs[dir].Add(1)
		}
	}
}

// flowing reports whether at least n PINGs and n PONGs went each way.
func (tap *hbTap) flowing(n int32) bool {
	for dir := 0; dir < 2; dir++ {
		if tap.pings[dir].Load() < n || tap.pongs[dir].Load() < n {
			return false
		}
	}
	return true
}

// Two of our sockets with heartbeats on keep their link: PINGs and PONGs
// flow both ways over one connection, and messages still pass.
func TestHeartbeatKeepsLinkUp(t *testing.T) {
	ctx := newTestContext(t)
	srv := newTestSocket(t, ctx, ROUTER)
	cli := newTestSocket(t, ctx, DEALER)
	hbSetHeartbeats(t, srv, 20*time.Millisecond, 2*time.Second, 3*time.Second)
	hbSetHeartbeats(t, cli, 20*time.Millisecond, 2*time.Second, 2*time.Second)
	smon := hbMonitor(t, srv, EVENT_DISCONNECTED)
	must(t, srv.Bind("tcp://127.0.0.1:*"))
	tap := newHBTap(t, strings.TrimPrefix(srv.opt.lastEndpoint, "tcp://"))
	must(t, cli.Connect(tap.endpoint()))

	sendParts(t, cli, "hello")
	m := recvParts(t, srv)
	waitUntil(t, "PINGs and PONGs both ways", func() bool { return tap.flowing(3) })
	sendParts(t, srv, m[0], "world")
	expectParts(t, cli, "world")

	if n := tap.accepted.Load(); n != 1 {
		t.Fatalf("%d connections, want 1 (the link was dropped)", n)
	}
	tap.mu.Lock()
	hbCheckPing(t, tap.pingData[0][0], 20)
	hbCheckPing(t, tap.pingData[1][0], 30)
	tap.mu.Unlock()
	must(t, smon.SetRcvtimeo(0))
	if ev, _, _, err := smon.RecvEvent(DONTWAIT); err == nil {
		t.Fatalf("unexpected event %v: the link was dropped", ev)
	}
}

// hbStartPython runs a pyzmq script with args, skipping the test when
// pyzmq is missing. The process is killed when the test ends.
func hbStartPython(t *testing.T, script string, args ...string) *exec.Cmd {
	t.Helper()
	pyzmq.Require(t)
	cmd := pyzmq.Command(append([]string{"-c", script}, args...)...)
	var out strings.Builder
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGCONT)
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("python output:\n%s", out.String())
		}
	})
	return cmd
}

// hbEchoDealer is a libzmq DEALER with heartbeats that says hello, then
// echoes every message with "!" appended until it gets "quit".
const hbEchoDealer = `
import sys, zmq
ctx = zmq.Context()
s = ctx.socket(zmq.DEALER)
s.setsockopt(zmq.LINGER, 0)
s.setsockopt(zmq.RCVTIMEO, 10000)
s.setsockopt(zmq.HEARTBEAT_IVL, 20)
s.setsockopt(zmq.HEARTBEAT_TIMEOUT, 2000)
s.setsockopt(zmq.HEARTBEAT_TTL, 2000)
s.connect(sys.argv[1])
s.send(b"hello")
while True:
    m = s.recv()
    if m == b"quit":
        break
    s.send(m + b"!")
s.close()
ctx.term()
`

// A libzmq DEALER and our ROUTER, both with heartbeats, keep one
// connection while PINGs and PONGs flow both ways, and exchange messages.
func TestHeartbeatInteropLibzmqStaysConnected(t *testing.T) {
	ctx := newTestContext(t)
	srv := newTestSocket(t, ctx, ROUTER)
	hbSetHeartbeats(t, srv, 20*time.Millisecond, 2*time.Second, 3*time.Second)
	smon := hbMonitor(t, srv, EVENT_DISCONNECTED)
	must(t, srv.Bind("tcp://127.0.0.1:*"))
	tap := newHBTap(t, strings.TrimPrefix(srv.opt.lastEndpoint, "tcp://"))
	cmd := hbStartPython(t, hbEchoDealer, tap.endpoint())

	m := recvParts(t, srv)
	if len(m) != 2 || m[1] != "hello" {
		t.Fatalf("got %q", m)
	}
	id := m[0]
	waitUntil(t, "PINGs and PONGs both ways", func() bool { return tap.flowing(3) })
	for i := 0; i < 3; i++ {
		msg := fmt.Sprint("msg", i)
		sendParts(t, srv, id, msg)
		expectParts(t, srv, id, msg+"!")
	}
	must(t, smon.SetRcvtimeo(0))
	if ev, _, _, err := smon.RecvEvent(DONTWAIT); err == nil {
		t.Fatalf("unexpected event %v: the link was dropped", ev)
	}
	sendParts(t, srv, id, "quit")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("python peer: %v", err)
		}
	case <-time.After(hbGuard):
		t.Fatal("python peer did not exit")
	}

	if n := tap.accepted.Load(); n != 1 {
		t.Fatalf("%d connections, want 1 (the link was dropped)", n)
	}
	tap.mu.Lock()
	hbCheckPing(t, tap.pingData[0][0], 20) // libzmq's HEARTBEAT_TTL 2000 ms
	hbCheckPing(t, tap.pingData[1][0], 30) // ours, 3 s
	tap.mu.Unlock()
}

// hbStoppableDealer is a libzmq DEALER without heartbeats that says hello
// and then idles; the test freezes it with SIGSTOP.
const hbStoppableDealer = `
import sys, time, zmq
ctx = zmq.Context()
s = ctx.socket(zmq.DEALER)
s.setsockopt(zmq.LINGER, 0)
s.connect(sys.argv[1])
s.send(b"hello")
time.sleep(60)
`

// A libzmq peer frozen with SIGSTOP answers no PING, so our socket drops it
// after HEARTBEAT_TIMEOUT, which the monitor reports.
func TestHeartbeatInteropDropsStoppedLibzmqPeer(t *testing.T) {
	ctx := newTestContext(t)
	srv := newTestSocket(t, ctx, ROUTER)
	hbSetHeartbeats(t, srv, 100*time.Millisecond, 300*time.Millisecond, 0)
	mon := hbMonitor(t, srv, EVENT_ACCEPTED|EVENT_DISCONNECTED)
	must(t, srv.Bind("tcp://127.0.0.1:*"))
	ep := srv.opt.lastEndpoint
	cmd := hbStartPython(t, hbStoppableDealer, ep)

	m := recvParts(t, srv)
	if len(m) != 2 || m[1] != "hello" {
		t.Fatalf("got %q", m)
	}
	if err := syscall.Kill(cmd.Process.Pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	expectHBEvent(t, mon, EVENT_ACCEPTED)
	expectHBEvent(t, mon, EVENT_DISCONNECTED)
	// The process is still there, only frozen: the drop was ours.
	if err := cmd.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("python peer is gone: %v", err)
	}
}

// expectHBEvent reads monitor events until want arrives (hang-guarded by
// the monitor socket's receive timeout).
func expectHBEvent(t *testing.T, mon *Socket, want Event) {
	t.Helper()
	for {
		ev, _, _, err := mon.RecvEvent(0)
		if err != nil {
			t.Fatalf("waiting for %v: %v", want, err)
		}
		if ev == want {
			return
		}
	}
}

// hbCurveEchoDealer is hbEchoDealer as a CURVE client; argv: endpoint,
// server public key, HEARTBEAT_IVL in ms (0 for none; the timeout is 300 ms).
const hbCurveEchoDealer = `
import sys, zmq
ctx = zmq.Context()
s = ctx.socket(zmq.DEALER)
pub, sec = zmq.curve_keypair()
s.setsockopt(zmq.CURVE_SERVERKEY, sys.argv[2].encode())
s.setsockopt(zmq.CURVE_PUBLICKEY, pub)
s.setsockopt(zmq.CURVE_SECRETKEY, sec)
s.setsockopt(zmq.LINGER, 0)
s.setsockopt(zmq.RCVTIMEO, 10000)
s.setsockopt(zmq.HEARTBEAT_IVL, int(sys.argv[3]))
s.setsockopt(zmq.HEARTBEAT_TIMEOUT, 300)
s.connect(sys.argv[1])
s.send(b"hello")
while True:
    m = s.recv()
    if m == b"quit":
        break
    s.send(m + b"!")
s.close()
ctx.term()
`

// Under CURVE, PINGs and PONGs travel inside MESSAGE boxes. One side
// heartbeats with a short HEARTBEAT_TIMEOUT, the other only answers; the
// link stays on one connection through an idle stretch of many timeouts
// that only PINGs and PONGs fill. libzmq pinging checks our boxed PONGs;
// us pinging checks our boxed PINGs.
func TestHeartbeatInteropCurve(t *testing.T) {
	for _, libzmqPings := range []bool{true, false} {
		name := "libzmq-pings"
		if !libzmqPings {
			name = "we-ping"
		}
		t.Run(name, func(t *testing.T) { hbCurveInterop(t, libzmqPings) })
	}
}

func hbCurveInterop(t *testing.T, libzmqPings bool) {
	pub, sec, err := NewCurveKeypair()
	must(t, err)
	ctx := newTestContext(t)
	srv := newTestSocket(t, ctx, ROUTER)
	must(t, srv.SetCurveServer(1))
	must(t, srv.SetCurveSecretkey(sec))
	pyIvl := "0"
	if libzmqPings {
		pyIvl = "20"
	}
	if !libzmqPings {
		hbSetHeartbeats(t, srv, 20*time.Millisecond, 300*time.Millisecond, 0)
	}
	smon := hbMonitor(t, srv, EVENT_DISCONNECTED)
	must(t, srv.Bind("tcp://127.0.0.1:*"))
	tap := newHBTap(t, strings.TrimPrefix(srv.opt.lastEndpoint, "tcp://"))
	cmd := hbStartPython(t, hbCurveEchoDealer, tap.endpoint(), pub, pyIvl)

	m := recvParts(t, srv)
	if len(m) != 2 || m[1] != "hello" {
		t.Fatalf("got %q", m)
	}
	id := m[0]
	// Idle: only PING and PONG boxes cross now, about one per 20 ms each way.
	base0, base1 := tap.frames[0].Load(), tap.frames[1].Load()
	waitUntil(t, "heartbeat boxes both ways", func() bool {
		return tap.frames[0].Load()-base0 >= 50 && tap.frames[1].Load()-base1 >= 50
	})
	sendParts(t, srv, id, "ping")
	expectParts(t, srv, id, "ping!")
	if n := tap.accepted.Load(); n != 1 {
		t.Fatalf("%d connections, want 1 (the link was dropped)", n)
	}
	must(t, smon.SetRcvtimeo(0))
	if ev, _, _, err := smon.RecvEvent(DONTWAIT); err == nil {
		t.Fatalf("unexpected event %v: the link was dropped", ev)
	}
	sendParts(t, srv, id, "quit")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("python peer: %v", err)
		}
	case <-time.After(hbGuard):
		t.Fatal("python peer did not exit")
	}
}
