package interop

import (
	"testing"

	zmq "github.com/purezmq/zmq4"
)

// TestInteropPairPair: multipart, empty and 1 MiB frames and long numbered
// streams travel both ways between our PAIR and libzmq's PAIR.
func TestInteropPairPair(t *testing.T) {
	forEachLink(t, func(t *testing.T, l link) {
		s, p := pairUp(t, l, zmq.PAIR, nil, "PAIR")
		goToPeer(t, s, p, l.streamCount(), nil, nil)
		peerToGo(t, s, p, l.streamCount(), nil, nil)
	})
}

// TestInteropPushPull: PUSH to PULL in both roles, whole messages, in order.
func TestInteropPushPull(t *testing.T) {
	roles := bothRoles(zmq.PUSH, "PUSH", zmq.PULL, "PULL")
	forEachRoleAndLink(t, roles, func(t *testing.T, l link, r role) {
		s, p := pairUp(t, l, r.ours, nil, r.theirs)
		if r.ours == zmq.PUSH {
			goToPeer(t, s, p, l.streamCount(), nil, nil)
		} else {
			peerToGo(t, s, p, l.streamCount(), nil, nil)
		}
	})
}

// TestInteropDealerDealer: DEALER to DEALER carries any frames both ways.
func TestInteropDealerDealer(t *testing.T) {
	forEachLink(t, func(t *testing.T, l link) {
		s, p := pairUp(t, l, zmq.DEALER, nil, "DEALER")
		goToPeer(t, s, p, l.streamCount(), nil, nil)
		peerToGo(t, s, p, l.streamCount(), nil, nil)
	})
}
