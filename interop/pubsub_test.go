package interop

import (
	"fmt"
	"strings"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq4"
)

// Subscription messages as XPUB hands them to the application and XSUB
// takes them from it.
func subscribeMsg(topic string) []byte   { return append([]byte{1}, topic...) }
func unsubscribeMsg(topic string) []byte { return append([]byte{0}, topic...) }

// isPublisher reports whether typ is on the sending side of pub-sub.
func isPublisher(typ zmq.Type) bool { return typ == zmq.PUB || typ == zmq.XPUB }

// syncFromGo waits until a subscription to topic has reached our
// publisher s: it sends probes until the libzmq subscriber receives one.
func syncFromGo(t *testing.T, s *zmq.Socket, p *peer, topic string) {
	t.Helper()
	probe := frames(topic, syncFrame)
	p.write("recv")
	for {
		sendFrames(t, s, probe...)
		select {
		case line, ok := <-p.lines:
			if !ok {
				t.Fatalf("%s exited while waiting for a probe", p.name)
			}
			if line != "MSG "+encodeFrames(probe) {
				t.Fatalf("%s: waiting for probe %s got %q", p.name, encodeFrames(probe), short(line))
			}
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// syncFromPeer waits until a subscription to topic from our subscriber s
// has reached the libzmq publisher: the peer sends probes until one arrives.
func syncFromPeer(t *testing.T, s *zmq.Socket, p *peer, topic string) {
	t.Helper()
	p.write("sendsync " + hexWords([]byte(topic)))
	checkFrames(t, "probe at purezmq", recvFrames(t, s), frames(topic, syncFrame))
	p.write("stop")
	if got := p.await(); !strings.HasPrefix(got, "SYNCED ") {
		t.Fatalf("%s: sendsync replied %q", p.name, short(got))
	}
}

// recvPumping makes the peer receive one message while our socket s sits
// idle (see doPumping).
func (p *peer) recvPumping(s *zmq.Socket) [][]byte {
	p.t.Helper()
	line := p.doPumping("recv", s)
	if !strings.HasPrefix(line, "MSG ") {
		p.t.Fatalf("%s: recv replied %q, want MSG", p.name, short(line))
	}
	return p.decodeReply(line)
}

// recvData makes the peer receive one message, skipping probes.
func (p *peer) recvData() [][]byte {
	p.t.Helper()
	for {
		msg := p.recv()
		if string(msg[len(msg)-1]) != string(syncFrame) {
			return msg
		}
	}
}

// goSubscribe (un)subscribes our SUB or XSUB socket s to topic.
func goSubscribe(t *testing.T, s *zmq.Socket, typ zmq.Type, subscribe bool, topic string) {
	t.Helper()
	switch {
	case typ == zmq.SUB && subscribe:
		must(t, "SetSubscribe", s.SetSubscribe(topic))
	case typ == zmq.SUB:
		must(t, "SetUnsubscribe", s.SetUnsubscribe(topic))
	case subscribe:
		sendFrames(t, s, subscribeMsg(topic))
	default:
		sendFrames(t, s, unsubscribeMsg(topic))
	}
}

// peerSubscribe makes the libzmq SUB or XSUB peer (un)subscribe to topic.
func peerSubscribe(p *peer, typ string, subscribe bool, topic string) {
	p.t.Helper()
	switch {
	case typ == "SUB" && subscribe:
		p.expect("subscribe "+hexWords([]byte(topic)), "OK")
	case typ == "SUB":
		p.expect("unsubscribe "+hexWords([]byte(topic)), "OK")
	case subscribe:
		p.send(subscribeMsg(topic))
	default:
		p.send(unsubscribeMsg(topic))
	}
}

// publishedMessages are sent after subscribing to "A" and "B": the first
// must be filtered out, the rest delivered in order.
var publishedMessages = [][][]byte{
	frames("C", "filtered"),
	frames("A", "one"),
	frames("B", "two"),
	frames("Bx", "three"),
}

// runPubSub checks one publisher/subscriber pairing: subscriptions reach
// the publisher (as 0x01/0x00 messages where it is an XPUB), filtering,
// multipart and 1 MiB messages, unsubscription, and a numbered stream.
func runPubSub(t *testing.T, l link, r role) {
	pair := func(ours zmq.Type, setup func(*zmq.Socket), theirs string, args ...string) (*zmq.Socket, *peer) {
		return pairUp(t, l, ours, setup, theirs, args...)
	}
	pubSubExchange(t, r, "libzmq", l.streamCount(), pair)
}

// pairer joins our socket of type ours (configured by setup) with a peer of
// type theirs started with args.
type pairer func(ours zmq.Type, setup func(*zmq.Socket), theirs string, args ...string) (*zmq.Socket, *peer)

// pubSubExchange is one publisher/subscriber pairing with a peer that pair
// starts (named peerName in failures): subscriptions as an XPUB sees them,
// messages filtered by topic, an unsubscription, and a stream of n
// messages.
func pubSubExchange(t *testing.T, r role, peerName string, n int, pair pairer) {
	if isPublisher(r.ours) {
		s, p := pair(r.ours, func(s *zmq.Socket) {
			// An unbounded queue, so the fast stream below loses nothing.
			must(t, "SetSndhwm", s.SetSndhwm(0))
		}, r.theirs)
		peerSubscribe(p, r.theirs, true, "A")
		peerSubscribe(p, r.theirs, true, "B")
		if r.ours == zmq.XPUB {
			checkFrames(t, "first subscription at purezmq XPUB", recvFrames(t, s), [][]byte{subscribeMsg("A")})
			checkFrames(t, "second subscription at purezmq XPUB", recvFrames(t, s), [][]byte{subscribeMsg("B")})
		} else {
			syncFromGo(t, s, p, "B")
		}
		for _, msg := range publishedMessages {
			sendFrames(t, s, msg...)
		}
		for i, msg := range publishedMessages[1:] {
			checkFrames(t, fmt.Sprintf("published message %d at %s", i+1, peerName), p.recvData(), msg)
		}
		for i, msg := range testMessages() {
			sendFrames(t, s, withPrefix(frames("A"), msg)...)
			checkFrames(t, fmt.Sprintf("test message %d at %s", i, peerName), p.recvData(), withPrefix(frames("A"), msg))
		}
		// Unsubscribe from A, then subscribe to Z and wait for Z: the
		// publisher has then seen the cancel too.
		peerSubscribe(p, r.theirs, false, "A")
		peerSubscribe(p, r.theirs, true, "Z")
		if r.ours == zmq.XPUB {
			checkFrames(t, "unsubscription at purezmq XPUB", recvFrames(t, s), [][]byte{unsubscribeMsg("A")})
			checkFrames(t, "third subscription at purezmq XPUB", recvFrames(t, s), [][]byte{subscribeMsg("Z")})
		} else {
			syncFromGo(t, s, p, "Z")
		}
		sendFrames(t, s, frames("A", "after unsubscribe")...)
		sendFrames(t, s, frames("B", "kept")...)
		checkFrames(t, "first message after unsubscribe", p.recvData(), frames("B", "kept"))
		p.write(streamCommand("recvn", n, false, []byte("B")))
		sendNumbered(t, s, n, []byte("B"))
		p.expectReply(fmt.Sprintf("OK %d", n))
		return
	}

	s, p := pair(r.ours, nil, r.theirs, "--sockopt", "SNDHWM=0")
	goSubscribe(t, s, r.ours, true, "A")
	goSubscribe(t, s, r.ours, true, "B")
	if r.theirs == "XPUB" {
		checkFrames(t, "first subscription at "+peerName+" XPUB", p.recvPumping(s), [][]byte{subscribeMsg("A")})
		checkFrames(t, "second subscription at "+peerName+" XPUB", p.recvPumping(s), [][]byte{subscribeMsg("B")})
	} else {
		syncFromPeer(t, s, p, "B")
	}
	for _, msg := range publishedMessages {
		p.send(msg...)
	}
	for i, msg := range publishedMessages[1:] {
		checkFrames(t, fmt.Sprintf("published message %d at purezmq", i+1), recvData(t, s), msg)
	}
	for i, msg := range testMessages() {
		p.send(withPrefix(frames("A"), msg)...)
		checkFrames(t, fmt.Sprintf("test message %d at purezmq", i), recvData(t, s), withPrefix(frames("A"), msg))
	}
	goSubscribe(t, s, r.ours, false, "A")
	goSubscribe(t, s, r.ours, true, "Z")
	if r.theirs == "XPUB" {
		checkFrames(t, "unsubscription at "+peerName+" XPUB", p.recvPumping(s), [][]byte{unsubscribeMsg("A")})
		checkFrames(t, "third subscription at "+peerName+" XPUB", p.recvPumping(s), [][]byte{subscribeMsg("Z")})
	} else {
		syncFromPeer(t, s, p, "Z")
	}
	p.send(frames("A", "after unsubscribe")...)
	p.send(frames("B", "kept")...)
	checkFrames(t, "first message after unsubscribe", recvData(t, s), frames("B", "kept"))
	p.write(streamCommand("sendn", n, true, []byte("B")))
	recvNumbered(t, s, n, []byte("B"))
	p.expectReply(fmt.Sprintf("SENT %d", n))
}

// TestInteropPubSub: PUB to SUB in both roles.
func TestInteropPubSub(t *testing.T) {
	forEachRoleAndLink(t, bothRoles(zmq.PUB, "PUB", zmq.SUB, "SUB"), runPubSub)
}

// TestInteropPubXsub: PUB to XSUB in both roles; XSUB subscribes by
// sending 0x01+topic.
func TestInteropPubXsub(t *testing.T) {
	forEachRoleAndLink(t, bothRoles(zmq.PUB, "PUB", zmq.XSUB, "XSUB"), runPubSub)
}

// TestInteropXpubSub: XPUB to SUB in both roles; XPUB receives the SUB's
// subscriptions as 0x01+topic and 0x00+topic messages.
func TestInteropXpubSub(t *testing.T) {
	forEachRoleAndLink(t, bothRoles(zmq.XPUB, "XPUB", zmq.SUB, "SUB"), runPubSub)
}

// TestInteropXpubXsub: XPUB to XSUB in both roles.
func TestInteropXpubXsub(t *testing.T) {
	forEachRoleAndLink(t, bothRoles(zmq.XPUB, "XPUB", zmq.XSUB, "XSUB"), runPubSub)
}

// TestInteropXpubVerbose: a second subscription to the same topic reaches
// the XPUB application only with XPUB_VERBOSE.
func TestInteropXpubVerbose(t *testing.T) {
	for _, verbose := range []int{0, 1} {
		t.Run(fmt.Sprintf("goXPUB-libzmqSUB/verbose=%d", verbose), func(t *testing.T) {
			forEachLink(t, func(t *testing.T, l link) {
				s, p1 := pairUp(t, l, zmq.XPUB, func(s *zmq.Socket) {
					must(t, "SetXpubVerbose", s.SetXpubVerbose(verbose))
				}, "SUB", "--subscribe", "A")
				checkFrames(t, "first subscriber", recvFrames(t, s), [][]byte{subscribeMsg("A")})
				var p2 *peer
				if l.goBinds {
					p2 = startPeer(t, "--type", "SUB", "--connect", p1.endpoint)
				} else {
					p2 = startPeer(t, "--type", "SUB", "--bind", bindAddress(t, l.transport))
					must(t, "Connect", s.Connect(p2.endpoint))
				}
				peerSubscribe(p2, "SUB", true, "A")
				peerSubscribe(p2, "SUB", true, "Z")
				if verbose == 1 {
					checkFrames(t, "duplicate subscription", recvFrames(t, s), [][]byte{subscribeMsg("A")})
				}
				checkFrames(t, "new topic", recvFrames(t, s), [][]byte{subscribeMsg("Z")})
			})
		})
		t.Run(fmt.Sprintf("goSUB-libzmqXPUB/verbose=%d", verbose), func(t *testing.T) {
			forEachLink(t, func(t *testing.T, l link) {
				s1, p := pairUp(t, l, zmq.SUB, nil, "XPUB", "--sockopt", fmt.Sprintf("XPUB_VERBOSE=%d", verbose))
				must(t, "SetSubscribe", s1.SetSubscribe("A"))
				checkFrames(t, "first subscriber", p.recvPumping(s1), [][]byte{subscribeMsg("A")})
				ctx, err := s1.Context()
				must(t, "Context", err)
				s2 := newSocket(t, ctx, zmq.SUB)
				if l.goBinds {
					must(t, "Bind", s2.Bind(bindAddress(t, l.transport)))
					p.expect("connect "+lastEndpoint(t, s2), "OK")
				} else {
					must(t, "Connect", s2.Connect(p.endpoint))
				}
				must(t, "SetSubscribe", s2.SetSubscribe("A"))
				must(t, "SetSubscribe", s2.SetSubscribe("Z"))
				if verbose == 1 {
					checkFrames(t, "duplicate subscription", p.recvPumping(s2), [][]byte{subscribeMsg("A")})
				}
				checkFrames(t, "new topic", p.recvPumping(s2), [][]byte{subscribeMsg("Z")})
			})
		})
	}
}

// TestInteropXpubSubscriberGone: when a subscriber that connected to it
// goes away, an XPUB reports the subscriber's topics as unsubscribed. (When
// the XPUB is the connecting side, libzmq keeps the pipe for the reconnect
// and reports nothing, so only the publisher binds here.)
func TestInteropXpubSubscriberGone(t *testing.T) {
	for _, transport := range []string{"tcp", "ipc"} {
		t.Run("goXPUB-libzmqSUB/"+transport, func(t *testing.T) {
			s, p := pairUp(t, link{transport, true}, zmq.XPUB, nil, "SUB", "--subscribe", "A")
			checkFrames(t, "subscription", recvFrames(t, s), [][]byte{subscribeMsg("A")})
			p.expect("close", "CLOSED")
			checkFrames(t, "after the subscriber closed", recvFrames(t, s), [][]byte{unsubscribeMsg("A")})
		})
		t.Run("goSUB-libzmqXPUB/"+transport, func(t *testing.T) {
			s, p := pairUp(t, link{transport, false}, zmq.SUB, nil, "XPUB")
			must(t, "SetSubscribe", s.SetSubscribe("A"))
			checkFrames(t, "subscription", p.recvPumping(s), [][]byte{subscribeMsg("A")})
			must(t, "Close", s.Close())
			checkFrames(t, "after the subscriber closed", p.recv(), [][]byte{unsubscribeMsg("A")})
		})
	}
}
