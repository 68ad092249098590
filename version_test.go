package zmq4

import (
	"bytes"
	"net"
	"testing"
	"time"

	"github.com/purezmq/zmq4/internal/zmtp"
)

// rawPublisher accepts one connection on a plain listener and speaks ZMTP
// 3.minor as a PUB: it returns the connection and a reader positioned after
// the peer's READY.
func rawPublisher(t *testing.T, ln net.Listener, minor byte) (net.Conn, *zmtp.Reader) {
	t.Helper()
	c, err := ln.Accept()
	must(t, err)
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	g := zmtp.AppendGreeting(nil, "NULL", false)
	g[11] = minor
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
	cases := []struct {
		minor   byte
		command bool
		body    []byte
	}{
		{0, false, []byte("\x01A")},         // ZMTP 3.0: legacy data frame
		{1, true, []byte("\x09SUBSCRIBEA")}, // ZMTP 3.1: SUBSCRIBE command
	}
	for _, tc := range cases {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		must(t, err)
		ctx := newTestContext(t)
		sub := newTestSocket(t, ctx, SUB)
		must(t, sub.SetSubscribe("A"))
		must(t, sub.Connect("tcp://"+ln.Addr().String()))
		c, r := rawPublisher(t, ln, tc.minor)
		f, err := r.ReadFrame()
		must(t, err)
		if f.IsCommand() != tc.command || !bytes.Equal(f.Body, tc.body) {
			t.Fatalf("ZMTP 3.%d peer got command=%v %q, want command=%v %q",
				tc.minor, f.IsCommand(), f.Body, tc.command, tc.body)
		}
		// Data flows the other way whatever the version.
		c.Write(zmtp.AppendFrame(nil, 0, []byte("A-news")))
		expectParts(t, sub, "A-news")
		ln.Close()
	}
}
