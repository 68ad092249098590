package zmq4

import (
	"bytes"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/zmq4/internal/zmtp"
)

// rawConnect opens a plain TCP connection to a bound tcp endpoint.
func rawConnect(t *testing.T, ep string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", strings.TrimPrefix(ep, "tcp://"), 5*time.Second)
	must(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// waitClosed waits until the peer closes c (reads until an error).
func waitClosed(t *testing.T, c net.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 4096)
	for {
		if _, err := c.Read(buf); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("connection not closed")
			}
			return
		}
	}
}

// checkStillServing proves the socket still serves a well-behaved peer.
func checkStillServing(t *testing.T, pull *Socket) {
	t.Helper()
	push := newTestSocket(t, pull.ctx, PUSH)
	must(t, push.Connect(pull.opt.lastEndpoint))
	sendParts(t, push, "still here")
	expectParts(t, pull, "still here")
}

func TestGarbageGreetingDropsOnlyThatPeer(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	must(t, pull.Bind("tcp://127.0.0.1:*"))
	c := rawConnect(t, pull.opt.lastEndpoint)
	c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + strings.Repeat("z", 100)))
	waitClosed(t, c)
	checkStillServing(t, pull)
}

func TestSilentPeerDroppedAfterHandshakeIvl(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	must(t, pull.SetHandshakeIvl(100*time.Millisecond))
	must(t, pull.Bind("tcp://127.0.0.1:*"))
	c := rawConnect(t, pull.opt.lastEndpoint)
	waitClosed(t, c) // it never sent a greeting
	checkStillServing(t, pull)
}

func TestOversizedFrameDropsPeer(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	must(t, pull.SetMaxmsgsize(1000))
	must(t, pull.Bind("tcp://127.0.0.1:*"))
	c := rawConnect(t, pull.opt.lastEndpoint)
	var out []byte
	out = zmtp.AppendGreeting(out, "NULL", false)
	ready := zmtp.AppendCommand(nil, zmtp.CmdReady, zmtp.AppendProperty(nil, "Socket-Type", "PUSH"))
	out = zmtp.AppendFrame(out, zmtp.FlagCommand, ready)
	// A frame header declaring 2^62 bytes: refused before any allocation.
	out = append(out, zmtp.FlagLong, 0x40, 0, 0, 0, 0, 0, 0, 0)
	c.Write(out)
	waitClosed(t, c)
	checkStillServing(t, pull)
}

func TestMalformedCommandDropsPeer(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	must(t, pull.Bind("tcp://127.0.0.1:*"))
	c := rawConnect(t, pull.opt.lastEndpoint)
	var out []byte
	out = zmtp.AppendGreeting(out, "NULL", false)
	// READY with truncated metadata.
	out = zmtp.AppendFrame(out, zmtp.FlagCommand, []byte("\x05READY\x0bSocket-Type\x00\x00\x00\x09PU"))
	c.Write(out)
	waitClosed(t, c)
	checkStillServing(t, pull)
}

func TestNoGoroutinesLeftAfterCloseAndTerm(t *testing.T) {
	before := runtime.NumGoroutine()
	for _, tr := range transports {
		ctx, _ := NewContext()
		a, _ := ctx.NewSocket(ROUTER)
		b, _ := ctx.NewSocket(DEALER)
		ep := endpointFor(t, tr)
		must(t, a.Bind(ep))
		must(t, b.Connect(a.opt.lastEndpoint))
		b.SendMessage("x")
		a.SetRcvtimeo(5 * time.Second)
		if _, err := a.RecvMessage(0); err != nil {
			t.Fatal(err)
		}
		a.Close()
		b.Close()
		must(t, ctx.Term())
	}
	waitUntil(t, "goroutines to exit", func() bool { return runtime.NumGoroutine() <= before })
}

func TestEndlessMultipartDropsPeer(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	must(t, pull.Bind("tcp://127.0.0.1:*"))
	c := rawConnect(t, pull.opt.lastEndpoint)
	var out []byte
	out = zmtp.AppendGreeting(out, "NULL", false)
	ready := zmtp.AppendCommand(nil, zmtp.CmdReady, zmtp.AppendProperty(nil, "Socket-Type", "PUSH"))
	out = zmtp.AppendFrame(out, zmtp.FlagCommand, ready)
	c.Write(out)
	part := zmtp.AppendFrame(nil, zmtp.FlagMore, []byte("x"))
	burst := bytes.Repeat(part, 4096)
	go func() {
		for i := 0; i < maxFramesPerMessage/4096+2; i++ {
			if _, err := c.Write(burst); err != nil {
				return
			}
		}
	}()
	waitClosed(t, c)
	checkStillServing(t, pull)
}

// Protocol errors after the handshake reach the monitor as
// EVENT_HANDSHAKE_FAILED_PROTOCOL with their code, then EVENT_DISCONNECTED:
// a message with too many parts. (A command between the parts of a
// message is none: see TestEnginePingInsideMessageIsAnswered.)
func TestProtocolErrorsAfterHandshakeReachMonitor(t *testing.T) {
	cases := []struct {
		name  string
		code  int
		write func(c net.Conn)
	}{
		{"too many parts", protoErrUnspecified, func(c net.Conn) {
			burst := bytes.Repeat(zmtp.AppendFrame(nil, zmtp.FlagMore, []byte("x")), 4096)
			go func() {
				for i := 0; i < maxFramesPerMessage/4096+2; i++ {
					if _, err := c.Write(burst); err != nil {
						return
					}
				}
			}()
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := newTestContext(t)
			pull := newTestSocket(t, ctx, PULL)
			mon := monitorOf(t, pull, EVENT_HANDSHAKE_FAILED_PROTOCOL|EVENT_DISCONNECTED)
			must(t, pull.Bind("tcp://127.0.0.1:*"))
			c := rawConnect(t, pull.opt.lastEndpoint)
			out := zmtp.AppendGreeting(nil, "NULL", false)
			ready := zmtp.AppendCommand(nil, zmtp.CmdReady, zmtp.AppendProperty(nil, "Socket-Type", "PUSH"))
			c.Write(zmtp.AppendFrame(out, zmtp.FlagCommand, ready))
			tc.write(c)
			ev, _, val, err := mon.RecvEvent(0)
			must(t, err)
			if ev != EVENT_HANDSHAKE_FAILED_PROTOCOL || val != tc.code {
				t.Fatalf("first event %v %#x, want HANDSHAKE_FAILED_PROTOCOL %#x", ev, val, tc.code)
			}
			expectEvents(t, mon, EVENT_DISCONNECTED)
			waitClosed(t, c)
			checkStillServing(t, pull)
		})
	}
}
