package zmq4

import (
	"bytes"
	"testing"
)

// largeMessage returns a 64 KiB message whose bytes depend on i.
func largeMessage(i int) []byte {
	b := make([]byte, 64<<10)
	for j := range b {
		b[j] = byte(i + j/1024)
	}
	return b
}

// Pooled send buffers are reused after the engine writes them: every
// message must still arrive intact, on one pipe and on a fan-out.
func TestLargeMessagesSurviveBufferReuse(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	must(t, pull.Bind("tcp://127.0.0.1:*"))
	push := newTestSocket(t, ctx, PUSH)
	must(t, push.Connect(pull.opt.lastEndpoint))
	const n = 300
	go func() {
		for i := 0; i < n; i++ {
			push.SendBytes(largeMessage(i), 0)
		}
	}()
	for i := 0; i < n; i++ {
		got, err := pull.RecvBytes(0)
		must(t, err)
		if !bytes.Equal(got, largeMessage(i)) {
			t.Fatalf("message %d corrupted", i)
		}
	}

	pub := newTestSocket(t, ctx, PUB)
	must(t, pub.Bind("tcp://127.0.0.1:*"))
	subs := []*Socket{newTestSocket(t, ctx, SUB), newTestSocket(t, ctx, SUB)}
	for _, s := range subs {
		must(t, s.SetSubscribe(""))
		must(t, s.Connect(pub.opt.lastEndpoint))
	}
	waitUntil(t, "subscriptions", func() bool {
		pub.SendBytes([]byte("probe"), 0)
		a, _ := pollIn(subs[0])
		b, _ := pollIn(subs[1])
		return a && b
	})
	for i := 0; i < 50; i++ {
		pub.SendBytes(largeMessage(i), 0)
	}
	for _, s := range subs {
		for i := 0; i < 50; {
			got, err := s.RecvBytes(0)
			must(t, err)
			if len(got) == len("probe") {
				continue
			}
			if !bytes.Equal(got, largeMessage(i)) {
				t.Fatalf("fan-out message %d corrupted", i)
			}
			i++
		}
	}
}

func TestPoolClasses(t *testing.T) {
	for _, n := range []int{16 << 10, 16<<10 + 1, 64 << 10, 4 << 20} {
		b := getPooled(n)
		if len(b) != n || cap(b)&(cap(b)-1) != 0 {
			t.Fatalf("getPooled(%d): len %d cap %d", n, len(b), cap(b))
		}
		putPooled(b)
	}
	if getPooled(4<<20+1) != nil || getPooled(0) != nil {
		t.Fatal("sizes outside the pool were pooled")
	}
}
