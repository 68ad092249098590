package zmq4

import (
	"context"
	"fmt"
	"testing"
)

// TestConnectCallsReachTheBinderInOrder is libzmq's test_spec_req round
// robin over tcp: five REP sockets connect, one after the other, to a
// bound REQ, which then serves them in the order of their Connect calls.
// Each REP's connecter dials in a goroutine of its own, and the goroutine
// made last often runs first; the first dials take their turns in the
// order of the Connect calls (dial_turn.go), and on loopback each
// connection's handshake completes within its connect(2), so the REQ
// accepts them in that order and its load balancer keeps it
// (loadBalancer.add).
func TestConnectCallsReachTheBinderInOrder(t *testing.T) {
	for round := 0; round < 5; round++ {
		ctx := newTestContext(t)
		req := newTestSocket(t, ctx, REQ)
		must(t, req.Bind("tcp://127.0.0.1:*"))
		ep, err := req.GetLastEndpoint()
		must(t, err)
		mon := monitorOf(t, req, EVENT_HANDSHAKE_SUCCEEDED)
		reps := make([]*Socket, 5)
		for i := range reps {
			reps[i] = newTestSocket(t, ctx, REP)
			must(t, reps[i].Connect(ep))
		}
		for range reps {
			expectEvents(t, mon, EVENT_HANDSHAKE_SUCCEEDED)
		}
		poller := NewPoller()
		for _, r := range reps {
			poller.Add(r, POLLIN)
		}
		for i := range reps {
			sendParts(t, req, fmt.Sprint("request ", i))
			polled, err := poller.Poll(-1)
			must(t, err)
			if len(polled) != 1 || polled[0].Socket != reps[i] {
				t.Fatalf("round %d: request %d went elsewhere than the REP that connected %d", round, i, i)
			}
			expectParts(t, reps[i], fmt.Sprint("request ", i))
			sendParts(t, reps[i], "reply")
			expectParts(t, req, "reply")
		}
	}
}

// TestDialTurnsFollowCalls: a turn goes when the turns queued before it
// are over, whether they connected, ended without dialing, or gave up when
// their connecter stopped; none of these can hold up a later turn.
func TestDialTurnsFollowCalls(t *testing.T) {
	var order []int
	record := func(i int) func() { return func() { order = append(order, i) } }
	bg := context.Background()

	first, second, third := newDialTurn(), newDialTurn(), newDialTurn()
	done := make(chan struct{})
	go func() {
		third.take(bg, record(3))
		close(done)
	}()
	first.take(bg, record(1))
	second.end() // a connecter stopped before it dialed
	<-done
	if fmt.Sprint(order) != "[1 3]" {
		t.Fatalf("connected in the order %v, want [1 3]", order)
	}

	// A connecter whose context ends gives up its turn without
	// connecting, even before the turns ahead of it are over.
	ahead := newDialTurn()
	stopped, stop := context.WithCancel(bg)
	stop()
	gone := newDialTurn()
	gone.take(stopped, record(9))
	ahead.take(bg, record(4))
	last := newDialTurn()
	last.take(bg, record(5))
	last.take(bg, record(6)) // a later call only connects
	if fmt.Sprint(order) != "[1 3 4 5 6]" {
		t.Fatalf("connected in the order %v, want [1 3 4 5 6]", order)
	}
}
