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
