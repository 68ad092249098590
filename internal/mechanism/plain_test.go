package mechanism

import (
	"bytes"
	"syscall"
	"testing"

	"github.com/purezmq/zmq4/internal/zmtp"
)

// passwordZAP accepts user "admin" with password "secret".
func passwordZAP(r ZAPRequest) (ZAPReply, error) {
	if r.Mechanism == Plain && len(r.Credentials) == 2 &&
		string(r.Credentials[0]) == "admin" && string(r.Credentials[1]) == "secret" {
		return ZAPReply{Status: "200", StatusText: "OK", UserID: "admin", Metadata: []zmtp.Property{prop("X-Role", "root")}}, nil
	}
	return ZAPReply{Status: "400", StatusText: "No access"}, nil
}

func plainConfigs(password string) (client, server *Config) {
	client = &Config{Mechanism: Plain, SocketType: "REQ", SendIdentity: true, Username: "admin", Password: password}
	server = &Config{Mechanism: Plain, AsServer: true, SocketType: "REP", ZAP: passwordZAP}
	return client, server
}

func TestPlainHandshake(t *testing.T) {
	client, server := plainConfigs("secret")
	c, s := runPair(t, client, server)
	wantSuccess(t, c, s)
	if s.res.UserID != "admin" || c.res.UserID != "" {
		t.Fatalf("UserID server %q client %q", s.res.UserID, c.res.UserID)
	}
	if v, _ := zmtp.Lookup(s.res.Properties, "X-Role"); v != "root" {
		t.Fatalf("server properties %v", s.res.Properties)
	}
	if v, _ := zmtp.Lookup(c.res.Properties, "Socket-Type"); v != "REP" {
		t.Fatalf("client properties %v", c.res.Properties)
	}
	if c.res.Codec != nil || s.res.Codec != nil {
		t.Fatal("PLAIN must not box frames")
	}
}

func TestPlainWireCommands(t *testing.T) {
	// A scripted server: WELCOME, then READY.
	conn := &scriptConn{frames: []zmtp.Frame{
		{Flags: zmtp.FlagCommand, Body: []byte("\x07WELCOME")},
		{Flags: zmtp.FlagCommand, Body: []byte("\x05READY\x0bSocket-Type\x00\x00\x00\x03REP")},
	}}
	client, _ := plainConfigs("secret")
	if _, err := Handshake(conn, client); err != nil {
		t.Fatal(err)
	}
	wantHello := []byte("\x05HELLO\x05admin\x06secret")
	wantInitiate := []byte("\x08INITIATE\x0bSocket-Type\x00\x00\x00\x03REQ\x08Identity\x00\x00\x00\x00")
	if len(conn.written) != 2 || !bytes.Equal(conn.written[0], wantHello) || !bytes.Equal(conn.written[1], wantInitiate) {
		t.Fatalf("client wrote %q", conn.written)
	}

	// A scripted client against our server: WELCOME is exactly 8 bytes.
	srvConn := &scriptConn{frames: []zmtp.Frame{
		{Flags: zmtp.FlagCommand, Body: wantHello},
		{Flags: zmtp.FlagCommand, Body: wantInitiate},
	}}
	_, server := plainConfigs("")
	if _, err := Handshake(srvConn, server); err != nil {
		t.Fatal(err)
	}
	if len(srvConn.written) != 2 || string(srvConn.written[0]) != "\x07WELCOME" || !hasPrefix(srvConn.written[1], readyPrefix) {
		t.Fatalf("server wrote %q", srvConn.written)
	}
}

func TestPlainWrongPassword(t *testing.T) {
	client, server := plainConfigs("guess")
	c, s := runPair(t, client, server)
	wantFailure(t, "server", s, FailedAuth, 400)
	wantFailure(t, "client", c, FailedAuth, 400)
}

func TestPlainZAPStatuses(t *testing.T) {
	for _, tc := range []struct {
		status     string
		clientKind FailureKind
		clientCode int
	}{
		{"300", FailedNoDetail, int(syscall.EPIPE)},
		{"500", FailedAuth, 500},
	} {
		t.Run(tc.status, func(t *testing.T) {
			client, server := plainConfigs("secret")
			z := &zapRecorder{reply: ZAPReply{Status: tc.status}}
			server.ZAP = z.handle
			server.ZAPDomain = "test"
			server.PeerAddress = "10.0.0.1"
			c, s := runPair(t, client, server)
			code := int(tc.status[0]-'0') * 100
			wantFailure(t, "server", s, FailedAuth, code)
			wantFailure(t, "client", c, tc.clientKind, tc.clientCode)
			r := z.requests[0]
			if r.Mechanism != "PLAIN" || r.Domain != "test" || r.Address != "10.0.0.1" ||
				len(r.Credentials) != 2 || string(r.Credentials[0]) != "admin" || string(r.Credentials[1]) != "secret" {
				t.Fatalf("ZAP request %+v", r)
			}
		})
	}
}

func TestPlainServerNeedsZAPHandler(t *testing.T) {
	client, server := plainConfigs("secret")
	server.ZAP = nil
	c, s := runPair(t, client, server)
	wantFailure(t, "server", s, FailedNoDetail, int(syscall.EFAULT))
	wantFailure(t, "client", c, FailedNoDetail, int(syscall.EPIPE))

	server.ZAP = (&zapRecorder{err: ErrNoZAPHandler}).handle
	_, s = runPair(t, client, server)
	wantFailure(t, "server unreachable", s, FailedNoDetail, int(syscall.EFAULT))
}

func TestPlainServerRejectsMalformedHello(t *testing.T) {
	cases := []struct {
		name string
		body string
		code int
	}{
		{"extra byte", "\x05HELLO\x01u\x01p!", ProtocolErrorZMTPMalformedCommandHello},
		{"no password", "\x05HELLO\x01u", ProtocolErrorZMTPMalformedCommandHello},
		{"short password", "\x05HELLO\x01u\x05pw", ProtocolErrorZMTPMalformedCommandHello},
		{"short username", "\x05HELLO\x09u", ProtocolErrorZMTPMalformedCommandHello},
		{"empty", "\x05HELLO", ProtocolErrorZMTPMalformedCommandHello},
		{"truncated name", "\x09HELLO", ProtocolErrorZMTPMalformedCommandUnspecified},
		{"name only", "\x05", ProtocolErrorZMTPMalformedCommandUnspecified},
		{"other command", "\x05HELLX\x01u\x01p", ProtocolErrorZMTPUnexpectedCommand},
		{"initiate first", "\x08INITIATE", ProtocolErrorZMTPUnexpectedCommand},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			z := &zapRecorder{reply: ZAPReply{Status: "200"}}
			conn := &scriptConn{frames: []zmtp.Frame{{Flags: zmtp.FlagCommand, Body: []byte(tc.body)}}}
			_, err := Handshake(conn, &Config{Mechanism: Plain, AsServer: true, SocketType: "REP", ZAP: z.handle})
			wantFailure(t, tc.name, outcome{err: err}, FailedProtocol, tc.code)
			if z.count() != 0 || len(conn.written) != 0 {
				t.Fatal("malformed HELLO reached ZAP or got an answer")
			}
		})
	}
}

func TestPlainAcceptsEmptyCredentials(t *testing.T) {
	z := &zapRecorder{reply: ZAPReply{Status: "200"}}
	c, s := runPair(t, &Config{Mechanism: Plain, SocketType: "DEALER"}, &Config{Mechanism: Plain, AsServer: true, SocketType: "ROUTER", ZAP: z.handle})
	wantSuccess(t, c, s)
	if cr := z.requests[0].Credentials; len(cr) != 2 || len(cr[0]) != 0 || len(cr[1]) != 0 {
		t.Fatalf("credentials %q", cr)
	}
}

func TestPlainClientRejects(t *testing.T) {
	ready := zmtp.Frame{Flags: zmtp.FlagCommand, Body: []byte("\x05READY\x0bSocket-Type\x00\x00\x00\x03REP")}
	welcome := zmtp.Frame{Flags: zmtp.FlagCommand, Body: []byte("\x07WELCOME")}
	cases := []struct {
		name   string
		frames []zmtp.Frame
		kind   FailureKind
		code   int
	}{
		{"long welcome", []zmtp.Frame{{Flags: zmtp.FlagCommand, Body: []byte("\x07WELCOME!")}}, FailedProtocol, ProtocolErrorZMTPMalformedCommandWelcome},
		{"ready first", []zmtp.Frame{ready}, FailedProtocol, ProtocolErrorZMTPUnexpectedCommand},
		{"welcome twice", []zmtp.Frame{welcome, welcome}, FailedProtocol, ProtocolErrorZMTPUnexpectedCommand},
		{"error at welcome", []zmtp.Frame{{Flags: zmtp.FlagCommand, Body: []byte("\x05ERROR\x03400")}}, FailedAuth, 400},
		{"error at ready", []zmtp.Frame{welcome, {Flags: zmtp.FlagCommand, Body: []byte("\x05ERROR\x03500")}}, FailedAuth, 500},
		{"bad metadata", []zmtp.Frame{welcome, {Flags: zmtp.FlagCommand, Body: []byte("\x05READY\x0b")}}, FailedProtocol, ProtocolErrorZMTPInvalidMetadata},
		{"incompatible", []zmtp.Frame{welcome, {Flags: zmtp.FlagCommand, Body: []byte("\x05READY\x0bSocket-Type\x00\x00\x00\x03PUB")}}, FailedProtocol, ProtocolErrorZMTPInvalidMetadata},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			client, _ := plainConfigs("secret")
			_, err := Handshake(&scriptConn{frames: tc.frames}, client)
			wantFailure(t, tc.name, outcome{err: err}, tc.kind, tc.code)
		})
	}
}

func TestPlainServerRejectsIncompatibleInitiate(t *testing.T) {
	client, server := plainConfigs("secret")
	client.SocketType = "PUSH"
	_, s := runPair(t, client, server)
	wantFailure(t, "server", s, FailedUnreported, 0)
}

// libzmq checks a Socket-Type in the ZAP reply's metadata as it checks the
// peer's: one our socket does not accept fails the handshake as invalid ZAP
// metadata, before WELCOME. Ours took it (the wire differential's ZAP mode
// showed it against libzmq 4.3.4).
func TestPlainZAPMetadataSocketTypeChecked(t *testing.T) {
	for _, tc := range []struct {
		socketType string
		ok         bool
	}{{"REQ", true}, {"FOO", false}} {
		client, server := plainConfigs("secret")
		z := &zapRecorder{reply: ZAPReply{Status: "200", Metadata: []zmtp.Property{prop("Socket-Type", tc.socketType)}}}
		server.ZAP = z.handle
		c, s := runPair(t, client, server)
		if tc.ok {
			wantSuccess(t, c, s)
			continue
		}
		wantFailure(t, "server", s, FailedProtocol, ProtocolErrorZAPInvalidMetadata)
	}
}

// A ZAP reply with an empty user id still gives the peer a User-Id, as
// libzmq sets one from every reply it takes.
func TestPlainZAPEmptyUserID(t *testing.T) {
	client, server := plainConfigs("secret")
	server.ZAP = (&zapRecorder{reply: ZAPReply{Status: "200"}}).handle
	c, s := runPair(t, client, server)
	wantSuccess(t, c, s)
	if !s.res.ZAPReplied || s.res.UserID != "" || c.res.ZAPReplied {
		t.Fatalf("server ZAPReplied %v UserID %q, client ZAPReplied %v", s.res.ZAPReplied, s.res.UserID, c.res.ZAPReplied)
	}
}

func TestConfigValidation(t *testing.T) {
	long := string(make([]byte, 256))
	pub, sec := keyPair(t)
	bad := []*Config{
		{Mechanism: "GSSAPI"},
		{Mechanism: Plain, Username: long},
		{Mechanism: Plain, Password: long},
		{Mechanism: Null, Metadata: []zmtp.Property{{Name: "", Value: "x"}}},
		{Mechanism: Null, Metadata: []zmtp.Property{{Name: long, Value: "x"}}},
		{Mechanism: Curve, AsServer: true, SecretKey: sec[:31]},
		{Mechanism: Curve, SecretKey: sec, PublicKey: pub},
		{Mechanism: Curve, SecretKey: sec, ServerKey: pub},
	}
	for i, cfg := range bad {
		conn := &scriptConn{}
		_, err := Handshake(conn, cfg)
		wantFailure(t, cfg.Mechanism, outcome{err: err}, FailedNoDetail, int(syscall.EINVAL))
		if len(conn.written) != 0 {
			t.Fatalf("case %d wrote to the peer", i)
		}
	}
}

func TestPlainErrorInLibzmqForm(t *testing.T) {
	// Our server sends ERROR as libzmq's PLAIN server does.
	conn := &scriptConn{frames: []zmtp.Frame{{Flags: zmtp.FlagCommand, Body: []byte("\x05HELLO\x01u\x01p")}}}
	z := &zapRecorder{reply: ZAPReply{Status: "400"}}
	_, err := Handshake(conn, &Config{Mechanism: Plain, AsServer: true, SocketType: "REP", ZAP: z.handle})
	wantFailure(t, "server", outcome{err: err}, FailedAuth, 400)
	if len(conn.written) != 1 || string(conn.written[0]) != "\x5eRROR\x03400" {
		t.Fatalf("server wrote %q", conn.written)
	}
	// Our client understands both forms, at WELCOME and at READY.
	for _, body := range []string{"\x5eRROR\x03400", "\x05ERROR\x03400"} {
		for _, before := range [][]zmtp.Frame{nil, {{Flags: zmtp.FlagCommand, Body: []byte(welcomePrefix)}}} {
			frames := append(append([]zmtp.Frame(nil), before...), zmtp.Frame{Flags: zmtp.FlagCommand, Body: []byte(body)})
			_, err := Handshake(&scriptConn{frames: frames}, &Config{Mechanism: Plain, SocketType: "REQ"})
			wantFailure(t, body, outcome{err: err}, FailedAuth, 400)
		}
	}
	_, err = Handshake(&scriptConn{frames: []zmtp.Frame{{Flags: zmtp.FlagCommand, Body: []byte("\x5eRROR\x05ab")}}}, &Config{Mechanism: Plain, SocketType: "REQ"})
	wantFailure(t, "truncated", outcome{err: err}, FailedProtocol, ProtocolErrorZMTPMalformedCommandError)
}
