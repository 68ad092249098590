package zmq4

import (
	"errors"
	"io"
	"net"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/purezmq/zmq4/internal/mechanism"
	"github.com/purezmq/zmq4/internal/zmtp"
)

// fuzzTarget is a bound socket that FuzzEngineInput feeds, and the socket
// type its fuzzed peer says it is.
type fuzzTarget struct {
	typ      Type
	peerType string
	setup    func(s *Socket) error
}

// fuzzTargets are the socket types that take messages or commands from
// their peers, each with a peer type it accepts.
var fuzzTargets = []fuzzTarget{
	{typ: PULL, peerType: "PUSH"},
	{typ: ROUTER, peerType: "DEALER"},
	{typ: XPUB, peerType: "XSUB", setup: func(s *Socket) error { return s.SetXpubVerbose(1) }},
	{typ: SUB, peerType: "PUB", setup: func(s *Socket) error { return s.SetSubscribe("") }},
	{typ: XSUB, peerType: "XPUB"},
	{typ: REP, peerType: "REQ"},
	{typ: DEALER, peerType: "ROUTER"},
	{typ: PAIR, peerType: "PAIR"},
	{typ: DISH, peerType: "RADIO", setup: func(s *Socket) error { return s.Join("g") }},
	{typ: SERVER, peerType: "CLIENT"},
	{typ: GATHER, peerType: "SCATTER"},
	{typ: PEER, peerType: "PEER"},
}

// FuzzEngineInput sends a valid greeting and READY, then the fuzzer's
// bytes, to a bound socket of one of the fuzzTargets over tcp, closes its
// half of the connection and reads until the engine closes the other.
// The socket must survive whatever came (a panic in any of its goroutines
// ends the run), end the connection, and stay usable: what it delivered
// is drained (a REP replies to each request), and a receive that does not
// wait then finds nothing.
func FuzzEngineInput(f *testing.F) {
	msg := func(flags byte, body string) []byte { return zmtp.AppendFrame(nil, flags, []byte(body)) }
	cmd := func(name string, data []byte) []byte {
		return zmtp.AppendFrame(nil, zmtp.FlagCommand, zmtp.AppendCommand(nil, name, data))
	}
	seeds := [][]byte{
		nil,
		msg(0, "hello"),
		slices.Concat(msg(zmtp.FlagMore, ""), msg(zmtp.FlagMore, "id"), msg(0, "body")),
		slices.Concat(msg(zmtp.FlagMore, "a"), cmd(zmtp.CmdPing, nil)), // command inside a message
		zmtp.AppendFrame(nil, zmtp.FlagCommand, zmtp.AppendPing(nil, 10, []byte("ctx"))),
		cmd(zmtp.CmdSubscribe, []byte("topic")),
		cmd(zmtp.CmdCancel, []byte("topic")),
		slices.Concat(msg(0, "\x01"), msg(0, "\x01topic"), msg(0, "\x00topic")),
		cmd(zmtp.CmdJoin, []byte("g")),
		cmd(zmtp.CmdLeave, []byte("g")),
		slices.Concat(msg(zmtp.FlagMore, "g"), msg(0, "radio")),
		cmd(zmtp.CmdReady, zmtp.AppendProperty(nil, "Socket-Type", "PUSH")),
		cmd(zmtp.CmdError, []byte("\x03bad")),
		zmtp.AppendFrameHeader(nil, zmtp.FlagLong, 1<<30), // a length far beyond what follows
		{0x80, 1, 'x'}, // reserved flag bits
		{0xff, 0xff, 0xff},
	}
	for i, s := range seeds {
		f.Add(uint8(i), s)
	}

	ctx, err := NewContext()
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { ctx.Term() })
	sockets := make([]*Socket, len(fuzzTargets))
	addrs := make([]string, len(fuzzTargets))
	for i, ft := range fuzzTargets {
		s, err := ctx.NewSocket(ft.typ)
		if err != nil {
			f.Fatal(err)
		}
		f.Cleanup(func() { s.Close() })
		if ft.setup != nil {
			if err := ft.setup(s); err != nil {
				f.Fatal(err)
			}
		}
		if err := errors.Join(s.SetLinger(0), s.Bind("tcp://127.0.0.1:*")); err != nil {
			f.Fatal(err)
		}
		ep, err := s.GetLastEndpoint()
		if err != nil {
			f.Fatal(err)
		}
		sockets[i], addrs[i] = s, strings.TrimPrefix(ep, "tcp://")
	}

	var runs uint16
	f.Fuzz(func(t *testing.T, which uint8, input []byte) {
		k := int(which) % len(fuzzTargets)
		// This end closes first, so each run leaves a connection in
		// TIME_WAIT: dialing from addresses in turn across 127.0.0.0/8
		// keeps thousands of runs a second from using up local ports.
		runs++
		from := &net.TCPAddr{IP: net.IPv4(127, byte(runs>>8), byte(runs), 2)}
		c, err := (&net.Dialer{LocalAddr: from}).Dial("tcp", addrs[k])
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		hello := zmtp.AppendGreeting(nil, mechanism.Null, false)
		ready := zmtp.AppendCommand(nil, zmtp.CmdReady, zmtp.AppendProperty(nil, "Socket-Type", fuzzTargets[k].peerType))
		hello = zmtp.AppendFrame(hello, zmtp.FlagCommand, ready)
		// The engine may close first (a protocol error), so a failed
		// write is no failure; what it wrote back is read and dropped.
		c.Write(append(hello, input...))
		c.(*net.TCPConn).CloseWrite()
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.Copy(io.Discard, c); err != nil && !errors.Is(err, syscall.ECONNRESET) {
			t.Fatalf("the %v socket did not end the connection: %v", fuzzTargets[k].typ, err)
		}
		s := sockets[k]
		for {
			if _, err := s.RecvBytes(DONTWAIT); err != nil {
				if AsErrno(err) != eagain {
					t.Fatalf("the %v socket after the input: %v", fuzzTargets[k].typ, err)
				}
				break
			}
			if more, _ := s.GetRcvmore(); !more && s.typ == REP {
				// A REP takes the next request only after its reply,
				// which goes nowhere: the peer is gone.
				if _, err := s.SendBytes(nil, DONTWAIT); err != nil {
					t.Fatalf("the REP socket's reply: %v", err)
				}
			}
		}
	})
}
