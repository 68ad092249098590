package zmq4

import (
	"testing"
	"time"
)

// Disconnect drops the messages the disconnected connection delivered that
// the application has not read, as libzmq's zmq_disconnect does (its
// test_spec_pushpull): after a reconnect the first message read is one
// sent after it.
func TestDisconnectDropsUnreadInbound(t *testing.T) {
	for _, tr := range []string{"inproc", "ipc", "tcp"} {
		t.Run(tr, func(t *testing.T) {
			push, pull := pairUp(t, tr, true, PUSH, PULL)
			ep := push.opt.lastEndpoint
			sendParts(t, push, "old")
			waitUntil(t, "the message to arrive", func() bool {
				ev, err := pull.GetEvents()
				must(t, err)
				return ev&POLLIN != 0
			})
			must(t, pull.Disconnect(ep))
			if ev, _ := pull.GetEvents(); ev&POLLIN != 0 {
				t.Fatal("a disconnected connection's message is still readable")
			}
			must(t, pull.Connect(ep))
			// PUSH may still send on the old connection until it sees that
			// connection end, and that message is lost: send until one
			// arrives.
			must(t, pull.SetRcvtimeo(20*time.Millisecond))
			for i := 0; i < 500; i++ {
				sendParts(t, push, "new")
				got, err := pull.Recv(0)
				if err == nil {
					if got != "new" {
						t.Fatalf("first message after the reconnect: %q, want \"new\"", got)
					}
					return
				}
			}
			t.Fatal("nothing arrived after the reconnect")
		})
	}
}
