package mechanism

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/purezmq/zmq4/internal/zmtp"
)

// fuzzKeys are fixed CURVE keys so that seeds stay meaningful across runs.
var fuzzKeys = func() (k struct{ serverPub, serverSec, clientPub, clientSec []byte }) {
	sp, ss, _ := NewKeyPair()
	cp, cs, _ := NewKeyPair()
	k.serverPub, k.serverSec, k.clientPub, k.clientSec = sp[:], ss[:], cp[:], cs[:]
	return k
}()

func fuzzCurveConfigs() (client, server *Config) {
	client = &Config{Mechanism: Curve, SocketType: "DEALER", SendIdentity: true,
		PublicKey: fuzzKeys.clientPub, SecretKey: fuzzKeys.clientSec, ServerKey: fuzzKeys.serverPub}
	server = &Config{Mechanism: Curve, AsServer: true, SocketType: "ROUTER", SendIdentity: true,
		SecretKey: fuzzKeys.serverSec, ZAP: func(ZAPRequest) (ZAPReply, error) { return ZAPReply{Status: "200"}, nil }}
	return client, server
}

// checkFailure asserts that a handshake error is a well-formed *Error.
func checkFailure(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not *Error", err)
	}
}

func FuzzPlainHello(f *testing.F) {
	f.Add([]byte("\x05HELLO\x05admin\x06secret"))
	f.Add([]byte("\x05HELLO\x00\x00"))
	f.Add([]byte("\x05HELLO\x01u\x01p!"))
	f.Fuzz(func(t *testing.T, body []byte) {
		user, pass, failure := parsePlainHello(body)
		if failure != nil {
			return
		}
		again := append([]byte(helloPrefix), byte(len(user)))
		again = append(again, user...)
		again = append(again, byte(len(pass)))
		again = append(again, pass...)
		if !bytes.Equal(again, body) {
			t.Fatalf("HELLO %q re-encodes as %q", body, again)
		}
	})
}

func FuzzPlainServer(f *testing.F) {
	f.Add([]byte("\x05HELLO\x05admin\x06secret"), []byte("\x08INITIATE\x0bSocket-Type\x00\x00\x00\x03REQ"))
	f.Add([]byte("\x05HELLO\x00\x00"), []byte("\x08INITIATE"))
	f.Fuzz(func(t *testing.T, hello, initiate []byte) {
		conn := &scriptConn{frames: []zmtp.Frame{{Flags: zmtp.FlagCommand, Body: hello}, {Flags: zmtp.FlagCommand, Body: initiate}}}
		cfg := &Config{Mechanism: Plain, AsServer: true, SocketType: "REP",
			ZAP: func(ZAPRequest) (ZAPReply, error) { return ZAPReply{Status: "200"}, nil }}
		_, err := Handshake(conn, cfg)
		checkFailure(t, err)
	})
}

func FuzzPlainClient(f *testing.F) {
	f.Add([]byte("\x07WELCOME"), []byte("\x05READY\x0bSocket-Type\x00\x00\x00\x03REP"))
	f.Add([]byte("\x05ERROR\x03400"), []byte{})
	f.Add([]byte("\x07WELCOME"), []byte("\x5eRROR\x03500"))
	f.Fuzz(func(t *testing.T, welcome, ready []byte) {
		conn := &scriptConn{frames: []zmtp.Frame{{Flags: zmtp.FlagCommand, Body: welcome}, {Flags: zmtp.FlagCommand, Body: ready}}}
		_, err := Handshake(conn, &Config{Mechanism: Plain, SocketType: "REQ", Username: "u", Password: "p"})
		checkFailure(t, err)
	})
}

// genuineHello returns a HELLO from our client to the fuzz server key.
func genuineHello(t testing.TB) []byte {
	client, _ := fuzzCurveConfigs()
	probe := &scriptConn{}
	_, _ = Handshake(probe, client)
	if len(probe.written) != 1 {
		t.Fatal("client did not send HELLO")
	}
	return probe.written[0]
}

func FuzzCurveServerHello(f *testing.F) {
	f.Add(genuineHello(f))
	f.Add([]byte("\x05HELLO\x01\x00"))
	f.Fuzz(func(t *testing.T, hello []byte) {
		_, server := fuzzCurveConfigs()
		conn := &scriptConn{frames: []zmtp.Frame{{Flags: zmtp.FlagCommand, Body: hello}}}
		_, err := Handshake(conn, server)
		if err == nil {
			t.Fatal("handshake completed without INITIATE")
		}
		checkFailure(t, err)
	})
}

// tamperFuzz XORs mask into a command at offset and optionally cuts it.
func tamperFuzz(mask []byte, offset uint16, cut uint16) func([]byte) []byte {
	return func(b []byte) []byte {
		for i, m := range mask {
			if j := int(offset) + i; j < len(b) {
				b[j] ^= m
			}
		}
		if int(cut) < len(b) && cut != 0 {
			b = b[:cut]
		}
		return b
	}
}

// fuzzTamperedCurve runs a CURVE handshake in which one command (sent by
// the client when fromClient, else by the server) is tampered with.
func fuzzTamperedCurve(t *testing.T, command string, fromClient bool, mask []byte, offset, cut uint16) {
	client, server := fuzzCurveConfigs()
	cc, sc := connPair()
	var clientConn, serverConn Conn = cc, sc
	if fromClient {
		clientConn = tamper(command, tamperFuzz(mask, offset, cut))(cc)
	} else {
		serverConn = tamper(command, tamperFuzz(mask, offset, cut))(sc)
	}
	done := make(chan error, 1)
	go func() {
		_, err := Handshake(serverConn, server)
		if err != nil {
			sc.Close()
		}
		done <- err
	}()
	_, clientErr := Handshake(clientConn, client)
	if clientErr != nil {
		cc.Close()
	}
	serverErr := <-done
	cc.Close()
	sc.Close()
	checkFailure(t, clientErr)
	checkFailure(t, serverErr)
}

func FuzzCurveInitiate(f *testing.F) {
	f.Add([]byte{}, uint16(0), uint16(0))
	f.Add([]byte{1}, uint16(120), uint16(0))
	f.Add([]byte{0xff, 0xff}, uint16(0), uint16(257))
	f.Fuzz(func(t *testing.T, mask []byte, offset, cut uint16) {
		fuzzTamperedCurve(t, initiatePrefix, true, mask, offset, cut)
	})
}

func FuzzCurveWelcome(f *testing.F) {
	f.Add([]byte{}, uint16(0), uint16(0))
	f.Add([]byte{1}, uint16(30), uint16(0))
	f.Add([]byte{0}, uint16(0), uint16(100))
	f.Fuzz(func(t *testing.T, mask []byte, offset, cut uint16) {
		fuzzTamperedCurve(t, welcomePrefix, false, mask, offset, cut)
	})
}

func FuzzCurveReady(f *testing.F) {
	f.Add([]byte{}, uint16(0), uint16(0))
	f.Add([]byte{1}, uint16(13), uint16(0))
	f.Add([]byte{0}, uint16(0), uint16(29))
	f.Fuzz(func(t *testing.T, mask []byte, offset, cut uint16) {
		fuzzTamperedCurve(t, readyPrefix, false, mask, offset, cut)
	})
}

func FuzzCurveMessage(f *testing.F) {
	client, _ := codecPair(f)
	for _, p := range []string{"", "hello", string(make([]byte, 300))} {
		body, _ := client.Seal(nil, zmtp.FlagMore, []byte(p))
		f.Add(body)
	}
	f.Add([]byte("\x07MESSAGE"))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, server := codecPair(t)
		_, _, intoErr := server.OpenInto(body, func(size int) []byte { return make([]byte, size) })
		flags, payload, err := server.Open(body)
		if (err == nil) != (intoErr == nil) {
			t.Fatalf("Open says %v, OpenInto says %v", err, intoErr)
		}
		if err != nil {
			checkFailure(t, err)
			checkFailure(t, intoErr)
			return
		}
		if len(payload) != len(body)-messageMinSize || flags&^(zmtp.FlagMore|zmtp.FlagCommand) != 0 {
			t.Fatalf("forged MESSAGE opened: flags %#x payload %d bytes of %d", flags, len(payload), len(body))
		}
	})
}

func FuzzCodecRoundTrip(f *testing.F) {
	f.Add(byte(0), []byte("hello"))
	f.Add(zmtp.FlagMore|zmtp.FlagCommand, []byte{})
	f.Fuzz(func(t *testing.T, flags byte, payload []byte) {
		client, server := codecPair(t)
		body, err := client.Seal(nil, flags, payload)
		if err != nil {
			t.Fatal(err)
		}
		_, intoServer := codecPair(t)
		intoServer.key = server.key
		intoFlags, into, err := intoServer.OpenInto(body, func(size int) []byte { return make([]byte, size) })
		if err != nil {
			t.Fatal(err)
		}
		gotFlags, got, err := server.Open(body)
		if err != nil {
			t.Fatal(err)
		}
		if intoFlags != gotFlags || !bytes.Equal(into, got) {
			t.Fatal("OpenInto and Open disagree")
		}
		if want := flags & (zmtp.FlagMore | zmtp.FlagCommand); gotFlags != want || !bytes.Equal(got, payload) {
			t.Fatalf("round trip: flags %#x payload %q, want %#x %q", gotFlags, got, want, payload)
		}
	})
}

// FuzzHandshakeMetadata feeds arbitrary metadata from one side of a NULL,
// PLAIN or CURVE handshake to the other.
func FuzzHandshakeMetadata(f *testing.F) {
	good := zmtp.AppendProperty(zmtp.AppendProperty(nil, "Socket-Type", "ROUTER"), "X-A", "b")
	for mode := byte(0); mode < 6; mode++ {
		f.Add(mode, good)
		f.Add(mode, good[:len(good)-1])
	}
	f.Add(byte(0), []byte{0})
	f.Fuzz(func(t *testing.T, mode byte, meta []byte) {
		mechanism := []string{Null, Plain, Curve}[int(mode%3)]
		fromServer := mode&4 == 0
		client := &Config{Mechanism: mechanism, SocketType: "DEALER", SendIdentity: true}
		server := &Config{Mechanism: mechanism, SocketType: "ROUTER", AsServer: mechanism != Null,
			ZAP: func(ZAPRequest) (ZAPReply, error) { return ZAPReply{Status: "200"}, nil }}
		if mechanism == Curve {
			client, server = fuzzCurveConfigs()
		}
		var c, s outcome
		if fromServer {
			c, s = runPairRaw(t, client, server, nil, meta)
		} else {
			c, s = runPairRaw(t, client, server, meta, nil)
		}
		checkFailure(t, c.err)
		checkFailure(t, s.err)
		receiver := c
		if !fromServer {
			receiver = s
		}
		if receiver.err != nil {
			return
		}
		// The receiver has what zmtp.ParseMetadata makes of the bytes
		// (FuzzParseMetadata checks that against libzmq's rules).
		want, err := zmtp.ParseMetadata(meta)
		if err != nil || !slices.Equal(receiver.res.Properties, want) {
			t.Fatalf("metadata %q parsed as %v, want %v (%v)", meta, receiver.res.Properties, want, err)
		}
	})
}

func FuzzParseZAPReply(f *testing.F) {
	f.Add("200", zmtp.AppendProperty(nil, "Hello", "World"))
	f.Add("400", []byte{})
	f.Add("2000", []byte{1})
	f.Fuzz(func(t *testing.T, status string, meta []byte) {
		reply, err := ParseZAPReply(zapReplyFrames(status, meta))
		if err != nil {
			checkFailure(t, err)
			return
		}
		if _, ok := zapStatusCode(reply.Status); !ok {
			t.Fatalf("accepted status %q", reply.Status)
		}
		want, err := zmtp.ParseMetadata(meta)
		if err != nil || !slices.Equal(reply.Metadata, want) {
			t.Fatalf("metadata %q parsed as %v, want %v (%v)", meta, reply.Metadata, want, err)
		}
	})
}
