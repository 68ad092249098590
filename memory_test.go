package zmq4

import (
	"runtime"
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
