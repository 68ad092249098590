package zmq4

import (
	"fmt"
	"testing"
)

// The first part of a multipart message is refused with EAGAIN when no
// peer can take a message, as libzmq refuses it; once taken, the later
// parts are not refused.
func TestFirstPartWaitsForPeer(t *testing.T) {
	for _, typ := range []Type{PUSH, DEALER, PAIR} {
		t.Run(typ.String(), func(t *testing.T) {
			ctx := newTestContext(t)
			s := newTestSocket(t, ctx, typ)
			if _, err := s.Send("a", SNDMORE|DONTWAIT); AsErrno(err) != eagain {
				t.Fatalf("first part without a peer: err %v, want EAGAIN", err)
			}
			peerType := map[Type]Type{PUSH: PULL, DEALER: DEALER, PAIR: PAIR}[typ]
			peer := newTestSocket(t, ctx, peerType)
			ep := fmt.Sprintf("inproc://first-part-%v", typ)
			must(t, peer.Bind(ep))
			must(t, s.Connect(ep))
			if _, err := s.Send("a", SNDMORE|DONTWAIT); err != nil {
				t.Fatalf("first part with a peer: %v", err)
			}
			if _, err := s.Send("b", DONTWAIT); err != nil {
				t.Fatalf("last part: %v", err)
			}
			expectParts(t, peer, "a", "b")
		})
	}
}
