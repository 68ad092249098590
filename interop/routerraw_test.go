package interop

import (
	"testing"

	zmq "github.com/purezmq/zmq4"
)

// TestInteropRouterRaw: our ROUTER with ROUTER_RAW speaks raw bytes to a
// libzmq STREAM socket and to a libzmq ROUTER with ROUTER_RAW: both sides
// get [id][empty] when the connection opens, and bytes pass both ways.
func TestInteropRouterRaw(t *testing.T) {
	for _, theirs := range [][]string{{"STREAM"}, {"ROUTER", "--sockopt", "ROUTER_RAW=1"}} {
		t.Run("libzmq"+theirs[0], func(t *testing.T) {
			for _, l := range streamLinks {
				t.Run(l.String(), func(t *testing.T) {
					s, p := pairUp(t, l, zmq.ROUTER, func(s *zmq.Socket) {
						must(t, "SetRouterRaw", s.SetRouterRaw(1))
					}, theirs[0], theirs[1:]...)
					goID := acceptNotification(t, s)
					note := p.recv()
					if len(note) != 2 || len(note[1]) != 0 {
						t.Fatalf("libzmq %s: want [id][empty], got %s", theirs[0], short(encodeFrames(note)))
					}
					pyID := note[0]
					p.send(pyID, []byte("ping"))
					if got := goStreamRecv(t, s, goID, 4); string(got) != "ping" {
						t.Fatalf("purezmq raw ROUTER got %q, want ping", got)
					}
					sendFrames(t, s, goID, []byte("pong"))
					if got := peerStreamRecv(t, p, pyID, 4); string(got) != "pong" {
						t.Fatalf("libzmq %s got %q, want pong", theirs[0], got)
					}
				})
			}
		})
	}
}
