package bench

import (
	"runtime"
	"testing"

	zmq "github.com/purezmq/zmq4"
)

// BenchmarkRecvBytes measures the pebbe-style receive path: PUSH -> PULL
// with the receiver calling RecvBytes, which returns a slice the caller
// owns. Besides allocs/op and B/op it reports gc/1k-msg, the collections
// the whole process (sender included) ran per 1,000 messages.
func BenchmarkRecvBytes(b *testing.B) {
	for _, tr := range []transport{{"tcp", "tcp", false}, {"inproc", "inproc", false}} {
		for _, sz := range []struct {
			name string
			size int
		}{{"64B", 64}, {"64KiB", 64 << 10}} {
			b.Run(tr.name+"/"+sz.name, func(b *testing.B) {
				benchmarkRecvBytes(b, tr, sz.size, false)
			})
		}
	}
}

// BenchmarkRecv is BenchmarkRecvBytes with Recv, which returns a string.
func BenchmarkRecv(b *testing.B) {
	for _, tr := range []transport{{"tcp", "tcp", false}, {"inproc", "inproc", false}} {
		for _, sz := range []struct {
			name string
			size int
		}{{"64B", 64}, {"64KiB", 64 << 10}} {
			b.Run(tr.name+"/"+sz.name, func(b *testing.B) {
				benchmarkRecvBytes(b, tr, sz.size, true)
			})
		}
	}
}

func benchmarkRecvBytes(b *testing.B, tr transport, size int, str bool) {
	p := newPair(b, tr, zmq.PULL, zmq.PUSH)
	pull, push := p.bound, p.connected
	n := b.N
	sent := make(chan error, 1)
	go func() {
		msg := make([]byte, size)
		for i := 0; i <= n; i++ {
			if _, err := push.SendBytes(msg, 0); err != nil {
				sent <- err
				return
			}
		}
		sent <- nil
	}()
	if _, err := pull.RecvBytes(0); err != nil {
		b.Fatal("warm-up:", err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < n; i++ {
		got := 0
		if str {
			msg, err := pull.Recv(0)
			if err != nil {
				b.Fatal(err)
			}
			got = len(msg)
		} else {
			msg, err := pull.RecvBytes(0)
			if err != nil {
				b.Fatal(err)
			}
			got = len(msg)
		}
		if got != size {
			b.Fatalf("message of %d bytes, want %d", got, size)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.NumGC-before.NumGC)*1000/float64(n), "gc/1k-msg")
	if err := <-sent; err != nil {
		b.Fatal(err)
	}
}
