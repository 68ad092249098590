package zmq4

import "testing"

// XSUB does not filter what it receives, as libzmq's (only SUB does): under
// XPUB_MANUAL the publisher decides, here to send B to a peer that asked
// for A (libzmq's test_xpub_manual).
func TestXsubDoesNotFilter(t *testing.T) {
	ctx := newTestContext(t)
	pub := newTestSocket(t, ctx, XPUB)
	must(t, pub.SetXpubManual(1))
	must(t, pub.Bind("inproc://xsub-no-filter"))
	sub := newTestSocket(t, ctx, XSUB)
	must(t, sub.Connect("inproc://xsub-no-filter"))
	_, err := sub.Send("\x01A", 0)
	must(t, err)
	expectParts(t, pub, "\x01A")
	must(t, pub.SetSubscribe("B"))
	_, err = pub.Send("A", 0)
	must(t, err)
	_, err = pub.Send("B", 0)
	must(t, err)
	expectParts(t, sub, "B")
}

// Under XPUB_MANUAL, a subscriber that goes away cancels every topic it
// asked for and did not cancel itself: the application receives one
// unsubscription per topic, as from libzmq.
func TestXpubManualPeerGoneCancelsItsTopics(t *testing.T) {
	ctx := newTestContext(t)
	pub := newTestSocket(t, ctx, XPUB)
	must(t, pub.SetXpubManual(1))
	must(t, pub.Bind("inproc://xpub-manual-gone"))
	sub := newTestSocket(t, ctx, XSUB)
	must(t, sub.Connect("inproc://xpub-manual-gone"))
	for _, m := range []string{"\x01A", "\x01B", "\x00A"} {
		_, err := sub.Send(m, 0)
		must(t, err)
		expectParts(t, pub, m)
	}
	must(t, sub.Close())
	expectParts(t, pub, "\x00B")
	if _, err := pub.Recv(DONTWAIT); err == nil {
		t.Fatal("more than one unsubscription")
	}
}

// Under XPUB_MANUAL_LAST_VALUE the first message sent after the
// application received a subscription goes to that subscriber alone; the
// next ones go to every match again.
func TestXpubManualLastValue(t *testing.T) {
	ctx := newTestContext(t)
	pub := newTestSocket(t, ctx, XPUB)
	must(t, pub.SetXpubManualLastValue(1))
	must(t, pub.Bind("inproc://xpub-last-value"))
	var subs [2]*Socket
	for i := range subs {
		subs[i] = newTestSocket(t, ctx, XSUB)
		must(t, subs[i].Connect("inproc://xpub-last-value"))
		_, err := subs[i].Send("\x01A", 0)
		must(t, err)
		expectParts(t, pub, "\x01A")
		must(t, pub.SetSubscribe("A"))
	}
	// The last subscription came from subs[1].
	for _, m := range []string{"A last", "A all"} {
		_, err := pub.Send(m, 0)
		must(t, err)
	}
	expectParts(t, subs[1], "A last")
	expectParts(t, subs[1], "A all")
	expectParts(t, subs[0], "A all")
	if got, err := subs[0].Recv(DONTWAIT); err == nil {
		t.Fatalf("subs[0] got %q too", got)
	}
}
