package zmq4

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/purezmq/zmq4/internal/faultproxy"
)

// Scenarios with faults injected between two sockets by a relay
// (internal/faultproxy): connections cut, reset, stalled, throttled and
// split into single bytes. Each asserts what ZeroMQ promises across such
// faults; losses that it allows are counted and logged.

// proxyTo starts a fault proxy in front of a tcp endpoint and returns it
// with the endpoint to connect to.
func proxyTo(t *testing.T, endpoint string) (*faultproxy.Proxy, string) {
	t.Helper()
	p, err := faultproxy.New(strings.TrimPrefix(endpoint, "tcp://"))
	must(t, err)
	t.Cleanup(func() { p.Close() })
	return p, "tcp://" + p.Addr()
}

// boundTCP binds s to a fresh loopback port and returns the endpoint.
func boundTCP(t *testing.T, s *Socket) string {
	t.Helper()
	must(t, s.Bind("tcp://127.0.0.1:*"))
	ep, err := s.GetLastEndpoint()
	must(t, err)
	return ep
}

// A PUSH whose connection to its PULL is cut and reset at random keeps
// order within each connection and never duplicates: the numbers the PULL
// sees split into no more rising runs than there were connections (fair
// queueing may interleave a cut connection's last messages with the next
// one's), and only messages in flight on a cut connection are lost.
func TestFaultPushPullRandomCuts(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	proxy, ep := proxyTo(t, boundTCP(t, pull))
	push := newTestSocket(t, ctx, PUSH)
	must(t, push.SetReconnectIvl(5*time.Millisecond))
	must(t, push.Connect(ep))

	const total = 20000
	rng := rand.New(rand.NewPCG(1, 2))
	cuts := 0
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		for i := 0; i < total; i++ {
			if _, err := push.Send(strconv.Itoa(i), 0); err != nil {
				t.Errorf("send %d: %v", i, err)
				return
			}
			if rng.IntN(500) == 0 {
				if rng.IntN(2) == 0 {
					proxy.Cut()
				} else {
					proxy.Reset()
				}
				cuts++
			}
		}
	}()
	// After the numbered messages, "end" until one arrives.
	stopEnd := make(chan struct{})
	go func() {
		<-sent
		for {
			select {
			case <-stopEnd:
				return
			case <-time.After(20 * time.Millisecond):
				push.Send("end", DONTWAIT)
			}
		}
	}()
	defer close(stopEnd)

	var order faultproxy.RunCounter
	for {
		m, err := pull.Recv(0)
		must(t, err)
		if m == "end" {
			break
		}
		n, err := strconv.Atoi(m)
		must(t, err)
		if !order.Add(n) {
			t.Fatalf("message %d received twice", n)
		}
	}
	<-sent
	t.Logf("%d cuts, %d connections; %d of %d messages delivered in %d rising runs",
		cuts, proxy.Accepted(), order.Count(), total, order.Runs())
	if cuts == 0 {
		t.Fatal("the scenario made no cut")
	}
	// Order is kept per connection: each connection adds at most one run.
	if order.Runs() > proxy.Accepted() {
		t.Fatalf("%d rising runs over %d connections: order not kept within a connection", order.Runs(), proxy.Accepted())
	}
}

// A SUB's subscriptions are sent again on every reconnection: after each
// cut, the PUB delivers the subscribed topics again and never the others.
func TestFaultSubscriptionsRestoredAfterReconnects(t *testing.T) {
	ctx := newTestContext(t)
	pub := newTestSocket(t, ctx, PUB)
	proxy, ep := proxyTo(t, boundTCP(t, pub))
	sub := newTestSocket(t, ctx, SUB)
	must(t, sub.SetReconnectIvl(5*time.Millisecond))
	must(t, sub.SetRcvtimeo(20*time.Millisecond))
	must(t, sub.SetSubscribe("A"))
	must(t, sub.SetSubscribe("B"))
	mon := monitorOf(t, sub, EVENT_HANDSHAKE_SUCCEEDED)
	must(t, sub.Connect(ep))

	for round := 0; round < 5; round++ {
		expectEvents(t, mon, EVENT_HANDSHAKE_SUCCEEDED)
		seen := map[byte]bool{}
		deadline := time.Now().Add(10 * time.Second)
		for !seen['A'] || !seen['B'] {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: subscriptions not restored (seen %v)", round, seen)
			}
			for _, topic := range []string{"A", "B", "C"} {
				pub.Send(fmt.Sprintf("%s-%d", topic, round), 0)
			}
			for {
				m, err := sub.Recv(0)
				if err != nil {
					break
				}
				if m[0] == 'C' {
					t.Fatalf("round %d: received %q, not subscribed", round, m)
				}
				if m == fmt.Sprintf("%c-%d", m[0], round) {
					seen[m[0]] = true
				}
			}
		}
		if proxy.Cut() != 1 {
			t.Fatalf("round %d: no connection to cut", round)
		}
	}
}

// REQ with REQ_RELAXED and REQ_CORRELATE against a REP that restarts every
// few dozen requests: each request is answered with its own reply, never
// with the reply to an earlier one.
func TestFaultReqRelaxedAgainstRestartingRep(t *testing.T) {
	ctx := newTestContext(t)
	rep := newTestSocket(t, ctx, REP)
	ep := boundTCP(t, rep)

	var mu sync.Mutex
	current := rep
	serve := func(s *Socket) {
		for {
			m, err := s.Recv(0)
			if err != nil {
				return
			}
			s.Send("re:"+m, 0)
		}
	}
	go serve(rep)
	restart := func() {
		mu.Lock()
		defer mu.Unlock()
		current.Close()
		for {
			s, err := ctx.NewSocket(REP)
			must(t, err)
			s.SetLinger(0)
			if err := s.Bind(ep); err == nil {
				current = s
				t.Cleanup(func() { s.Close() })
				go serve(s)
				return
			}
			s.Close()
			time.Sleep(time.Millisecond)
		}
	}

	req := newTestSocket(t, ctx, REQ)
	must(t, req.SetReqRelaxed(1))
	must(t, req.SetReqCorrelate(1))
	must(t, req.SetReconnectIvl(5*time.Millisecond))
	must(t, req.SetRcvtimeo(100*time.Millisecond))
	must(t, req.Connect(ep))

	retries := 0
	for i := 0; i < 300; i++ {
		want := "re:" + strconv.Itoa(i)
		for attempt := 0; ; attempt++ {
			if attempt > 200 {
				t.Fatalf("request %d never answered", i)
			}
			must(t, errOnly(req.Send(strconv.Itoa(i), 0)))
			if i%50 == 49 && attempt == 0 {
				restart() // with this request in flight
			}
			m, err := req.Recv(0)
			if errors.Is(err, eagain) {
				retries++
				continue
			}
			must(t, err)
			if m != want {
				t.Fatalf("request %d got %q, want %q", i, m, want)
			}
			break
		}
	}
	t.Logf("300 requests, 6 restarts, %d resends", retries)
	mu.Lock()
	current.Close()
	mu.Unlock()
}

func errOnly(_ int, err error) error { return err }

// A PUSH whose one PULL stalls (its connection stops carrying bytes) keeps
// sending to the other PULL, and loses nothing: once the stall ends, the
// two PULLs together have every message exactly once.
func TestFaultStalledPeerDoesNotHoldUpOthers(t *testing.T) {
	ctx := newTestContext(t)
	healthy := newTestSocket(t, ctx, PULL)
	stalled := newTestSocket(t, ctx, PULL)
	proxy, stalledEP := proxyTo(t, boundTCP(t, stalled))
	push := newTestSocket(t, ctx, PUSH)
	must(t, push.SetSndhwm(10))
	mon := monitorOf(t, push, EVENT_HANDSHAKE_SUCCEEDED)
	must(t, push.Connect(boundTCP(t, healthy)))
	must(t, push.Connect(stalledEP))
	expectEvents(t, mon, EVENT_HANDSHAKE_SUCCEEDED, EVENT_HANDSHAKE_SUCCEEDED)
	proxy.Stall(true)

	const total = 20000
	seen := make([]int, total)
	var seenMu sync.Mutex
	count := func(s *Socket, n *int) {
		for {
			m, err := s.Recv(0)
			if err != nil {
				return
			}
			i, _ := strconv.Atoi(m)
			seenMu.Lock()
			seen[i]++
			*n++
			seenMu.Unlock()
		}
	}
	var nHealthy, nStalled int
	must(t, healthy.SetRcvtimeo(time.Second))
	must(t, stalled.SetRcvtimeo(time.Second))
	done := make(chan struct{})
	go func() { count(healthy, &nHealthy); close(done) }()
	for i := 0; i < total; i++ {
		if _, err := push.Send(strconv.Itoa(i), 0); err != nil {
			t.Fatalf("send %d while one peer is stalled: %v", i, err)
		}
	}
	<-done
	proxy.Stall(false)
	count(stalled, &nStalled)
	for i, n := range seen {
		if n != 1 {
			t.Fatalf("message %d delivered %d times", i, n)
		}
	}
	t.Logf("healthy PULL got %d, stalled PULL %d after the stall ended", nHealthy, nStalled)
}

// LINGER delivers what was queued while the connection was cut, once the
// connection comes back: Close returns at once, and the PULL gets every
// message before Term of the PUSH's context returns.
func TestFaultLingerDeliversAfterCutComesBack(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	proxy, ep := proxyTo(t, boundTCP(t, pull))

	pctx, err := NewContext()
	must(t, err)
	push, err := pctx.NewSocket(PUSH)
	must(t, err)
	must(t, push.SetReconnectIvl(10*time.Millisecond))
	mon, err := pctx.NewSocket(PAIR)
	must(t, err)
	must(t, push.Monitor("inproc://linger-mon", EVENT_HANDSHAKE_SUCCEEDED|EVENT_DISCONNECTED))
	must(t, mon.Connect("inproc://linger-mon"))
	must(t, push.Connect(ep))
	expectEvents(t, mon, EVENT_HANDSHAKE_SUCCEEDED)
	sendParts(t, push, "first")
	expectParts(t, pull, "first")

	proxy.Refuse(true)
	proxy.Cut()
	expectEvents(t, mon, EVENT_DISCONNECTED)
	mon.Close()
	for i := 0; i < 100; i++ {
		sendParts(t, push, strconv.Itoa(i))
	}
	must(t, push.SetLinger(30*time.Second))
	must(t, push.Close())
	termed := make(chan struct{})
	go func() { pctx.Term(); close(termed) }()
	proxy.Refuse(false)
	for i := 0; i < 100; i++ {
		expectParts(t, pull, strconv.Itoa(i))
	}
	select {
	case <-termed:
	case <-time.After(20 * time.Second):
		t.Fatal("Term did not return after the lingering messages were delivered")
	}
}

// Messages of every size survive a link that delivers one byte at a time,
// under CURVE too.
func TestFaultSplitWrites(t *testing.T) {
	ctx := newTestContext(t)
	serverPub, serverSec, err := NewCurveKeypair()
	must(t, err)
	clientPub, clientSec, err := NewCurveKeypair()
	must(t, err)
	pull := newTestSocket(t, ctx, PULL)
	must(t, pull.ServerAuthCurve("global", serverSec))
	proxy, ep := proxyTo(t, boundTCP(t, pull))
	proxy.SplitWrites(true)
	push := newTestSocket(t, ctx, PUSH)
	must(t, push.ClientAuthCurve(serverPub, clientPub, clientSec))
	must(t, push.Connect(ep))
	sizes := []int{0, 1, 254, 255, 256, 1000, 70000}
	for _, n := range sizes {
		sendParts(t, push, strings.Repeat("z", n), "tail")
	}
	for _, n := range sizes {
		expectParts(t, pull, strings.Repeat("z", n), "tail")
	}
}

// A large message on a slow link does not trip HEARTBEAT_TIMEOUT while its
// bytes are still arriving (libzmq issue 2709): the receiver, which pings,
// hears nothing but the message's bytes for longer than the timeout.
func TestFaultSlowLargeMessageKeepsHeartbeat(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	must(t, pull.SetHeartbeatIvl(50*time.Millisecond))
	must(t, pull.SetHeartbeatTimeout(200*time.Millisecond))
	mon := monitorOf(t, pull, EVENT_DISCONNECTED)
	proxy, ep := proxyTo(t, boundTCP(t, pull))
	push := newTestSocket(t, ctx, PUSH)
	must(t, push.Connect(ep))
	sendParts(t, push, "warm-up")
	expectParts(t, pull, "warm-up")
	proxy.Throttle(256 << 10) // the message below takes about 1 s
	big := strings.Repeat("L", 256<<10)
	sendParts(t, push, big)
	expectParts(t, pull, big)
	must(t, mon.SetRcvtimeo(0))
	if ev, addr, _, err := mon.RecvEvent(0); err == nil {
		t.Fatalf("event %v on %s during a slow transfer", ev, addr)
	}
}
