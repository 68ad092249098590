package zmq4

import (
	"fmt"
	"testing"
)

// BenchmarkPubSend measures a PUB's send to n subscribers' pipes with no
// engine behind them: "drop" pipes are full (the HWM refuses every
// message), "take" pipes are emptied by the benchmark between sends, as a
// fast writer would.
func BenchmarkPubSend(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		for _, mode := range []string{"drop", "take"} {
			b.Run(fmt.Sprintf("%s-%d", mode, n), func(b *testing.B) {
				benchPubSend(b, n, mode == "take")
			})
		}
	}
}

func benchPubSend(b *testing.B, n int, take bool) {
	ctx, err := NewContext()
	if err != nil {
		b.Fatal(err)
	}
	defer ctx.Term()
	s, err := ctx.NewSocket(PUB)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	readers := make([]*queueReader, n)
	for i := range readers {
		p := newNetPipe(s, 1000, 1000, "bench")
		p.subs.Add(nil)
		if !s.attachPipe(p) {
			b.Fatal("attach failed")
		}
		r := newQueueReader(p.out)
		readers[i] = &r
	}
	msg := make([]byte, 64)
	if !take {
		for i := 0; i < 1000; i++ {
			if _, err := s.SendBytes(msg, 0); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.SendBytes(msg, 0); err != nil {
			b.Fatal(err)
		}
		if take && i%16 == 15 {
			b.StopTimer()
			for _, r := range readers {
				r.takeAll()
			}
			b.StartTimer()
		}
	}
	b.StopTimer() // closing moves what the log holds into each queue
}
