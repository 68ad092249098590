package zmq4

import "testing"

// TestXpubHearsSubscriptionsOfDepartedPeer: a subscriber subscribes and
// closes before the XPUB application has looked at its socket again. As
// with libzmq, the XPUB_VERBOSE application then hears the last
// subscription first and the cancellation of both topics after it; before
// applyGoneInput it heard the cancellation of the first topic, then the
// second subscription, which was never cancelled.
func TestXpubHearsSubscriptionsOfDepartedPeer(t *testing.T) {
	for _, tr := range []string{"tcp", "inproc"} {
		t.Run(tr, func(t *testing.T) {
			ctx := newTestContext(t)
			pub := newTestSocket(t, ctx, XPUB)
			must(t, pub.SetXpubVerbose(1))
			must(t, pub.Bind(endpointFor(t, tr)))
			ep, err := pub.GetLastEndpoint()
			must(t, err)
			sub := newTestSocket(t, ctx, SUB)
			must(t, sub.SetLinger(-1)) // the last subscription is sent before the connection ends
			must(t, sub.SetSubscribe("a"))
			must(t, sub.Connect(ep))
			if got, err := pub.Recv(0); err != nil || got != "\x01a" {
				t.Fatalf("first subscription: %q, %v", got, err)
			}
			must(t, sub.SetSubscribe("b"))
			must(t, sub.Close())
			// Not through pub's pattern, which would take in what the
			// pipe holds.
			waitUntil(t, "the subscriber's pipe to leave", func() bool {
				pub.mu.Lock()
				defer pub.mu.Unlock()
				return len(pub.pipes) == 0
			})
			if got, err := pub.Recv(0); err != nil || got != "\x01b" {
				t.Fatalf("after the subscriber left, got %q, %v; want its last subscription, \\x01b", got, err)
			}
			cancelled := map[string]bool{}
			for range 2 {
				got, err := pub.Recv(0)
				must(t, err)
				cancelled[got] = true
			}
			if !cancelled["\x00a"] || !cancelled["\x00b"] {
				t.Fatalf("cancellations %v; want \\x00a and \\x00b", cancelled)
			}
			must(t, pub.SetRcvtimeo(0))
			if got, err := pub.Recv(0); AsErrno(err) != eagain {
				t.Fatalf("one more message: %q, %v", got, err)
			}
		})
	}
}
