package ws

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/purezmq/zmq4/internal/mechanism"
	"github.com/purezmq/zmq4/internal/zmtp"
)

// startPair upgrades a Client and a Server Conn over loopback, each with
// its own mechanism, and returns both engines (nil where the start failed)
// and errors.
func startPair(t *testing.T, clientMech, serverMech string) (client, server *engineEnd, cg, sg zmtp.Greeting, cerr, serr error) {
	t.Helper()
	d, a := tcpPair(t)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		server, sg, serr = startEngine(t, Server(a), serverMech, serverMech != "NULL")
		if serr != nil {
			a.Close()
		}
	}()
	client, cg, cerr = startEngine(t, Client(d, "127.0.0.1", "/zmq"), clientMech, false)
	if cerr != nil {
		d.Close()
	}
	wg.Wait()
	return
}

func TestConnPairCarriesFrames(t *testing.T) {
	client, server, cg, sg, cerr, serr := startPair(t, "NULL", "NULL")
	if cerr != nil || serr != nil {
		t.Fatalf("start: client %v, server %v", cerr, serr)
	}
	// Each engine sees a ZMTP 3.0 greeting naming NULL, not as server.
	for _, g := range []zmtp.Greeting{cg, sg} {
		if g.Major != 3 || g.Minor != 0 || g.Mechanism != "NULL" || g.AsServer {
			t.Fatalf("greeting %+v, want 3.0 NULL", g)
		}
	}
	sizes := []int{0, 1, 124, 125, 126, 254, 255, 256, 65534, 65535, 65536, 300000}
	for _, pair := range [][2]*engineEnd{{client, server}, {server, client}} {
		from, to := pair[0], pair[1]
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i, n := range sizes {
				flags := byte(0)
				if i%2 == 0 {
					flags = zmtp.FlagMore
				}
				from.writeFrame(flags, bytes.Repeat([]byte{byte(i)}, n))
			}
			from.writeFrame(zmtp.FlagCommand, zmtp.AppendCommand(nil, zmtp.CmdSubscribe, []byte("topic")))
		}()
		for i, n := range sizes {
			f := to.readFrame()
			wantMore := i%2 == 0
			if len(f.Body) != n || f.More() != wantMore || f.IsCommand() || !bytes.Equal(f.Body, bytes.Repeat([]byte{byte(i)}, n)) {
				t.Fatalf("frame %d: got %d bytes more=%v command=%v, want %d bytes more=%v", i, len(f.Body), f.More(), f.IsCommand(), n, wantMore)
			}
		}
		f := to.readFrame()
		if name, data, _ := zmtp.ParseCommand(f.Body); !f.IsCommand() || name != zmtp.CmdSubscribe || string(data) != "topic" {
			t.Fatalf("command frame: %+v", f)
		}
		<-done
	}
}

func TestConnPairHeartbeats(t *testing.T) {
	client, server, _, _, cerr, serr := startPair(t, "CURVE", "CURVE")
	if cerr != nil || serr != nil {
		t.Fatalf("start: client %v, server %v", cerr, serr)
	}
	// A PING command becomes a WebSocket ping and comes out as a PING
	// command (TTL 0); the PONG answer travels back the same way.
	client.writeFrame(zmtp.FlagCommand, zmtp.AppendPing(nil, 30, []byte("ctx")))
	f := server.readFrame()
	name, data, _ := zmtp.ParseCommand(f.Body)
	if ttl, _, err := zmtp.ParsePing(data); !f.IsCommand() || name != zmtp.CmdPing || err != nil || ttl != 0 {
		t.Fatalf("server read %q, want PING with TTL 0", f.Body)
	}
	server.writeFrame(zmtp.FlagCommand, zmtp.AppendPong(nil, nil))
	f = client.readFrame()
	if name, _, _ := zmtp.ParseCommand(f.Body); !f.IsCommand() || name != zmtp.CmdPong {
		t.Fatalf("client read %q, want PONG", f.Body)
	}
}

func TestConnGreetingCarriesPeerRole(t *testing.T) {
	// For PLAIN and CURVE the engine sees the peer as the other role.
	_, _, cg, sg, cerr, serr := startPair(t, "PLAIN", "PLAIN")
	if cerr != nil || serr != nil {
		t.Fatalf("start: client %v, server %v", cerr, serr)
	}
	if cg.Mechanism != "PLAIN" || !cg.AsServer || sg.Mechanism != "PLAIN" || sg.AsServer {
		t.Fatalf("client saw %+v, server saw %+v", cg, sg)
	}
}

func TestConnMechanismMismatchFailsBothSides(t *testing.T) {
	_, _, _, _, cerr, serr := startPair(t, "PLAIN", "NULL")
	for side, err := range map[string]error{"client": cerr, "server": serr} {
		var me *mechanism.Error
		if !errors.As(err, &me) || me.Kind != mechanism.FailedProtocol || me.Code != ProtocolErrorWSUnspecified {
			t.Errorf("%s: error %v, want FailedProtocol %#x", side, err, ProtocolErrorWSUnspecified)
		}
	}
}

func TestServerWireFormat(t *testing.T) {
	d, a := tcpPair(t)
	raw := newRawPeer(t, d)
	raw.writeString(libzmqRequest)
	type result struct {
		e   *engineEnd
		g   zmtp.Greeting
		err error
	}
	ch := make(chan result, 1)
	go func() {
		e, g, err := startEngine(t, Server(a), "NULL", false)
		ch <- result{e, g, err}
	}()
	head := raw.readHead()
	want := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + rfcAccept + "\r\nSec-WebSocket-Protocol: ZWS2.0/NULL\r\n\r\n"
	if head != want {
		t.Fatalf("response %q, want %q", head, want)
	}
	// A masked message from the client reaches the engine as a frame.
	key := []byte{9, 8, 7, 6}
	raw.writeMessage(0x82, append([]byte{flagMore}, "hello"...), key)
	raw.writeMessage(0x82, append([]byte{flagCommand}, zmtp.AppendCommand(nil, zmtp.CmdReady, nil)...), key)
	r := <-ch
	if r.err != nil {
		t.Fatal(r.err)
	}
	if f := r.e.readFrame(); string(f.Body) != "hello" || !f.More() || f.IsCommand() {
		t.Fatalf("engine read %+v", f)
	}
	if f := r.e.readFrame(); !f.IsCommand() || string(f.Body) != "\x05READY" {
		t.Fatalf("engine read %+v", f)
	}
	// Server messages are unmasked: binary, flags byte, body.
	r.e.writeFrame(zmtp.FlagMore, []byte("abc"))
	r.e.writeFrame(zmtp.FlagCommand, []byte("\x05READY"))
	r.e.writeFrame(0, bytes.Repeat([]byte{7}, 70000))
	for _, w := range []struct {
		payload []byte
	}{
		{[]byte("\x01abc")},
		{[]byte("\x02\x05READY")},
		{append([]byte{0}, bytes.Repeat([]byte{7}, 70000)...)},
	} {
		b0, masked, payload := raw.readMessage()
		if b0 != 0x82 || masked || !bytes.Equal(payload, w.payload) {
			t.Fatalf("client read %#x masked=%v %d bytes, want binary unmasked %d bytes", b0, masked, len(payload), len(w.payload))
		}
	}
	// A ping reaches the engine as PING; its PONG goes back as a pong
	// echoing the ping's payload.
	raw.writeMessage(0x89, []byte("xy"), key)
	if f := r.e.readFrame(); !f.IsCommand() || !strings.HasPrefix(string(f.Body), "\x04PING") {
		t.Fatalf("engine read %+v, want PING", f)
	}
	r.e.writeFrame(zmtp.FlagCommand, zmtp.AppendPong(nil, nil))
	if b0, _, payload := raw.readMessage(); b0 != 0x8A || string(payload) != "xy" {
		t.Fatalf("client read %#x %q, want pong \"xy\"", b0, payload)
	}
	// Our PING goes out as an empty ping.
	r.e.writeFrame(zmtp.FlagCommand, zmtp.AppendPing(nil, 10, nil))
	if b0, _, payload := raw.readMessage(); b0 != 0x89 || len(payload) != 0 {
		t.Fatalf("client read %#x %q, want an empty ping", b0, payload)
	}
	// A close is echoed and ends the engine's stream.
	raw.writeMessage(0x88, []byte{0x03, 0xE8}, key)
	if _, err := r.e.r.ReadFrame(); err != io.EOF {
		t.Fatalf("engine read after close: %v, want EOF", err)
	}
	if b0, _, payload := raw.readMessage(); b0 != 0x88 || !bytes.Equal(payload, []byte{0x03, 0xE8}) {
		t.Fatalf("client read %#x %x, want close 1000", b0, payload)
	}
}

func TestServerRejectsUnmaskedClient(t *testing.T) {
	d, a := tcpPair(t)
	raw := newRawPeer(t, d)
	raw.writeString(libzmqRequest)
	raw.writeMessage(0x82, []byte{0, 'x'}, nil)
	e, _, err := startEngine(t, Server(a), "NULL", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.r.ReadFrame(); !errors.Is(err, errMasking) {
		t.Fatalf("read: %v, want the masking error", err)
	}
}

func TestServerRefusesBadUpgrade(t *testing.T) {
	for name, req := range map[string]string{
		"no fitting protocol": strings.Replace(libzmqRequest, "ZWS2.0/NULL,ZWS2.0", "chat", 1),
		"not an upgrade":      "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"garbage":             "\xff\x00\x00\x00\x00\x00\x00\x00\x01\x7f\r\n\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			d, a := tcpPair(t)
			raw := newRawPeer(t, d)
			raw.writeString(req)
			_, _, err := startEngine(t, Server(a), "NULL", false)
			var me *mechanism.Error
			if !errors.As(err, &me) || me.Code != ProtocolErrorWSUnspecified {
				t.Fatalf("error %v, want FailedProtocol ws", err)
			}
			if head := raw.readHead(); !strings.HasPrefix(head, "HTTP/1.1 400 ") {
				t.Fatalf("response %q, want 400", head)
			}
		})
	}
}

func TestServerBoundsTheHead(t *testing.T) {
	d, a := tcpPair(t)
	go func() {
		// Never-ending header lines.
		for {
			if _, err := io.WriteString(d, "X-Filler: "+strings.Repeat("a", 1000)+"\r\n"); err != nil {
				return
			}
		}
	}()
	_, _, err := startEngine(t, Server(a), "NULL", false)
	if !errors.Is(err, errHandshake) {
		t.Fatalf("error %v, want a handshake error", err)
	}
}

func TestClientWireFormat(t *testing.T) {
	d, a := tcpPair(t)
	raw := newRawPeer(t, a)
	type result struct {
		e   *engineEnd
		err error
	}
	ch := make(chan result, 1)
	go func() {
		e, _, err := startEngine(t, Client(d, "example:80", "/a/b"), "CURVE", false)
		ch <- result{e, err}
	}()
	head := raw.readHead()
	req, err := parseRequest([]byte(head))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(head, "GET /a/b HTTP/1.1\r\nHost: example:80\r\n") ||
		!strings.Contains(head, "\r\nSec-WebSocket-Protocol: ZWS2.0/CURVE\r\n") ||
		!strings.Contains(head, "\r\nSec-WebSocket-Version: 13\r\n") {
		t.Fatalf("request %q", head)
	}
	raw.writeString(string(appendResponse(nil, acceptKey(req.key), "ZWS2.0/CURVE")))
	r := <-ch
	if r.err != nil {
		t.Fatal(r.err)
	}
	// Client messages are masked.
	r.e.writeFrame(0, []byte("masked body"))
	if b0, masked, payload := raw.readMessage(); b0 != 0x82 || !masked || string(payload) != "\x00masked body" {
		t.Fatalf("server read %#x masked=%v %q", b0, masked, payload)
	}
	raw.writeMessage(0x82, []byte("\x00plain"), nil)
	if f := r.e.readFrame(); string(f.Body) != "plain" {
		t.Fatalf("engine read %q", f.Body)
	}
}

func TestClientChecksTheResponse(t *testing.T) {
	responses := map[string]func(key string) string{
		"wrong accept": func(string) string { return string(appendResponse(nil, rfcAccept, "ZWS2.0/NULL")) },
		"unoffered protocol": func(key string) string {
			return string(appendResponse(nil, acceptKey(key), "ZWS2.0/PLAIN"))
		},
		"refused": func(string) string { return badRequest },
	}
	for name, respond := range responses {
		t.Run(name, func(t *testing.T) {
			d, a := tcpPair(t)
			raw := newRawPeer(t, a)
			ch := make(chan error, 1)
			go func() {
				_, _, err := startEngine(t, Client(d, "h", "/"), "NULL", false)
				ch <- err
			}()
			req, err := parseRequest([]byte(raw.readHead()))
			if err != nil {
				t.Fatal(err)
			}
			raw.writeString(respond(req.key))
			err = <-ch
			var me *mechanism.Error
			if !errors.As(err, &me) || me.Kind != mechanism.FailedProtocol || me.Code != ProtocolErrorWSUnspecified {
				t.Fatalf("error %v, want FailedProtocol ws", err)
			}
		})
	}
}

func TestBareServerExchangesRoutingIDs(t *testing.T) {
	d, a := tcpPair(t)
	raw := newRawPeer(t, d)
	raw.writeString(strings.Replace(libzmqRequest, "ZWS2.0/NULL,ZWS2.0", "ZWS2.0", 1))
	key := []byte{1, 2, 3, 4}
	raw.writeMessage(0x82, []byte("\x00peer-id"), key)
	raw.writeMessage(0x82, []byte("\x00first"), key)
	e, g, err := startEngine(t, Server(a), "NULL", false)
	if err != nil {
		t.Fatal(err)
	}
	if g.Mechanism != "NULL" {
		t.Fatalf("greeting %+v", g)
	}
	if head := raw.readHead(); !strings.Contains(head, "Sec-WebSocket-Protocol: ZWS2.0\r\n") {
		t.Fatalf("response %q", head)
	}
	// Our READY is replaced by our routing id.
	ready := zmtp.AppendCommand(nil, zmtp.CmdReady, nil)
	ready = zmtp.AppendProperty(ready, "Socket-Type", "ROUTER")
	ready = zmtp.AppendProperty(ready, "Identity", "me")
	e.writeFrame(zmtp.FlagCommand, ready)
	if b0, _, payload := raw.readMessage(); b0 != 0x82 || string(payload) != "\x00me" {
		t.Fatalf("client read %#x %q, want our routing id", b0, payload)
	}
	// The peer's routing id comes to the engine as its READY.
	f := e.readFrame()
	name, data, _ := zmtp.ParseCommand(f.Body)
	props, err := zmtp.ParseMetadata(data)
	if !f.IsCommand() || name != zmtp.CmdReady || err != nil {
		t.Fatalf("engine read %q, want READY", f.Body)
	}
	typ, _ := zmtp.Lookup(props, "Socket-Type")
	id, _ := zmtp.Lookup(props, "Identity")
	if !zmtp.Compatible("ROUTER", typ) || id != "peer-id" {
		t.Fatalf("READY properties %v", props)
	}
	if f := e.readFrame(); string(f.Body) != "first" || f.IsCommand() {
		t.Fatalf("engine read %+v", f)
	}
}

func TestBareServerRejectsLongRoutingID(t *testing.T) {
	d, a := tcpPair(t)
	raw := newRawPeer(t, d)
	raw.writeString(strings.Replace(libzmqRequest, "ZWS2.0/NULL,ZWS2.0", "ZWS2.0", 1))
	raw.writeMessage(0x82, append([]byte{0}, bytes.Repeat([]byte("x"), 300)...), []byte{1, 2, 3, 4})
	e, _, err := startEngine(t, Server(a), "NULL", false)
	if err != nil {
		t.Fatal(err)
	}
	e.writeFrame(zmtp.FlagCommand, zmtp.AppendProperty(zmtp.AppendCommand(nil, zmtp.CmdReady, nil), "Socket-Type", "PAIR"))
	if _, err := e.r.ReadFrame(); !errors.Is(err, errRoutingID) {
		t.Fatalf("read: %v, want the routing id error", err)
	}
}

// TestRandomSplits writes random frames through a client in writes of
// random sizes and checks that the server's engine reads them intact.
func TestRandomSplits(t *testing.T) {
	client, server, _, _, cerr, serr := startPair(t, "NULL", "NULL")
	if cerr != nil || serr != nil {
		t.Fatalf("start: client %v, server %v", cerr, serr)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var stream []byte
	var want []zmtp.Frame
	for i := 0; i < 500; i++ {
		n := rng.IntN(300)
		if i%50 == 0 {
			n = 20000 + rng.IntN(100000)
		}
		body := make([]byte, n)
		for j := range body {
			body[j] = byte(rng.Uint32())
		}
		flags := byte(rng.IntN(2)) // more or not
		if rng.IntN(10) == 0 {
			flags = zmtp.FlagCommand
			body = zmtp.AppendCommand(nil, "X", body)
		}
		stream = zmtp.AppendFrame(stream, flags, body)
		want = append(want, zmtp.Frame{Flags: flags, Body: body})
	}
	go func() {
		p := stream
		for len(p) > 0 {
			n := min(len(p), 1+rng.IntN(40000))
			if _, err := client.c.Write(p[:n]); err != nil {
				return
			}
			p = p[n:]
		}
	}()
	for i, w := range want {
		f := server.readFrame()
		if f.Flags != w.Flags || !bytes.Equal(f.Body, w.Body) {
			t.Fatalf("frame %d: flags %x, %d bytes; want %x, %d bytes", i, f.Flags, len(f.Body), w.Flags, len(w.Body))
		}
	}
}

// Example-style check that errors name the problem.
func TestHandshakeErrorText(t *testing.T) {
	err := handshakef("x %d", 1)
	if !errors.Is(err, errHandshake) || !strings.Contains(err.Error(), "x 1") {
		t.Fatal(fmt.Sprint(err))
	}
}

func TestBareClientWhenTheServerPicksIt(t *testing.T) {
	d, a := tcpPair(t)
	raw := newRawPeer(t, a)
	type result struct {
		e   *engineEnd
		err error
	}
	ch := make(chan result, 1)
	go func() {
		c := Client(d, "h", "/")
		e, _, err := startEngine(t, c, "NULL", false)
		if err == nil {
			ready := zmtp.AppendProperty(zmtp.AppendCommand(nil, zmtp.CmdReady, nil), "Socket-Type", "DEALER")
			e.writeFrame(zmtp.FlagCommand, ready)
		}
		ch <- result{e, err}
	}()
	req, err := parseRequest([]byte(raw.readHead()))
	if err != nil {
		t.Fatal(err)
	}
	raw.writeString(string(appendResponse(nil, acceptKey(req.key), "ZWS2.0")))
	raw.writeMessage(0x82, []byte("\x00srv"), nil)
	r := <-ch
	if r.err != nil {
		t.Fatal(r.err)
	}
	// Our READY went out as an empty routing id (DEALER sent no Identity).
	if b0, masked, payload := raw.readMessage(); b0 != 0x82 || !masked || string(payload) != "\x00" {
		t.Fatalf("server read %#x masked=%v %q, want an empty routing id", b0, masked, payload)
	}
	f := r.e.readFrame()
	_, data, _ := zmtp.ParseCommand(f.Body)
	props, _ := zmtp.ParseMetadata(data)
	typ, _ := zmtp.Lookup(props, "Socket-Type")
	id, _ := zmtp.Lookup(props, "Identity")
	if !f.IsCommand() || !zmtp.Compatible("DEALER", typ) || id != "srv" {
		t.Fatalf("engine read READY %q", f.Body)
	}
}
