package interop

import (
	"bytes"
	"fmt"
	"testing"

	zmq "github.com/purezmq/zmq4"
)

// reply derives a distinct reply from a request.
func reply(msg [][]byte) [][]byte {
	return withPrefix(frames("re:"), msg)
}

// empty is the envelope delimiter frame.
var empty = []byte{}

// goEchoN receives n messages on s and sends each back unchanged,
// lockstep, as the peer's pingn expects.
func goEchoN(t *testing.T, s *zmq.Socket, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		msg, err := s.RecvMessageBytes(0)
		if err != nil {
			t.Fatalf("round trip %d: RecvMessageBytes: %v", i, err)
		}
		if _, err := s.SendMessage(asParts(msg)...); err != nil {
			t.Fatalf("round trip %d: SendMessage: %v", i, err)
		}
	}
}

// goPingN makes n lockstep round trips from s: send a numbered body after
// prefix, receive the reply, which must end with the same body.
func goPingN(t *testing.T, s *zmq.Socket, n int, prefix ...[]byte) {
	t.Helper()
	for i := 0; i < n; i++ {
		body := numbered(i, streamSize)
		sendFrames(t, s, withPrefix(prefix, [][]byte{body})...)
		msg, err := s.RecvMessageBytes(0)
		if err != nil {
			t.Fatalf("round trip %d: RecvMessageBytes: %v", i, err)
		}
		if !bytes.Equal(msg[len(msg)-1], body) {
			t.Fatalf("round trip %d: reply %s, want body %x", i, short(encodeFrames(msg)), body)
		}
	}
}

// TestInteropReqRep: REQ and REP strip and restore the envelope across
// implementations; the REP side sees only the body.
func TestInteropReqRep(t *testing.T) {
	roles := bothRoles(zmq.REQ, "REQ", zmq.REP, "REP")
	forEachRoleAndLink(t, roles, func(t *testing.T, l link, r role) {
		s, p := pairUp(t, l, r.ours, nil, r.theirs)
		reqRepExchange(t, r, s, p, "libzmq", l.roundTrips())
	})
}

// reqRepExchange sends the test messages as requests and replies between
// our socket s and the peer p (named peerName in failures), then n
// lockstep round trips.
func reqRepExchange(t *testing.T, r role, s *zmq.Socket, p *peer, peerName string, n int) {
	for i, msg := range testMessages() {
		if r.ours == zmq.REQ {
			sendFrames(t, s, msg...)
			checkFrames(t, fmt.Sprintf("request %d at %s REP", i, peerName), p.recv(), msg)
			p.send(reply(msg)...)
			checkFrames(t, fmt.Sprintf("reply %d at purezmq REQ", i), recvFrames(t, s), reply(msg))
		} else {
			p.send(msg...)
			checkFrames(t, fmt.Sprintf("request %d at purezmq REP", i), recvFrames(t, s), msg)
			sendFrames(t, s, reply(msg)...)
			checkFrames(t, fmt.Sprintf("reply %d at %s REQ", i, peerName), p.recv(), reply(msg))
		}
	}
	if r.ours == zmq.REQ {
		p.write(fmt.Sprintf("echo %d", n))
		goPingN(t, s, n)
		p.expectReply(fmt.Sprintf("ECHOED %d", n))
	} else {
		p.write(streamCommand("pingn", n, true))
		goEchoN(t, s, n)
		p.expectReply(fmt.Sprintf("OK %d", n))
	}
}

// TestInteropReqRouter: a ROUTER sees [routing id][empty][body...] from a
// REQ and routes [routing id][empty][reply...] back to it.
func TestInteropReqRouter(t *testing.T) {
	roles := bothRoles(zmq.REQ, "REQ", zmq.ROUTER, "ROUTER")
	forEachRoleAndLink(t, roles, func(t *testing.T, l link, r role) {
		s, p := pairUp(t, l, r.ours, nil, r.theirs)
		for i, msg := range testMessages() {
			var got [][]byte
			if r.ours == zmq.REQ {
				sendFrames(t, s, msg...)
				got = p.recv()
			} else {
				p.send(msg...)
				got = recvFrames(t, s)
			}
			if len(got) < 2 || len(got[0]) == 0 {
				t.Fatalf("request %d at ROUTER: %s, want routing id, empty, body", i, short(encodeFrames(got)))
			}
			id := got[0]
			checkFrames(t, fmt.Sprintf("request %d at ROUTER", i), got, withPrefix([][]byte{id, empty}, msg))
			if r.ours == zmq.REQ {
				p.send(withPrefix([][]byte{id, empty}, reply(msg))...)
				checkFrames(t, fmt.Sprintf("reply %d at purezmq REQ", i), recvFrames(t, s), reply(msg))
			} else {
				sendFrames(t, s, withPrefix([][]byte{id, empty}, reply(msg))...)
				checkFrames(t, fmt.Sprintf("reply %d at libzmq REQ", i), p.recv(), reply(msg))
			}
		}
		n := l.roundTrips()
		if r.ours == zmq.REQ {
			p.write(fmt.Sprintf("echo %d", n))
			goPingN(t, s, n)
			p.expectReply(fmt.Sprintf("ECHOED %d", n))
		} else {
			p.write(streamCommand("pingn", n, true))
			goEchoN(t, s, n)
			p.expectReply(fmt.Sprintf("OK %d", n))
		}
	})
}

// TestInteropDealerRep: a DEALER talks to REP by adding the envelope
// itself; REP keeps a multi-hop envelope and returns it with the reply.
func TestInteropDealerRep(t *testing.T) {
	roles := bothRoles(zmq.DEALER, "DEALER", zmq.REP, "REP")
	envelopes := [][][]byte{
		{empty},
		frames("hop1", ""),
		frames([]byte{0, 1, 2, 3, 4}, "hop2", ""),
	}
	forEachRoleAndLink(t, roles, func(t *testing.T, l link, r role) {
		s, p := pairUp(t, l, r.ours, nil, r.theirs)
		for _, envelope := range envelopes {
			for i, msg := range testMessages() {
				request := withPrefix(envelope, msg)
				if r.ours == zmq.DEALER {
					sendFrames(t, s, request...)
					checkFrames(t, fmt.Sprintf("request %d at libzmq REP", i), p.recv(), msg)
					p.send(reply(msg)...)
					checkFrames(t, fmt.Sprintf("reply %d at purezmq DEALER", i), recvFrames(t, s), withPrefix(envelope, reply(msg)))
				} else {
					p.send(request...)
					checkFrames(t, fmt.Sprintf("request %d at purezmq REP", i), recvFrames(t, s), msg)
					sendFrames(t, s, reply(msg)...)
					checkFrames(t, fmt.Sprintf("reply %d at libzmq DEALER", i), p.recv(), withPrefix(envelope, reply(msg)))
				}
			}
		}
		n := l.roundTrips()
		if r.ours == zmq.DEALER {
			p.write(fmt.Sprintf("echo %d", n))
			goPingN(t, s, n, empty)
			p.expectReply(fmt.Sprintf("ECHOED %d", n))
		} else {
			p.write(streamCommand("pingn", n, true, empty))
			goEchoN(t, s, n)
			p.expectReply(fmt.Sprintf("OK %d", n))
		}
	})
}
