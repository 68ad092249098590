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
			must(t, s.Bind("tcp://127.0.0.1:*"))
			ep, err := s.GetLastEndpoint()
			must(t, err)
			c, _, err := dialRawPeer(ep, tc.peerType)
			must(t, err)
			defer c.Close()
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
