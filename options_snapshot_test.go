package zmq4

import (
	"fmt"
	"strings"
	"testing"
)

// The ZAP request of a bound socket carries the routing id the socket had
// when it bound, as libzmq copies options into each endpoint at zmq_bind
// (pebbe's TestAuthStart depends on it).
func TestZAPRequestCarriesRoutingIDAtBind(t *testing.T) {
	ctx := newTestContext(t)
	handler := newTestSocket(t, ctx, REP)
	must(t, handler.Bind("inproc://zeromq.zap.01"))

	server := newTestSocket(t, ctx, DEALER)
	must(t, server.SetIdentity("at-bind"))
	must(t, server.SetZapDomain("test"))
	must(t, server.Bind("tcp://127.0.0.1:*"))
	must(t, server.SetIdentity("after-bind"))
	ep, _ := server.GetLastEndpoint()

	client := newTestSocket(t, ctx, DEALER)
	must(t, client.Connect(ep))

	// version, request id, domain, address, identity, mechanism
	req := recvParts(t, handler)
	if len(req) < 6 {
		t.Fatalf("ZAP request %q has fewer than 6 frames", req)
	}
	if req[2] != "test" || req[4] != "at-bind" || req[5] != "NULL" {
		t.Errorf("ZAP request domain/identity/mechanism = %q/%q/%q, want test/at-bind/NULL", req[2], req[4], req[5])
	}
	sendParts(t, handler, "1.0", req[1], "200", "OK", "", "")
	sendParts(t, client, "hello")
	expectParts(t, server, "hello")
}

// A connect keeps the options it was made with across reconnections: the
// routing id set after Connect does not reach the peer, not even on the
// connection made after the first one broke.
func TestConnectKeepsOptionSnapshotAcrossReconnects(t *testing.T) {
	ctx := newTestContext(t)
	router := newTestSocket(t, ctx, ROUTER)
	must(t, router.Bind("tcp://127.0.0.1:*"))
	ep, _ := router.GetLastEndpoint()

	dealer := newTestSocket(t, ctx, DEALER)
	mon := monitorOf(t, dealer, EVENT_HANDSHAKE_SUCCEEDED|EVENT_DISCONNECTED)
	must(t, dealer.SetIdentity("first"))
	must(t, dealer.Connect(ep))
	must(t, dealer.SetIdentity("second"))
	sendParts(t, dealer, "a")
	expectParts(t, router, "first", "a")

	// The peer goes away and a new one binds the same address; the dealer
	// reconnects with the routing id of its Connect.
	must(t, router.Close())
	router2 := newTestSocket(t, ctx, ROUTER)
	must(t, router2.Bind(ep))
	expectEvents(t, mon, EVENT_HANDSHAKE_SUCCEEDED, EVENT_DISCONNECTED, EVENT_HANDSHAKE_SUCCEEDED)
	sendParts(t, dealer, "b")
	expectParts(t, router2, "first", "b")

	// A new Connect takes the options current then.
	router3 := newTestSocket(t, ctx, ROUTER)
	must(t, router3.Bind("tcp://127.0.0.1:*"))
	ep3, _ := router3.GetLastEndpoint()
	must(t, dealer.Disconnect(ep))
	must(t, dealer.Connect(ep3))
	sendParts(t, dealer, "c")
	expectParts(t, router3, "second", "c")
}

// A bind keeps the options it was made with for every connection it
// accepts: lowering MAXMSGSIZE after Bind does not apply to that bind, but
// does to a bind made afterwards.
func TestBindKeepsOptionSnapshot(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	must(t, pull.Bind("tcp://127.0.0.1:*"))
	epBefore, _ := pull.GetLastEndpoint()
	must(t, pull.SetMaxmsgsize(10))
	must(t, pull.Bind("tcp://127.0.0.1:*"))
	epAfter, _ := pull.GetLastEndpoint()

	big := strings.Repeat("x", 100)
	push := newTestSocket(t, ctx, PUSH)
	must(t, push.Connect(epBefore))
	sendParts(t, push, big)
	expectParts(t, pull, big)

	// The later bind refuses the large message: the connection is dropped
	// (a monitor event says so) and the message is not delivered.
	mon := monitorOf(t, pull, EVENT_DISCONNECTED)
	push2 := newTestSocket(t, ctx, PUSH)
	must(t, push2.Connect(epAfter))
	sendParts(t, push2, big)
	for {
		_, addr, _, err := mon.RecvEvent(0)
		must(t, err)
		if addr == epAfter {
			break
		}
	}
	sendParts(t, push, "small")
	expectParts(t, pull, "small")
}

// countSends sends empty messages with DONTWAIT until one is refused.
func countSends(t *testing.T, s *Socket) int {
	t.Helper()
	n := 0
	for n < 10000 {
		if _, err := s.Send("", DONTWAIT); err != nil {
			break
		}
		n++
	}
	return n
}

// Over inproc a pipe holds the sender's SNDHWM plus the receiver's RCVHWM,
// and a SNDHWM changed after the two met resizes the sender's side, as in
// libzmq (its test_sockopt_hwm): 5 + 1 after the change, where 1 + 1 was
// the limit before it.
func TestInprocSndhwmChangeAfterConnect(t *testing.T) {
	for _, connectFirst := range []bool{true, false} {
		ctx := newTestContext(t)
		push := newTestSocket(t, ctx, PUSH)
		pull := newTestSocket(t, ctx, PULL)
		must(t, push.SetSndhwm(1))
		must(t, pull.SetRcvhwm(1))
		ep := fmt.Sprintf("inproc://hwm-after-%v", connectFirst)
		if connectFirst {
			must(t, pull.Connect(ep))
			must(t, push.Bind(ep))
		} else {
			must(t, push.Bind(ep))
			must(t, pull.Connect(ep))
		}
		must(t, push.SetSndhwm(5))
		if n := countSends(t, push); n != 6 {
			t.Errorf("connect first %v: %d sends before EAGAIN, want 6", connectFirst, n)
		}
	}
}

// A RCVHWM changed after an inproc pair met leaves the sender's limit
// alone, as libzmq's: it was 1 + 1 when they met and stays 2.
func TestInprocRcvhwmChangeAfterConnectKeepsSenderLimit(t *testing.T) {
	ctx := newTestContext(t)
	push := newTestSocket(t, ctx, PUSH)
	pull := newTestSocket(t, ctx, PULL)
	must(t, push.SetSndhwm(1))
	must(t, pull.SetRcvhwm(1))
	must(t, push.Bind("inproc://hwm-rcv-after"))
	must(t, pull.Connect("inproc://hwm-rcv-after"))
	must(t, pull.SetRcvhwm(10))
	if n := countSends(t, push); n != 2 {
		t.Errorf("%d sends before EAGAIN, want 2", n)
	}
}
