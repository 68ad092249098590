package zmq4

import (
	"errors"
	"runtime"
	"testing"
	"time"
)

// pollHangGuard bounds waits in these tests; it is never a timing assertion.
const pollHangGuard = 20 * time.Second

// manyIdle adds n PULL sockets that never get a message to p.
func manyIdle(tb testing.TB, ctx *Context, p *Poller, n int) []*Socket {
	tb.Helper()
	socks := make([]*Socket, n)
	for i := range socks {
		s, err := ctx.NewSocket(PULL)
		if err != nil {
			tb.Fatal(err)
		}
		s.SetLinger(0)
		socks[i] = s
		p.Add(s, POLLIN)
	}
	return socks
}

// closeAll closes the sockets at the end of the test.
func closeAll(tb testing.TB, socks []*Socket) {
	tb.Cleanup(func() {
		for _, s := range socks {
			s.Close()
		}
	})
}

// A Poll over 1,000 idle sockets and one ready one looks only at the ready
// one, reports it at every Poll while it stays readable (level-triggered),
// and looks at nothing once nothing changed.
func TestPollerCostFollowsReadySockets(t *testing.T) {
	pull, push := pairUp(t, "inproc", true, PULL, PUSH)
	p := NewPoller()
	closeAll(t, manyIdle(t, pull.ctx, p, 500))
	readyID := p.Add(pull, POLLIN)
	closeAll(t, manyIdle(t, pull.ctx, p, 500))

	// The first Poll looks at every socket once: they were all just added.
	if got, err := p.Poll(0); err != nil || len(got) != 0 {
		t.Fatalf("first Poll = %v, %v; want nothing", got, err)
	}
	if p.checks != 1001 {
		t.Fatalf("first Poll checked %d sockets, want all 1001", p.checks)
	}
	if got, err := p.Poll(0); err != nil || len(got) != 0 || p.checks != 0 {
		t.Fatalf("Poll with nothing changed = %v, %v after %d checks; want nothing after 0", got, err, p.checks)
	}

	_, err := push.Send("m", 0)
	must(t, err)
	got, err := p.Poll(pollHangGuard)
	must(t, err)
	if len(got) != 1 || got[0].Socket != pull || got[0].Events != POLLIN {
		t.Fatalf("Poll = %v, want the ready socket", got)
	}
	if p.checks > 2 {
		t.Fatalf("Poll checked %d sockets for one that became ready", p.checks)
	}
	// Not received yet: every Poll reports it again, checking only it.
	for i := 0; i < 3; i++ {
		all, err := p.PollAll(0)
		must(t, err)
		if len(all) != 1001 || all[readyID].Socket != pull || all[readyID].Events != POLLIN {
			t.Fatalf("PollAll round %d: item %d = %+v", i, readyID, all[readyID])
		}
		if p.checks != 1 {
			t.Fatalf("PollAll round %d checked %d sockets, want 1", i, p.checks)
		}
	}
	if _, err := pull.Recv(0); err != nil {
		t.Fatal(err)
	}
	if got, err := p.Poll(0); err != nil || len(got) != 0 || p.checks != 1 {
		t.Fatalf("Poll after the receive = %v, %v after %d checks; want nothing after 1", got, err, p.checks)
	}
	if got, err := p.Poll(0); err != nil || len(got) != 0 || p.checks != 0 {
		t.Fatalf("Poll after that = %v, %v after %d checks; want nothing after 0", got, err, p.checks)
	}
}

// A poller asked only for POLLIN never works out POLLOUT: a PUSH socket
// with a peer is writable but not reported, and is then dropped from the
// sockets the next Poll looks at.
func TestPollerAsksOnlyForWantedEvents(t *testing.T) {
	pull, push := pairUp(t, "inproc", true, PULL, PUSH)
	_ = pull
	p := NewPoller()
	id := p.Add(push, POLLIN)
	if got, err := p.Poll(0); err != nil || len(got) != 0 || p.checks != 1 {
		t.Fatalf("Poll = %v, %v after %d checks; want nothing after 1", got, err, p.checks)
	}
	if got, err := p.Poll(0); err != nil || len(got) != 0 || p.checks != 0 {
		t.Fatalf("second Poll = %v, %v after %d checks; want nothing after 0", got, err, p.checks)
	}
	// Asking for POLLOUT makes the next Poll look again.
	p.Update(id, POLLOUT)
	got, err := p.Poll(0)
	if err != nil || len(got) != 1 || got[0].Events != POLLOUT {
		t.Fatalf("Poll after Update = %v, %v; want POLLOUT", got, err)
	}
}

// The same socket in two items, removals that shift ids, and a socket
// closed between two Polls.
func TestPollerDuplicatesRemovalAndClose(t *testing.T) {
	pull, push := pairUp(t, "inproc", true, PULL, PUSH)
	ctx := pull.ctx
	other, err := ctx.NewSocket(PULL)
	must(t, err)
	p := NewPoller()
	p.Add(other, POLLIN)        // 0
	p.Add(pull, POLLIN)         // 1
	p.Add(push, POLLOUT)        // 2
	p.Add(pull, POLLIN|POLLOUT) // 3
	_, err = push.Send("m", 0)
	must(t, err)
	got, err := p.Poll(pollHangGuard)
	must(t, err)
	if len(got) != 3 || got[0].Socket != pull || got[1].Socket != push || got[2].Socket != pull || got[2].Events != POLLIN {
		t.Fatalf("Poll = %v; want pull, push, pull in id order", got)
	}
	must(t, p.Remove(0)) // ids drop by one
	must(t, p.RemoveBySocket(pull))
	all, err := p.PollAll(0)
	must(t, err)
	if len(all) != 2 || all[0].Socket != push || all[0].Events != POLLOUT || all[1].Socket != pull || all[1].Events != POLLIN {
		t.Fatalf("PollAll after removals = %v", all)
	}
	if other.watching.Load() != 0 {
		t.Fatal("a removed socket is still registered with the poller")
	}
	must(t, other.Close())
	p.Add(other, POLLIN)
	if _, err := p.Poll(0); !errors.Is(err, ErrorSocketClosed) {
		t.Fatalf("Poll with a closed socket = %v, want ErrorSocketClosed", err)
	}
	// Still failing: the closed socket stays among those looked at.
	if _, err := p.Poll(0); !errors.Is(err, ErrorSocketClosed) {
		t.Fatalf("second Poll with a closed socket = %v, want ErrorSocketClosed", err)
	}
}

// A Poller dropped without removing its sockets is unregistered from them
// once it is collected.
func TestPollerDroppedIsUnregistered(t *testing.T) {
	pull, _ := pairUp(t, "inproc", true, PULL, PUSH)
	func() {
		p := NewPoller()
		p.Add(pull, POLLIN)
		p.Poll(0)
	}()
	if pull.watching.Load() != 1 {
		t.Fatalf("watching = %d, want 1", pull.watching.Load())
	}
	deadline := time.Now().Add(pollHangGuard)
	for pull.watching.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("a collected poller is still registered")
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
}

// BenchmarkPoller1000 is one message to one of 1,000 PULL sockets in a
// poller: send, Poll, receive. checks/op is the number of sockets each Poll
// looked at.
func BenchmarkPoller1000(b *testing.B) {
	ctx, err := NewContext()
	if err != nil {
		b.Fatal(err)
	}
	defer ctx.Term()
	pull, _ := ctx.NewSocket(PULL)
	push, _ := ctx.NewSocket(PUSH)
	for _, s := range []*Socket{pull, push} {
		s.SetLinger(0)
		defer s.Close()
	}
	if err := pull.Bind("inproc://poller1000"); err != nil {
		b.Fatal(err)
	}
	if err := push.Connect("inproc://poller1000"); err != nil {
		b.Fatal(err)
	}
	p := NewPoller()
	idle := manyIdle(b, ctx, p, 999)
	defer func() {
		for _, s := range idle {
			s.Close()
		}
	}()
	p.Add(pull, POLLIN)
	p.Poll(0)
	checks := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := push.Send("m", 0); err != nil {
			b.Fatal(err)
		}
		got, err := p.Poll(-1)
		if err != nil || len(got) != 1 {
			b.Fatal(got, err)
		}
		checks += p.checks
		if _, err := pull.Recv(0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(checks)/float64(b.N), "checks/op")
}
