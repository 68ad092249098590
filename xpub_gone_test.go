package zmq4

import (
	"testing"
	"time"
)

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
			waitNoPipes(t, pub)
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

// waitNoPipes waits until s has no pipe left, without calling into its
// pattern (which would take in what the pipes hold).
func waitNoPipes(t *testing.T, s *Socket) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; {
		s.mu.Lock()
		n := len(s.pipes)
		s.mu.Unlock()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d pipes still attached after 10 s", n)
		}
		time.Sleep(time.Millisecond)
	}
}
