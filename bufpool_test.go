package zmq4

import (
	"bytes"
	"errors"
	"syscall"
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

// Large received parts come in pooled buffers, which every receive call
// recycles once it has the data: RecvInto and Recv copy it into the
// caller's buffer or a string, RecvBytes into a slice of its own. A slice
// RecvBytes returned must never be filled with a later message. With
// CURVE, the box and the decrypted payload are both pooled.
func TestReceivedBuffersRecycledOnlyAfterCopy(t *testing.T) {
	t.Run("null", func(t *testing.T) { testReceivedBuffersRecycled(t, false) })
	t.Run("curve", func(t *testing.T) { testReceivedBuffersRecycled(t, true) })
}

func testReceivedBuffersRecycled(t *testing.T, curve bool) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	push := newTestSocket(t, ctx, PUSH)
	if curve {
		serverPublic, serverSecret, err := NewCurveKeypair()
		must(t, err)
		clientPublic, clientSecret, err := NewCurveKeypair()
		must(t, err)
		must(t, pull.ServerAuthCurve("global", serverSecret))
		must(t, push.ClientAuthCurve(serverPublic, clientPublic, clientSecret))
	}
	must(t, pull.Bind("tcp://127.0.0.1:*"))
	must(t, push.Connect(pull.opt.lastEndpoint))
	const n = 300
	go func() {
		for i := 0; i < n; i++ {
			push.SendBytes(largeMessage(i), 0)
		}
	}()
	kept := map[int][]byte{}
	buf := make([]byte, 64<<10)
	for i := 0; i < n; i++ {
		switch i % 3 {
		case 0:
			got, err := pull.RecvBytes(0)
			must(t, err)
			kept[i] = got
		case 1:
			size, err := pull.RecvInto(buf, 0)
			must(t, err)
			if size != len(buf) || !bytes.Equal(buf, largeMessage(i)) {
				t.Fatalf("message %d corrupted (%d bytes)", i, size)
			}
		case 2:
			got, err := pull.Recv(0)
			must(t, err)
			if got != string(largeMessage(i)) {
				t.Fatalf("message %d corrupted", i)
			}
		}
	}
	for i, got := range kept {
		if !bytes.Equal(got, largeMessage(i)) {
			t.Fatalf("message %d, kept from RecvBytes, was overwritten", i)
		}
	}
}

// ownFrame copies a pooled frame into memory of its own, so the pooled
// buffer can be reused, and hands any other frame's data over as it is.
func TestOwnFrame(t *testing.T) {
	data := largeMessage(7)
	pooled := getPooled(len(data))
	copy(pooled, data)
	got := ownFrame(frame{data: pooled, flags: framePooled})
	if !bytes.Equal(got, data) {
		t.Fatal("copy of a pooled frame differs from it")
	}
	if &got[0] == &pooled[0] {
		t.Fatal("a pooled frame's buffer was handed over instead of a copy")
	}
	if cap(got) != len(got) {
		t.Fatalf("copy of %d bytes has capacity %d", len(got), cap(got))
	}
	clear(pooled) // as the pool's next user might
	if !bytes.Equal(got, data) {
		t.Fatal("the copy shares memory with the pooled buffer")
	}

	plain := []byte("from the reader's chunk")
	if got := ownFrame(frame{data: plain, flags: frameMore}); &got[0] != &plain[0] {
		t.Fatal("a frame not from the pool was copied")
	}
}

// RecvInto behaves as zmq_recv: it reports the part's full size and stores
// what fits.
func TestRecvIntoTruncatesLikeZmqRecv(t *testing.T) {
	eachTransport(t, func(t *testing.T, transport string, bindFirst bool) {
		pull, push := pairUp(t, transport, bindFirst, PULL, PUSH)
		sendParts(t, push, "hello world", "", "x")
		buf := make([]byte, 5)
		n, err := pull.RecvInto(buf, 0)
		must(t, err)
		if n != 11 || string(buf) != "hello" {
			t.Fatalf("first part: n=%d buf=%q", n, buf)
		}
		if more, _ := pull.GetRcvmore(); !more {
			t.Fatal("RCVMORE not set after the first of three parts")
		}
		if n, err = pull.RecvInto(buf, 0); err != nil || n != 0 {
			t.Fatalf("empty part: n=%d err=%v", n, err)
		}
		if n, err = pull.RecvInto(buf, 0); err != nil || n != 1 || buf[0] != 'x' {
			t.Fatalf("last part: n=%d err=%v buf=%q", n, err, buf)
		}
		if more, _ := pull.GetRcvmore(); more {
			t.Fatal("RCVMORE set after the last part")
		}
		if n, err = pull.RecvInto(buf, DONTWAIT); n != -1 || !errors.Is(err, syscall.EAGAIN) {
			t.Fatalf("nothing queued: n=%d err=%v", n, err)
		}
	})
}
