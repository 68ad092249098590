package zmq4_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq4"
)

// runProxy starts ProxySteerable in a goroutine and returns its result
// channel.
func runProxy(frontend, backend, capture, control *zmq.Socket) <-chan error {
	done := make(chan error, 1)
	go func() { done <- zmq.ProxySteerable(frontend, backend, capture, control) }()
	return done
}

// awaitProxy waits (hang guard only) for the proxy to return.
func awaitProxy(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(hangGuard):
		t.Fatal("proxy did not return")
		return nil
	}
}

// termAsync starts Term in a goroutine.
func termAsync(ctx *zmq.Context) <-chan error {
	done := make(chan error, 1)
	go func() { done <- ctx.Term() }()
	return done
}

// TestProxyRouterDealer runs a shared queue: REQ clients talk through a
// ROUTER-DEALER proxy to REP workers. Terminating the context makes the
// proxy return ETERM.
func TestProxyRouterDealer(t *testing.T) {
	pxEachTransport(t, func(t *testing.T, transport string) {
		ctx := pxContext(t)
		frontend := pxSocket(t, ctx, zmq.ROUTER)
		backend := pxSocket(t, ctx, zmq.DEALER)
		frontEP := pxBind(t, frontend, transport)
		backEP := pxBind(t, backend, transport)
		proxyDone := runProxy(frontend, backend, nil, nil)

		var workers sync.WaitGroup
		for w := 0; w < 2; w++ {
			rep := pxSocket(t, ctx, zmq.REP)
			pxMust(t, rep.Connect(backEP))
			workers.Add(1)
			go func(w int, rep *zmq.Socket) {
				defer workers.Done()
				for {
					msg, err := rep.RecvMessage(0)
					if err != nil {
						return // ETERM at the end of the test
					}
					if _, err := rep.SendMessage("reply", msg); err != nil {
						return
					}
				}
			}(w, rep)
		}

		const clients, requests = 3, 20
		errs := make(chan error, clients)
		for c := 0; c < clients; c++ {
			req := pxSocket(t, ctx, zmq.REQ)
			pxMust(t, req.Connect(frontEP))
			go func(c int, req *zmq.Socket) {
				for i := 0; i < requests; i++ {
					body := fmt.Sprintf("c%d-%d", c, i)
					if _, err := req.SendMessage(body, "tail"); err != nil {
						errs <- err
						return
					}
					got, err := req.RecvMessage(0)
					if err != nil {
						errs <- err
						return
					}
					if len(got) != 3 || got[0] != "reply" || got[1] != body || got[2] != "tail" {
						errs <- fmt.Errorf("client %d got %q for %q", c, got, body)
						return
					}
				}
				errs <- nil
			}(c, req)
		}
		for c := 0; c < clients; c++ {
			pxMust(t, <-errs)
		}

		termDone := termAsync(ctx)
		if err := awaitProxy(t, proxyDone); !errors.Is(err, zmq.ETERM) {
			t.Fatalf("proxy after Term returned %v, want ETERM", err)
		}
		workers.Wait()
		pxCloseAll(t, ctx, termDone)
	})
}

// TestProxyXSubXPub runs a forwarder: a subscription made downstream must
// reach the publisher upstream, and only matching messages come back. The
// capture socket sees traffic in both directions.
func TestProxyXSubXPub(t *testing.T) {
	pxEachTransport(t, func(t *testing.T, transport string) {
		ctx := pxContext(t)
		frontend := pxSocket(t, ctx, zmq.XSUB)
		backend := pxSocket(t, ctx, zmq.XPUB)
		capture := pxSocket(t, ctx, zmq.PUSH)
		captured := pxSocket(t, ctx, zmq.PULL)
		pxMust(t, captured.Connect(pxBind(t, capture, "inproc")))
		frontEP := pxBind(t, frontend, transport)
		backEP := pxBind(t, backend, transport)
		proxyDone := runProxy(frontend, backend, capture, nil)

		// The publisher is an XPUB so the test can see subscriptions arrive.
		pub := pxSocket(t, ctx, zmq.XPUB)
		pxMust(t, pub.Connect(frontEP))
		sub := pxSocket(t, ctx, zmq.SUB)
		pxMust(t, sub.Connect(backEP))
		pxMust(t, sub.SetSubscribe("A"))

		pxExpect(t, pub, "\x01A")
		_, err := pub.SendMessage("B", "not subscribed")
		pxMust(t, err)
		_, err = pub.SendMessage("A", "hello")
		pxMust(t, err)
		pxExpect(t, sub, "A", "hello")

		// Capture saw the subscription (backend to frontend) and the
		// message (frontend to backend), in that order.
		pxExpect(t, captured, "\x01A")
		pxExpect(t, captured, "A", "hello")

		pxMust(t, sub.SetUnsubscribe("A"))
		pxExpect(t, pub, "\x00A")
		pxExpect(t, captured, "\x00A")

		termDone := termAsync(ctx)
		if err := awaitProxy(t, proxyDone); !errors.Is(err, zmq.ETERM) {
			t.Fatalf("proxy after Term returned %v, want ETERM", err)
		}
		pxCloseAll(t, ctx, termDone)
	})
}

// streamer is a PULL-PUSH proxy with producer and consumer attached.
type streamer struct {
	producer, consumer *zmq.Socket
	frontend, backend  *zmq.Socket
}

func newStreamer(t *testing.T, ctx *zmq.Context, transport string) *streamer {
	t.Helper()
	st := &streamer{
		producer: pxSocket(t, ctx, zmq.PUSH),
		consumer: pxSocket(t, ctx, zmq.PULL),
		frontend: pxSocket(t, ctx, zmq.PULL),
		backend:  pxSocket(t, ctx, zmq.PUSH),
	}
	pxMust(t, st.producer.Connect(pxBind(t, st.frontend, transport)))
	pxMust(t, st.consumer.Connect(pxBind(t, st.backend, transport)))
	return st
}

// TestProxyPullPush runs a streamer with capture and checks that multipart
// messages keep their parts and order, and that an idle proxy waits in its
// poller instead of spinning.
func TestProxyPullPush(t *testing.T) {
	pxEachTransport(t, func(t *testing.T, transport string) {
		ctx := pxContext(t)
		st := newStreamer(t, ctx, transport)
		capture := pxSocket(t, ctx, zmq.PAIR)
		captured := pxSocket(t, ctx, zmq.PAIR)
		pxMust(t, captured.Connect(pxBind(t, capture, "inproc")))
		proxyDone := runProxy(st.frontend, st.backend, capture, nil)

		waitBlocked(t, "(*Poller).poll")
		const n = 200
		go func() {
			for i := 0; i < n; i++ {
				if _, err := st.producer.SendMessage(fmt.Sprint(i), "", "end"); err != nil {
					return
				}
			}
		}()
		for i := 0; i < n; i++ {
			pxExpect(t, st.consumer, fmt.Sprint(i), "", "end")
			pxExpect(t, captured, fmt.Sprint(i), "", "end")
		}
		termDone := termAsync(ctx)
		if err := awaitProxy(t, proxyDone); !errors.Is(err, zmq.ETERM) {
			t.Fatalf("proxy after Term returned %v, want ETERM", err)
		}
		pxCloseAll(t, ctx, termDone)
	})
}

// command sends a control command over a REQ socket and returns the reply.
func command(t *testing.T, req *zmq.Socket, cmd string) [][]byte {
	t.Helper()
	_, err := req.Send(cmd, 0)
	pxMust(t, err)
	reply, err := req.RecvMessageBytes(0)
	pxMust(t, err)
	return reply
}

// statistics asks for STATISTICS and decodes the eight counters.
func statistics(t *testing.T, req *zmq.Socket) [8]uint64 {
	t.Helper()
	reply := command(t, req, "STATISTICS")
	if len(reply) != 8 {
		t.Fatalf("STATISTICS reply has %d parts, want 8", len(reply))
	}
	var v [8]uint64
	for i, part := range reply {
		if len(part) != 8 {
			t.Fatalf("STATISTICS part %d has %d bytes, want 8", i, len(part))
		}
		v[i] = binary.NativeEndian.Uint64(part)
	}
	return v
}

// TestProxySteerable drives a streamer through a REP control socket:
// STATISTICS, PAUSE, RESUME and TERMINATE.
func TestProxySteerable(t *testing.T) {
	pxEachTransport(t, func(t *testing.T, transport string) {
		ctx := pxContext(t)
		st := newStreamer(t, ctx, transport)
		control := pxSocket(t, ctx, zmq.REP)
		commander := pxSocket(t, ctx, zmq.REQ)
		pxMust(t, commander.Connect(pxBind(t, control, "inproc")))
		proxyDone := runProxy(st.frontend, st.backend, nil, control)

		_, err := st.producer.Send("a", 0)
		pxMust(t, err)
		_, err = st.producer.SendMessage("bb", "ccc")
		pxMust(t, err)
		pxExpect(t, st.consumer, "a")
		pxExpect(t, st.consumer, "bb", "ccc")

		// Messages and bytes: 2 messages (one of two parts) of 6 bytes
		// came into the frontend and went out of the backend; a multipart
		// message counts once, as in libzmq 4.3.4.
		want := [8]uint64{2, 6, 0, 0, 0, 0, 2, 6}
		if got := statistics(t, commander); got != want {
			t.Fatalf("STATISTICS = %v, want %v", got, want)
		}

		if reply := command(t, commander, "PAUSE"); len(reply) != 1 || len(reply[0]) != 0 {
			t.Fatalf("PAUSE reply = %q, want one empty part", reply)
		}
		_, err = st.producer.Send("while paused", 0)
		pxMust(t, err)
		// The REP reply came after the proxy paused, so nothing new is
		// received from the frontend while paused.
		if got := statistics(t, commander); got != want {
			t.Fatalf("STATISTICS while paused = %v, want %v", got, want)
		}
		if polled, err := pollFor(st.consumer, 20*time.Millisecond); err != nil || polled {
			t.Fatalf("consumer readable while paused: %v, %v", polled, err)
		}

		if reply := command(t, commander, "RESUME"); len(reply) != 1 || len(reply[0]) != 0 {
			t.Fatalf("RESUME reply = %q", reply)
		}
		pxExpect(t, st.consumer, "while paused")
		want = [8]uint64{3, 18, 0, 0, 0, 0, 3, 18}
		if got := statistics(t, commander); got != want {
			t.Fatalf("STATISTICS after RESUME = %v, want %v", got, want)
		}

		// An unknown command changes nothing but is still answered.
		if reply := command(t, commander, "BOGUS"); len(reply) != 1 || len(reply[0]) != 0 {
			t.Fatalf("unknown command reply = %q", reply)
		}

		if reply := command(t, commander, "TERMINATE"); len(reply) != 1 || len(reply[0]) != 0 {
			t.Fatalf("TERMINATE reply = %q", reply)
		}
		if err := awaitProxy(t, proxyDone); err != nil {
			t.Fatalf("proxy after TERMINATE returned %v, want nil", err)
		}
	})
}

// TestProxySteerablePairControl uses a PAIR control socket, which gets no
// reply except to STATISTICS.
func TestProxySteerablePairControl(t *testing.T) {
	ctx := pxContext(t)
	st := newStreamer(t, ctx, "inproc")
	control := pxSocket(t, ctx, zmq.PAIR)
	commander := pxSocket(t, ctx, zmq.PAIR)
	pxMust(t, commander.Connect(pxBind(t, control, "inproc")))
	proxyDone := runProxy(st.frontend, st.backend, nil, control)

	_, err := commander.Send("PAUSE", 0)
	pxMust(t, err)
	_, err = commander.Send("STATISTICS", 0)
	pxMust(t, err)
	reply, err := commander.RecvMessageBytes(0)
	pxMust(t, err)
	if len(reply) != 8 {
		t.Fatalf("STATISTICS reply = %q, want 8 parts (no reply to PAUSE first)", reply)
	}
	_, err = commander.Send("TERMINATE", 0)
	pxMust(t, err)
	if err := awaitProxy(t, proxyDone); err != nil {
		t.Fatalf("proxy after TERMINATE returned %v, want nil", err)
	}
	if polled, err := pollFor(commander, 0); err != nil || polled {
		t.Fatalf("PAIR control got an unexpected reply: %v, %v", polled, err)
	}
}

// pollFor reports whether s becomes readable within d.
func pollFor(s *zmq.Socket, d time.Duration) (bool, error) {
	p := zmq.NewPoller()
	p.Add(s, zmq.POLLIN)
	polled, err := p.Poll(d)
	return len(polled) > 0, err
}

// TestProxyClosedSocket checks that the proxy reports a socket closed under
// it instead of spinning.
func TestProxyClosedSocket(t *testing.T) {
	ctx := pxContext(t)
	st := newStreamer(t, ctx, "inproc")
	proxyDone := runProxy(st.frontend, st.backend, nil, nil)
	waitBlocked(t, "(*Poller).poll")
	pxMust(t, st.frontend.Close())
	if err := awaitProxy(t, proxyDone); !errors.Is(err, zmq.ErrorSocketClosed) {
		t.Fatalf("proxy returned %v, want ErrorSocketClosed", err)
	}
}
