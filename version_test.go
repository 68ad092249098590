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
// major.minor as a PUB: it returns the connection and a reader positioned
// after the peer's READY.
func rawPublisher(t *testing.T, ln net.Listener, major, minor byte) (net.Conn, *zmtp.Reader) {
	t.Helper()
	c, err := ln.Accept()
	must(t, err)
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	g := zmtp.AppendGreeting(nil, "NULL", false)
	g[10], g[11] = major, minor
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
	// libzmq 4.3 speaks ZMTP 3.0 only to a greeting of version 3.0, and
	// 3.1 to every other version it takes as 3.x: 2, and any from 3.1 on.
	// We refused version 2 and took 3.2 as 3.0.
	cases := []struct {
		major, minor byte
		command      bool
		body         []byte
	}{
		{3, 0, false, []byte("\x01A")},         // ZMTP 3.0: legacy data frame
		{3, 1, true, []byte("\x09SUBSCRIBEA")}, // ZMTP 3.1: SUBSCRIBE command
		{3, 2, true, []byte("\x09SUBSCRIBEA")},
		{2, 0, true, []byte("\x09SUBSCRIBEA")},
		{4, 0, true, []byte("\x09SUBSCRIBEA")},
		{0xff, 0xff, true, []byte("\x09SUBSCRIBEA")},
	}
	for _, tc := range cases {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		must(t, err)
		ctx := newTestContext(t)
		sub := newTestSocket(t, ctx, SUB)
		must(t, sub.SetSubscribe("A"))
		must(t, sub.Connect("tcp://"+ln.Addr().String()))
		c, r := rawPublisher(t, ln, tc.major, tc.minor)
		f, err := r.ReadFrame()
		must(t, err)
		if f.IsCommand() != tc.command || !bytes.Equal(f.Body, tc.body) {
			t.Fatalf("ZMTP %d.%d peer got command=%v %q, want command=%v %q",
				tc.major, tc.minor, f.IsCommand(), f.Body, tc.command, tc.body)
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
	return v2PeerIdentityFlags(t, addr, socketType, identity, 0)
}

// v2PeerIdentityFlags is v2Peer with the flags of the peer's identity frame.
func v2PeerIdentityFlags(t *testing.T, addr string, socketType byte, identity string, flags byte) (net.Conn, *zmtp.Reader, byte) {
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
	c.Write(zmtp.AppendFrame(nil, flags, []byte(identity)))
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

// libzmq 4.3 checks neither a ZMTP 2.0 peer's socket type nor the flags of
// its identity frame, and writes its own type's number whether or not ZMTP
// 2.0 has it. We refused the first two and types after XSUB.
func TestZMTP2PeerTypeAndIdentityFlagsUnchecked(t *testing.T) {
	ctx := newTestContext(t)
	for _, tc := range []struct {
		name     string
		ours     Type
		peerType byte
		flags    byte
	}{
		{"incompatible type", PULL, 10 /* XSUB */, 0},
		{"unknown type", PULL, 0x7f, 0},
		{"identity with MORE", PULL, 8, zmtp.FlagMore},
		{"identity as a command", PULL, 8, zmtp.FlagCommand},
		{"type after XSUB", SERVER, 8, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSocket(t, ctx, tc.ours)
			must(t, s.SetRcvtimeo(10*time.Second))
			must(t, s.Bind("tcp://127.0.0.1:*"))
			c, r, typ := v2PeerIdentityFlags(t, strings.TrimPrefix(s.opt.lastEndpoint, "tcp://"), tc.peerType, "", tc.flags)
			if r == nil || typ != byte(tc.ours) {
				t.Fatalf("our type byte %d (reader %v), want %d", typ, r != nil, tc.ours)
			}
			c.Write(zmtp.AppendFrame(nil, 0, []byte("v2")))
			if got, err := s.RecvBytes(0); err != nil || string(got) != "v2" {
				t.Fatalf("got %q, %v", got, err)
			}
		})
	}
}

// libzmq 4.3 takes a READY without a Socket-Type, and matches the property
// name byte for byte, so a "socket-type" of any value passes too. We sent
// ERROR "Invalid socket type" and dropped both.
func TestReadyWithoutSocketTypeAccepted(t *testing.T) {
	ctx := newTestContext(t)
	for name, props := range map[string][]byte{
		"no properties":  nil,
		"no Socket-Type": zmtp.AppendProperty(nil, "X-Any", "v"),
		"lower case":     zmtp.AppendProperty(nil, "socket-type", "FOO"),
		"empty name":     []byte("\x00\x00\x00\x00\x00"),
	} {
		t.Run(name, func(t *testing.T) {
			pull := newTestSocket(t, ctx, PULL)
			must(t, pull.SetRcvtimeo(10*time.Second))
			must(t, pull.Bind("tcp://127.0.0.1:*"))
			c, err := net.Dial("tcp", strings.TrimPrefix(pull.opt.lastEndpoint, "tcp://"))
			must(t, err)
			defer c.Close()
			out := zmtp.AppendGreeting(nil, "NULL", false)
			out = zmtp.AppendFrame(out, zmtp.FlagCommand, zmtp.AppendCommand(nil, zmtp.CmdReady, props))
			out = zmtp.AppendFrame(out, 0, []byte("typeless"))
			must(t, errOnly(c.Write(out)))
			if got, err := pull.RecvBytes(0); err != nil || string(got) != "typeless" {
				t.Fatalf("got %q, %v", got, err)
			}
			r := zmtp.NewReader(c, -1)
			_, err = r.ReadGreeting()
			must(t, err)
			if f, err := r.ReadFrame(); err != nil || !bytes.HasPrefix(f.Body, []byte("\x05READY")) {
				t.Fatalf("first command %q, %v; want our READY", f.Body, err)
			}
		})
	}
}

// libzmq 4.3 writes its routing id's length plus one into the signature's
// padding (a ZMTP 1.0 peer reads it as the header of libzmq's identity
// frame). Ours always wrote 1 (the wire differential's connect mode showed
// it against libzmq 4.3.4).
func TestGreetingPaddingCarriesRoutingIDLength(t *testing.T) {
	ctx := newTestContext(t)
	for _, id := range []string{"", "me", strings.Repeat("r", 255)} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		must(t, err)
		dealer := newTestSocket(t, ctx, DEALER)
		if id != "" {
			must(t, dealer.SetIdentity(id))
		}
		must(t, dealer.Connect("tcp://"+ln.Addr().String()))
		c, err := ln.Accept()
		must(t, err)
		c.SetDeadline(time.Now().Add(10 * time.Second))
		sig, err := zmtp.NewReader(c, -1).ReadExact(zmtp.SignatureSize)
		must(t, err)
		want := zmtp.AppendGreeting(nil, "NULL", false)[:zmtp.SignatureSize]
		want[8] = byte(len(id) + 1)
		if len(id) == 255 {
			want[7], want[8] = 1, 0
		}
		if !bytes.Equal(sig, want) {
			t.Errorf("routing id of %d bytes: signature %x, want %x", len(id), sig, want)
		}
		c.Close()
		ln.Close()
	}
}
