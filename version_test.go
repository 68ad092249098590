package zmq4

import (
	"bytes"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/zmq4/internal/zmtp"
)

// rawPublisher accepts one connection on a plain listener and speaks ZMTP
// 3.minor as a PUB: it returns the connection and a reader positioned after
// the peer's READY.
func rawPublisher(t *testing.T, ln net.Listener, minor byte) (net.Conn, *zmtp.Reader) {
	t.Helper()
	c, err := ln.Accept()
	must(t, err)
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	g := zmtp.AppendGreeting(nil, "NULL", false)
	g[11] = minor
	ready := zmtp.AppendCommand(nil, zmtp.CmdReady, zmtp.AppendProperty(nil, "Socket-Type", "PUB"))
	c.Write(zmtp.AppendFrame(g, zmtp.FlagCommand, ready))
	r := zmtp.NewReader(c, -1)
	_, err = r.ReadGreeting()
	must(t, err)
	f, err := r.ReadFrame() // the SUB's READY
	must(t, err)
	if !f.IsCommand() {
		t.Fatal("expected READY")
	}
	return c, r
}

func TestSubscriptionFormFollowsPeerVersion(t *testing.T) {
	cases := []struct {
		minor   byte
		command bool
		body    []byte
	}{
		{0, false, []byte("\x01A")},         // ZMTP 3.0: legacy data frame
		{1, true, []byte("\x09SUBSCRIBEA")}, // ZMTP 3.1: SUBSCRIBE command
	}
	for _, tc := range cases {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		must(t, err)
		ctx := newTestContext(t)
		sub := newTestSocket(t, ctx, SUB)
		must(t, sub.SetSubscribe("A"))
		must(t, sub.Connect("tcp://"+ln.Addr().String()))
		c, r := rawPublisher(t, ln, tc.minor)
		f, err := r.ReadFrame()
		must(t, err)
		if f.IsCommand() != tc.command || !bytes.Equal(f.Body, tc.body) {
			t.Fatalf("ZMTP 3.%d peer got command=%v %q, want command=%v %q",
				tc.minor, f.IsCommand(), f.Body, tc.command, tc.body)
		}
		// Data flows the other way whatever the version.
		c.Write(zmtp.AppendFrame(nil, 0, []byte("A-news")))
		expectParts(t, sub, "A-news")
		ln.Close()
	}
}

// v2Peer dials addr and speaks ZMTP 2.0 as libzmq 3.x and JeroMQ 0.3 do:
// signature, revision 1, socket type byte, identity frame. It checks that our
// side answers step by step (it sends only its signature until it has ours)
// and returns the connection and a reader after our identity frame.
func v2Peer(t *testing.T, addr string, socketType byte, identity string) (net.Conn, *zmtp.Reader, byte) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	must(t, err)
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	signature := []byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F}
	r := zmtp.NewReader(c, -1)
	// Our side must stop after its signature: nothing more arrives until
	// the peer's revision byte has been sent.
	ours, err := r.ReadExact(zmtp.SignatureSize)
	must(t, err)
	if !zmtp.ValidSignature(ours) {
		t.Fatalf("bad signature %x", ours)
	}
	c.Write(signature)
	version, err := r.ReadExact(1)
	must(t, err)
	if version[0] != 3 {
		t.Fatalf("version byte %d", version[0])
	}
	c.Write([]byte{zmtp.V2Revision, socketType})
	typ, err := r.ReadExact(1)
	if err != nil {
		return c, nil, 0
	}
	c.Write(zmtp.AppendFrame(nil, 0, []byte(identity)))
	f, err := r.ReadFrame()
	must(t, err)
	if f.More() || f.IsCommand() {
		t.Fatalf("identity frame flags %#x", f.Flags)
	}
	return c, r, typ[0]
}

// A ZMTP 2.0 peer gets the 2.0 greeting and talks to us with subscriptions
// as data frames, as libzmq 4.3 does for libzmq 3.x peers.
func TestZMTP2Peer(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	must(t, pull.Bind("tcp://127.0.0.1:*"))
	c, _, typ := v2Peer(t, strings.TrimPrefix(pull.opt.lastEndpoint, "tcp://"), 8 /* PUSH */, "")
	if typ != 7 {
		t.Fatalf("PULL announced type %d, want 7", typ)
	}
	c.Write(zmtp.AppendFrame(zmtp.AppendFrame(nil, zmtp.FlagMore, []byte("hello")), 0, []byte("v2")))
	expectParts(t, pull, "hello", "v2")

	pub := newTestSocket(t, ctx, XPUB)
	must(t, pub.Bind("tcp://127.0.0.1:*"))
	c, r, _ := v2Peer(t, strings.TrimPrefix(pub.opt.lastEndpoint, "tcp://"), 2 /* SUB */, "me")
	c.Write(zmtp.AppendFrame(nil, 0, []byte("\x01news")))
	expectParts(t, pub, "\x01news")
	sendParts(t, pub, "news today")
	f, err := r.ReadFrame()
	must(t, err)
	if string(f.Body) != "news today" {
		t.Fatalf("v2 subscriber got %q", f.Body)
	}
}

// With security set, a ZMTP 2.0 peer is refused, as libzmq refuses it.
func TestZMTP2PeerRefusedWithSecurity(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	must(t, pull.SetPlainServer(1))
	must(t, pull.Bind("tcp://127.0.0.1:*"))
	c, r, _ := v2Peer(t, strings.TrimPrefix(pull.opt.lastEndpoint, "tcp://"), 8, "")
	if r != nil {
		t.Fatal("a PLAIN server answered a ZMTP 2.0 peer's socket type")
	}
	c.Write(zmtp.AppendFrame(nil, 0, []byte("sneak")))
	if _, err := pull.RecvBytes(DONTWAIT); err == nil {
		t.Fatal("message from a refused ZMTP 2.0 peer delivered")
	}
}
