package zmq4

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"
	"time"
)

// collect ranges over seq in another goroutine and returns what it
// yielded once the loop ends. onMessage runs after each message.
type collected struct {
	msgs [][][]byte
	errs []error
}

func collectMessages(seq func(func([][]byte, error) bool), onMessage func(n int)) <-chan collected {
	out := make(chan collected, 1)
	go func() {
		var c collected
		for msg, err := range seq {
			if err != nil {
				c.errs = append(c.errs, err)
				continue
			}
			c.msgs = append(c.msgs, msg)
			if onMessage != nil {
				onMessage(len(c.msgs))
			}
		}
		out <- c
	}()
	return out
}

func awaitCollected(t *testing.T, c <-chan collected) collected {
	t.Helper()
	select {
	case r := <-c:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("range loop did not end")
		return collected{}
	}
}

func checkSequence(t *testing.T, got collected, n int) {
	t.Helper()
	if len(got.errs) != 0 {
		t.Fatalf("yielded errors %v", got.errs)
	}
	if len(got.msgs) != n {
		t.Fatalf("got %d messages, want %d", len(got.msgs), n)
	}
	for i, m := range got.msgs {
		if len(m) != 2 || string(m[0]) != fmt.Sprint(i) || string(m[1]) != "body" {
			t.Fatalf("message %d: %q", i, m)
		}
	}
}

func TestMessagesEndsOnCancel(t *testing.T) {
	const n = 50
	eachCtxTransport(t, func(t *testing.T, push, pull *Socket) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		res := collectMessages(pull.Messages(ctx), func(got int) {
			if got == n {
				cancel()
			}
		})
		for i := range n {
			sendParts(t, push, fmt.Sprint(i), "body")
		}
		checkSequence(t, awaitCollected(t, res), n)
		// Cancelling ended the loop, not the socket.
		sendParts(t, push, "still", "open")
		expectParts(t, pull, "still", "open")
	})
}

func TestMessagesEndsOnClose(t *testing.T) {
	const n = 20
	eachCtxTransport(t, func(t *testing.T, push, pull *Socket) {
		received := make(chan struct{})
		res := collectMessages(pull.Messages(context.Background()), func(got int) {
			if got == n {
				close(received)
			}
		})
		for i := range n {
			sendParts(t, push, fmt.Sprint(i), "body")
		}
		select {
		case <-received:
		case <-time.After(10 * time.Second):
			t.Fatal("messages not received")
		}
		must(t, pull.Close())
		checkSequence(t, awaitCollected(t, res), n)
	})
}

func TestMessagesEndsOnTerm(t *testing.T) {
	zctx, err := NewContext()
	must(t, err)
	pull, err := zctx.NewSocket(PULL)
	must(t, err)
	res := collectMessages(pull.Messages(context.Background()), nil)
	time.Sleep(20 * time.Millisecond) // let it block; not required for the outcome
	termDone := make(chan struct{})
	go func() { zctx.Term(); close(termDone) }()
	got := awaitCollected(t, res)
	if len(got.msgs) != 0 || len(got.errs) != 0 {
		t.Fatalf("got %d messages, errors %v", len(got.msgs), got.errs)
	}
	pull.Close()
	select {
	case <-termDone:
	case <-time.After(10 * time.Second):
		t.Fatal("Term hung")
	}
}

func TestMessagesYieldsOtherErrorsOnce(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	must(t, pull.SetRcvtimeo(10*time.Millisecond))
	got := awaitCollected(t, collectMessages(pull.Messages(context.Background()), nil))
	if len(got.msgs) != 0 || len(got.errs) != 1 || !errors.Is(got.errs[0], syscall.EAGAIN) {
		t.Fatalf("got %d messages, errors %v; want one EAGAIN", len(got.msgs), got.errs)
	}
}

func TestMessagesBreakLeavesRestQueued(t *testing.T) {
	eachCtxTransport(t, func(t *testing.T, push, pull *Socket) {
		for i := range 3 {
			sendParts(t, push, fmt.Sprint(i), "body")
		}
		n := 0
		for msg, err := range pull.Messages(context.Background()) {
			must(t, err)
			if string(msg[0]) != fmt.Sprint(n) {
				t.Fatalf("got %q", msg)
			}
			n++
			if n == 2 {
				break
			}
		}
		expectParts(t, pull, "2", "body")
	})
}
