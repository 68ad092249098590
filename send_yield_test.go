package zmq4

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// TestDroppingSenderYieldsOnOneProcessor: with GOMAXPROCS 1, a socket
// that drops what its peer has no room for (PUB, ROUTER, RADIO), sending
// without pause to an inproc peer whose queue is full, lets the peer's
// goroutine run every behindPatience such sends, so the peer receives
// while the sender is still sending. Before noteBehind the sender never
// gave up the processor: the receiving goroutine, readied by the first
// message, ran only when the runtime preempted the sender, and received
// nothing during these sends.
func TestDroppingSenderYieldsOnOneProcessor(t *testing.T) {
	cases := []struct {
		name         string
		sender, peer Type
		prepare      func(t *testing.T, peer *Socket)
		send         func(sender *Socket) error
	}{
		{"PUB", PUB, SUB,
			func(t *testing.T, peer *Socket) { must(t, peer.SetSubscribe("")) },
			func(s *Socket) error { _, err := s.Send("m", 0); return err }},
		{"ROUTER", ROUTER, DEALER,
			func(t *testing.T, peer *Socket) { must(t, peer.SetIdentity("d")) },
			func(s *Socket) error { _, err := s.SendMessage("d", "m"); return err }},
		{"RADIO", RADIO, DISH,
			func(t *testing.T, peer *Socket) { must(t, peer.Join("g")) },
			func(s *Socket) error { _, err := s.Send("m", 0, OptGroup("g")); return err }},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := newTestContext(t)
			sender := newTestSocket(t, ctx, c.sender)
			peer := newTestSocket(t, ctx, c.peer)
			must(t, sender.SetSndhwm(1))
			must(t, peer.SetRcvhwm(1))
			c.prepare(t, peer)
			ep := "inproc://send-yield-" + string(rune('a'+i))
			must(t, sender.Bind(ep))
			must(t, peer.Connect(ep))
			if c.sender == ROUTER {
				// The ROUTER learns the peer's routing id from it.
				_, err := peer.Send("hello", 0)
				must(t, err)
				_, err = sender.RecvMessage(0)
				must(t, err)
			}
			// The peer is ready once a message gets through; then its
			// queue is emptied.
			must(t, peer.SetRcvtimeo(10*time.Millisecond))
			for {
				must(t, c.send(sender))
				if _, err := peer.Recv(0); err == nil {
					break
				}
			}
			for {
				if _, err := peer.Recv(0); err != nil {
					break
				}
			}

			// The reader receives until nothing comes for a while.
			must(t, peer.SetRcvtimeo(500*time.Millisecond))
			var received atomic.Int64
			started, done := make(chan struct{}), make(chan struct{})
			go func() {
				defer close(done)
				close(started)
				for {
					if _, err := peer.Recv(0); err != nil {
						return
					}
					received.Add(1)
				}
			}()
			<-started

			defer func(n int) { behindPatience = n }(behindPatience)
			behindPatience = 16
			const sends = 16 * 16
			previous := runtime.GOMAXPROCS(1)
			for range sends {
				if err := c.send(sender); err != nil {
					runtime.GOMAXPROCS(previous)
					t.Fatal(err)
				}
			}
			// Read before anything here blocks and lets the reader run.
			got := received.Load()
			runtime.GOMAXPROCS(previous)
			<-done
			// Sixteen yields, each after the reader's queue took a message;
			// the scheduler may run the sender first at some of them.
			if got < 8 {
				t.Fatalf("the peer received %d messages while %d were sent; want at least 8", got, sends)
			}
		})
	}
}
