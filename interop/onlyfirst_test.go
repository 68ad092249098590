package interop

import (
	"fmt"
	"strings"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq4"
)

// subEnd is one side of an XPUB-XSUB pair, ours or libzmq's.
type subEnd struct {
	send func(frames ...[]byte)
	recv func() [][]byte
	// poll receives one message if one comes within a short while.
	poll func() ([][]byte, bool)
}

func ourEnd(t *testing.T, s *zmq.Socket) subEnd {
	return subEnd{
		send: func(frames ...[]byte) { sendFrames(t, s, frames...) },
		recv: func() [][]byte { return recvFrames(t, s) },
		poll: func() ([][]byte, bool) {
			must(t, "SetRcvtimeo", s.SetRcvtimeo(100*time.Millisecond))
			defer s.SetRcvtimeo(socketTimeout)
			m, err := s.RecvMessageBytes(0)
			if err != nil {
				return nil, false
			}
			return m, true
		},
	}
}

func peerEnd(p *peer) subEnd {
	return subEnd{
		send: p.send,
		recv: p.recv,
		poll: func() ([][]byte, bool) {
			got := p.do("recv 100")
			if !strings.HasPrefix(got, "MSG ") {
				return nil, false
			}
			return p.decode(strings.TrimPrefix(got, "MSG ")), true
		},
	}
}

func partsOf(parts ...string) [][]byte {
	out := make([][]byte, len(parts))
	for i, s := range parts {
		out[i] = []byte(s)
	}
	return out
}

// subscriptionParts runs the multipart (un)subscription cases of the root
// package's checkSubscriptionParts between an XSUB and an XPUB, one of
// them libzmq's.
func subscriptionParts(t *testing.T, xpub, xsub subEnd, onlyFirst bool) {
	t.Helper()
	expect := func(what string, e subEnd, want ...string) {
		t.Helper()
		checkFrames(t, what, e.recv(), partsOf(want...))
	}
	// Until the XSUB's peer is connected its messages may be dropped:
	// subscribe to "hello" until the XPUB hears of it (once: repeats of a
	// subscription are not passed on).
	deadline := time.Now().Add(socketTimeout)
	for {
		xsub.send([]byte("\x01hello"))
		if m, ok := xpub.poll(); ok {
			checkFrames(t, "first subscription", m, partsOf("\x01hello"))
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the XPUB never heard of the XSUB's subscription")
		}
	}
	xsub.send(partsOf("ABC", "\x01top")...)
	expect("data then subscription at XPUB", xpub, "ABC", "\x01top")
	xpub.send([]byte("top-1"))
	xsub.send([]byte("\x01sync"))
	expect("sync subscription", xpub, "\x01sync")
	xpub.send([]byte("sync-1"))
	if !onlyFirst {
		expect("publication to a later-part subscription", xsub, "top-1")
	}
	expect("publication after sync", xsub, "sync-1")

	xsub.send(partsOf("\x01a", "\x01b", "data")...)
	expect("first subscription of three parts", xpub, "\x01a")
	expect("second subscription of three parts", xpub, "\x01b")
	expect("data part after subscriptions", xpub, "data")
	xpub.send([]byte("b-1"))
	expect("publication to b", xsub, "b-1")

	xsub.send(partsOf("\x00zz", "tail")...)
	expect("rest after a dropped unsubscription", xpub, "tail")
}

// TestInteropOnlyFirstSubscribe: ONLY_FIRST_SUBSCRIBE on and off, between
// our XPUB and libzmq's XSUB and between our XSUB and libzmq's XPUB, with
// the option the same on both sides: the same messages and subscriptions as
// between two libzmq sockets.
func TestInteropOnlyFirstSubscribe(t *testing.T) {
	roles := bothRoles(zmq.XPUB, "XPUB", zmq.XSUB, "XSUB")
	for _, onlyFirst := range []bool{false, true} {
		t.Run(fmt.Sprintf("only-first=%v", onlyFirst), func(t *testing.T) {
			forEachRoleAndLink(t, roles, func(t *testing.T, l link, r role) {
				opt := "ONLY_FIRST_SUBSCRIBE=0"
				if onlyFirst {
					opt = "ONLY_FIRST_SUBSCRIBE=1"
				}
				s, p := pairUp(t, l, r.ours, func(s *zmq.Socket) {
					must(t, "SetOnlyFirstSubscribe", s.SetOnlyFirstSubscribe(onlyFirst))
				}, r.theirs, "--sockopt", opt)
				if r.ours == zmq.XPUB {
					subscriptionParts(t, ourEnd(t, s), peerEnd(p), onlyFirst)
				} else {
					subscriptionParts(t, peerEnd(p), ourEnd(t, s), onlyFirst)
				}
			})
		})
	}
}
