package mechanism

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/purezmq/zmq4/internal/pyzmq"
	"github.com/purezmq/zmq4/internal/z85"
	"github.com/purezmq/zmq4/internal/zmtp"
)

// needPyzmq skips the test unless the interop interpreter imports zmq.
func needPyzmq(t *testing.T) {
	t.Helper()
	pyzmq.Require(t)
}

// pyPeer is a running testdata/peer.py.
type pyPeer struct {
	cmd   *exec.Cmd
	lines *bufio.Scanner
}

// startPeer runs peer.py with args and returns it; the process is killed
// when the test ends.
func startPeer(t *testing.T, args ...string) *pyPeer {
	t.Helper()
	cmd := pyzmq.Command(append([]string{"testdata/peer.py"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("peer.py stderr:\n%s", stderr.String())
		}
	})
	return &pyPeer{cmd: cmd, lines: bufio.NewScanner(stdout)}
}

// next decodes the peer's next JSON line into v.
func (p *pyPeer) next(t *testing.T, v any) {
	t.Helper()
	if !p.lines.Scan() {
		t.Fatalf("peer.py ended early: %v", p.lines.Err())
	}
	if err := json.Unmarshal(p.lines.Bytes(), v); err != nil {
		t.Fatalf("peer.py said %q: %v", p.lines.Bytes(), err)
	}
}

// peerReport is peer.py's final line.
type peerReport struct {
	Received []string          `json:"received"`
	Props    map[string]string `json:"props"`
	Event    string            `json:"event"`
	Value    int               `json:"value"`
	Error    string            `json:"error"`
}

// netConn is a Conn over a TCP connection.
type netConn struct {
	conn   net.Conn
	reader *zmtp.Reader
	buf    []byte
}

func (n *netConn) ReadFrame() (zmtp.Frame, error) {
	_ = n.conn.SetReadDeadline(time.Now().Add(hangGuard))
	return n.reader.ReadFrame()
}

func (n *netConn) WriteFrame(flags byte, body []byte) error {
	n.buf = zmtp.AppendFrame(n.buf[:0], flags, body)
	_, err := n.conn.Write(n.buf)
	return err
}

// greet exchanges ZMTP greetings on conn and returns the framed Conn.
func greet(t *testing.T, conn net.Conn, mechanism string) *netConn {
	t.Helper()
	if _, err := conn.Write(zmtp.AppendGreeting(nil, mechanism, false)); err != nil {
		t.Fatal(err)
	}
	nc := &netConn{conn: conn, reader: zmtp.NewReader(conn, 1<<20)}
	_ = conn.SetReadDeadline(time.Now().Add(hangGuard))
	raw, err := nc.reader.ReadGreeting()
	if err != nil {
		t.Fatal(err)
	}
	g, err := zmtp.ParseGreeting(raw)
	if err != nil || g.Mechanism != mechanism || g.Major != 3 {
		t.Fatalf("libzmq greeting %+v, %v", g, err)
	}
	return nc
}

// sendMessage sends a multipart message, boxed when codec is set.
func sendMessage(t *testing.T, c Conn, codec MessageCodec, parts ...string) {
	t.Helper()
	for i, p := range parts {
		var flags byte
		if i < len(parts)-1 {
			flags = zmtp.FlagMore
		}
		body := []byte(p)
		if codec != nil {
			sealed, err := codec.Seal(nil, flags, body)
			if err != nil {
				t.Fatal(err)
			}
			body, flags = sealed, 0
		}
		if err := c.WriteFrame(flags, body); err != nil {
			t.Fatal(err)
		}
	}
}

// recvMessage reads one multipart message, opening boxes when codec is set.
func recvMessage(t *testing.T, c Conn, codec MessageCodec) []string {
	t.Helper()
	var parts []string
	for {
		f, err := c.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		flags, payload := f.Flags, f.Body
		if codec != nil {
			if f.Flags != 0 && f.Flags != zmtp.FlagLong {
				t.Fatalf("libzmq sent MESSAGE with outer flags %#x", f.Flags)
			}
			flags, payload, err = codec.Open(f.Body)
			if err != nil {
				t.Fatal(err)
			}
		}
		if flags&zmtp.FlagCommand != 0 {
			continue
		}
		parts = append(parts, string(payload))
		if flags&zmtp.FlagMore == 0 {
			return parts
		}
	}
}

func mustDecodeKey(t *testing.T, text string) []byte {
	t.Helper()
	key, err := z85.Decode(text)
	if err != nil || len(key) != 32 {
		t.Fatalf("Z85 key %q: %v", text, err)
	}
	return key
}

// dialPeerServer starts a libzmq REP server and connects to it.
func dialPeerServer(t *testing.T, mechanism string) (*pyPeer, net.Conn, []byte) {
	peer := startPeer(t, "server", mechanism)
	var hello struct {
		Port      int    `json:"port"`
		ServerKey string `json:"server_key"`
	}
	peer.next(t, &hello)
	conn, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(hello.Port)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var serverKey []byte
	if hello.ServerKey != "" {
		serverKey = mustDecodeKey(t, hello.ServerKey)
	}
	return peer, conn, serverKey
}

func TestInteropGoClientLibzmqServer(t *testing.T) {
	needPyzmq(t)
	for _, mechanism := range []string{Null, Plain, Curve} {
		t.Run(mechanism, func(t *testing.T) {
			peer, conn, serverKey := dialPeerServer(t, mechanism)
			c := greet(t, conn, mechanism)
			cfg := &Config{Mechanism: mechanism, SocketType: "REQ", SendIdentity: true, Identity: []byte("go"),
				Metadata: []zmtp.Property{prop("X-Color", "blue")}, Username: "admin", Password: "secret"}
			if mechanism == Curve {
				pub, sec := keyPair(t)
				cfg.PublicKey, cfg.SecretKey, cfg.ServerKey = pub, sec, serverKey
			}
			res, err := Handshake(c, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if v, _ := zmtp.Lookup(res.Properties, "Socket-Type"); v != "REP" {
				t.Fatalf("libzmq properties %v", res.Properties)
			}
			if (res.Codec != nil) != (mechanism == Curve) {
				t.Fatalf("codec %v for %s", res.Codec, mechanism)
			}
			sendMessage(t, c, res.Codec, "", "hello")
			reply := recvMessage(t, c, res.Codec)
			if len(reply) != 2 || reply[0] != "" || reply[1] != "world:hello" {
				t.Fatalf("libzmq replied %q", reply)
			}
			var report peerReport
			peer.next(t, &report)
			if len(report.Received) != 1 || report.Received[0] != "hello" {
				t.Fatalf("libzmq received %+v", report)
			}
			if report.Props["Socket-Type"] != "REQ" || report.Props["X-Color"] != "blue" {
				t.Fatalf("libzmq saw properties %v", report.Props)
			}
			if mechanism == Plain && report.Props["User-Id"] != "admin" {
				t.Fatalf("libzmq User-Id %q", report.Props["User-Id"])
			}
		})
	}
}

func TestInteropGoPlainClientWrongPassword(t *testing.T) {
	needPyzmq(t)
	peer, conn, _ := dialPeerServer(t, Plain)
	c := greet(t, conn, Plain)
	_, err := Handshake(c, &Config{Mechanism: Plain, SocketType: "REQ", SendIdentity: true, Username: "admin", Password: "wrong"})
	wantFailure(t, "go client", outcome{err: err}, FailedAuth, 400)
	var report peerReport
	peer.next(t, &report)
	if report.Event != "AUTH" || report.Value != 400 {
		t.Fatalf("libzmq reported %+v, want AUTH 400", report)
	}
}

func TestInteropGoCurveClientWrongServerKey(t *testing.T) {
	needPyzmq(t)
	peer, conn, _ := dialPeerServer(t, Curve)
	c := greet(t, conn, Curve)
	pub, sec := keyPair(t)
	otherPub, _ := keyPair(t)
	_, err := Handshake(c, &Config{Mechanism: Curve, SocketType: "REQ", SendIdentity: true, PublicKey: pub, SecretKey: sec, ServerKey: otherPub})
	if err == nil {
		t.Fatal("handshake with the wrong server key succeeded")
	}
	var report peerReport
	peer.next(t, &report)
	if report.Event != "PROTOCOL" || report.Value != ProtocolErrorZMTPCryptographic {
		t.Fatalf("libzmq reported %+v, want PROTOCOL %#x", report, ProtocolErrorZMTPCryptographic)
	}
}

// acceptPeerClient starts a libzmq REQ client against a Go listener and
// returns the accepted connection, greeted.
func acceptPeerClient(t *testing.T, mechanism string, extra ...string) (*pyPeer, *netConn, string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	peer := startPeer(t, append([]string{"client", mechanism, port}, extra...)...)
	var started struct {
		ClientKey string `json:"client_key"`
	}
	peer.next(t, &started)
	_ = ln.(*net.TCPListener).SetDeadline(time.Now().Add(hangGuard))
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return peer, greet(t, conn, mechanism), started.ClientKey
}

func TestInteropLibzmqClientGoServer(t *testing.T) {
	needPyzmq(t)
	for _, mechanism := range []string{Null, Plain, Curve} {
		t.Run(mechanism, func(t *testing.T) {
			cfg := &Config{Mechanism: mechanism, AsServer: mechanism != Null, SocketType: "REP", PeerAddress: "127.0.0.1"}
			var extra []string
			if mechanism == Curve {
				pub, sec := keyPair(t)
				cfg.SecretKey = sec
				text, _ := z85.Encode(pub)
				extra = []string{text}
			}
			if mechanism == Plain {
				extra = []string{"secret"}
				cfg.ZAP = passwordZAP
			}
			peer, c, clientKey := acceptPeerClient(t, mechanism, extra...)
			z := &zapRecorder{reply: ZAPReply{Status: "200", UserID: "py-user"}}
			if mechanism == Curve {
				cfg.ZAP = z.handle
			}
			res, err := Handshake(c, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if v, _ := zmtp.Lookup(res.Properties, "Identity"); v != "py" {
				t.Fatalf("libzmq REQ properties %v", res.Properties)
			}
			if v, _ := zmtp.Lookup(res.Properties, "X-Color"); v != "green" {
				t.Fatalf("libzmq REQ properties %v", res.Properties)
			}
			if mechanism == Curve {
				if len(z.requests) != 1 || !bytes.Equal(z.requests[0].Credentials[0], mustDecodeKey(t, clientKey)) {
					t.Fatalf("ZAP saw %+v, client key %s", z.requests, clientKey)
				}
			}
			request := recvMessage(t, c, res.Codec)
			if len(request) != 2 || request[0] != "" || request[1] != "hello" {
				t.Fatalf("libzmq sent %q", request)
			}
			sendMessage(t, c, res.Codec, "", "world")
			var report peerReport
			peer.next(t, &report)
			if len(report.Received) != 1 || report.Received[0] != "world" || report.Props["Socket-Type"] != "REP" {
				t.Fatalf("libzmq received %+v", report)
			}
		})
	}
}

func TestInteropGoServerRejectsLibzmqClient(t *testing.T) {
	needPyzmq(t)
	t.Run("PLAIN 400", func(t *testing.T) {
		peer, c, _ := acceptPeerClient(t, Plain, "wrong")
		_, err := Handshake(c, &Config{Mechanism: Plain, AsServer: true, SocketType: "REP", ZAP: passwordZAP})
		wantFailure(t, "go server", outcome{err: err}, FailedAuth, 400)
		var report peerReport
		peer.next(t, &report)
		if report.Event != "AUTH" || report.Value != 400 {
			t.Fatalf("libzmq reported %+v, want AUTH 400", report)
		}
	})
	t.Run("CURVE 500", func(t *testing.T) {
		pub, sec := keyPair(t)
		text, _ := z85.Encode(pub)
		peer, c, _ := acceptPeerClient(t, Curve, text)
		z := &zapRecorder{reply: ZAPReply{Status: "500"}}
		_, err := Handshake(c, &Config{Mechanism: Curve, AsServer: true, SocketType: "REP", SecretKey: sec, ZAP: z.handle})
		wantFailure(t, "go server", outcome{err: err}, FailedAuth, 500)
		var report peerReport
		peer.next(t, &report)
		if report.Event != "AUTH" || report.Value != 500 {
			t.Fatalf("libzmq reported %+v, want AUTH 500", report)
		}
	})
}

func TestInteropPublicKeyMatchesLibzmq(t *testing.T) {
	needPyzmq(t)
	peer := startPeer(t, "keys")
	var keys struct {
		Keys [][3]string `json:"keys"`
	}
	peer.next(t, &keys)
	if len(keys.Keys) == 0 {
		t.Fatal("no keys")
	}
	for _, k := range keys.Keys {
		var secret [32]byte
		copy(secret[:], mustDecodeKey(t, k[0]))
		public, err := PublicKey(secret)
		if err != nil {
			t.Fatal(err)
		}
		text, _ := z85.Encode(public[:])
		if text != k[1] || text != k[2] {
			t.Fatalf("PublicKey(%s) = %s, libzmq says %s / %s", k[0], text, k[1], k[2])
		}
	}
}
