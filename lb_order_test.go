package zmq4

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/zmq4/internal/zmtp"
)

// zmtpPeer is a hand-driven ZMTP 3.1 peer over tcp with NULL security,
// whose handshake the test finishes when it chooses.
type zmtpPeer struct {
	conn net.Conn
	r    *zmtp.Reader
}

// handshake sends the peer's greeting and READY for socket type typ.
func (z *zmtpPeer) handshake(t *testing.T, typ string) {
	t.Helper()
	b := zmtp.AppendGreeting(nil, "NULL", false)
	ready := zmtp.AppendCommand(nil, zmtp.CmdReady, zmtp.AppendProperty(nil, "Socket-Type", typ))
	if _, err := z.conn.Write(zmtp.AppendFrame(b, zmtp.FlagCommand, ready)); err != nil {
		t.Fatal(err)
	}
}

// recvMessage reads the socket's greeting the first time, skips commands
// and returns the next message's frames joined with "|".
func (z *zmtpPeer) recvMessage(t *testing.T) string {
	t.Helper()
	must(t, z.conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	if z.r == nil {
		z.r = zmtp.NewReader(z.conn, 1<<20)
		if _, err := z.r.ReadGreeting(); err != nil {
			t.Fatalf("greeting: %v", err)
		}
	}
	var parts []string
	for {
		f, err := z.r.ReadFrame()
		if err != nil {
			t.Fatalf("frame: %v (parts so far %q)", err, parts)
		}
		if f.IsCommand() {
			continue
		}
		parts = append(parts, string(f.Body))
		if !f.More() {
			return strings.Join(parts, "|")
		}
	}
}

// send writes one message to the socket.
func (z *zmtpPeer) send(t *testing.T, parts ...string) {
	t.Helper()
	var b []byte
	for i, p := range parts {
		var flags byte
		if i < len(parts)-1 {
			flags = zmtp.FlagMore
		}
		b = zmtp.AppendFrame(b, flags, []byte(p))
	}
	if _, err := z.conn.Write(b); err != nil {
		t.Fatal(err)
	}
}

// TestLoadBalancerServesInAcceptOrder is libzmq's test_spec_req round
// robin over tcp, with the race made certain: a bound REQ accepts five
// connections, their handshakes end in the reverse order, and the REQ
// still sends its requests to them in the order it accepted them.
func TestLoadBalancerServesInAcceptOrder(t *testing.T) {
	ctx := newTestContext(t)
	req := newTestSocket(t, ctx, REQ)
	must(t, req.Bind("tcp://127.0.0.1:*"))
	ep, err := req.GetLastEndpoint()
	must(t, err)
	mon := monitorOf(t, req, EVENT_ACCEPTED|EVENT_HANDSHAKE_SUCCEEDED)
	peers := make([]*zmtpPeer, 5)
	for i := range peers {
		c, err := netDial(strings.TrimPrefix(ep, "tcp://"))
		must(t, err)
		t.Cleanup(func() { c.Close() })
		peers[i] = &zmtpPeer{conn: c}
		// One dial after the other is accepted, so the accept order
		// is the dial order.
		expectEvents(t, mon, EVENT_ACCEPTED)
	}
	for i := len(peers) - 1; i >= 0; i-- {
		peers[i].handshake(t, "REP")
		expectEvents(t, mon, EVENT_HANDSHAKE_SUCCEEDED)
	}
	for i, p := range peers {
		sendParts(t, req, "ABC")
		if got := p.recvMessage(t); got != "|ABC" {
			t.Fatalf("peer %d received %q, want the request", i, got)
		}
		p.send(t, "", "DEF")
		expectParts(t, req, "DEF")
	}
}

// TestLoadBalancerServesInConnectOrder: with IMMEDIATE, a PUSH's pipes
// join only when their handshakes end; those of five Connect calls still
// take turns in the order of the calls, whichever handshake ends first.
func TestLoadBalancerServesInConnectOrder(t *testing.T) {
	ctx := newTestContext(t)
	push := newTestSocket(t, ctx, PUSH)
	must(t, push.SetImmediate(true))
	mon := monitorOf(t, push, EVENT_CONNECTED|EVENT_HANDSHAKE_SUCCEEDED)
	peers := make([]*zmtpPeer, 5)
	for i := range peers {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		must(t, err)
		t.Cleanup(func() { l.Close() })
		must(t, push.Connect("tcp://"+l.Addr().String()))
		expectEvents(t, mon, EVENT_CONNECTED)
		c, err := l.Accept()
		must(t, err)
		t.Cleanup(func() { c.Close() })
		peers[i] = &zmtpPeer{conn: c}
	}
	for i := len(peers) - 1; i >= 0; i-- {
		peers[i].handshake(t, "PULL")
		expectEvents(t, mon, EVENT_HANDSHAKE_SUCCEEDED)
	}
	for round := 0; round < 2; round++ {
		for i := range peers {
			sendParts(t, push, fmt.Sprintf("job %d", i))
		}
		for i, p := range peers {
			if got, want := p.recvMessage(t), fmt.Sprintf("job %d", i); got != want {
				t.Fatalf("round %d: peer %d received %q, want %q", round, i, got, want)
			}
		}
	}
}
