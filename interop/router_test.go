package interop

import (
	"bytes"
	"testing"

	zmq "github.com/purezmq/zmq4"
)

// TestInteropDealerRouter: a DEALER that sets identity "alice" is known by
// that name to the ROUTER, which routes messages back to it by that name.
func TestInteropDealerRouter(t *testing.T) {
	alice := []byte("alice")
	roles := bothRoles(zmq.DEALER, "DEALER", zmq.ROUTER, "ROUTER")
	forEachRoleAndLink(t, roles, func(t *testing.T, l link, r role) {
		if r.ours == zmq.DEALER {
			s, p := pairUp(t, l, zmq.DEALER, func(s *zmq.Socket) {
				must(t, "SetIdentity", s.SetIdentity("alice"))
			}, "ROUTER", "--sockopt", "ROUTER_MANDATORY=1")
			goToPeer(t, s, p, l.streamCount(), nil, [][]byte{alice})
			peerToGo(t, s, p, l.streamCount(), [][]byte{alice}, nil)
			return
		}
		s, p := pairUp(t, l, zmq.ROUTER, func(s *zmq.Socket) {
			must(t, "SetRouterMandatory", s.SetRouterMandatory(1))
		}, "DEALER", "--identity", "alice")
		peerToGo(t, s, p, l.streamCount(), nil, [][]byte{alice})
		goToPeer(t, s, p, l.streamCount(), [][]byte{alice}, nil)
	})
}

// TestInteropRouterRouter: two ROUTERs with identities address each other
// by name once the connecting side has reached the binding side.
func TestInteropRouterRouter(t *testing.T) {
	goName, pyName := []byte("go-router"), []byte("py-router")
	forEachLink(t, func(t *testing.T, l link) {
		s, p := pairUp(t, l, zmq.ROUTER, func(s *zmq.Socket) {
			must(t, "SetIdentity", s.SetIdentity(string(goName)))
			must(t, "SetRouterMandatory", s.SetRouterMandatory(1))
		}, "ROUTER", "--identity", string(pyName), "--sockopt", "ROUTER_MANDATORY=1")
		// Only the connecting side knows the other's name up front; it
		// retries until the handshake has made that name routable.
		if l.goBinds {
			p.expect("sendwait "+hexWords(goName, []byte("hello")), "SENT")
			checkFrames(t, "first message at purezmq", recvFrames(t, s), [][]byte{pyName, []byte("hello")})
		} else {
			sendRetry(t, s, pyName, []byte("hello"))
			checkFrames(t, "first message at libzmq", p.recv(), [][]byte{goName, []byte("hello")})
		}
		goToPeer(t, s, p, l.streamCount(), [][]byte{pyName}, [][]byte{goName})
		peerToGo(t, s, p, l.streamCount(), [][]byte{goName}, [][]byte{pyName})
	})
}

// checkAutoID fails unless id looks like a generated routing id: 5 bytes,
// the first one zero.
func checkAutoID(t *testing.T, who string, id []byte) {
	t.Helper()
	if len(id) != 5 || id[0] != 0 {
		t.Fatalf("%s: generated routing id %x, want 5 bytes starting 0x00", who, id)
	}
}

// TestInteropRouterAutoIdentity: peers without identity get distinct
// 5-byte ids starting with 0x00, and replies reach the right peer.
func TestInteropRouterAutoIdentity(t *testing.T) {
	t.Run("goROUTER-libzmqDEALER", func(t *testing.T) {
		forEachLink(t, func(t *testing.T, l link) {
			s, p1 := pairUp(t, l, zmq.ROUTER, nil, "DEALER")
			var p2 *peer
			if l.goBinds {
				p2 = startPeer(t, "--type", "DEALER", "--connect", p1.endpoint)
			} else {
				p2 = startPeer(t, "--type", "DEALER", "--bind", bindAddress(t, l.transport))
				must(t, "Connect", s.Connect(p2.endpoint))
			}
			p1.send([]byte("one"))
			m1 := recvFrames(t, s)
			p2.send([]byte("two"))
			m2 := recvFrames(t, s)
			checkFrames(t, "from first dealer", m1[1:], frames("one"))
			checkFrames(t, "from second dealer", m2[1:], frames("two"))
			checkAutoID(t, "purezmq ROUTER", m1[0])
			checkAutoID(t, "purezmq ROUTER", m2[0])
			if bytes.Equal(m1[0], m2[0]) {
				t.Fatalf("both dealers got routing id %x", m1[0])
			}
			sendFrames(t, s, m2[0], []byte("for two"))
			sendFrames(t, s, m1[0], []byte("for one"))
			checkFrames(t, "reply at first dealer", p1.recv(), frames("for one"))
			checkFrames(t, "reply at second dealer", p2.recv(), frames("for two"))
		})
	})
	t.Run("goDEALER-libzmqROUTER", func(t *testing.T) {
		forEachLink(t, func(t *testing.T, l link) {
			d1, p := pairUp(t, l, zmq.DEALER, nil, "ROUTER")
			ctx, err := d1.Context()
			must(t, "Context", err)
			d2 := newSocket(t, ctx, zmq.DEALER)
			if l.goBinds {
				// The peer is connected to d1; make it connect to d2 too.
				must(t, "Bind", d2.Bind(bindAddress(t, l.transport)))
				p.expect("connect "+lastEndpoint(t, d2), "OK")
			} else {
				must(t, "Connect", d2.Connect(p.endpoint))
			}
			sendFrames(t, d1, []byte("one"))
			m1 := p.recv()
			sendFrames(t, d2, []byte("two"))
			m2 := p.recv()
			checkFrames(t, "from first dealer", m1[1:], frames("one"))
			checkFrames(t, "from second dealer", m2[1:], frames("two"))
			checkAutoID(t, "libzmq ROUTER", m1[0])
			checkAutoID(t, "libzmq ROUTER", m2[0])
			if bytes.Equal(m1[0], m2[0]) {
				t.Fatalf("both dealers got routing id %x", m1[0])
			}
			p.send(m2[0], []byte("for two"))
			p.send(m1[0], []byte("for one"))
			checkFrames(t, "reply at first dealer", recvFrames(t, d1), frames("for one"))
			checkFrames(t, "reply at second dealer", recvFrames(t, d2), frames("for two"))
		})
	})
}

// TestInteropRouterUnknownPeer: with ROUTER_MANDATORY, sending to a name no
// peer has fails with EHOSTUNREACH, as in libzmq.
func TestInteropRouterUnknownPeer(t *testing.T) {
	forEachLink(t, func(t *testing.T, l link) {
		s, p := pairUp(t, l, zmq.ROUTER, func(s *zmq.Socket) {
			must(t, "SetRouterMandatory", s.SetRouterMandatory(1))
		}, "DEALER", "--identity", "alice")
		p.send([]byte("hi"))
		checkFrames(t, "hello from alice", recvFrames(t, s), frames("alice", "hi"))
		_, err := s.SendMessage("bob", "lost")
		if zmq.AsErrno(err) != zmq.EHOSTUNREACH {
			t.Fatalf("SendMessage to unknown peer: got error %v, want EHOSTUNREACH", err)
		}
		sendFrames(t, s, []byte("alice"), []byte("still routed"))
		checkFrames(t, "after failed send", p.recv(), frames("still routed"))
	})
}

// TestInteropRouterUnroutableFirstFrame: with ROUTER_MANDATORY, the routing
// id frame of an unknown peer is refused by the very SendBytes that
// carries it (SNDMORE), as in libzmq, not only at the end of the message.
func TestInteropRouterUnroutableFirstFrame(t *testing.T) {
	s, p := pairUp(t, link{"tcp", true}, zmq.ROUTER, func(s *zmq.Socket) {
		must(t, "SetRouterMandatory", s.SetRouterMandatory(1))
	}, "DEALER", "--identity", "alice")
	p.send([]byte("hi"))
	checkFrames(t, "hello from alice", recvFrames(t, s), frames("alice", "hi"))
	checkUnroutableFirstFrame(t, s, []byte("bob"))
	sendFrames(t, s, []byte("alice"), []byte("still routed"))
	checkFrames(t, "after failed send", p.recv(), frames("still routed"))
}

// checkUnroutableFirstFrame checks that sending the routing id frame of a
// peer that does not exist fails right away, on that SNDMORE frame, with
// EHOSTUNREACH, as libzmq's ROUTER (with ROUTER_MANDATORY) and STREAM do.
func checkUnroutableFirstFrame(t *testing.T, s *zmq.Socket, id []byte) {
	t.Helper()
	_, err := s.SendBytes(id, zmq.SNDMORE)
	if zmq.AsErrno(err) == zmq.EHOSTUNREACH {
		return
	}
	// Finish the message so that the socket stays usable for the rest of
	// the test, and say what the last frame got.
	_, last := s.SendBytes([]byte("lost"), 0)
	t.Errorf("SendBytes(unknown id %q, SNDMORE): got %v, want EHOSTUNREACH as libzmq (the final frame then got %v)", id, err, last)
}
