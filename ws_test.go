package zmq4

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/purezmq/zmq4/internal/transport/ws"
)

// The classic patterns run over ws in patterns_test.go (eachTransport);
// these tests cover what is particular to the ws transport.

// wsBound binds s on a fresh ws endpoint with the given path and returns
// the resolved endpoint.
func wsBound(t *testing.T, s *Socket, path string) string {
	t.Helper()
	must(t, s.Bind("ws://127.0.0.1:*"+path))
	ep, err := s.GetLastEndpoint()
	must(t, err)
	return ep
}

func TestWSLastEndpointUnbindDisconnect(t *testing.T) {
	ctx := newTestContext(t)
	srv := newTestSocket(t, ctx, PAIR)
	ep := wsBound(t, srv, "")
	if !strings.HasPrefix(ep, "ws://127.0.0.1:") || !strings.HasSuffix(ep, "/") || strings.HasSuffix(ep, ":*/") {
		t.Fatalf("last endpoint %q, want ws://127.0.0.1:PORT/", ep)
	}
	cli := newTestSocket(t, ctx, PAIR)
	must(t, cli.Connect(ep))
	checkDisconnectUnbind(t, srv, cli, ep)
}

// checkDisconnectUnbind checks a connected pair, client cli and server srv
// bound at ep: a message passes, the client's last endpoint is ep, a second
// Disconnect or Unbind says ENOENT, and the port is free again.
func checkDisconnectUnbind(t *testing.T, srv, cli *Socket, ep string) {
	t.Helper()
	sendParts(t, cli, "ping")
	expectParts(t, srv, "ping")
	if got, _ := cli.GetLastEndpoint(); got != ep {
		t.Fatalf("client last endpoint %q, want %q", got, ep)
	}
	must(t, cli.Disconnect(ep))
	if err := cli.Disconnect(ep); err != ENOENT {
		t.Fatalf("second Disconnect: %v, want ENOENT", err)
	}
	must(t, srv.Unbind(ep))
	if err := srv.Unbind(ep); err != ENOENT {
		t.Fatalf("second Unbind: %v, want ENOENT", err)
	}
	must(t, srv.Bind(ep))
}

func TestWSEndpointErrors(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, PAIR)
	for _, ep := range []string{"ws://127.0.0.1", "ws://127.0.0.1:1/a b", "ws://a;b:1"} {
		if err := s.Bind(ep); err != einval {
			t.Errorf("Bind(%q): %v, want EINVAL", ep, err)
		}
		if err := s.Connect(ep); err != einval {
			t.Errorf("Connect(%q): %v, want EINVAL", ep, err)
		}
	}
	st := newTestSocket(t, ctx, STREAM)
	if err := st.Bind("ws://127.0.0.1:*"); err != EPROTONOSUPPORT {
		t.Errorf("STREAM Bind ws: %v, want EPROTONOSUPPORT", err)
	}
}

func TestWSMonitorEvents(t *testing.T) {
	ctx := newTestContext(t)
	srv := newTestSocket(t, ctx, PULL)
	smon := monitorOf(t, srv, EVENT_ALL)
	ep := wsBound(t, srv, "/m")
	cli := newTestSocket(t, ctx, PUSH)
	cmon := monitorOf(t, cli, EVENT_ALL)
	must(t, cli.Connect(ep))
	ev, addr, fd, err := smon.RecvEvent(0)
	must(t, err)
	if ev != EVENT_LISTENING || addr != ep || fd <= 0 {
		t.Fatalf("first server event %v %q %d", ev, addr, fd)
	}
	expectEvents(t, smon, EVENT_ACCEPTED, EVENT_HANDSHAKE_SUCCEEDED)
	if fds := expectEvents(t, cmon, EVENT_CONNECT_DELAYED, EVENT_CONNECTED, EVENT_HANDSHAKE_SUCCEEDED); fds[1] <= 0 {
		t.Fatalf("CONNECTED fd %d", fds[1])
	}
	must(t, srv.Close())
	expectEvents(t, cmon, EVENT_DISCONNECTED, EVENT_CONNECT_RETRIED)
}

func TestWSReconnectsAfterRebind(t *testing.T) {
	ctx := newTestContext(t)
	srv := newTestSocket(t, ctx, PULL)
	ep := wsBound(t, srv, "/r")
	cli := newTestSocket(t, ctx, PUSH)
	must(t, cli.SetReconnectIvl(10*time.Millisecond))
	cmon := monitorOf(t, cli, EVENT_DISCONNECTED)
	must(t, cli.Connect(ep))
	sendParts(t, cli, "one")
	expectParts(t, srv, "one")
	must(t, srv.Close())
	// A message sent before the client notices the close would go to the
	// dead connection and be lost, as with libzmq; wait for the notice.
	expectEvents(t, cmon, EVENT_DISCONNECTED)
	srv2 := newTestSocket(t, ctx, PULL)
	waitUntil(t, "rebinding the port", func() bool { return srv2.Bind(ep) == nil })
	sendParts(t, cli, "two")
	expectParts(t, srv2, "two")
}

// wsZAP answers every ZAP request in ctx with 200, as PLAIN servers need.
func wsZAP(t *testing.T, ctx *Context) {
	t.Helper()
	zap := newTestSocket(t, ctx, REP)
	must(t, zap.Bind("inproc://zeromq.zap.01"))
	must(t, zap.SetRcvtimeo(-1))
	go func() {
		for {
			req, err := zap.RecvMessageBytes(0)
			if err != nil || len(req) < 2 {
				return
			}
			if _, err := zap.SendMessage(req[0], req[1], "200", "OK", "user", ""); err != nil {
				return
			}
		}
	}()
}

func TestWSSecurityMechanisms(t *testing.T) {
	serverPub, serverSec, err := NewCurveKeypair()
	must(t, err)
	clientPub, clientSec, err := NewCurveKeypair()
	must(t, err)
	mechs := map[string]struct{ server, client func(t *testing.T, s *Socket) }{
		"PLAIN": {
			server: func(t *testing.T, s *Socket) { wsZAP(t, s.ctx); must(t, s.SetPlainServer(1)) },
			client: func(t *testing.T, s *Socket) {
				must(t, s.SetPlainUsername("admin"))
				must(t, s.SetPlainPassword("secret"))
			},
		},
		"CURVE": {
			server: func(t *testing.T, s *Socket) {
				must(t, s.SetCurveServer(1))
				must(t, s.SetCurveSecretkey(serverSec))
			},
			client: func(t *testing.T, s *Socket) {
				must(t, s.SetCurveServerkey(serverPub))
				must(t, s.SetCurvePublickey(clientPub))
				must(t, s.SetCurveSecretkey(clientSec))
			},
		},
	}
	for name, m := range mechs {
		t.Run(name, func(t *testing.T) {
			ctx := newTestContext(t)
			srv := newTestSocket(t, ctx, DEALER)
			m.server(t, srv)
			cli := newTestSocket(t, ctx, DEALER)
			m.client(t, cli)
			must(t, cli.Connect(wsBound(t, srv, "/sec")))
			exchangeBigMessages(t, cli, srv, 0xA5)
		})
	}
}

// exchangeBigMessages sends a three-part message (text, empty, 1 MiB of
// fill) from cli to srv and back, checking each arrives whole.
func exchangeBigMessages(t *testing.T, cli, srv *Socket, fill byte) {
	t.Helper()
	big := bytes.Repeat([]byte{fill}, 1<<20)
	for _, pair := range [][2]*Socket{{cli, srv}, {srv, cli}} {
		if _, err := pair[0].SendMessage("a", "", big); err != nil {
			t.Fatal(err)
		}
		got, err := pair[1].RecvMessageBytes(0)
		must(t, err)
		if len(got) != 3 || string(got[0]) != "a" || len(got[1]) != 0 || !bytes.Equal(got[2], big) {
			t.Fatalf("received %d frames", len(got))
		}
	}
}

func TestWSMechanismMismatchFailsTheUpgrade(t *testing.T) {
	ctx := newTestContext(t)
	srv := newTestSocket(t, ctx, PAIR)
	must(t, srv.SetCurveServer(1))
	_, sec, err := NewCurveKeypair()
	must(t, err)
	must(t, srv.SetCurveSecretkey(sec))
	smon := monitorOf(t, srv, EVENT_HANDSHAKE_FAILED_PROTOCOL)
	ep := wsBound(t, srv, "/")
	cli := newTestSocket(t, ctx, PAIR)
	cmon := monitorOf(t, cli, EVENT_HANDSHAKE_FAILED_PROTOCOL)
	must(t, cli.Connect(ep))
	if v := expectEvents(t, smon, EVENT_HANDSHAKE_FAILED_PROTOCOL); v[0] != ws.ProtocolErrorWSUnspecified {
		t.Fatalf("server protocol error %#x", v[0])
	}
	if v := expectEvents(t, cmon, EVENT_HANDSHAKE_FAILED_PROTOCOL); v[0] != ws.ProtocolErrorWSUnspecified {
		t.Fatalf("client protocol error %#x", v[0])
	}
}

// TestWSHeartbeatsUnderCurve: PING and PONG travel as WebSocket control
// frames outside CURVE, so heartbeats keep an idle encrypted link up; a
// peer that stops answering is dropped by HEARTBEAT_TIMEOUT.
func TestWSHeartbeatsUnderCurve(t *testing.T) {
	serverPub, serverSec, err := NewCurveKeypair()
	must(t, err)
	clientPub, clientSec, err := NewCurveKeypair()
	must(t, err)
	ctx := newTestContext(t)
	srv := newTestSocket(t, ctx, PAIR)
	must(t, srv.SetCurveServer(1))
	must(t, srv.SetCurveSecretkey(serverSec))
	cli := newTestSocket(t, ctx, PAIR)
	must(t, cli.SetCurveServerkey(serverPub))
	must(t, cli.SetCurvePublickey(clientPub))
	must(t, cli.SetCurveSecretkey(clientSec))
	// Set before Bind and Connect, which take the options' snapshot.
	for _, s := range []*Socket{srv, cli} {
		must(t, s.SetHeartbeatIvl(20*time.Millisecond))
		must(t, s.SetHeartbeatTimeout(300*time.Millisecond))
	}
	ep := wsBound(t, srv, "/hb")
	tap := newWSTap(t, strings.TrimSuffix(strings.TrimPrefix(ep, "ws://"), "/hb"))
	ep = "ws://" + tap.addr + "/hb"
	cmon := monitorOf(t, cli, EVENT_HANDSHAKE_SUCCEEDED|EVENT_DISCONNECTED)
	must(t, cli.Connect(ep))
	expectEvents(t, cmon, EVENT_HANDSHAKE_SUCCEEDED)
	must(t, cmon.SetRcvtimeo(time.Second))
	if ev, _, _, err := cmon.RecvEvent(0); err == nil {
		t.Fatalf("event %v on an idle link with heartbeats, want none", ev)
	}
	sendParts(t, cli, "still here")
	expectParts(t, srv, "still here")
	// Both sides pinged and ponged with control frames, not CURVE boxes.
	for dir := 0; dir < 2; dir++ {
		if tap.opcodes[dir][0x9].Load() == 0 || tap.opcodes[dir][0xA].Load() == 0 {
			t.Errorf("direction %d: %d pings and %d pongs on the wire, want some of each",
				dir, tap.opcodes[dir][0x9].Load(), tap.opcodes[dir][0xA].Load())
		}
	}
}

// wsTap relays one ws connection and counts the WebSocket opcodes in each
// direction ([0] client to server, [1] server to client).
type wsTap struct {
	addr    string
	opcodes [2][16]atomic.Int32
}

// newWSTap listens on a fresh port and relays its first connection to
// target; everything is closed when the test ends.
func newWSTap(t *testing.T, target string) *wsTap {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	tap := &wsTap{addr: ln.Addr().String()}
	var wg sync.WaitGroup
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		a, err := ln.Accept()
		if err != nil {
			return
		}
		b, err := net.Dial("tcp", target)
		if err != nil {
			a.Close()
			return
		}
		wg.Add(2)
		go func() { defer wg.Done(); tap.relay(b, a, 0) }()
		go func() { defer wg.Done(); tap.relay(a, b, 1) }()
		<-done
		a.Close()
		b.Close()
	}()
	return tap
}

// relay copies src to dst while counting the opcodes of the frames that
// follow the HTTP head.
func (tap *wsTap) relay(dst, src net.Conn, dir int) {
	pr, pw := io.Pipe()
	go func() {
		io.Copy(dst, io.TeeReader(src, pw))
		pw.Close()
		dst.Close()
	}()
	br := bufio.NewReader(pr)
	defer io.Copy(io.Discard, br)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		if line == "\r\n" {
			break
		}
	}
	for {
		var h [2]byte
		if _, err := io.ReadFull(br, h[:]); err != nil {
			return
		}
		n := uint64(h[1] & 0x7F)
		switch n {
		case 126:
			var l [2]byte
			io.ReadFull(br, l[:])
			n = uint64(binary.BigEndian.Uint16(l[:]))
		case 127:
			var l [8]byte
			io.ReadFull(br, l[:])
			n = binary.BigEndian.Uint64(l[:])
		}
		if h[1]&0x80 != 0 {
			n += 4
		}
		tap.opcodes[dir][h[0]&0xF].Add(1)
		if _, err := io.CopyN(io.Discard, br, int64(n)); err != nil {
			return
		}
	}
}

func TestWSMaxMsgSizeDropsThePeer(t *testing.T) {
	ctx := newTestContext(t)
	srv := newTestSocket(t, ctx, PULL)
	must(t, srv.SetMaxmsgsize(1000))
	smon := monitorOf(t, srv, EVENT_DISCONNECTED)
	cli := newTestSocket(t, ctx, PUSH)
	must(t, cli.Connect(wsBound(t, srv, "/max")))
	must(t, cli.SetReconnectIvl(-1))
	sendParts(t, cli, strings.Repeat("s", 1000))
	expectParts(t, srv, strings.Repeat("s", 1000))
	sendParts(t, cli, strings.Repeat("b", 1001))
	expectEvents(t, smon, EVENT_DISCONNECTED)
	must(t, srv.SetRcvtimeo(50*time.Millisecond))
	if m, err := srv.RecvMessage(0); err == nil {
		t.Fatalf("received %d frames past MAXMSGSIZE", len(m))
	}
}

// TestWSBareClient: a client that offers only "ZWS2.0" (no mechanism
// handshake, as browser libraries do) exchanges routing ids as first
// messages; a ROUTER sees its id and can answer it.
func TestWSBareClient(t *testing.T) {
	ctx := newTestContext(t)
	r := newTestSocket(t, ctx, ROUTER)
	must(t, r.SetIdentity("router"))
	ep := wsBound(t, r, "/bare")
	c, err := net.DialTimeout("tcp", strings.TrimSuffix(strings.TrimPrefix(ep, "ws://"), "/bare"), 5*time.Second)
	must(t, err)
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "GET /bare HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ZWS2.0\r\n\r\n")
	br := bufio.NewReader(c)
	head := ""
	for !strings.HasSuffix(head, "\r\n\r\n") {
		line, err := br.ReadString('\n')
		must(t, err)
		head += line
	}
	if !strings.HasPrefix(head, "HTTP/1.1 101 ") || !strings.Contains(head, "Sec-WebSocket-Protocol: ZWS2.0\r\n") {
		t.Fatalf("response %q", head)
	}
	wsWriteMasked(t, c, "\x00raw-client")
	wsWriteMasked(t, c, "\x00hello")
	if got := wsReadUnmasked(t, br); got != "\x00router" {
		t.Fatalf("first message %q, want the ROUTER's routing id", got)
	}
	expectParts(t, r, "raw-client", "hello")
	sendParts(t, r, "raw-client", "back")
	if got := wsReadUnmasked(t, br); got != "\x00back" {
		t.Fatalf("reply %q", got)
	}
}

// wsWriteMasked writes payload as one masked binary message.
func wsWriteMasked(t *testing.T, c net.Conn, payload string) {
	t.Helper()
	key := []byte{0x11, 0x22, 0x33, 0x44}
	b := []byte{0x82, 0x80 | byte(len(payload))}
	b = append(b, key...)
	for i := 0; i < len(payload); i++ {
		b = append(b, payload[i]^key[i%4])
	}
	if _, err := c.Write(b); err != nil {
		t.Fatal(err)
	}
}

// wsReadUnmasked reads one short unmasked binary message.
func wsReadUnmasked(t *testing.T, br *bufio.Reader) string {
	t.Helper()
	var h [2]byte
	_, err := io.ReadFull(br, h[:])
	must(t, err)
	if h[0] != 0x82 || h[1]&0x80 != 0 {
		t.Fatalf("header %x, want an unmasked binary message", h)
	}
	n := int(h[1] & 0x7F)
	if n == 126 {
		var l [2]byte
		io.ReadFull(br, l[:])
		n = int(binary.BigEndian.Uint16(l[:]))
	}
	p := make([]byte, n)
	_, err = io.ReadFull(br, p)
	must(t, err)
	return string(p)
}

// TestWSHandshakeIvlBoundsTheUpgrade: a client that connects and never
// sends its upgrade request is dropped once HANDSHAKE_IVL passes.
func TestWSHandshakeIvlBoundsTheUpgrade(t *testing.T) {
	ctx := newTestContext(t)
	srv := newTestSocket(t, ctx, PAIR)
	must(t, srv.SetHandshakeIvl(50*time.Millisecond))
	smon := monitorOf(t, srv, EVENT_ACCEPTED|EVENT_HANDSHAKE_FAILED_NO_DETAIL|EVENT_DISCONNECTED)
	ep := wsBound(t, srv, "/")
	c, err := net.DialTimeout("tcp", strings.TrimSuffix(strings.TrimPrefix(ep, "ws://"), "/"), 5*time.Second)
	must(t, err)
	defer c.Close()
	expectEvents(t, smon, EVENT_ACCEPTED, EVENT_HANDSHAKE_FAILED_NO_DETAIL, EVENT_DISCONNECTED)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("read %d bytes, %v; want the server to close", n, err)
	}
}

// Commands other than PING and PONG stay inside CURVE over ws: a DISH's
// JOIN reaches the RADIO sealed, and the RADIO accepts it.
func TestWSCurveRadioDishJoin(t *testing.T) {
	serverPub, serverSec, err := NewCurveKeypair()
	must(t, err)
	clientPub, clientSec, err := NewCurveKeypair()
	must(t, err)
	ctx := newTestContext(t)
	radio := newTestSocket(t, ctx, RADIO)
	must(t, radio.SetCurveServer(1))
	must(t, radio.SetCurveSecretkey(serverSec))
	dish := newTestSocket(t, ctx, DISH)
	must(t, dish.SetCurveServerkey(serverPub))
	must(t, dish.SetCurvePublickey(clientPub))
	must(t, dish.SetCurveSecretkey(clientSec))
	must(t, dish.Join("weather"))
	must(t, dish.Connect(wsBound(t, radio, "/radio")))
	waitUntil(t, "the JOIN to arrive", func() bool {
		radio.Send("sunny", 0, OptGroup("weather"))
		in, _ := pollIn(dish)
		return in
	})
	msg, opts, err := dish.RecvWithOpts(0, OptGroup(""))
	must(t, err)
	if msg != "sunny" || opts[0].(OptGroup) != "weather" {
		t.Fatalf("dish got %q in group %v", msg, opts[0])
	}
}
