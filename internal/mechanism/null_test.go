package mechanism

import (
	"bytes"
	"syscall"
	"testing"

	"github.com/purezmq/zmq4/internal/zmtp"
)

func TestNullHandshakeExchangesProperties(t *testing.T) {
	client := &Config{Mechanism: Null, SocketType: "DEALER", SendIdentity: true, Identity: []byte("me"),
		Metadata: []zmtp.Property{{Name: "X-Color", Value: "blue"}}}
	server := &Config{Mechanism: Null, SocketType: "ROUTER", SendIdentity: true}
	c, s := runPair(t, client, server)
	wantSuccess(t, c, s)
	if c.res.Codec != nil || s.res.Codec != nil {
		t.Fatal("NULL must not box frames")
	}
	wantProps := []zmtp.Property{prop("Socket-Type", "DEALER"), prop("Identity", "me"), prop("X-Color", "blue")}
	if !equalProps(s.res.Properties, wantProps) {
		t.Fatalf("server saw %v, want %v", s.res.Properties, wantProps)
	}
	if !equalProps(c.res.Properties, []zmtp.Property{prop("Socket-Type", "ROUTER"), prop("Identity", "")}) {
		t.Fatalf("client saw %v", c.res.Properties)
	}
}

func equalProps(a, b []zmtp.Property) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestNullReadyMatchesLibzmqBytes(t *testing.T) {
	// libzmq DEALER READY: 04 29 05 READY 0B Socket-Type 00000006 DEALER 08 Identity 00000000.
	want := []byte("\x04\x29\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER\x08Identity\x00\x00\x00\x00")
	conn := &scriptConn{frames: []zmtp.Frame{{Flags: zmtp.FlagCommand, Body: []byte("\x05READY\x0bSocket-Type\x00\x00\x00\x06ROUTER")}}}
	_, err := Handshake(conn, &Config{Mechanism: Null, SocketType: "DEALER", SendIdentity: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(conn.written) != 1 {
		t.Fatalf("wrote %d commands", len(conn.written))
	}
	got := zmtp.AppendFrame(nil, zmtp.FlagCommand, conn.written[0])
	if !bytes.Equal(got, want) {
		t.Fatalf("READY on wire\n got %q\nwant %q", got, want)
	}
}

func TestNullWithoutIdentityForPub(t *testing.T) {
	// libzmq XPUB READY is 28 bytes on the wire and carries no Identity.
	conn := &scriptConn{frames: []zmtp.Frame{{Flags: zmtp.FlagCommand, Body: []byte("\x05READY\x0bSocket-Type\x00\x00\x00\x03SUB")}}}
	if _, err := Handshake(conn, &Config{Mechanism: Null, SocketType: "XPUB"}); err != nil {
		t.Fatal(err)
	}
	if got := zmtp.AppendFrame(nil, zmtp.FlagCommand, conn.written[0]); len(got) != 28 {
		t.Fatalf("XPUB READY is %d bytes: %q", len(got), got)
	}
}

func TestNullRejectsIncompatibleSocketType(t *testing.T) {
	c, s := runPair(t, &Config{Mechanism: Null, SocketType: "PUB"}, &Config{Mechanism: Null, SocketType: "PUSH"})
	wantFailure(t, "client", c, FailedUnreported, 0)
	wantFailure(t, "server", s, FailedUnreported, 0)
}

func TestNullSocketTypeIsCaseSensitive(t *testing.T) {
	conn := &scriptConn{frames: []zmtp.Frame{{Flags: zmtp.FlagCommand, Body: []byte("\x05READY\x0bSocket-Type\x00\x00\x00\x03rep")}}}
	_, err := Handshake(conn, &Config{Mechanism: Null, SocketType: "REQ"})
	wantFailure(t, "REQ", outcome{err: err}, FailedUnreported, 0)
}

func TestNullRejectsUnexpectedAndMalformed(t *testing.T) {
	cases := []struct {
		name  string
		frame zmtp.Frame
		kind  FailureKind
		code  int
	}{
		{"other command", zmtp.Frame{Flags: zmtp.FlagCommand, Body: []byte("\x05HELLO")}, FailedProtocol, ProtocolErrorZMTPUnexpectedCommand},
		{"message frame", zmtp.Frame{Body: []byte("\x05READY")}, FailedProtocol, ProtocolErrorZMTPUnexpectedCommand},
		{"truncated property", zmtp.Frame{Flags: zmtp.FlagCommand, Body: []byte("\x05READY\x0bSocket-Type\x00\x00\x00\x09REP")}, FailedUnreported, 0},
		{"malformed error", zmtp.Frame{Flags: zmtp.FlagCommand, Body: []byte("\x05ERROR\x05ab")}, FailedProtocol, ProtocolErrorZMTPMalformedCommandError},
		{"error 400", zmtp.Frame{Flags: zmtp.FlagCommand, Body: []byte("\x05ERROR\x03400")}, FailedAuth, 400},
		{"error text", zmtp.Frame{Flags: zmtp.FlagCommand, Body: []byte("\x05ERROR\x03bad")}, FailedUnreported, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conn := &scriptConn{frames: []zmtp.Frame{tc.frame}}
			_, err := Handshake(conn, &Config{Mechanism: Null, SocketType: "REQ"})
			wantFailure(t, tc.name, outcome{err: err}, tc.kind, tc.code)
		})
	}
}

func TestNullPeerHangsUpIsNoDetail(t *testing.T) {
	_, err := Handshake(&scriptConn{}, &Config{Mechanism: Null, SocketType: "REQ"})
	wantFailure(t, "eof", outcome{err: err}, FailedNoDetail, int(syscall.EPIPE))
}

func TestNullZAP(t *testing.T) {
	base := func(z *zapRecorder) *Config {
		cfg := &Config{Mechanism: Null, SocketType: "REP", ZAPDomain: "global", PeerAddress: "127.0.0.1", LocalRoutingID: "srv"}
		if z != nil {
			cfg.ZAP = z.handle
		}
		return cfg
	}
	client := &Config{Mechanism: Null, SocketType: "REQ", SendIdentity: true}

	t.Run("200", func(t *testing.T) {
		z := &zapRecorder{reply: ZAPReply{Status: "200", UserID: "anonymous", Metadata: []zmtp.Property{prop("Hello", "World")}}}
		c, s := runPair(t, client, base(z))
		wantSuccess(t, c, s)
		if s.res.UserID != "anonymous" {
			t.Fatalf("UserID = %q", s.res.UserID)
		}
		if v, _ := zmtp.Lookup(s.res.Properties, "Hello"); v != "World" {
			t.Fatalf("ZAP metadata missing: %v", s.res.Properties)
		}
		if v, _ := zmtp.Lookup(s.res.Properties, "Socket-Type"); v != "REQ" {
			t.Fatalf("peer metadata missing: %v", s.res.Properties)
		}
		r := z.requests[0]
		if r.Domain != "global" || r.Address != "127.0.0.1" || r.Identity != "srv" || r.Mechanism != "NULL" || len(r.Credentials) != 0 {
			t.Fatalf("ZAP request %+v", r)
		}
	})
	for _, status := range []string{"400", "500"} {
		t.Run(status, func(t *testing.T) {
			z := &zapRecorder{reply: ZAPReply{Status: status}}
			c, s := runPair(t, client, base(z))
			code := int(status[0]-'0') * 100
			wantFailure(t, "server", s, FailedAuth, code)
			wantFailure(t, "client", c, FailedAuth, code)
		})
	}
	t.Run("300", func(t *testing.T) {
		z := &zapRecorder{reply: ZAPReply{Status: "300"}}
		c, s := runPair(t, client, base(z))
		wantFailure(t, "server", s, FailedAuth, 300)
		wantFailure(t, "client", c, FailedNoDetail, int(syscall.EPIPE))
	})
	t.Run("no domain skips ZAP", func(t *testing.T) {
		z := &zapRecorder{reply: ZAPReply{Status: "400"}}
		cfg := base(z)
		cfg.ZAPDomain = ""
		c, s := runPair(t, client, cfg)
		wantSuccess(t, c, s)
		if z.count() != 0 {
			t.Fatal("ZAP asked without a domain")
		}
	})
	t.Run("no handler", func(t *testing.T) {
		c, s := runPair(t, client, base(nil))
		wantSuccess(t, c, s)
	})
	t.Run("no handler enforced", func(t *testing.T) {
		cfg := base(nil)
		cfg.ZAPEnforceDomain = true
		_, s := runPair(t, client, cfg)
		wantFailure(t, "server", s, FailedNoDetail, int(syscall.EFAULT))
	})
	t.Run("unreachable handler", func(t *testing.T) {
		z := &zapRecorder{err: ErrNoZAPHandler}
		c, s := runPair(t, client, base(z))
		wantSuccess(t, c, s)
	})
	t.Run("invalid status", func(t *testing.T) {
		z := &zapRecorder{reply: ZAPReply{Status: "201"}}
		_, s := runPair(t, client, base(z))
		wantFailure(t, "server", s, FailedProtocol, ProtocolErrorZAPInvalidStatusCode)
	})
	t.Run("malformed reply", func(t *testing.T) {
		z := &zapRecorder{err: &Error{Kind: FailedProtocol, Code: ProtocolErrorZAPBadVersion}}
		_, s := runPair(t, client, base(z))
		wantFailure(t, "server", s, FailedProtocol, ProtocolErrorZAPBadVersion)
	})
}
