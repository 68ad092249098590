package zmq4_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq4"
)

// Helpers shared by the poller, proxy and reactor tests. They live in the
// external test package so they cannot clash with the core's own helpers.

// hangGuard bounds every wait in these tests; it is never a timing assertion.
const hangGuard = 20 * time.Second

var pxEndpointSeq atomic.Int64

// pxTransports are the transports the poller, proxy and reactor tests run over.
var pxTransports = []string{"inproc", "tcp"}

// pxContext makes a context that is terminated when the test ends.
func pxContext(t *testing.T) *zmq.Context {
	t.Helper()
	ctx, err := zmq.NewContext()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		done := make(chan struct{})
		go func() { ctx.Term(); close(done) }()
		select {
		case <-done:
		case <-time.After(hangGuard):
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Errorf("context Term hung:\n%s", buf[:n])
		}
	})
	return ctx
}

// pxSocket makes a socket with linger 0 and hang-guard time-outs; it is
// closed when the test ends (before its context is terminated).
func pxSocket(t *testing.T, ctx *zmq.Context, typ zmq.Type) *zmq.Socket {
	t.Helper()
	s, err := ctx.NewSocket(typ)
	if err != nil {
		t.Fatal(err)
	}
	pxMust(t, s.SetLinger(0))
	pxMust(t, s.SetRcvtimeo(hangGuard))
	pxMust(t, s.SetSndtimeo(hangGuard))
	t.Cleanup(func() { s.Close() })
	pxOpen.Lock()
	pxOpen.sockets[ctx] = append(pxOpen.sockets[ctx], s)
	pxOpen.Unlock()
	return s
}

// pxOpen lists the sockets pxSocket made, by context, for pxCloseAll.
var pxOpen = struct {
	sync.Mutex
	sockets map[*zmq.Context][]*zmq.Socket
}{sockets: map[*zmq.Context][]*zmq.Socket{}}

// pxCloseAll closes every socket pxSocket made in ctx and waits (hang guard
// only) for a Term already started to return.
func pxCloseAll(t *testing.T, ctx *zmq.Context, termDone <-chan error) {
	t.Helper()
	pxOpen.Lock()
	list := pxOpen.sockets[ctx]
	delete(pxOpen.sockets, ctx)
	pxOpen.Unlock()
	for _, s := range list {
		s.Close()
	}
	select {
	case err := <-termDone:
		if err != nil {
			t.Errorf("Term: %v", err)
		}
	case <-time.After(hangGuard):
		t.Error("Term did not return after every socket was closed")
	}
}

// pxBind binds s to a fresh endpoint of the transport and returns the
// endpoint peers connect to.
func pxBind(t *testing.T, s *zmq.Socket, transport string) string {
	t.Helper()
	ep := "tcp://127.0.0.1:*"
	if transport == "inproc" {
		ep = fmt.Sprintf("inproc://px-%d", pxEndpointSeq.Add(1))
	}
	pxMust(t, s.Bind(ep))
	last, err := s.GetLastEndpoint()
	pxMust(t, err)
	return last
}

func pxMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// pxEachTransport runs fn as a subtest per transport.
func pxEachTransport(t *testing.T, fn func(t *testing.T, transport string)) {
	for _, tr := range pxTransports {
		t.Run(tr, func(t *testing.T) { fn(t, tr) })
	}
}

// pxExpect receives one message from s and compares it with want.
func pxExpect(t *testing.T, s *zmq.Socket, want ...string) {
	t.Helper()
	got, err := s.RecvMessage(0)
	if err != nil {
		t.Fatalf("recv: %v", err)
	}
	if strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// pollResult is what a Poll running in a goroutine returned.
type pollResult struct {
	polled []zmq.Polled
	err    error
}

// pollAsync runs Poll(timeout) in a goroutine.
func pollAsync(p *zmq.Poller, timeout time.Duration) <-chan pollResult {
	ch := make(chan pollResult, 1)
	go func() {
		polled, err := p.Poll(timeout)
		ch <- pollResult{polled, err}
	}()
	return ch
}

// waitBlocked waits until some goroutine is parked inside the named
// function (for instance "(*Poller).poll"), so that a test can make a socket
// ready only after the poll has started waiting. It reads goroutine stacks;
// the deadline is a hang guard.
func waitBlocked(t *testing.T, function string) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	buf := make([]byte, 1<<20)
	for time.Now().Before(deadline) {
		n := runtime.Stack(buf, true)
		for _, g := range strings.Split(string(buf[:n]), "\n\n") {
			header, _, _ := strings.Cut(g, "\n")
			if strings.Contains(header, "[select") && strings.Contains(g, function) {
				return
			}
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("no goroutine blocked in %s", function)
}

// awaitPoll waits (hang guard only) for a result of pollAsync.
func awaitPoll(t *testing.T, ch <-chan pollResult) pollResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(2 * hangGuard):
		t.Fatal("poll did not return")
		return pollResult{}
	}
}

// TestPollerWakesOnPollin checks that a Poll that is already waiting wakes
// up with POLLIN when a message arrives, for each receiving socket type.
func TestPollerWakesOnPollin(t *testing.T) {
	cases := []struct {
		name       string
		recvType   zmq.Type
		sendType   zmq.Type
		sendParts  []string
		wantParts  int
		subscribes bool
	}{
		{"PULL", zmq.PULL, zmq.PUSH, []string{"hello"}, 1, false},
		{"SUB", zmq.SUB, zmq.PUB, []string{"news", "body"}, 2, true},
		{"ROUTER", zmq.ROUTER, zmq.DEALER, []string{"req"}, 2, false},
		{"REP", zmq.REP, zmq.REQ, []string{"ping"}, 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pxEachTransport(t, func(t *testing.T, transport string) {
				ctx := pxContext(t)
				recv := pxSocket(t, ctx, tc.recvType)
				send := pxSocket(t, ctx, tc.sendType)
				if tc.subscribes {
					pxMust(t, recv.SetSubscribe("news"))
				}
				pxMust(t, send.Connect(pxBind(t, recv, transport)))

				p := zmq.NewPoller()
				p.Add(recv, zmq.POLLIN)
				polled, err := p.Poll(0)
				if err != nil || len(polled) != 0 {
					t.Fatalf("Poll(0) before any message = %v, %v; want nothing", polled, err)
				}

				ch := pollAsync(p, 2*hangGuard)
				var r pollResult
				if tc.subscribes {
					// A publisher drops messages until the subscription has
					// arrived, so it repeats until the poll wakes.
					got := false
					for !got {
						_, err := send.SendMessage(tc.sendParts)
						pxMust(t, err)
						select {
						case r = <-ch:
							got = true
						case <-time.After(5 * time.Millisecond):
						}
					}
				} else {
					waitBlocked(t, "(*Poller).poll")
					_, err := send.SendMessage(tc.sendParts)
					pxMust(t, err)
					r = awaitPoll(t, ch)
				}
				if r.err != nil {
					t.Fatal(r.err)
				}
				if len(r.polled) != 1 || r.polled[0].Socket != recv || r.polled[0].Events != zmq.POLLIN {
					t.Fatalf("Poll = %v, want [%v POLLIN]", r.polled, recv)
				}
				msg, err := recv.RecvMessage(zmq.DONTWAIT)
				if err != nil {
					t.Fatalf("receive after POLLIN: %v", err)
				}
				if len(msg) != tc.wantParts {
					t.Fatalf("received %q, want %d parts", msg, tc.wantParts)
				}
			})
		})
	}
}

// TestPollerPolloutOnPushWithPeer checks that PUSH is not writable without
// a peer and becomes writable once one connects.
func TestPollerPolloutOnPushWithPeer(t *testing.T) {
	pxEachTransport(t, func(t *testing.T, transport string) {
		ctx := pxContext(t)
		push := pxSocket(t, ctx, zmq.PUSH)
		p := zmq.NewPoller()
		p.Add(push, zmq.POLLOUT|zmq.POLLIN)
		polled, err := p.Poll(0)
		if err != nil || len(polled) != 0 {
			t.Fatalf("PUSH without peer: Poll(0) = %v, %v; want nothing", polled, err)
		}
		ch := pollAsync(p, 2*hangGuard)
		waitBlocked(t, "(*Poller).poll")
		pull := pxSocket(t, ctx, zmq.PULL)
		pxMust(t, push.Connect(pxBind(t, pull, transport)))
		r := awaitPoll(t, ch)
		if r.err != nil {
			t.Fatal(r.err)
		}
		if len(r.polled) != 1 || r.polled[0].Events != zmq.POLLOUT {
			t.Fatalf("Poll = %v, want PUSH POLLOUT", r.polled)
		}
		_, err = push.Send("x", zmq.DONTWAIT)
		pxMust(t, err)
		pxExpect(t, pull, "x")
	})
}

// TestPollerTimeoutReturnsEmpty checks that a time-out gives an empty list
// and no error, for Poll and PollAll.
func TestPollerTimeoutReturnsEmpty(t *testing.T) {
	ctx := pxContext(t)
	pull := pxSocket(t, ctx, zmq.PULL)
	pxBind(t, pull, "inproc")
	p := zmq.NewPoller()
	id := p.Add(pull, zmq.POLLIN)
	polled, err := p.Poll(10 * time.Millisecond)
	if err != nil || len(polled) != 0 {
		t.Fatalf("Poll = %v, %v; want empty, nil", polled, err)
	}
	all, err := p.PollAll(time.Millisecond)
	if err != nil || len(all) != 1 || all[id].Socket != pull || all[id].Events != 0 {
		t.Fatalf("PollAll = %v, %v; want one item with no events", all, err)
	}
	empty := zmq.NewPoller()
	if polled, err := empty.Poll(-1); err != nil || len(polled) != 0 {
		t.Fatalf("empty poller: Poll = %v, %v", polled, err)
	}
}

// TestPollerReturnsETERM checks that a waiting Poll returns ETERM when the
// context is terminated.
func TestPollerReturnsETERM(t *testing.T) {
	ctx, err := zmq.NewContext()
	pxMust(t, err)
	pull, err := ctx.NewSocket(zmq.PULL)
	pxMust(t, err)
	pxMust(t, pull.SetLinger(0))
	p := zmq.NewPoller()
	p.Add(pull, zmq.POLLIN)
	ch := pollAsync(p, -1)
	waitBlocked(t, "(*Poller).poll")

	termDone := make(chan error, 1)
	go func() { termDone <- ctx.Term() }()
	r := awaitPoll(t, ch)
	if !errors.Is(r.err, zmq.ETERM) || len(r.polled) != 0 {
		t.Fatalf("Poll after Term = %v, %v; want ETERM", r.polled, r.err)
	}
	// Polling a terminated socket fails at once, even with timeout 0.
	if _, err := p.Poll(0); !errors.Is(err, zmq.ETERM) {
		t.Fatalf("Poll(0) after Term = %v, want ETERM", err)
	}
	pxMust(t, pull.Close())
	select {
	case err := <-termDone:
		pxMust(t, err)
	case <-time.After(hangGuard):
		t.Fatal("Term did not return after the socket was closed")
	}
}

// TestPollerClosedSocket checks that polling a closed socket fails.
func TestPollerClosedSocket(t *testing.T) {
	ctx := pxContext(t)
	pull := pxSocket(t, ctx, zmq.PULL)
	p := zmq.NewPoller()
	p.Add(pull, zmq.POLLIN)
	ch := pollAsync(p, -1)
	waitBlocked(t, "(*Poller).poll")
	pxMust(t, pull.Close())
	r := awaitPoll(t, ch)
	if !errors.Is(r.err, zmq.ErrorSocketClosed) {
		t.Fatalf("Poll on a socket closed meanwhile = %v, want ErrorSocketClosed", r.err)
	}
}

// TestPollerUpdateAndRemove checks the bookkeeping of ids and event masks
// and that a changed mask changes what Poll reports.
func TestPollerUpdateAndRemove(t *testing.T) {
	ctx := pxContext(t)
	pull := pxSocket(t, ctx, zmq.PULL)
	push := pxSocket(t, ctx, zmq.PUSH)
	pxMust(t, push.Connect(pxBind(t, pull, "inproc")))
	_, err := push.Send("m", 0)
	pxMust(t, err)

	p := zmq.NewPoller()
	idPull := p.Add(pull, 0)
	idPush := p.Add(push, zmq.POLLIN)
	if idPull != 0 || idPush != 1 {
		t.Fatalf("ids = %d, %d; want 0, 1", idPull, idPush)
	}
	if polled, err := p.Poll(0); err != nil || len(polled) != 0 {
		t.Fatalf("no matching mask: Poll = %v, %v", polled, err)
	}
	prev, err := p.Update(idPull, zmq.POLLIN|zmq.POLLOUT)
	if err != nil || prev != 0 {
		t.Fatalf("Update = %v, %v; want 0, nil", prev, err)
	}
	prev, err = p.UpdateBySocket(push, zmq.POLLOUT)
	if err != nil || prev != zmq.POLLIN {
		t.Fatalf("UpdateBySocket = %v, %v; want POLLIN, nil", prev, err)
	}
	polled, err := p.Poll(hangGuard)
	pxMust(t, err)
	if len(polled) != 2 || polled[0].Socket != pull || polled[0].Events != zmq.POLLIN ||
		polled[1].Socket != push || polled[1].Events != zmq.POLLOUT {
		t.Fatalf("Poll = %v; want pull POLLIN then push POLLOUT", polled)
	}
	if !strings.HasPrefix(p.String(), "Poller[") || !strings.Contains(p.String(), "POLLIN|POLLOUT") {
		t.Fatalf("String = %q", p.String())
	}

	if _, err := p.Update(5, zmq.POLLIN); err != zmq.ErrorNoSocket {
		t.Fatalf("Update(5) = %v, want ErrorNoSocket", err)
	}
	if err := p.Remove(-1); err != zmq.ErrorNoSocket {
		t.Fatalf("Remove(-1) = %v, want ErrorNoSocket", err)
	}
	pxMust(t, p.Remove(idPull))
	all, err := p.PollAll(0)
	pxMust(t, err)
	if len(all) != 1 || all[0].Socket != push || all[0].Events != zmq.POLLOUT {
		t.Fatalf("after Remove: PollAll = %v; want push only", all)
	}
	pxMust(t, p.RemoveBySocket(push))
	if err := p.RemoveBySocket(push); err != zmq.ErrorNoSocket {
		t.Fatalf("second RemoveBySocket = %v, want ErrorNoSocket", err)
	}
	if _, err := p.UpdateBySocket(pull, zmq.POLLIN); err != zmq.ErrorNoSocket {
		t.Fatalf("UpdateBySocket of removed socket = %v, want ErrorNoSocket", err)
	}
}

// TestPollerManySockets checks that a poll over several sockets reports the
// one that became ready.
func TestPollerManySockets(t *testing.T) {
	ctx := pxContext(t)
	p := zmq.NewPoller()
	var pushes []*zmq.Socket
	var pulls []*zmq.Socket
	for i := 0; i < 5; i++ {
		pull := pxSocket(t, ctx, zmq.PULL)
		push := pxSocket(t, ctx, zmq.PUSH)
		pxMust(t, push.Connect(pxBind(t, pull, "inproc")))
		p.Add(pull, zmq.POLLIN)
		pulls = append(pulls, pull)
		pushes = append(pushes, push)
	}
	for _, i := range []int{3, 0, 4} {
		ch := pollAsync(p, 2*hangGuard)
		waitBlocked(t, "(*Poller).poll")
		_, err := pushes[i].Send(fmt.Sprint(i), 0)
		pxMust(t, err)
		r := awaitPoll(t, ch)
		pxMust(t, r.err)
		if len(r.polled) != 1 || r.polled[0].Socket != pulls[i] {
			t.Fatalf("Poll = %v; want pull %d", r.polled, i)
		}
		pxExpect(t, pulls[i], fmt.Sprint(i))
	}
}

// TestPollerPollContext checks cancellation, deadlines and wake-ups.
func TestPollerPollContext(t *testing.T) {
	zctx := pxContext(t)
	pull := pxSocket(t, zctx, zmq.PULL)
	push := pxSocket(t, zctx, zmq.PUSH)
	pxMust(t, push.Connect(pxBind(t, pull, "inproc")))
	p := zmq.NewPoller()
	p.Add(pull, zmq.POLLIN)

	cctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := p.PollContext(cctx)
		errc <- err
	}()
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("PollContext after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(hangGuard):
		t.Fatal("PollContext ignored cancellation")
	}

	dctx, dcancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer dcancel()
	if _, err := p.PollContext(dctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("PollContext past deadline = %v, want DeadlineExceeded", err)
	}

	wctx, wcancel := context.WithTimeout(context.Background(), hangGuard)
	defer wcancel()
	_, err := push.Send("go", 0)
	pxMust(t, err)
	polled, err := p.PollContext(wctx)
	pxMust(t, err)
	if len(polled) != 1 || polled[0].Events != zmq.POLLIN {
		t.Fatalf("PollContext = %v, want POLLIN", polled)
	}
}
