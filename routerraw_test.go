package zmq4

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// rawRouter makes a ROUTER with ROUTER_RAW set.
func newRawRouter(t *testing.T) *Socket {
	t.Helper()
	r := newTestSocket(t, newTestContext(t), ROUTER)
	must(t, r.SetRouterRaw(1))
	return r
}

// readN reads exactly n bytes from conn (a hang guard bounds the wait).
func readN(t *testing.T, conn net.Conn, n int) string {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, n)
	if _, err := io.ReadFull(conn, buf); err != nil {
		t.Fatalf("read %d bytes: %v", n, err)
	}
	return string(buf)
}

// recvRaw receives [id, data] on a raw ROUTER, gathering data until it has
// want's length (TCP may split it).
func recvRaw(t *testing.T, r *Socket, id, want string) {
	t.Helper()
	var got strings.Builder
	for got.Len() < len(want) {
		m := recvParts(t, r)
		if len(m) != 2 || m[0] != id || m[1] == "" {
			t.Fatalf("got %q, want [%q, data]", m, id)
		}
		got.WriteString(m[1])
	}
	if got.String() != want {
		t.Fatalf("got %q, want %q", got.String(), want)
	}
}

// expectNote receives a connect or disconnect notification, [id, ""], and
// returns the id.
func expectNote(t *testing.T, r *Socket) string {
	t.Helper()
	m := recvParts(t, r)
	if len(m) != 2 || m[0] == "" || m[1] != "" {
		t.Fatalf("got %q, want [id, \"\"]", m)
	}
	return m[0]
}

// TestRouterRawBind: a ROUTER with ROUTER_RAW serves plain TCP clients as
// libzmq's does: no ZMTP greeting, [id, ""] when a client connects and
// when it leaves, [id, bytes] both ways, and [id, ""] sent closes the
// connection.
func TestRouterRawBind(t *testing.T) {
	r := newRawRouter(t)
	must(t, r.Bind("tcp://127.0.0.1:*"))
	addr := strings.TrimPrefix(r.opt.lastEndpoint, "tcp://")

	c1, err := netDial(addr)
	must(t, err)
	defer c1.Close()
	id1 := expectNote(t, r)
	if len(id1) != 5 || id1[0] != 0 {
		t.Fatalf("generated id %x, want 5 bytes starting 0x00", id1)
	}
	if _, err := c1.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	recvRaw(t, r, id1, "hello")
	sendParts(t, r, id1, "world")
	// The first bytes the client reads are the application's: no greeting.
	if got := readN(t, c1, 5); got != "world" {
		t.Fatalf("client read %q, want world", got)
	}

	c2, err := netDial(addr)
	must(t, err)
	id2 := expectNote(t, r)
	if id2 == id1 {
		t.Fatalf("two connections share id %x", id1)
	}
	c2.Close()
	if got := expectNote(t, r); got != id2 {
		t.Fatalf("disconnect notification for %x, want %x", got, id2)
	}

	sendParts(t, r, id1, "")
	c1.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := c1.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("after [id, \"\"]: read %d, %v; want EOF", n, err)
	}
}

// TestRouterRawConnect: a raw ROUTER connecting to a plain TCP server
// announces the connection and exchanges raw bytes; CONNECT_ROUTING_ID
// names it.
func TestRouterRawConnect(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer l.Close()
	r := newRawRouter(t)
	must(t, r.SetConnectRid("server"))
	must(t, r.Connect("tcp://"+l.Addr().String()))
	conn, err := l.Accept()
	must(t, err)
	defer conn.Close()
	if id := expectNote(t, r); id != "server" {
		t.Fatalf("connection id %q, want server", id)
	}
	sendParts(t, r, "server", "ping")
	if got := readN(t, conn, 4); got != "ping" {
		t.Fatalf("server read %q, want ping", got)
	}
	if _, err := conn.Write([]byte("pong")); err != nil {
		t.Fatal(err)
	}
	recvRaw(t, r, "server", "pong")
}

// TestRouterRawIPC: raw mode works over ipc too, as libzmq's raw engine
// serves every stream transport.
func TestRouterRawIPC(t *testing.T) {
	r := newRawRouter(t)
	ep := endpointFor(t, "ipc")
	must(t, r.Bind(ep))
	c, err := net.Dial("unix", strings.TrimPrefix(ep, "ipc://"))
	must(t, err)
	defer c.Close()
	id := expectNote(t, r)
	if _, err := c.Write([]byte("over ipc")); err != nil {
		t.Fatal(err)
	}
	recvRaw(t, r, id, "over ipc")
	sendParts(t, r, id, "back")
	if got := readN(t, c, 4); got != "back" {
		t.Fatalf("client read %q, want back", got)
	}
}
