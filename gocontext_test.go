package zmq4

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ctxTransports are the transports the context-aware calls are tested over.
var ctxTransports = []string{"inproc", "tcp"}

// eachCtxTransport runs fn once per transport with a connected PUSH/PULL
// pair (the PULL bound).
func eachCtxTransport(t *testing.T, fn func(t *testing.T, push, pull *Socket)) {
	for _, tr := range ctxTransports {
		t.Run(tr, func(t *testing.T) {
			pull, push := pairUp(t, tr, true, PULL, PUSH)
			fn(t, push, pull)
		})
	}
}

// result of a call made in another goroutine.
type ctxResult struct {
	msg []string
	err error
}

func recvInBackground(ctx context.Context, s *Socket) <-chan ctxResult {
	out := make(chan ctxResult, 1)
	go func() {
		m, err := s.RecvMessageContext(ctx)
		out <- ctxResult{m, err}
	}()
	return out
}

// await returns the call's result, failing the test if it never comes.
func await(t *testing.T, c <-chan ctxResult) ctxResult {
	t.Helper()
	select {
	case r := <-c:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("call did not return")
		return ctxResult{}
	}
}

func TestRecvMessageContextCancel(t *testing.T) {
	eachCtxTransport(t, func(t *testing.T, push, pull *Socket) {
		ctx, cancel := context.WithCancel(context.Background())
		res := recvInBackground(ctx, pull)
		time.Sleep(20 * time.Millisecond) // let it block; not required for the outcome
		cancel()
		r := await(t, res)
		if !errors.Is(r.err, context.Canceled) {
			t.Fatalf("got %q, %v; want context.Canceled", r.msg, r.err)
		}
		// The socket still works afterwards.
		sendParts(t, push, "after")
		expectParts(t, pull, "after")
	})
}

func TestRecvMessageContextAlreadyCancelled(t *testing.T) {
	eachCtxTransport(t, func(t *testing.T, push, pull *Socket) {
		sendParts(t, push, "waiting")
		waitUntil(t, "message queued", func() bool {
			ev, err := pull.GetEvents()
			return err == nil && ev&POLLIN != 0
		})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := pull.RecvMessageContext(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
		if _, err := push.SendMessageContext(ctx, "x"); !errors.Is(err, context.Canceled) {
			t.Fatalf("send: got %v, want context.Canceled", err)
		}
		// The queued message was left for the next call.
		expectParts(t, pull, "waiting")
	})
}

func TestRecvMessageContextDeadline(t *testing.T) {
	eachCtxTransport(t, func(t *testing.T, push, pull *Socket) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		r := await(t, recvInBackground(ctx, pull))
		if !errors.Is(r.err, context.DeadlineExceeded) {
			t.Fatalf("got %q, %v; want context.DeadlineExceeded", r.msg, r.err)
		}
	})
}

func TestRecvMessageContextGetsLaterMessage(t *testing.T) {
	eachCtxTransport(t, func(t *testing.T, push, pull *Socket) {
		res := recvInBackground(context.Background(), pull)
		time.Sleep(20 * time.Millisecond) // let it block; not required for the outcome
		if _, err := push.SendMessageContext(context.Background(), "a", []byte("b"), []string{"c", ""}, 7); err != nil {
			t.Fatal(err)
		}
		r := await(t, res)
		if r.err != nil {
			t.Fatal(r.err)
		}
		if got := strings.Join(r.msg, "|"); got != "a|b|c||7" || len(r.msg) != 5 {
			t.Fatalf("got %q", r.msg)
		}
		// Bytes form, and a message split across calls: the rest of the
		// current message comes back.
		sendParts(t, push, "x", "y", "z")
		first, err := pull.Recv(0)
		must(t, err)
		rest, err := pull.RecvMessageBytesContext(context.Background())
		must(t, err)
		if first != "x" || len(rest) != 2 || string(rest[0]) != "y" || string(rest[1]) != "z" {
			t.Fatalf("got %q then %q", first, rest)
		}
		if more, _ := pull.GetRcvmore(); more {
			t.Fatal("RCVMORE still set after the whole message")
		}
	})
}

func TestRecvMessageContextRcvtimeoBounds(t *testing.T) {
	eachCtxTransport(t, func(t *testing.T, push, pull *Socket) {
		must(t, pull.SetRcvtimeo(20*time.Millisecond))
		if _, err := pull.RecvMessageContext(context.Background()); !errors.Is(err, syscall.EAGAIN) {
			t.Fatalf("got %v, want EAGAIN", err)
		}
		must(t, pull.SetRcvtimeo(0))
		if _, err := pull.RecvMessageBytesContext(context.Background()); !errors.Is(err, syscall.EAGAIN) {
			t.Fatalf("RCVTIMEO 0: got %v, want EAGAIN", err)
		}
	})
}

// fillUntilBlocked sends with DONTWAIT until push's queue is full and
// returns how many messages it queued.
func fillUntilBlocked(t *testing.T, push *Socket, payload []byte) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	n := 0
	for {
		_, err := push.SendMessageDontwait(payload)
		if errors.Is(err, syscall.EAGAIN) {
			return n
		}
		must(t, err)
		n++
		if time.Now().After(deadline) {
			t.Fatal("queue never filled")
		}
	}
}

func TestSendMessageContextBlocksAtHWMUntilCancel(t *testing.T) {
	for _, tr := range ctxTransports {
		t.Run(tr, func(t *testing.T) {
			ctx := newTestContext(t)
			push := newTestSocket(t, ctx, PUSH)
			pull := newTestSocket(t, ctx, PULL)
			must(t, push.SetSndhwm(5))
			must(t, pull.SetRcvhwm(5))
			must(t, pull.Bind(endpointFor(t, tr)))
			must(t, push.Connect(pull.opt.lastEndpoint))
			payload := make([]byte, 64<<10)
			if tr == "inproc" {
				payload = []byte("x")
			}
			queued := fillUntilBlocked(t, push, payload)
			// Over tcp the engine may still move queued messages into
			// the kernel, letting a send through; keep going until one
			// really blocks and is cancelled.
			var err error
			var attempt string
			for i := range 1000 {
				attempt = fmt.Sprint("attempt ", i)
				cctx, cancel := context.WithCancel(context.Background())
				errc := make(chan error, 1)
				go func() {
					_, err := push.SendMessageContext(cctx, attempt, payload)
					errc <- err
				}()
				time.Sleep(20 * time.Millisecond)
				cancel()
				select {
				case err = <-errc:
				case <-time.After(10 * time.Second):
					t.Fatal("SendMessageContext not unblocked by cancel")
				}
				if err == nil {
					queued++
					continue
				}
				break
			}
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("got %v, want context.Canceled", err)
			}
			if tr == "inproc" && queued != 10 {
				t.Fatalf("queued %d before blocking, want SNDHWM+RCVHWM = 10", queued)
			}
			// Nothing of the cancelled message went out: after the queued
			// ones the next message is the one sent now.
			blocked := make(chan error, 1)
			go func() {
				_, err := push.SendMessageContext(context.Background(), "last")
				blocked <- err
			}()
			for i := 0; i < queued; i++ {
				m, err := pull.RecvMessageBytes(0)
				must(t, err)
				if string(m[0]) == attempt {
					t.Fatalf("message %d is the cancelled one", i)
				}
			}
			select {
			case err := <-blocked:
				must(t, err)
			case <-time.After(10 * time.Second):
				t.Fatal("blocked send not released by the receiver")
			}
			expectParts(t, pull, "last")
		})
	}
}

func TestSendMessageContextDeadline(t *testing.T) {
	ctx := newTestContext(t)
	push := newTestSocket(t, ctx, PUSH) // no peer: a PUSH send blocks
	dctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := push.SendMessageContext(dctx, "x"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
	must(t, push.SetSndtimeo(20*time.Millisecond))
	if _, err := push.SendMessageContext(context.Background(), "x"); !errors.Is(err, syscall.EAGAIN) {
		t.Fatalf("SNDTIMEO: got %v, want EAGAIN", err)
	}
}

func TestSendMessageContextChecksArguments(t *testing.T) {
	ctx := newTestContext(t)
	push := newTestSocket(t, ctx, PUSH)
	if n, err := push.SendMessageContext(context.Background()); n != 0 || err != nil {
		t.Fatalf("empty message: %d, %v", n, err)
	}
	// Errors other than EAGAIN come straight back.
	rep, req := pairUp(t, "inproc", true, REP, REQ)
	_ = rep
	if _, err := req.SendMessageContext(context.Background(), "q"); err != nil {
		t.Fatal(err)
	}
	if _, err := req.SendMessageContext(context.Background(), "again"); !errors.Is(err, EFSM) {
		t.Fatalf("REQ send twice: got %v, want EFSM", err)
	}
	must(t, push.Close())
	if _, err := push.SendMessageContext(context.Background(), "x"); !errors.Is(err, ErrorSocketClosed) {
		t.Fatalf("closed socket: got %v", err)
	}
}

func TestContextCallsTermGivesETERM(t *testing.T) {
	zctx, err := NewContext()
	must(t, err)
	pull, err := zctx.NewSocket(PULL)
	must(t, err)
	push, err := zctx.NewSocket(PUSH)
	must(t, err)
	must(t, pull.SetLinger(0))
	must(t, push.SetLinger(0))
	recv := recvInBackground(context.Background(), pull)
	sendErr := make(chan error, 1)
	go func() {
		_, err := push.SendMessageContext(context.Background(), "x") // no peer: blocks
		sendErr <- err
	}()
	time.Sleep(20 * time.Millisecond) // let them block; not required for the outcome
	termDone := make(chan struct{})
	go func() { zctx.Term(); close(termDone) }()
	if r := await(t, recv); !errors.Is(r.err, ETERM) {
		t.Fatalf("recv: got %v, want ETERM", r.err)
	}
	select {
	case err := <-sendErr:
		if !errors.Is(err, ETERM) {
			t.Fatalf("send: got %v, want ETERM", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("send not unblocked by Term")
	}
	if _, err := pull.RecvMessageContext(context.Background()); !errors.Is(err, ETERM) {
		t.Fatalf("after Term: got %v, want ETERM", err)
	}
	pull.Close()
	push.Close()
	select {
	case <-termDone:
	case <-time.After(10 * time.Second):
		t.Fatal("Term hung")
	}
}

func TestRecvMessageContextCloseUnblocks(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	res := recvInBackground(context.Background(), pull)
	time.Sleep(20 * time.Millisecond) // let it block; not required for the outcome
	pull.Close()
	if r := await(t, res); !errors.Is(r.err, ErrorSocketClosed) {
		t.Fatalf("got %v, want ErrorSocketClosed", r.err)
	}
}

func TestContextCallsConcurrent(t *testing.T) {
	eachCtxTransport(t, func(t *testing.T, push, pull *Socket) {
		const senders, each = 4, 200
		var wg sync.WaitGroup
		for g := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					id := fmt.Sprintf("%d-%d", g, i)
					if _, err := push.SendMessageContext(context.Background(), id, id, id); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		// Two receivers share the socket; every message arrives whole.
		var mu sync.Mutex
		seen := map[string]bool{}
		var rwg sync.WaitGroup
		giveUp := time.Now().Add(20 * time.Second) // hang guard
		for range 2 {
			rwg.Add(1)
			go func() {
				defer rwg.Done()
				for {
					mu.Lock()
					done := len(seen) == senders*each
					mu.Unlock()
					if done {
						return
					}
					if time.Now().After(giveUp) {
						t.Error("messages missing")
						return
					}
					rctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
					m, err := pull.RecvMessageContext(rctx)
					cancel()
					if errors.Is(err, context.DeadlineExceeded) {
						continue
					}
					if err != nil {
						t.Error(err)
						return
					}
					if len(m) != 3 || m[0] != m[1] || m[1] != m[2] {
						t.Errorf("interleaved message %q", m)
						return
					}
					mu.Lock()
					seen[m[0]] = true
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		rwg.Wait()
		if len(seen) != senders*each {
			t.Fatalf("received %d distinct messages, want %d", len(seen), senders*each)
		}
	})
}
