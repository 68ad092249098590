package zmq4

import (
	"testing"

	"github.com/purezmq/zmq4/internal/zmtp"
)

// TestReqDropsPeerThatSendsMalformedReply: a REQ whose peer sends a reply
// without the empty delimiter ends the connection and keeps nothing, as
// libzmq 4.3.4 does (checked through pyzmq, a raw REP peer sending "abcde"
// as the reply: libzmq closed the connection and its poll reported no
// input; ours kept the connection, and its Poll reported input that Recv
// then threw away).
func TestReqDropsPeerThatSendsMalformedReply(t *testing.T) {
	ctx := newTestContext(t)
	req := newTestSocket(t, ctx, REQ)
	c := rawPeerOf(t, req, "REP")
	must(t, errOnly(req.Send("request", 0)))
	must(t, errOnly(c.Write(zmtp.AppendFrame(nil, 0, []byte("abcde")))))
	waitClosed(t, c)
	waitUntil(t, "the pipe to go", func() bool {
		req.mu.Lock()
		defer req.mu.Unlock()
		return len(req.pipes) == 0
	})
	if ev, err := req.GetEvents(); err != nil || ev&POLLIN != 0 {
		t.Fatalf("events %v, %v: a reply without its delimiter was kept", ev, err)
	}
}

// TestReqTakesRepliesAroundCommands: a REQ drops the SUBSCRIBE and CANCEL
// commands its peer sends, as libzmq's REQ session drops every command, and
// takes the replies around them, with or without a request id.
func TestReqTakesRepliesAroundCommands(t *testing.T) {
	ctx := newTestContext(t)
	req := newTestSocket(t, ctx, REQ)
	must(t, req.SetReqRelaxed(1))
	c := rawPeerOf(t, req, "REP")
	reply := func(parts ...string) []byte {
		var b []byte
		for i, p := range parts {
			flags := zmtp.FlagMore
			if i == len(parts)-1 {
				flags = 0
			}
			b = zmtp.AppendFrame(b, flags, []byte(p))
		}
		return b
	}
	command := func(name string) []byte {
		return zmtp.AppendFrame(nil, zmtp.FlagCommand, zmtp.AppendCommand(nil, name, []byte("topic")))
	}
	must(t, errOnly(req.Send("first", 0)))
	must(t, errOnly(c.Write(append(command(zmtp.CmdSubscribe), reply("", "one")...))))
	if got, err := req.Recv(0); err != nil || got != "one" {
		t.Fatalf("got %q, %v; want one", got, err)
	}
	must(t, errOnly(req.Send("second", 0)))
	must(t, errOnly(c.Write(append(command(zmtp.CmdCancel), reply("", "two")...))))
	if got, err := req.Recv(0); err != nil || got != "two" {
		t.Fatalf("got %q, %v; want two", got, err)
	}
}
