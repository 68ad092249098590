package zmq4

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// TestPubYieldsWhenSubscribersAreBehindOnOneProcessor: with GOMAXPROCS 1,
// a publisher sending without pause to an inproc subscriber whose queue is
// full lets the subscriber's goroutine run every behindPatience such
// sends, so the subscriber receives while the publisher is still sending.
// Before noteBehind the publisher never gave up the processor: the
// subscriber's goroutine, readied by the first message, ran only when the
// runtime preempted the sender, and received nothing during these sends.
func TestPubYieldsWhenSubscribersAreBehindOnOneProcessor(t *testing.T) {
	ctx := newTestContext(t)
	pub := newTestSocket(t, ctx, PUB)
	sub := newTestSocket(t, ctx, SUB)
	must(t, pub.SetSndhwm(1))
	must(t, sub.SetRcvhwm(1))
	must(t, sub.SetSubscribe(""))
	must(t, pub.Bind("inproc://pub-yield"))
	must(t, sub.Connect("inproc://pub-yield"))
	// The subscription has arrived once a message gets through.
	must(t, sub.SetRcvtimeo(10*time.Millisecond))
	for {
		_, err := pub.Send("hello", 0)
		must(t, err)
		if _, err := sub.Recv(0); err == nil {
			break
		}
	}
	for {
		if _, err := sub.Recv(0); err != nil {
			break
		}
	}

	// The reader receives until nothing comes for a while.
	must(t, sub.SetRcvtimeo(500*time.Millisecond))
	var received atomic.Int64
	started, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		close(started)
		for {
			if _, err := sub.Recv(0); err != nil {
				return
			}
			received.Add(1)
		}
	}()
	<-started

	defer func(n int) { behindPatience = n }(behindPatience)
	behindPatience = 16
	const sends = 8 * 16
	previous := runtime.GOMAXPROCS(1)
	for range sends {
		if _, err := pub.Send("m", 0); err != nil {
			runtime.GOMAXPROCS(previous)
			t.Fatal(err)
		}
	}
	// Read before anything here blocks and lets the reader run.
	got := received.Load()
	runtime.GOMAXPROCS(previous)
	<-done
	// Eight yields, each after the reader's queue took a message; the
	// scheduler may run the sender first at one of them.
	if got < 4 {
		t.Fatalf("the subscriber received %d messages while %d were sent; want at least 4", got, sends)
	}
}
