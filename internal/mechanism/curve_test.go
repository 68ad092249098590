package mechanism

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"syscall"
	"testing"

	"github.com/purezmq/zmq4/internal/zmtp"
)

// curveConfigs returns a matching CURVE client and server.
func curveConfigs(t *testing.T) (client, server *Config) {
	serverPub, serverSec := keyPair(t)
	clientPub, clientSec := keyPair(t)
	client = &Config{Mechanism: Curve, SocketType: "REQ", SendIdentity: true,
		PublicKey: clientPub, SecretKey: clientSec, ServerKey: serverPub}
	server = &Config{Mechanism: Curve, AsServer: true, SocketType: "REP",
		PublicKey: serverPub, SecretKey: serverSec}
	return client, server
}

func TestCurveHandshakeAndMessages(t *testing.T) {
	client, server := curveConfigs(t)
	client.Metadata = []zmtp.Property{prop("X-Client", "yes")}
	c, s := runPair(t, client, server)
	wantSuccess(t, c, s)
	if v, _ := zmtp.Lookup(s.res.Properties, "X-Client"); v != "yes" {
		t.Fatalf("server properties %v", s.res.Properties)
	}
	if v, _ := zmtp.Lookup(c.res.Properties, "Socket-Type"); v != "REP" {
		t.Fatalf("client properties %v", c.res.Properties)
	}
	cc, sc := c.res.Codec, s.res.Codec
	if cc == nil || sc == nil {
		t.Fatal("CURVE must return a codec")
	}

	// Client to server: first MESSAGE nonce is 3, flags survive.
	msgs := []struct {
		flags   byte
		payload string
	}{{zmtp.FlagMore, ""}, {0, "hello"}, {zmtp.FlagCommand, "\x04PING\x00\x00"}, {zmtp.FlagMore | zmtp.FlagCommand, "x"}}
	for i, m := range msgs {
		body, err := cc.Seal(nil, m.flags, []byte(m.payload))
		if err != nil {
			t.Fatal(err)
		}
		if !hasPrefix(body, messagePrefix) || len(body) != 33+len(m.payload) {
			t.Fatalf("MESSAGE body %q", body)
		}
		if n := binary.BigEndian.Uint64(body[8:16]); n != uint64(3+i) {
			t.Fatalf("client nonce %d, want %d", n, 3+i)
		}
		flags, payload, err := sc.Open(body)
		if err != nil || flags != m.flags || string(payload) != m.payload {
			t.Fatalf("Open = %#x %q %v, want %#x %q", flags, payload, err, m.flags, m.payload)
		}
	}
	// Server to client: first MESSAGE nonce is 2.
	body, err := sc.Seal(nil, 0, []byte("world"))
	if err != nil {
		t.Fatal(err)
	}
	if n := binary.BigEndian.Uint64(body[8:16]); n != 2 {
		t.Fatalf("server nonce %d, want 2", n)
	}
	if _, payload, err := cc.Open(body); err != nil || string(payload) != "world" {
		t.Fatalf("client Open = %q, %v", payload, err)
	}
}

func TestCurveWireSizes(t *testing.T) {
	client, server := curveConfigs(t)
	var sizes = map[string]int{}
	record := func(name string) wrapConn {
		return tamper(name, func(b []byte) []byte { sizes[name] = len(b); return b })
	}
	// Record the client's HELLO and INITIATE.
	wrap := func(c Conn) Conn { return record(initiatePrefix)(record(helloPrefix)(c)) }
	c, s := runPair(t, client, server, wrap)
	wantSuccess(t, c, s)
	if sizes[helloPrefix] != 200 {
		t.Fatalf("HELLO is %d bytes, want 200", sizes[helloPrefix])
	}
	// 113 header + 16 tag + 32 C + 16 vouch nonce + 80 vouch + metadata.
	meta := len(zmtp.AppendProperty(zmtp.AppendProperty(nil, "Socket-Type", "REQ"), "Identity", ""))
	if want := 113 + 16 + 128 + meta; sizes[initiatePrefix] != want {
		t.Fatalf("INITIATE is %d bytes, want %d", sizes[initiatePrefix], want)
	}
}

func TestCurveServerWireSizes(t *testing.T) {
	// Drive our server with our client, capturing the server's commands.
	client, server := curveConfigs(t)
	cc, sc := connPair()
	var written [][]byte
	rec := recordConn{Conn: sc, out: &written}
	done := make(chan error, 1)
	go func() { _, err := Handshake(rec, server); done <- err }()
	if _, err := Handshake(cc, client); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	cc.Close()
	sc.Close()
	if len(written) != 2 || len(written[0]) != 168 || !hasPrefix(written[0], welcomePrefix) {
		t.Fatalf("server wrote %d commands, WELCOME %d bytes", len(written), len(written[0]))
	}
	ready := written[1]
	if !hasPrefix(ready, readyPrefix) || binary.BigEndian.Uint64(ready[6:14]) != 1 {
		t.Fatalf("READY %x", ready)
	}
	meta := len(zmtp.AppendProperty(nil, "Socket-Type", "REP"))
	if len(ready) != 14+16+meta {
		t.Fatalf("READY is %d bytes, want %d", len(ready), 14+16+meta)
	}
}

type recordConn struct {
	Conn
	out *[][]byte
}

func (r recordConn) WriteFrame(flags byte, body []byte) error {
	*r.out = append(*r.out, append([]byte(nil), body...))
	return r.Conn.WriteFrame(flags, body)
}

func TestCurveWrongServerKey(t *testing.T) {
	client, server := curveConfigs(t)
	otherPub, _ := keyPair(t)
	client.ServerKey = otherPub
	c, s := runPair(t, client, server)
	wantFailure(t, "server", s, FailedProtocol, ProtocolErrorZMTPCryptographic)
	wantFailure(t, "client", c, FailedNoDetail, int(syscall.EPIPE))
}

func TestCurveBogusServerKey(t *testing.T) {
	// An all-zero server key is a low-order point: libsodium refuses to box
	// with it and libzmq's client reports a cryptographic failure.
	client, _ := curveConfigs(t)
	client.ServerKey = make([]byte, 32)
	conn := &scriptConn{}
	_, err := Handshake(conn, client)
	wantFailure(t, "client", outcome{err: err}, FailedProtocol, ProtocolErrorZMTPCryptographic)
	if len(conn.written) != 0 {
		t.Fatal("client sent HELLO with a bogus key")
	}
}

func TestCurveClientKeyMismatchFailsVouch(t *testing.T) {
	// The client announces a public key that does not belong to its secret
	// key: the vouch cannot be opened.
	client, server := curveConfigs(t)
	otherPub, _ := keyPair(t)
	client.PublicKey = otherPub
	_, s := runPair(t, client, server)
	wantFailure(t, "server", s, FailedProtocol, ProtocolErrorZMTPCryptographic)
}

func TestCurveZAP(t *testing.T) {
	t.Run("200 with key credential", func(t *testing.T) {
		client, server := curveConfigs(t)
		z := &zapRecorder{reply: ZAPReply{Status: "200", UserID: "alice", Metadata: []zmtp.Property{prop("X-Team", "red")}}}
		server.ZAP = z.handle
		server.LocalRoutingID = "rid"
		c, s := runPair(t, client, server)
		wantSuccess(t, c, s)
		r := z.requests[0]
		if r.Mechanism != "CURVE" || r.Domain != "" || r.Identity != "rid" || len(r.Credentials) != 1 || !bytes.Equal(r.Credentials[0], client.PublicKey) {
			t.Fatalf("ZAP request %+v", r)
		}
		if s.res.UserID != "alice" {
			t.Fatalf("UserID %q", s.res.UserID)
		}
		if v, _ := zmtp.Lookup(s.res.Properties, "X-Team"); v != "red" {
			t.Fatalf("properties %v", s.res.Properties)
		}
	})
	for _, status := range []string{"400", "500"} {
		t.Run(status, func(t *testing.T) {
			client, server := curveConfigs(t)
			server.ZAP = (&zapRecorder{reply: ZAPReply{Status: status}}).handle
			c, s := runPair(t, client, server)
			code := int(status[0]-'0') * 100
			wantFailure(t, "server", s, FailedAuth, code)
			wantFailure(t, "client", c, FailedAuth, code)
		})
	}
	t.Run("300", func(t *testing.T) {
		client, server := curveConfigs(t)
		server.ZAP = (&zapRecorder{reply: ZAPReply{Status: "300"}}).handle
		c, s := runPair(t, client, server)
		wantFailure(t, "server", s, FailedAuth, 300)
		wantFailure(t, "client", c, FailedNoDetail, int(syscall.EPIPE))
	})
	t.Run("stonehouse without handler", func(t *testing.T) {
		client, server := curveConfigs(t)
		server.ZAPDomain = "global"
		c, s := runPair(t, client, server)
		wantSuccess(t, c, s)
	})
	t.Run("enforced domain without handler", func(t *testing.T) {
		client, server := curveConfigs(t)
		server.ZAPDomain = "global"
		server.ZAPEnforceDomain = true
		_, s := runPair(t, client, server)
		wantFailure(t, "server", s, FailedNoDetail, int(syscall.EFAULT))
	})
	t.Run("enforced empty domain skips ZAP", func(t *testing.T) {
		client, server := curveConfigs(t)
		z := &zapRecorder{reply: ZAPReply{Status: "400"}}
		server.ZAP = z.handle
		server.ZAPEnforceDomain = true
		c, s := runPair(t, client, server)
		wantSuccess(t, c, s)
		if z.count() != 0 {
			t.Fatal("ZAP asked")
		}
	})
}

func TestCurveServerRejectsMalformedHello(t *testing.T) {
	client, server := curveConfigs(t)
	// Take a genuine HELLO from our client.
	probe := &scriptConn{}
	_, _ = Handshake(probe, client)
	hello := probe.written[0]
	mutate := func(f func([]byte) []byte) []byte { return f(append([]byte(nil), hello...)) }
	cases := []struct {
		name string
		body []byte
		code int
	}{
		{"short", hello[:199], ProtocolErrorZMTPMalformedCommandHello},
		{"long", append(append([]byte(nil), hello...), 0), ProtocolErrorZMTPMalformedCommandHello},
		{"version", mutate(func(b []byte) []byte { b[6] = 2; return b }), ProtocolErrorZMTPMalformedCommandHello},
		{"minor", mutate(func(b []byte) []byte { b[7] = 1; return b }), ProtocolErrorZMTPMalformedCommandHello},
		{"name", mutate(func(b []byte) []byte { b[5] = 'X'; return b }), ProtocolErrorZMTPUnexpectedCommand},
		{"box", mutate(func(b []byte) []byte { b[150] ^= 1; return b }), ProtocolErrorZMTPCryptographic},
		{"nonce", mutate(func(b []byte) []byte { b[119] ^= 1; return b }), ProtocolErrorZMTPCryptographic},
		{"truncated name", []byte("\x09HELLO"), ProtocolErrorZMTPMalformedCommandUnspecified},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conn := &scriptConn{frames: []zmtp.Frame{{Flags: zmtp.FlagCommand, Body: tc.body}}}
			_, err := Handshake(conn, server)
			wantFailure(t, tc.name, outcome{err: err}, FailedProtocol, tc.code)
			if len(conn.written) != 0 {
				t.Fatal("server answered a bad HELLO")
			}
		})
	}
}

func TestCurveServerRejectsBadInitiate(t *testing.T) {
	cases := []struct {
		name   string
		modify func([]byte) []byte
		code   int
	}{
		{"short", func(b []byte) []byte { return b[:256] }, ProtocolErrorZMTPMalformedCommandInitiate},
		{"name", func(b []byte) []byte { b[1] = 'X'; return b }, ProtocolErrorZMTPUnexpectedCommand},
		{"cookie nonce", func(b []byte) []byte { b[10] ^= 1; return b }, ProtocolErrorZMTPCryptographic},
		{"cookie box", func(b []byte) []byte { b[60] ^= 1; return b }, ProtocolErrorZMTPCryptographic},
		{"short nonce", func(b []byte) []byte { b[110] ^= 1; return b }, ProtocolErrorZMTPCryptographic},
		{"content", func(b []byte) []byte { b[len(b)-1] ^= 1; return b }, ProtocolErrorZMTPCryptographic},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			client, server := curveConfigs(t)
			z := &zapRecorder{reply: ZAPReply{Status: "200"}}
			server.ZAP = z.handle
			c, s := runPair(t, client, server, tamper(initiatePrefix, tc.modify))
			wantFailure(t, "server", s, FailedProtocol, tc.code)
			if c.err == nil {
				t.Fatal("client succeeded")
			}
			if z.count() != 0 {
				t.Fatal("bad INITIATE reached ZAP")
			}
		})
	}
}

func TestCurveClientRejects(t *testing.T) {
	cases := []struct {
		name    string
		command string
		modify  func([]byte) []byte
		code    int
	}{
		{"welcome size", welcomePrefix, func(b []byte) []byte { return b[:167] }, ProtocolErrorZMTPCryptographic},
		{"welcome box", welcomePrefix, func(b []byte) []byte { b[100] ^= 1; return b }, ProtocolErrorZMTPCryptographic},
		{"ready short", readyPrefix, func(b []byte) []byte { return b[:29] }, ProtocolErrorZMTPMalformedCommandReady},
		{"ready box", readyPrefix, func(b []byte) []byte { b[len(b)-1] ^= 1; return b }, ProtocolErrorZMTPCryptographic},
		{"ready nonce", readyPrefix, func(b []byte) []byte { b[13] = 7; return b }, ProtocolErrorZMTPCryptographic},
		{"ready renamed", readyPrefix, func(b []byte) []byte { b[1] = 'X'; return b }, ProtocolErrorZMTPUnexpectedCommand},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			client, server := curveConfigs(t)
			// Swap roles of the wrapper: tamper with what the server sends.
			cc, sc := connPair()
			done := make(chan error, 1)
			go func() {
				_, err := Handshake(tamper(tc.command, tc.modify)(sc), server)
				done <- err
			}()
			_, err := Handshake(cc, client)
			cc.Close()
			<-done
			sc.Close()
			wantFailure(t, "client", outcome{err: err}, FailedProtocol, tc.code)
		})
	}
}

func TestCurveIncompatibleSocketTypes(t *testing.T) {
	client, server := curveConfigs(t)
	client.SocketType = "PUB"
	c, s := runPair(t, client, server)
	wantFailure(t, "server", s, FailedUnreported, 0)
	if c.err == nil {
		t.Fatal("client succeeded")
	}

	// The client side checks the server's READY.
	client, server = curveConfigs(t)
	c, _ = runPairRaw(t, client, server, nil, zmtp.AppendProperty(nil, "Socket-Type", "PUSH"))
	wantFailure(t, "client", c, FailedProtocol, ProtocolErrorZMTPInvalidMetadata)
}

func TestPublicKeyRFC7748Vector(t *testing.T) {
	var secret [32]byte
	hex.Decode(secret[:], []byte("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"))
	public, err := PublicKey(secret)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(public[:]); got != "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a" {
		t.Fatalf("public key %s", got)
	}
}

func TestNewKeyPairIsConsistent(t *testing.T) {
	pub, sec, err := NewKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	derived, _ := PublicKey(sec)
	if derived != pub {
		t.Fatal("public key does not match secret key")
	}
	pub2, _, _ := NewKeyPair()
	if pub2 == pub {
		t.Fatal("two key pairs are equal")
	}
}
