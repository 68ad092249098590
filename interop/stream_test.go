package interop

import (
	"bytes"
	"fmt"
	"net"
	"strings"
	"testing"

	zmq "github.com/purezmq/zmq4"
)

// goStreamRecv reads [id][chunk] messages from our STREAM socket s until n
// bytes have arrived from the connection id, and returns them. TCP may cut
// the bytes into any chunks.
func goStreamRecv(t *testing.T, s *zmq.Socket, id []byte, n int) []byte {
	t.Helper()
	var data []byte
	for len(data) < n {
		msg := recvFrames(t, s)
		if len(msg) != 2 || !bytes.Equal(msg[0], id) || len(msg[1]) == 0 {
			t.Fatalf("after %d of %d bytes: got %s, want [%x][data]", len(data), n, short(encodeFrames(msg)), id)
		}
		data = append(data, msg[1]...)
	}
	if len(data) != n {
		t.Fatalf("got %d bytes, want %d", len(data), n)
	}
	return data
}

// peerStreamRecv is goStreamRecv for the libzmq STREAM peer.
func peerStreamRecv(t *testing.T, p *peer, id []byte, n int) []byte {
	t.Helper()
	var data []byte
	for len(data) < n {
		msg := p.recv()
		if len(msg) != 2 || !bytes.Equal(msg[0], id) || len(msg[1]) == 0 {
			t.Fatalf("after %d of %d bytes: got %s, want [%x][data]", len(data), n, short(encodeFrames(msg)), id)
		}
		data = append(data, msg[1]...)
	}
	if len(data) != n {
		t.Fatalf("got %d bytes, want %d", len(data), n)
	}
	return data
}

// streamLinks are the links for STREAM tests: raw TCP only.
var streamLinks = []link{{"tcp", true}, {"tcp", false}}

// acceptNotification receives the [id][empty] message that announces a new
// connection on our STREAM socket and returns the id.
func acceptNotification(t *testing.T, s *zmq.Socket) []byte {
	t.Helper()
	msg := recvFrames(t, s)
	if len(msg) != 2 || len(msg[1]) != 0 {
		t.Fatalf("want connection notification [id][empty], got %s", short(encodeFrames(msg)))
	}
	checkAutoID(t, "purezmq STREAM", msg[0])
	return msg[0]
}

// TestInteropStreamTCPClient: our STREAM socket talks raw bytes to a plain
// TCP socket (Python's socket module, no ZMTP): connection notification,
// data both ways, 1 MiB, and closing from either side.
func TestInteropStreamTCPClient(t *testing.T) {
	for _, l := range streamLinks {
		t.Run(l.String(), func(t *testing.T) {
			s, p := pairUp(t, l, zmq.STREAM, func(s *zmq.Socket) {
				// When connecting, stay down after the peer hangs up, so
				// that the only thing to see is its disconnect notice.
				must(t, "SetReconnectIvl", s.SetReconnectIvl(-1))
			}, "TCP")
			id := acceptNotification(t, s)

			p.send([]byte("hello"))
			if got := goStreamRecv(t, s, id, 5); string(got) != "hello" {
				t.Fatalf("purezmq STREAM got %q, want hello", got)
			}
			sendFrames(t, s, id, []byte("world"))
			checkFrames(t, "bytes at TCP peer", p.decodeReply(p.expect("recvbytes 5", "MSG ")), frames("world"))

			big := bigPayload(4)
			p.send(big)
			if got := goStreamRecv(t, s, id, len(big)); !bytes.Equal(got, big) {
				t.Fatal("1 MiB from the TCP peer arrived corrupted")
			}
			big = bigPayload(5)
			sendFrames(t, s, id, big)
			got := p.decodeReply(p.expect(fmt.Sprintf("recvbytes %d", len(big)), "MSG "))
			checkFrames(t, "1 MiB at TCP peer", got, [][]byte{big})

			if l.goBinds {
				// We hang up by sending [id][empty]: the peer sees EOF.
				sendFrames(t, s, id, empty)
				if got := p.doPumping("recveof", s); got != "EOF -" {
					t.Fatalf("TCP peer after [id][empty]: %q, want EOF", short(got))
				}
				return
			}
			// The TCP peer hangs up: we are told with [id][empty].
			p.expect("close", "CLOSED")
			checkFrames(t, "disconnect notification", recvFrames(t, s), [][]byte{id, empty})
		})
	}
}

// TestInteropStreamUnroutableFirstFrame: a STREAM socket refuses the id
// frame of a connection it does not have with EHOSTUNREACH.
func TestInteropStreamUnroutableFirstFrame(t *testing.T) {
	s, p := pairUp(t, link{"tcp", true}, zmq.STREAM, nil, "TCP")
	id := acceptNotification(t, s)
	checkUnroutableFirstFrame(t, s, []byte("nobody"))
	// The known connection still works afterwards.
	sendFrames(t, s, id, []byte("still here"))
	checkFrames(t, "bytes at TCP peer", p.decodeReply(p.expect("recvbytes 10", "MSG ")), frames("still here"))
}

// TestInteropStreamOwnCloseNotAnnounced: closing a connection ourselves
// with [id][empty] is not announced back to us (libzmq announces only
// connections that the peer closed), and the next connection gets a new
// id and is announced when it arrives and when it hangs up.
func TestInteropStreamOwnCloseNotAnnounced(t *testing.T) {
	s, p := pairUp(t, link{"tcp", true}, zmq.STREAM, nil, "TCP")
	id := acceptNotification(t, s)
	sendFrames(t, s, id, empty)
	if got := p.doPumping("recveof", s); got != "EOF -" {
		t.Fatalf("TCP peer after [id][empty]: %q, want EOF", short(got))
	}
	p2 := startPeer(t, "--type", "TCP", "--connect", lastEndpoint(t, s))
	p2.send([]byte("second"))
	p2.expect("close", "CLOSED")
	var id2, data []byte
	staleNotice := false
	for {
		msg := recvFrames(t, s)
		if len(msg) != 2 {
			t.Fatalf("want [id][data], got %s", short(encodeFrames(msg)))
		}
		if bytes.Equal(msg[0], id) {
			staleNotice = true
			continue
		}
		if id2 == nil {
			if len(msg[1]) != 0 {
				t.Fatalf("second connection: want [id][empty] first, got %s", short(encodeFrames(msg)))
			}
			id2 = msg[0]
			checkAutoID(t, "purezmq STREAM", id2)
			continue
		}
		if !bytes.Equal(msg[0], id2) {
			t.Fatalf("message from unknown id: %s", short(encodeFrames(msg)))
		}
		if len(msg[1]) == 0 {
			break // the second client's hang-up
		}
		data = append(data, msg[1]...)
	}
	if string(data) != "second" {
		t.Fatalf("second client sent %q, want %q", data, "second")
	}
	if staleNotice {
		t.Errorf("got [%x][empty] for the connection we closed with [id][empty]; "+
			"libzmq announces only connections that the peer closed", id)
	}
}

// TestInteropStreamStream: our STREAM socket and libzmq's STREAM socket
// exchange raw bytes; both get connection notifications, and closing from
// our side is announced at libzmq's.
func TestInteropStreamStream(t *testing.T) {
	for _, l := range streamLinks {
		t.Run(l.String(), func(t *testing.T) {
			s, p := pairUp(t, l, zmq.STREAM, nil, "STREAM")
			goID := acceptNotification(t, s)
			note := p.recv()
			if len(note) != 2 || len(note[1]) != 0 {
				t.Fatalf("libzmq STREAM: want [id][empty], got %s", short(encodeFrames(note)))
			}
			pyID := note[0]
			checkAutoID(t, "libzmq STREAM", pyID)

			p.send(pyID, []byte("ping"))
			if got := goStreamRecv(t, s, goID, 4); string(got) != "ping" {
				t.Fatalf("purezmq STREAM got %q, want ping", got)
			}
			sendFrames(t, s, goID, []byte("pong"))
			if got := peerStreamRecv(t, p, pyID, 4); string(got) != "pong" {
				t.Fatalf("libzmq STREAM got %q, want pong", got)
			}
			big := bigPayload(6)
			sendFrames(t, s, goID, big)
			if got := peerStreamRecv(t, p, pyID, len(big)); !bytes.Equal(got, big) {
				t.Fatal("1 MiB arrived corrupted at libzmq STREAM")
			}
			big = bigPayload(7)
			p.send(pyID, big)
			if got := goStreamRecv(t, s, goID, len(big)); !bytes.Equal(got, big) {
				t.Fatal("1 MiB arrived corrupted at purezmq STREAM")
			}
			sendFrames(t, s, goID, empty)
			line := p.doPumping("recv", s)
			if !strings.HasPrefix(line, "MSG ") {
				t.Fatalf("libzmq STREAM after our [id][empty]: %q, want its disconnect notification", short(line))
			}
			checkFrames(t, "disconnect notification at libzmq", p.decodeReply(line), [][]byte{pyID, empty})
		})
	}
}

// decodeReply parses the frames of a "MSG ..." reply.
func (p *peer) decodeReply(line string) [][]byte {
	p.t.Helper()
	return p.decode(line[len("MSG "):])
}

// TestInteropStreamNotificationIDs: every connection a STREAM socket
// accepts is announced with its own generated id (5 bytes, 0x00 first),
// never an empty one. The clients are plain TCP connections.
func TestInteropStreamNotificationIDs(t *testing.T) {
	requirePyzmq(t) // not needed here, but keeps -run Interop uniform
	ctx := newContext(t)
	s := newSocket(t, ctx, zmq.STREAM)
	must(t, "Bind", s.Bind("tcp://127.0.0.1:*"))
	address := strings.TrimPrefix(lastEndpoint(t, s), "tcp://")
	const clients = 100
	seen := map[string]bool{}
	for i := 0; i < clients; i++ {
		conn, err := net.Dial("tcp", address)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		msg := recvFrames(t, s)
		if len(msg) != 2 || len(msg[1]) != 0 {
			t.Fatalf("connection %d: want [id][empty], got %s", i, short(encodeFrames(msg)))
		}
		checkAutoID(t, fmt.Sprintf("connection %d", i), msg[0])
		if seen[string(msg[0])] {
			t.Fatalf("connection %d: id %x given twice", i, msg[0])
		}
		seen[string(msg[0])] = true
	}
}
