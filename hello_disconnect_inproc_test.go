package zmq4

import (
	"fmt"
	"testing"
)

// HELLO_MSG greets inproc peers too, both ways, as libzmq's does
// (test_hello_msg); a connect made before the bind queues its hello at
// once, ahead of what the application sends meanwhile.
func TestHelloMsgOverInproc(t *testing.T) {
	for _, bindFirst := range []bool{true, false} {
		t.Run(fmt.Sprint("bindFirst=", bindFirst), func(t *testing.T) {
			ctx := newTestContext(t)
			server := newTestSocket(t, ctx, ROUTER)
			must(t, server.SetHelloMsg("W"))
			client := newTestSocket(t, ctx, DEALER)
			must(t, client.SetHelloMsg("H"))
			ep := fmt.Sprintf("inproc://hello-%v", bindFirst)
			if bindFirst {
				must(t, server.Bind(ep))
				must(t, client.Connect(ep))
			} else {
				must(t, client.Connect(ep))
				sendParts(t, client, "early")
				must(t, server.Bind(ep))
			}
			expectParts(t, client, "W")
			m := recvParts(t, server)
			if len(m) != 2 || m[1] != "H" {
				t.Fatalf("server's first message %q, want the hello", m)
			}
			if !bindFirst {
				m = recvParts(t, server)
				if len(m) != 2 || m[1] != "early" {
					t.Fatalf("server's second message %q, want \"early\"", m)
				}
			}
		})
	}
}

// A SERVER with DISCONNECT_MSG receives it from a client that connected to
// it and went away, after that client's messages (libzmq's
// test_disconnect_msg), over inproc (by close and by Disconnect) and tcp.
func TestServerDisconnectMsg(t *testing.T) {
	for _, how := range []string{"inproc-close", "inproc-disconnect", "tcp-close"} {
		t.Run(how, func(t *testing.T) {
			ctx := newTestContext(t)
			server := newTestSocket(t, ctx, SERVER)
			must(t, server.SetDisconnectMsg("D"))
			ep := "inproc://disconnect-" + how
			if how == "tcp-close" {
				ep = "tcp://127.0.0.1:*"
			}
			must(t, server.Bind(ep))
			ep = server.opt.lastEndpoint
			client := newTestSocket(t, ctx, CLIENT)
			must(t, client.Connect(ep))
			_, err := client.Send("last words", 0)
			must(t, err)
			if how == "tcp-close" {
				// With LINGER 0 an unsent message may be lost over tcp.
				expectParts(t, server, "last words")
			}
			if how == "inproc-disconnect" {
				must(t, client.Disconnect(ep))
			} else {
				must(t, client.Close())
			}
			if how != "tcp-close" {
				expectParts(t, server, "last words")
			}
			expectParts(t, server, "D")
		})
	}
}
