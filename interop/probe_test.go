package interop

import (
	"testing"

	zmq "github.com/purezmq/zmq4"
)

// TestInteropProbeRouter: our DEALER and REQ with PROBE_ROUTER greet a
// libzmq ROUTER with the empty probe message, which it receives as
// [identity, ""]; a REQ still makes an ordinary request afterwards.
func TestInteropProbeRouter(t *testing.T) {
	for _, typ := range []zmq.Type{zmq.DEALER, zmq.REQ} {
		t.Run(typ.String(), func(t *testing.T) {
			forEachLink(t, func(t *testing.T, l link) {
				s, p := pairUp(t, l, typ, func(s *zmq.Socket) {
					must(t, "SetIdentity", s.SetIdentity("prober"))
					must(t, "SetProbeRouter", s.SetProbeRouter(1))
				}, "ROUTER")
				id := []byte("prober")
				checkFrames(t, "probe at libzmq", p.recv(), [][]byte{id, {}})
				sendFrames(t, s, []byte("hello"))
				want := [][]byte{id, []byte("hello")}
				if typ == zmq.REQ {
					want = [][]byte{id, {}, []byte("hello")}
				}
				checkFrames(t, "request at libzmq", p.recv(), want)
				if typ == zmq.REQ {
					p.send(id, []byte{}, []byte("world"))
					checkFrames(t, "reply at purezmq", recvFrames(t, s), [][]byte{[]byte("world")})
				}
			})
		})
	}
}

// TestInteropProbeRouterFromLibzmq: a libzmq DEALER with PROBE_ROUTER
// greets our ROUTER the same way.
func TestInteropProbeRouterFromLibzmq(t *testing.T) {
	forEachLink(t, func(t *testing.T, l link) {
		s, _ := pairUp(t, l, zmq.ROUTER, nil, "DEALER", "--identity", "prober", "--sockopt", "PROBE_ROUTER=1")
		checkFrames(t, "probe at purezmq", recvFrames(t, s), [][]byte{[]byte("prober"), {}})
	})
}
