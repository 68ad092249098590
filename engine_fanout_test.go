package zmq4

import (
	"bytes"
	"fmt"
	"runtime"
	"sync"
	"testing"
)

// fanoutCounts adds up the in-place writes and the hand-offs to the writer
// goroutine of the engines serving s's pipes.
func fanoutCounts(s *Socket) (writes, handOffs uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for p := range s.pipes {
		if e := p.engine.Load(); e != nil {
			writes += e.inPlaceWrites.Load()
			handOffs += e.fanoutHandOffs.Load()
		}
	}
	return writes, handOffs
}

// TestPubFanoutWrites sends from a PUB and an XPUB over tcp and ipc, with
// and without CURVE, to subscribers that read only after everything was
// sent: small messages written by the fan-out worker, large frames and a
// backlog bigger than the socket buffers, which it hands to the writer
// goroutine and takes back. Every subscriber must get every message, in
// order, and the worker must have done both.
func TestPubFanoutWrites(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the fan-out worker writes on Linux")
	}
	sizes := []int{1, 64, 1000, largeFrame - 100, largeFrame, 100 << 10}
	const rounds = 40 // about 9 MB to each subscriber
	for _, typ := range []Type{PUB, XPUB} {
		for _, tr := range []string{"tcp", "ipc"} {
			for _, curve := range []bool{false, true} {
				t.Run(fmt.Sprintf("%v/%s/curve=%v", typ, tr, curve), func(t *testing.T) {
					ctx := newTestContext(t)
					pub := newTestSocket(t, ctx, typ)
					must(t, pub.SetSndhwm(0))
					var subKeys func(*Socket)
					if curve {
						serverPub, serverSec, err := NewCurveKeypair()
						must(t, err)
						must(t, pub.SetCurveServer(1))
						must(t, pub.SetCurveSecretkey(serverSec))
						subKeys = func(s *Socket) {
							clientPub, clientSec, err := NewCurveKeypair()
							must(t, err)
							must(t, s.SetCurveServerkey(serverPub))
							must(t, s.SetCurvePublickey(clientPub))
							must(t, s.SetCurveSecretkey(clientSec))
						}
					}
					must(t, pub.Bind(endpointFor(t, tr)))
					subs := make([]*Socket, 3)
					for i := range subs {
						subs[i] = newTestSocket(t, ctx, SUB)
						must(t, subs[i].SetRcvhwm(0))
						if subKeys != nil {
							subKeys(subs[i])
						}
						must(t, subs[i].SetSubscribe(""))
						must(t, subs[i].Connect(pub.opt.lastEndpoint))
					}
					// Every subscriber is attached once a marker sent
					// again and again reaches all of them.
					for i := range subs {
						for {
							_, err := pub.Send("x", 0)
							must(t, err)
							if got, err := subs[i].Recv(DONTWAIT); err == nil && got == "x" {
								break
							}
							runtime.Gosched()
						}
					}
					for round := range rounds {
						for i, size := range sizes {
							if _, err := pub.SendBytes(payload(round*len(sizes)+i, size), 0); err != nil {
								t.Fatal(err)
							}
						}
					}
					var wg sync.WaitGroup
					errs := make([]error, len(subs))
					for j, s := range subs {
						wg.Add(1)
						go func() {
							defer wg.Done()
							for seq := range rounds * len(sizes) {
								want := payload(seq, sizes[seq%len(sizes)])
								got, err := s.RecvBytes(0)
								for err == nil && seq == 0 && string(got) == "x" {
									got, err = s.RecvBytes(0) // markers still in flight
								}
								if err != nil {
									errs[j] = err
									return
								}
								if !bytes.Equal(got, want) {
									errs[j] = fmt.Errorf("message %d of %d bytes arrived as %d bytes, different", seq, len(want), len(got))
									return
								}
							}
						}()
					}
					wg.Wait()
					for j, err := range errs {
						if err != nil {
							t.Errorf("subscriber %d: %v", j, err)
						}
					}
					if writes, handOffs := fanoutCounts(pub); writes == 0 || handOffs == 0 {
						t.Errorf("the publisher's fan-out worker wrote %d times and handed off %d times; want both", writes, handOffs)
					}
				})
			}
		}
	}
}
