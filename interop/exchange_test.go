package interop

import (
	"fmt"
	"testing"

	zmq "github.com/purezmq/zmq4"
)

// roundTrips is how many lockstep request/reply round trips a test makes on
// l. Each one waits for the other process, so they are far slower than
// one-way streams; the count is chosen to keep the suite within minutes.
func (l link) roundTrips() int {
	if l.transport == "ipc" {
		return 2000
	}
	return 10000
}

// withPrefix returns prefix followed by msg, as a new slice.
func withPrefix(prefix [][]byte, msg [][]byte) [][]byte {
	out := make([][]byte, 0, len(prefix)+len(msg))
	out = append(out, prefix...)
	return append(out, msg...)
}

// goToPeer sends every test message and then n numbered messages from our
// socket s, each after sendPrefix, and checks that the peer receives each
// one intact and in order after recvPrefix.
func goToPeer(t *testing.T, s *zmq.Socket, p *peer, n int, sendPrefix, recvPrefix [][]byte) {
	t.Helper()
	for i, msg := range testMessages() {
		out := withPrefix(sendPrefix, msg)
		if i%2 == 0 {
			sendFrames(t, s, out...)
		} else if _, err := s.SendMessage(asParts(out)...); err != nil {
			t.Fatalf("SendMessage: %v", err)
		}
		checkFrames(t, fmt.Sprintf("test message %d at libzmq", i), p.recv(), withPrefix(recvPrefix, msg))
	}
	if n == 0 {
		return
	}
	p.write(streamCommand("recvn", n, false, recvPrefix...))
	sendNumbered(t, s, n, sendPrefix...)
	p.expectReply(fmt.Sprintf("OK %d", n))
}

// peerToGo makes the peer send every test message and then n numbered
// messages, each after sendPrefix, and checks that our socket s receives
// each one intact and in order after recvPrefix.
func peerToGo(t *testing.T, s *zmq.Socket, p *peer, n int, sendPrefix, recvPrefix [][]byte) {
	t.Helper()
	for i, msg := range testMessages() {
		p.send(withPrefix(sendPrefix, msg)...)
		checkFrames(t, fmt.Sprintf("test message %d at purezmq", i), recvData(t, s), withPrefix(recvPrefix, msg))
	}
	if n == 0 {
		return
	}
	p.write(streamCommand("sendn", n, true, sendPrefix...))
	recvNumbered(t, s, n, recvPrefix...)
	p.expectReply(fmt.Sprintf("SENT %d", n))
}

// expectReply waits for the reply to a command sent with write and fails
// unless it is exactly want.
func (p *peer) expectReply(want string) {
	p.t.Helper()
	if got := p.await(); got != want {
		p.t.Fatalf("%s: replied %q, want %q", p.name, short(got), want)
	}
}

// role names which socket type is ours and which is libzmq's.
type role struct {
	ours   zmq.Type
	theirs string
}

func (r role) String() string { return "go" + r.ours.String() + "-libzmq" + r.theirs }

// bothRoles returns the two roles of a pattern between types a and b
// (named aName and bName for the peer); symmetric patterns get one role.
func bothRoles(a zmq.Type, aName string, b zmq.Type, bName string) []role {
	if aName == bName {
		return []role{{a, bName}}
	}
	return []role{{a, bName}, {b, aName}}
}

// forEachRoleAndLink runs fn as a subtest for every role and link.
func forEachRoleAndLink(t *testing.T, roles []role, fn func(t *testing.T, l link, r role)) {
	for _, r := range roles {
		t.Run(r.String(), func(t *testing.T) {
			forEachLink(t, func(t *testing.T, l link) { fn(t, l, r) })
		})
	}
}
