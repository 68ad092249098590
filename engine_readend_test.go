package zmq4

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/zmq4/internal/mechanism"
	"github.com/purezmq/zmq4/internal/zmtp"
)

// dialRawPeer connects to the tcp endpoint ep as a ZMTP 3.1 peer of socket
// type typ with NULL security, and returns once it has read the socket's
// greeting and READY.
func dialRawPeer(ep, typ string) (net.Conn, *zmtp.Reader, error) {
	c, err := net.Dial("tcp", strings.TrimPrefix(ep, "tcp://"))
	if err != nil {
		return nil, nil, err
	}
	hello := zmtp.AppendGreeting(nil, mechanism.Null, false)
	ready := zmtp.AppendCommand(nil, zmtp.CmdReady, zmtp.AppendProperty(nil, "Socket-Type", typ))
	hello = zmtp.AppendFrame(hello, zmtp.FlagCommand, ready)
	r := zmtp.NewReader(c, -1)
	_, err = c.Write(hello)
	if err == nil {
		_, err = r.ReadExact(zmtp.GreetingSize)
	}
	if err == nil {
		_, err = r.ReadFrame()
	}
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	return c, r, nil
}

// rawPeerOf binds s over tcp and connects a raw ZMTP peer of socket type
// peerType to it (dialRawPeer), closed when the test ends.
func rawPeerOf(t *testing.T, s *Socket, peerType string) net.Conn {
	t.Helper()
	must(t, s.Bind("tcp://127.0.0.1:*"))
	ep, err := s.GetLastEndpoint()
	must(t, err)
	c, _, err := dialRawPeer(ep, peerType)
	must(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// TestEngineDeliversMessagesBeforeProtocolError: whole messages that come
// in the same read as a frame that breaks the protocol are delivered
// before the connection is dropped, and the unfinished one is not. libzmq
// 4.3.4 (through pyzmq, the same bytes from a raw socket) gives "a", "b";
// ours gave nothing.
func TestEngineDeliversMessagesBeforeProtocolError(t *testing.T) {
	for _, tc := range []struct {
		name string
		tail []byte
	}{
		{"frame over MAXMSGSIZE", zmtp.AppendFrame(nil, 0, make([]byte, 40))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := newTestContext(t)
			pull := newTestSocket(t, ctx, PULL)
			must(t, pull.SetMaxmsgsize(30))
			must(t, pull.SetRcvtimeo(10*time.Second))
			c := rawPeerOf(t, pull, "PUSH")
			batch := zmtp.AppendFrame(nil, 0, []byte("a"))
			batch = zmtp.AppendFrame(batch, 0, []byte("b"))
			must(t, errOnly(c.Write(append(batch, tc.tail...))))
			for _, want := range []string{"a", "b"} {
				if got, err := pull.Recv(0); err != nil || got != want {
					t.Fatalf("got %q, %v; want %q", got, err, want)
				}
			}
			must(t, pull.SetRcvtimeo(0))
			waitUntil(t, "the connection to end", func() bool {
				pull.mu.Lock()
				defer pull.mu.Unlock()
				return len(pull.pipes) == 0
			})
			if got, err := pull.Recv(0); AsErrno(err) != eagain {
				t.Fatalf("after the protocol error: %q, %v; want nothing", got, err)
			}
		})
	}
}
