package zmq4

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// The context's IPV6 option is the IPV6 default of the sockets it makes
// afterwards (libzmq's ZMQ_IPV6 context option); sockets made before keep
// theirs.
func TestContextIpv6IsNewSocketsDefault(t *testing.T) {
	ctx := newTestContext(t)
	before := newTestSocket(t, ctx, ROUTER)
	must(t, ctx.SetIpv6(true))
	after := newTestSocket(t, ctx, ROUTER)
	if v, _ := after.GetIpv6(); !v {
		t.Error("a socket made after SetIpv6(true) has IPV6 false")
	}
	if v, _ := before.GetIpv6(); v {
		t.Error("a socket made before SetIpv6(true) changed to IPV6 true")
	}
	// The option acts: the new socket binds to an IPv6 wildcard address,
	// which accepts an IPv4 client too.
	must(t, after.Bind("tcp://*:*"))
	if ep, _ := after.GetLastEndpoint(); !strings.HasPrefix(ep, "tcp://[::]:") {
		t.Errorf("bind with IPV6 from the context gives %q, want tcp://[::]:port", ep)
	}
}

// BLOCKY false makes the sockets made afterwards start with LINGER 0, as
// libzmq reads ZMQ_BLOCKY when it makes a socket; so Term does not wait for
// messages that cannot be delivered.
func TestContextBlockyFalseMeansLingerZero(t *testing.T) {
	ctx, err := NewContext()
	must(t, err)
	before, err := ctx.NewSocket(PUSH)
	must(t, err)
	if l, _ := before.GetLinger(); l != -1 {
		t.Errorf("LINGER with BLOCKY true = %v, want -1", l)
	}
	must(t, ctx.SetBlocky(false))
	push, err := ctx.NewSocket(PUSH)
	must(t, err)
	if l, _ := push.GetLinger(); l != 0 {
		t.Errorf("LINGER with BLOCKY false = %v, want 0", l)
	}
	before.SetLinger(0)
	before.Close()
	// Queue a message for a peer that never comes, then close and Term.
	must(t, push.Connect("tcp://127.0.0.1:1"))
	if _, err := push.Send("stuck", 0); err != nil {
		t.Fatal(err)
	}
	push.Close()
	termReturns(t, ctx)
}

// termReturns fails the test if Term does not return (a hang guard).
func termReturns(t *testing.T, ctx *Context) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- ctx.Term() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Term: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Term did not return")
	}
}

// MAX_MSGSZ is stored only, as in libzmq 4.3: a larger message still goes
// through, and values past INT_MAX read back as INT_MAX.
func TestContextMaxMsgszIsStoredOnly(t *testing.T) {
	ctx := newTestContext(t)
	must(t, ctx.SetMaxMsgsz(10))
	if n, _ := ctx.GetMaxMsgsz(); n != 10 {
		t.Fatalf("GetMaxMsgsz = %d, want 10", n)
	}
	pull := newTestSocket(t, ctx, PULL)
	push := newTestSocket(t, ctx, PUSH)
	must(t, pull.Bind("tcp://127.0.0.1:*"))
	ep, _ := pull.GetLastEndpoint()
	must(t, push.Connect(ep))
	big := strings.Repeat("x", 100)
	sendParts(t, push, big)
	expectParts(t, pull, big)
	must(t, ctx.SetMaxMsgsz(math.MaxInt))
	if n, _ := ctx.GetMaxMsgsz(); n != 1<<31-1 {
		t.Errorf("GetMaxMsgsz after MaxInt = %d, want %d", n, 1<<31-1)
	}
	if err := ctx.SetMaxMsgsz(-1); err == nil {
		t.Error("SetMaxMsgsz(-1) succeeded")
	}
}

// The context's LINGER, SNDHWM and RCVHWM (CZMQ's zsys defaults) are what
// sockets made afterwards start with; a LINGER set there outranks BLOCKY.
func TestContextSocketDefaults(t *testing.T) {
	ctx := newTestContext(t)
	must(t, ctx.SetBlocky(false))
	must(t, ctx.SetLinger(250*time.Millisecond))
	must(t, ctx.SetSndhwm(3))
	must(t, ctx.SetRcvhwm(4))
	s, err := ctx.NewSocket(PUSH)
	must(t, err)
	defer s.Close()
	if l, _ := s.GetLinger(); l != 250*time.Millisecond {
		t.Errorf("LINGER = %v, want 250ms", l)
	}
	if l, _ := ctx.GetLinger(); l != 250*time.Millisecond {
		t.Errorf("ctx LINGER = %v, want 250ms", l)
	}
	if n, _ := s.GetSndhwm(); n != 3 {
		t.Errorf("SNDHWM = %d, want 3", n)
	}
	if n, _ := s.GetRcvhwm(); n != 4 {
		t.Errorf("RCVHWM = %d, want 4", n)
	}
	if err := ctx.SetSndhwm(-1); err == nil {
		t.Error("SetSndhwm(-1) succeeded")
	}

	// The HWMs act: over inproc, a PUSH to a PULL that does not read
	// holds its SNDHWM plus the PULL's RCVHWM.
	must(t, ctx.SetSndhwm(2))
	must(t, ctx.SetRcvhwm(3))
	push := newTestSocket(t, ctx, PUSH)
	pull := newTestSocket(t, ctx, PULL)
	must(t, pull.Bind("inproc://ctx-hwm"))
	must(t, push.Connect("inproc://ctx-hwm"))
	if sent := countSends(t, push); sent != 5 {
		t.Errorf("sent %d messages before EAGAIN, want SNDHWM+RCVHWM = 5", sent)
	}
}

// Shutdown is zmq_ctx_shutdown: blocked calls return ETERM at once, later
// calls on the sockets do too, the sockets stay open until closed, and Term
// then waits for them.
func TestContextShutdown(t *testing.T) {
	ctx, err := NewContext()
	must(t, err)
	pull, err := ctx.NewSocket(PULL)
	must(t, err)
	must(t, pull.Bind("inproc://shutdown"))
	recvErr := make(chan error, 1)
	go func() {
		_, err := pull.Recv(0)
		recvErr <- err
	}()
	must(t, ctx.Shutdown())
	select {
	case err := <-recvErr:
		if !errors.Is(err, ETERM) {
			t.Errorf("blocked Recv after Shutdown: %v, want ETERM", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a blocked Recv did not return after Shutdown")
	}
	if _, err := pull.Recv(DONTWAIT); !errors.Is(err, ETERM) {
		t.Errorf("Recv after Shutdown: %v, want ETERM", err)
	}
	if err := pull.SetLinger(0); !errors.Is(err, ETERM) {
		t.Errorf("SetLinger after Shutdown: %v, want ETERM", err)
	}
	if _, err := ctx.NewSocket(PUSH); !errors.Is(err, ETERM) {
		t.Errorf("NewSocket after Shutdown: %v, want ETERM", err)
	}
	must(t, ctx.Shutdown()) // a second Shutdown does nothing

	termed := make(chan error, 1)
	go func() { termed <- ctx.Term() }()
	select {
	case <-termed:
		t.Fatal("Term returned while a socket was still open")
	case <-time.After(50 * time.Millisecond):
	}
	must(t, pull.Close())
	select {
	case err := <-termed:
		if err != nil {
			t.Errorf("Term: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Term did not return after the last socket closed")
	}
	if err := ctx.Shutdown(); err != ErrorContextClosed {
		t.Errorf("Shutdown after Term: %v, want ErrorContextClosed", err)
	}
}

// Destroy closes every socket with the context's LINGER and terminates the
// context, as CZMQ's zctx_destroy.
func TestContextDestroy(t *testing.T) {
	ctx, err := NewContext()
	must(t, err)
	must(t, ctx.SetLinger(0))
	push, err := ctx.NewSocket(PUSH)
	must(t, err)
	must(t, push.SetLinger(-1)) // Destroy overrides it with the context's 0
	must(t, push.Connect("tcp://127.0.0.1:1"))
	if _, err := push.Send("never delivered", 0); err != nil {
		t.Fatal(err)
	}
	pull, err := ctx.NewSocket(PULL)
	must(t, err)
	must(t, pull.Bind("inproc://destroy"))

	done := make(chan error, 1)
	go func() { done <- ctx.Destroy() }()
	select {
	case err := <-done:
		must(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("Destroy did not return")
	}
	for _, s := range []*Socket{push, pull} {
		if err := s.Close(); err != ErrorSocketClosed {
			t.Errorf("%v: Close after Destroy: %v, want ErrorSocketClosed", s, err)
		}
	}
	if err := ctx.Term(); err != ErrorContextClosed {
		t.Errorf("Term after Destroy: %v, want ErrorContextClosed", err)
	}
}

// The options documented as stored only are read back and change nothing:
// with every one of them set to an unusual value, on the context and on
// both sockets, a tcp bind, connect and exchange behave as without them.
// USE_FD names a descriptor that does not exist; libzmq would bind to it,
// here Bind makes its own listener.
func TestStoredOnlyOptionsChangeNothing(t *testing.T) {
	ctx := newTestContext(t)
	must(t, ctx.SetIoThreads(7))
	must(t, ctx.SetThreadSchedPolicy(1))
	must(t, ctx.SetThreadPriority(10))
	must(t, ctx.SetMaxMsgsz(1))
	setAll := func(s *Socket) {
		must(t, s.SetAffinity(3))
		must(t, s.SetRate(7))
		must(t, s.SetRecoveryIvl(time.Second))
		must(t, s.SetMulticastMaxtpdu(100))
		must(t, s.SetGssapiServer(true))
		must(t, s.SetGssapiPrincipal("p"))
		must(t, s.SetGssapiServicePrincipal("sp"))
		must(t, s.SetGssapiPlaintext(true))
		must(t, s.SetVmciBufferSize(1))
		must(t, s.SetVmciBufferMinSize(1))
		must(t, s.SetVmciBufferMaxSize(1))
		must(t, s.SetVmciConnectTimeout(time.Millisecond))
	}
	rep := newTestSocket(t, ctx, REP)
	req := newTestSocket(t, ctx, REQ)
	setAll(rep)
	setAll(req)
	must(t, rep.Bind("tcp://127.0.0.1:*"))
	ep, _ := rep.GetLastEndpoint()
	must(t, req.Connect(ep))
	big := strings.Repeat("y", 1000) // over the context's MAX_MSGSZ of 1
	sendParts(t, req, big)
	expectParts(t, rep, big)
	sendParts(t, rep, "ok")
	expectParts(t, req, "ok")
	if n, _ := ctx.GetIoThreads(); n != 7 {
		t.Errorf("IO_THREADS read back %d, want 7", n)
	}
	if m, _ := rep.GetMechanism(); m != NULL {
		t.Errorf("GSSAPI options changed the mechanism to %v", m)
	}
}
