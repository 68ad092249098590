package zmq4

import (
	"sync"
	"testing"
)

// The fan-out worker calls onReadable once for every queue handed to it, queues
// handed over while it runs included, and then ends.
func TestFanoutWorkerWakesEach(t *testing.T) {
	var w fanoutWorker
	var mu sync.Mutex
	woken := map[*queue]int{}
	var wg sync.WaitGroup
	qs := make([]*queue, 50)
	for i := range qs {
		q := newQueue(0)
		q.onReadable = func() {
			mu.Lock()
			woken[q]++
			mu.Unlock()
			wg.Done()
		}
		qs[i] = q
	}
	wg.Add(2 * len(qs))
	w.wake(qs[:25])
	w.wake(qs[25:])
	w.wake(qs)
	wg.Wait()
	for i, q := range qs {
		if woken[q] != 2 {
			t.Fatalf("queue %d woken %d times, want 2", i, woken[q])
		}
	}
	// The goroutine ends once nothing is pending.
	for {
		w.mu.Lock()
		running := w.running
		w.mu.Unlock()
		if !running {
			break
		}
	}
}

// A PUB with more idle subscribers than it wakes itself still gets every
// message to every subscriber (through the fan-out worker), over inproc and tcp.
func TestPubManySubscribersAllReceive(t *testing.T) {
	for _, transport := range []string{"inproc", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			ctx, err := NewContext()
			must(t, err)
			t.Cleanup(func() { ctx.Term() })
			pub := newTestSocket(t, ctx, XPUB)
			must(t, pub.SetXpubVerbose(1)) // hear every subscription
			ep := "inproc://many-subs"
			if transport == "tcp" {
				ep = "tcp://127.0.0.1:*"
			}
			if err := pub.Bind(ep); err != nil {
				t.Fatal(err)
			}
			ep, _ = pub.GetLastEndpoint()
			const n = 3 * fanoutDirectWakes
			subs := make([]*Socket, n)
			for i := range subs {
				subs[i] = newTestSocket(t, ctx, SUB)
				if err := subs[i].SetSubscribe(""); err != nil {
					t.Fatal(err)
				}
				if err := subs[i].Connect(ep); err != nil {
					t.Fatal(err)
				}
			}
			for range subs {
				if _, err := pub.RecvBytes(0); err != nil { // each subscription
					t.Fatal(err)
				}
			}
			for i := 0; i < 3; i++ {
				if _, err := pub.Send("m", 0); err != nil {
					t.Fatal(err)
				}
				for j, s := range subs {
					if got, err := s.Recv(0); err != nil || got != "m" {
						t.Fatalf("message %d, subscriber %d: %q %v", i, j, got, err)
					}
				}
			}
		})
	}
}
