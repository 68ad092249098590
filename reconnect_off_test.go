package zmq4

import "testing"

// With RECONNECT_IVL -1, a connection that ends ends its endpoint, as
// libzmq's session does (test_reconnect_ivl): the PAIR socket is free to
// take a new peer, and connecting again to the same endpoint works.
func TestNoReconnectEndsTheEndpoint(t *testing.T) {
	for _, tr := range []string{"ipc", "tcp"} {
		t.Run(tr, func(t *testing.T) {
			ctx := newTestContext(t)
			sb := newTestSocket(t, ctx, PAIR)
			must(t, sb.Bind(endpointFor(t, tr)))
			ep := sb.opt.lastEndpoint
			sc := newTestSocket(t, ctx, PAIR)
			must(t, sc.SetReconnectIvl(-1))
			must(t, sc.Connect(ep))
			sendParts(t, sc, "one")
			expectParts(t, sb, "one")
			must(t, sb.Unbind(ep))
			waitUntil(t, "the endpoint to end", func() bool {
				sc.mu.Lock()
				defer sc.mu.Unlock()
				return len(sc.connects[ep]) == 0
			})
			if err := sc.Disconnect(ep); AsErrno(err) != ENOENT {
				t.Fatalf("Disconnect of the ended endpoint: %v, want ENOENT", err)
			}
			must(t, sb.Bind(ep))
			must(t, sc.Connect(ep))
			sendParts(t, sc, "two")
			expectParts(t, sb, "two")
			sendParts(t, sb, "back")
			expectParts(t, sc, "back")
		})
	}
}
