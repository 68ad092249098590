package zmq4

import "testing"

// checkSubscriptionParts runs the multipart (un)subscription cases between
// an XSUB and the XPUB it is connected to, with ONLY_FIRST_SUBSCRIBE set on
// both or on neither. The expectations are what libzmq 4.3 does (checked
// with pyzmq: the same sequence between two libzmq sockets).
func checkSubscriptionParts(t *testing.T, xpub, xsub *Socket, onlyFirst bool) {
	t.Helper()
	must(t, xpub.SetOnlyFirstSubscribe(onlyFirst))
	must(t, xsub.SetOnlyFirstSubscribe(onlyFirst))

	// A data part followed by a subscription: the XPUB application sees
	// both parts as one message either way (libzmq queues the
	// notification behind the open data message) ...
	sendParts(t, xsub, "ABC", "\x01top")
	expectParts(t, xpub, "ABC", "\x01top")
	// ... but only without ONLY_FIRST_SUBSCRIBE is "top" subscribed.
	sendParts(t, xpub, "top-1")
	sendParts(t, xsub, "\x01sync")
	expectParts(t, xpub, "\x01sync")
	sendParts(t, xpub, "sync-1")
	if !onlyFirst {
		expectParts(t, xsub, "top-1")
	}
	expectParts(t, xsub, "sync-1")

	// A first part that subscribes makes every later part be looked at,
	// with or without the option: two subscriptions and a data part reach
	// the application as three messages.
	sendParts(t, xsub, "\x01a", "\x01b", "data")
	expectParts(t, xpub, "\x01a")
	expectParts(t, xpub, "\x01b")
	expectParts(t, xpub, "data")
	sendParts(t, xpub, "b-1")
	expectParts(t, xsub, "b-1")

	// An unsubscription from a topic the XSUB never subscribed is dropped
	// there; the rest of the message goes on.
	sendParts(t, xsub, "\x00zz", "tail")
	expectParts(t, xpub, "tail")
}

// TestOnlyFirstSubscribe: with ONLY_FIRST_SUBSCRIBE, a multipart message
// whose first part is data is data in all its parts, on XSUB and XPUB.
func TestOnlyFirstSubscribe(t *testing.T) {
	eachTransport(t, func(t *testing.T, transport string, bindFirst bool) {
		xpub, xsub := pairUp(t, transport, bindFirst, XPUB, XSUB)
		checkSubscriptionParts(t, xpub, xsub, true)
	})
}

// TestSubscriptionPartsDefault: without the option, as in libzmq, every
// part of a multipart message that starts with 0x01 or 0x00 is a
// (un)subscription, whatever its place.
func TestSubscriptionPartsDefault(t *testing.T) {
	eachTransport(t, func(t *testing.T, transport string, bindFirst bool) {
		xpub, xsub := pairUp(t, transport, bindFirst, XPUB, XSUB)
		checkSubscriptionParts(t, xpub, xsub, false)
	})
}

// TestOnlyFirstSubscribePUB: PUB (built on XPUB in libzmq) accepts the
// option and applies the same rule; its data parts are dropped.
func TestOnlyFirstSubscribePUB(t *testing.T) {
	ctx := newTestContext(t)
	pub := newTestSocket(t, ctx, PUB)
	xsub := newTestSocket(t, ctx, XSUB)
	must(t, pub.SetOnlyFirstSubscribe(true))
	must(t, pub.Bind("inproc://only-first-pub"))
	must(t, xsub.Connect("inproc://only-first-pub"))
	sendParts(t, xsub, "ABC", "\x01top") // data: nothing subscribed
	sendParts(t, xsub, "\x01sync", "\x01x")
	waitUntil(t, "the subscriptions", func() bool {
		pub.mu.Lock()
		defer pub.mu.Unlock()
		x := pub.pat.(*pubPattern)
		x.processInput()
		return x.all.Match([]byte("x"))
	})
	sendParts(t, pub, "top-1")
	sendParts(t, pub, "x-1")
	expectParts(t, xsub, "x-1")
}
