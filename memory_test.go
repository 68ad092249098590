package zmq4

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// A PUSH whose peer stopped reading stops accepting messages at its HWM:
// memory stays bounded by the high-water marks (and kernel buffers), not
// by how long the application keeps trying to send.
func TestStalledPeerMemoryBounded(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL) // never reads
	must(t, pull.Bind("tcp://127.0.0.1:*"))
	push := newTestSocket(t, ctx, PUSH)
	must(t, push.SetSndhwm(1000))
	must(t, push.Connect(pull.opt.lastEndpoint))
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	msg := make([]byte, 1024)
	sent, refusals := 0, 0
	// Keep offering messages for a while after the first refusal: nothing
	// beyond the HWMs may be taken.
	for refusals < 200 {
		if _, err := push.SendBytes(msg, DONTWAIT); err != nil {
			refusals++
			time.Sleep(time.Millisecond)
			continue
		}
		sent++
		if sent > 100000 {
			t.Fatal("the PUSH never pushed back")
		}
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapInuse) - int64(before.HeapInuse)
	// Both HWMs (1000 + 1000 messages of 1 KiB), the writer's batch and
	// whatever the kernel buffered: a few MiB, whatever the number of tries.
	if grown > 16<<20 {
		t.Fatalf("heap grew by %d bytes after %d messages", grown, sent)
	}
	t.Logf("%d messages accepted; heap grew by %d KiB", sent, grown>>10)
}

// A subscriber that stops reading costs the publisher its HWM and a
// bounded part of the publisher's log (publog.go), however much it sends
// to another subscriber that keeps up.
func TestStalledSubscriberMemoryBounded(t *testing.T) {
	ctx := newTestContext(t)
	pub := newTestSocket(t, ctx, XPUB)
	must(t, pub.SetSndhwm(4))
	must(t, pub.SetXpubVerbose(1))
	must(t, pub.Bind("tcp://127.0.0.1:*"))
	var subs []*Socket
	for i := 0; i < 2; i++ {
		sub := newTestSocket(t, ctx, SUB)
		must(t, sub.SetRcvhwm(4))
		must(t, sub.SetSubscribe(""))
		must(t, sub.Connect(pub.opt.lastEndpoint))
		if _, err := pub.RecvBytes(0); err != nil { // the subscription
			t.Fatal(err)
		}
		subs = append(subs, sub)
	}
	// subs[0] reads nothing; subs[1] reads until the end marker.
	done := make(chan struct{})
	var got atomic.Int64
	go func() {
		defer close(done)
		for {
			b, err := subs[1].RecvBytes(0)
			if err != nil || len(b) == 3 {
				return
			}
			got.Add(1)
		}
	}()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	msg := make([]byte, 1<<20)
	// Until the reading subscriber has had 200 MiB through the log.
	for sent := 0; got.Load() < 200; sent++ {
		if sent > 1000000 {
			t.Fatal("the reading subscriber got too little")
		}
		if _, err := pub.SendBytes(msg, 0); err != nil {
			t.Fatal(err)
		}
	}
	// The end marker, then measure once the reading subscriber has taken
	// everything: what it had in flight would otherwise count (up to 18
	// MiB more in one run of ten), and what is left is what the stalled
	// subscriber holds.
	for {
		select {
		case <-done:
		case <-time.After(10 * time.Millisecond):
			if _, err := pub.Send("end", 0); err != nil {
				t.Fatal(err)
			}
			continue
		}
		break
	}
	// Two collections: the first moves pooled buffers to sync.Pool's
	// victim cache, the second frees them.
	runtime.GC()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapInuse) - int64(before.HeapInuse)
	// The stalled subscriber's HWMs (4 + 4 messages of 1 MiB), its
	// writer's batch and the log's bound on a reader that does not move (8
	// MiB and a message); the bound in messages alone would let it hold 64.
	if grown > 40<<20 {
		t.Fatalf("heap grew by %d bytes after 200 MiB went to one subscriber", grown)
	}
	t.Logf("heap grew by %d KiB", grown>>10)
}
