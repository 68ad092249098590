package zmq4

import (
	"encoding/binary"
	"net"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/zmq4/internal/zmtp"
)

// One test for each class of bug in libzmq's security history: what a
// peer can do to a server without being authenticated, or with messages
// the protocol allows. Each names the CVE whose class it guards.

// zapAllowAll serves the context's ZAP requests, allowing every one, until
// the test ends.
func zapAllowAll(t *testing.T, ctx *Context) {
	t.Helper()
	h := newTestSocket(t, ctx, REP)
	must(t, h.Bind("inproc://zeromq.zap.01"))
	must(t, h.SetRcvtimeo(-1))
	go func() {
		for {
			req, err := h.RecvMessage(0)
			if err != nil || len(req) < 2 {
				return
			}
			if _, err := h.SendMessage("1.0", req[1], "200", "OK", "user", ""); err != nil {
				return
			}
		}
	}()
}

// CVE-2020-15166 class: connections that never finish a greeting must not
// hold up an honest client. 300 raw connections that send nothing or half a
// greeting are open while a CURVE client behind a ZAP handler connects and
// exchanges a message.
func TestCVEIdleHandshakesDoNotStarveHonestClient(t *testing.T) {
	ctx := newTestContext(t)
	zapAllowAll(t, ctx)
	serverPub, serverSec, err := NewCurveKeypair()
	must(t, err)
	clientPub, clientSec, err := NewCurveKeypair()
	must(t, err)
	server := newTestSocket(t, ctx, ROUTER)
	must(t, server.ServerAuthCurve("global", serverSec))
	ep := boundTCP(t, server)
	addr := strings.TrimPrefix(ep, "tcp://")

	greeting := zmtp.AppendGreeting(nil, "CURVE", false)
	for i := 0; i < 300; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("raw connection %d: %v", i, err)
		}
		defer c.Close()
		if i%2 == 1 {
			c.Write(greeting[:len(greeting)/2])
		}
	}

	client := newTestSocket(t, ctx, DEALER)
	must(t, client.ClientAuthCurve(serverPub, clientPub, clientSec))
	must(t, client.Connect(ep))
	sendParts(t, client, "honest")
	m := recvParts(t, server)
	if len(m) != 2 || m[1] != "honest" {
		t.Fatalf("server got %q", m)
	}
}

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// CVE-2021-20236 class: subscriptions nested thousands deep and up to 64
// KiB long, subscribed and cancelled over and over, keep the publisher's
// memory bounded and the publisher serving.
func TestCVEDeepAndLongSubscriptionsStayBounded(t *testing.T) {
	ctx := newTestContext(t)
	pub := newTestSocket(t, ctx, XPUB)
	ep := boundTCP(t, pub)
	sub := newTestSocket(t, ctx, XSUB)
	must(t, sub.Connect(ep))

	// Each round subscribes, then cancels, 2,000 nested prefixes of a 64
	// KiB topic and 16 more 64 KiB topics, all new to the round.
	round := func(r int) {
		long := string(rune('a'+r%26)) + strings.Repeat("n", 64<<10-1)
		var topics []string
		for i := 1; i <= 2000; i++ {
			topics = append(topics, long[:i])
		}
		for k := 0; k < 16; k++ {
			topics = append(topics, string(rune('A'+k))+long[1:])
		}
		for _, cmd := range []byte{1, 0} {
			for _, topic := range topics {
				must(t, errOnly(sub.SendBytes(append([]byte{cmd}, topic...), 0)))
			}
			// Each (un)subscription reaches XPUB as a message; read them all.
			for range topics {
				b, err := pub.RecvBytes(0)
				must(t, err)
				if len(b) == 0 || b[0] != cmd {
					t.Fatalf("XPUB got %q, want a %d message", b[:min(len(b), 8)], cmd)
				}
			}
		}
	}
	round(0)
	base := heapInUse()
	for r := 1; r <= 10; r++ {
		round(r)
	}
	grown := int64(heapInUse()) - int64(base)
	t.Logf("heap in use after 10 more rounds: %+d bytes", grown)
	if grown > 4<<20 {
		t.Fatalf("heap grew by %d bytes over 10 subscribe/cancel rounds", grown)
	}
	// Still serving: a fresh subscription gets its message.
	must(t, errOnly(sub.SendBytes([]byte("\x01topic"), 0)))
	expectParts(t, pub, "\x01topic")
	waitUntil(t, "the subscription to take", func() bool {
		pub.Send("topic-now", 0)
		m, err := sub.Recv(DONTWAIT)
		return err == nil && m == "topic-now"
	})
}

// openFDs counts this process's open file descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	return len(ents)
}

// CVE-2021-20234/20237 class: peers that connect with large metadata and
// go away, over and over, leave no memory, goroutine or descriptor behind.
func TestCVEReconnectingPeersWithMetadataLeaveNothing(t *testing.T) {
	ctx := newTestContext(t)
	server := newTestSocket(t, ctx, ROUTER)
	ep := boundTCP(t, server)
	big := strings.Repeat("m", 60<<10)

	cycle := func(n int) {
		for i := 0; i < n; i++ {
			c, err := ctx.NewSocket(DEALER)
			must(t, err)
			must(t, c.SetLinger(0))
			must(t, c.SetMetadata("X-Big:"+big))
			must(t, c.SetMetadata("X-Other:"+big[:1000]))
			must(t, c.Connect(ep))
			must(t, errOnly(c.Send("hi", 0)))
			if m := recvParts(t, server); len(m) != 2 || m[1] != "hi" {
				t.Fatalf("server got %q", m)
			}
			must(t, c.Close())
		}
	}
	settled := func() (uint64, int, int) {
		// The server notices each peer's going away in its own time.
		time.Sleep(100 * time.Millisecond)
		return heapInUse(), runtime.NumGoroutine(), openFDs(t)
	}
	cycle(50)
	heap0, gor0, fd0 := settled()
	cycle(500)
	var heap1 uint64
	var gor1, fd1 int
	waitUntil(t, "goroutines and descriptors to return to their baseline", func() bool {
		heap1, gor1, fd1 = settled()
		return gor1 <= gor0+5 && fd1 <= fd0+5
	})
	grown := int64(heap1) - int64(heap0)
	t.Logf("after 500 more peers: heap %+d bytes, goroutines %d -> %d, fds %d -> %d", grown, gor0, gor1, fd0, fd1)
	if grown > 8<<20 {
		t.Fatalf("heap grew by %d bytes over 500 peers with 60 KiB metadata", grown)
	}
}

// CVE-2019-13132 class: a CURVE handshake command that declares a huge
// size, or ends early, is refused before anything of that size is
// allocated, and the server keeps serving.
func TestCVEOversizedAndTruncatedCurveCommands(t *testing.T) {
	ctx := newTestContext(t)
	_, serverSec, err := NewCurveKeypair()
	must(t, err)
	server := newTestSocket(t, ctx, ROUTER)
	must(t, server.ServerAuthCurve("global", serverSec))
	must(t, server.SetHandshakeIvl(500*time.Millisecond))
	mon := monitorOf(t, server, EVENT_DISCONNECTED)
	ep := boundTCP(t, server)
	addr := strings.TrimPrefix(ep, "tcp://")
	greeting := zmtp.AppendGreeting(nil, "CURVE", false)

	// A long command frame (flags 0x06) that declares 1 GiB and sends 16
	// bytes of it, then closes.
	oversized := append([]byte{0x06}, binary.BigEndian.AppendUint64(nil, 1<<30)...)
	oversized = append(oversized, "\x05HELLO0123456789"...)
	// A HELLO of the right command name but 20 bytes instead of 200.
	truncated := append([]byte{0x04, 26}, "\x05HELLO"...)
	truncated = append(truncated, make([]byte, 20)...)

	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	for _, attack := range [][]byte{oversized, truncated} {
		c, err := net.Dial("tcp", addr)
		must(t, err)
		c.Write(greeting)
		c.Write(attack)
		// The server drops the connection (at the latest when its
		// HANDSHAKE_IVL ends); read until then.
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		buf := make([]byte, 4096)
		for {
			if _, err := c.Read(buf); err != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					t.Fatal("the server kept a broken handshake open")
				}
				break
			}
		}
		c.Close()
		expectEvents(t, mon, EVENT_DISCONNECTED)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if d := after.TotalAlloc - before.TotalAlloc; d > 256<<20 {
		t.Fatalf("the server allocated %d bytes for a command that declared 1 GiB", d)
	}
	// Still serving.
	serverPub, err := AuthCurvePublic(serverSec)
	must(t, err)
	clientPub, clientSec, err := NewCurveKeypair()
	must(t, err)
	client := newTestSocket(t, ctx, DEALER)
	must(t, client.ClientAuthCurve(serverPub, clientPub, clientSec))
	must(t, client.Connect(ep))
	sendParts(t, client, "after")
	if m := recvParts(t, server); m[len(m)-1] != "after" {
		t.Fatalf("server got %q", m)
	}
}

// The udp engine's datagram bugs fixed in libzmq in 2026 (a group length
// byte of 0x80 or more read as negative, a group length longer than the
// datagram, a message too large for one datagram): a DISH fed such
// datagrams delivers the well-formed ones, drops the others and keeps
// serving; a RADIO refuses a message too large for one datagram.
func TestCVEUDPDatagramEdgeCases(t *testing.T) {
	ctx := newTestContext(t)
	dish := newTestSocket(t, ctx, DISH)
	must(t, dish.Bind("udp://127.0.0.1:*"))
	dishEP, _ := dish.GetLastEndpoint()
	g80 := strings.Repeat("g", 0x80)
	gff := strings.Repeat("h", 0xff)
	must(t, dish.Join(g80))
	must(t, dish.Join(gff))
	must(t, dish.Join("ok"))

	c, err := net.Dial("udp", strings.TrimPrefix(dishEP, "udp://"))
	must(t, err)
	defer c.Close()
	datagrams := [][]byte{
		{},                               // empty
		{0x80},                           // group length 128, nothing after
		append([]byte{0x80}, "short"...), // group length past the end
		{0xff, 'x'},                      // likewise with 255
		append([]byte{0x80}, g80+"body-80"...),
		append([]byte{0xff}, gff+"body-ff"...),
		append([]byte{0x02}, "ok"...), // empty body
	}
	for _, d := range datagrams {
		if _, err := c.Write(d); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range [][2]string{{g80, "body-80"}, {gff, "body-ff"}, {"ok", ""}} {
		msg, opts, err := dish.RecvWithOpts(0, OptGroup(""))
		must(t, err)
		if g := string(opts[0].(OptGroup)); g != want[0] || msg != want[1] {
			t.Fatalf("DISH got %q in group of %d bytes, want %q in %d", msg, len(g), want[1], len(want[0]))
		}
	}

	radio := newTestSocket(t, ctx, RADIO)
	must(t, radio.Connect(dishEP))
	radio.SendBytes(make([]byte, 70000), 0, OptGroup("ok"))
	must(t, errOnly(radio.Send("after", 0, OptGroup("ok"))))
	msg, opts, err := dish.RecvWithOpts(0, OptGroup(""))
	must(t, err)
	if msg != "after" || opts[0].(OptGroup) != "ok" {
		t.Fatalf("after an oversized message the DISH got %q, %v", msg[:min(len(msg), 16)], opts)
	}
}
