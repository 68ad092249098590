package zmq4

import (
	"testing"

	"github.com/purezmq/zmq4/internal/zmtp"
)

// TestEngineStrayCommandsAsLibzmq: SUBSCRIBE and CANCEL sent to a socket
// that is not a publisher arrive as messages holding the whole command
// body, and JOIN and LEAVE sent to a socket that is not a RADIO are
// dropped. libzmq 4.3.4 (through pyzmq, a raw peer sending each command
// then "after") gives the same for DEALER, PULL, SUB, PAIR, XSUB and
// ROUTER; ours gave the bare topic for all four commands.
func TestEngineStrayCommandsAsLibzmq(t *testing.T) {
	command := func(name, data string) []byte {
		return zmtp.AppendFrame(nil, zmtp.FlagCommand, zmtp.AppendCommand(nil, name, []byte(data)))
	}
	for _, tc := range []struct {
		typ      Type
		peerType string
	}{
		{DEALER, "ROUTER"},
		{PULL, "PUSH"},
		{PAIR, "PAIR"},
	} {
		t.Run(tc.typ.String(), func(t *testing.T) {
			ctx := newTestContext(t)
			s := newTestSocket(t, ctx, tc.typ)
			c := rawPeerOf(t, s, tc.peerType)
			var input []byte
			for _, name := range []string{zmtp.CmdSubscribe, zmtp.CmdCancel, zmtp.CmdJoin, zmtp.CmdLeave} {
				input = append(input, command(name, "topic")...)
			}
			input = zmtp.AppendFrame(input, 0, []byte("after"))
			must(t, errOnly(c.Write(input)))
			// In order: a dropped JOIN or LEAVE that came through would
			// show before "after".
			for _, want := range []string{"\x09SUBSCRIBEtopic", "\x06CANCELtopic", "after"} {
				if got, err := s.Recv(0); err != nil || got != want {
					t.Fatalf("got %q, %v; want %q", got, err, want)
				}
			}
		})
	}
}

// TestEngineIgnoresCommandsItDoesNotTake: after the handshake, ERROR,
// READY, a name it does not know, an empty name, a body too short for its
// name, and a command with MORE set are dropped, between messages and
// between the parts of one, and the connection goes on, as libzmq 4.3.4
// does (its engine looks only for PING, PONG, SUBSCRIBE and CANCEL, and
// its session drops the rest; checked through pyzmq with a raw peer). Ours
// ended the connection at each of them.
func TestEngineIgnoresCommandsItDoesNotTake(t *testing.T) {
	command := func(flags byte, body string) []byte {
		return zmtp.AppendFrame(nil, zmtp.FlagCommand|flags, []byte(body))
	}
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	c := rawPeerOf(t, pull, "PUSH")
	var input []byte
	for _, cmd := range [][]byte{
		command(0, "\x05ERROR\x03bad"),
		command(0, "\x05READY"),
		command(0, "\x03FOO"),
		command(0, "\x00"),
		command(0, "\x09SUB"),
		command(zmtp.FlagMore, "\x05ERROR"),
	} {
		input = append(input, cmd...)
		input = zmtp.AppendFrame(input, zmtp.FlagMore, []byte("a"))
		input = append(input, cmd...)
		input = zmtp.AppendFrame(input, 0, []byte("b"))
	}
	must(t, errOnly(c.Write(input)))
	for range 6 {
		if m, err := pull.RecvMessage(0); err != nil || len(m) != 2 || m[0] != "a" || m[1] != "b" {
			t.Fatalf("got %q, %v; want [a b]", m, err)
		}
	}
}

// TestXpubPassesOnUnsubscriptionItDidNotHave: an unsubscription from a
// topic the peer never subscribed reaches the XPUB application, as in
// libzmq 4.3.4, whose subscription trie answers "not found", which it
// passes on like "last one removed" (checked through pyzmq: a raw peer's
// "\x00" reached the application).
func TestXpubPassesOnUnsubscriptionItDidNotHave(t *testing.T) {
	ctx := newTestContext(t)
	xpub := newTestSocket(t, ctx, XPUB)
	c := rawPeerOf(t, xpub, "XSUB")
	must(t, errOnly(c.Write(zmtp.AppendFrame(nil, 0, []byte("\x00never")))))
	if got, err := xpub.Recv(0); err != nil || got != "\x00never" {
		t.Fatalf("got %q, %v; want the unsubscription", got, err)
	}
}
