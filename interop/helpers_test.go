package interop

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq4"
)

const (
	// streamCount is the length of the numbered streams over tcp.
	streamCount = 100000
	// ipcStreamCount is the length of the numbered streams over ipc, which
	// repeat the tcp runs on a second transport and need not be as long.
	ipcStreamCount = 20000
	// streamSize is the size of each numbered message body.
	streamSize = 16
	// bigFrame is the size of the large frames (1 MiB).
	bigFrame = 1 << 20
	// socketTimeout guards every blocking call on our sockets against hangs.
	socketTimeout = 30 * time.Second
)

// syncFrame is the body of the probes that wait for subscriptions to settle.
var syncFrame = []byte("SYNC")

// link says how our socket and the libzmq peer meet.
type link struct {
	transport string // "tcp" or "ipc"
	goBinds   bool   // our socket binds and the peer connects, else the reverse
}

func (l link) String() string {
	if l.goBinds {
		return l.transport + "/go-binds"
	}
	return l.transport + "/libzmq-binds"
}

// streamCount is how many numbered messages a stream test sends on l.
func (l link) streamCount() int {
	if l.transport == "ipc" {
		return ipcStreamCount
	}
	return streamCount
}

// allLinks lists every transport and bind direction the tests cover.
var allLinks = []link{
	{"tcp", true}, {"tcp", false},
	{"ipc", true}, {"ipc", false},
}

// forEachLink runs fn as a subtest for every link.
func forEachLink(t *testing.T, fn func(t *testing.T, l link)) {
	for _, l := range allLinks {
		t.Run(l.String(), func(t *testing.T) { fn(t, l) })
	}
}

// bindAddress returns an address to bind on transport in a fresh place.
func bindAddress(t testing.TB, transport string) string {
	switch transport {
	case "tcp":
		return "tcp://127.0.0.1:*"
	case "ipc":
		// Unix socket paths are limited to ~100 bytes, so keep it short.
		dir, err := os.MkdirTemp("", "zi")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		return "ipc://" + filepath.Join(dir, "s")
	}
	t.Fatalf("unknown transport %q", transport)
	return ""
}

// newContext returns a context that is terminated when the test ends.
// Register it before the sockets so that their cleanups run first.
func newContext(t testing.TB) *zmq.Context {
	t.Helper()
	ctx, err := zmq.NewContext()
	if err != nil {
		t.Fatalf("NewContext: %v", err)
	}
	t.Cleanup(func() {
		done := make(chan error, 1)
		go func() { done <- ctx.Term() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Term: %v", err)
			}
		case <-time.After(socketTimeout):
			t.Errorf("Term did not return within %v after all sockets were closed", socketTimeout)
		}
	})
	return ctx
}

// newSocket makes one of our sockets with hang-guard timeouts; it is closed
// with linger 0 when the test ends.
func newSocket(t testing.TB, ctx *zmq.Context, typ zmq.Type) *zmq.Socket {
	t.Helper()
	s, err := ctx.NewSocket(typ)
	if err != nil {
		t.Fatalf("NewSocket(%v): %v", typ, err)
	}
	t.Cleanup(func() {
		// A test may have closed the socket itself already.
		s.SetLinger(0)
		if err := s.Close(); err != nil && err != zmq.ErrorSocketClosed {
			t.Errorf("Close: %v", err)
		}
	})
	must(t, "SetRcvtimeo", s.SetRcvtimeo(socketTimeout))
	must(t, "SetSndtimeo", s.SetSndtimeo(socketTimeout))
	return s
}

// must fails the test when err is not nil.
func must(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// pairUp creates our socket of type ours (configured by setup before it
// binds or connects, when setup is not nil) and a libzmq peer of type
// theirs started with the extra peerArgs, and joins them over l.
func pairUp(t *testing.T, l link, ours zmq.Type, setup func(*zmq.Socket), theirs string, peerArgs ...string) (*zmq.Socket, *peer) {
	t.Helper()
	requirePyzmq(t)
	return pairUpWith(t, startPeer, bindAddress(t, l.transport), l.goBinds, ours, setup, theirs, peerArgs...)
}

// peerStarter starts a peer process with the given arguments.
type peerStarter func(t testing.TB, args ...string) *peer

// pairUpWith is pairUp with any kind of peer: start launches it, and the
// side that binds (ours when goBinds) binds bindAddr.
func pairUpWith(t *testing.T, start peerStarter, bindAddr string, goBinds bool, ours zmq.Type, setup func(*zmq.Socket), theirs string, peerArgs ...string) (*zmq.Socket, *peer) {
	t.Helper()
	ctx := newContext(t)
	s := newSocket(t, ctx, ours)
	if setup != nil {
		setup(s)
	}
	args := append([]string{"--type", theirs}, peerArgs...)
	if goBinds {
		must(t, "Bind", s.Bind(bindAddr))
		return s, start(t, append(args, "--connect", lastEndpoint(t, s))...)
	}
	p := start(t, append(args, "--bind", bindAddr)...)
	must(t, "Connect", s.Connect(p.endpoint))
	return s, p
}

// lastEndpoint returns the endpoint our socket s last bound to.
func lastEndpoint(t testing.TB, s *zmq.Socket) string {
	t.Helper()
	endpoint, err := s.GetLastEndpoint()
	must(t, "GetLastEndpoint", err)
	return endpoint
}

// sendFrames sends one multipart message frame by frame.
func sendFrames(t testing.TB, s *zmq.Socket, frames ...[]byte) {
	t.Helper()
	for i, f := range frames {
		flag := zmq.Flag(0)
		if i < len(frames)-1 {
			flag = zmq.SNDMORE
		}
		if _, err := s.SendBytes(f, flag); err != nil {
			t.Fatalf("SendBytes frame %d of %d: %v", i+1, len(frames), err)
		}
	}
}

// sendRetry sends one message, retrying while the socket refuses it (a
// ROUTER with ROUTER_MANDATORY before the peer's handshake completes).
func sendRetry(t testing.TB, s *zmq.Socket, frames ...[]byte) {
	t.Helper()
	deadline := time.Now().Add(socketTimeout)
	for {
		_, err := s.SendMessage(asParts(frames)...)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("SendMessage kept failing for %v: %v", socketTimeout, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// asParts converts frames to SendMessage's arguments.
func asParts(frames [][]byte) []interface{} {
	parts := make([]interface{}, len(frames))
	for i, f := range frames {
		parts[i] = f
	}
	return parts
}

// recvFrames receives one multipart message.
func recvFrames(t testing.TB, s *zmq.Socket) [][]byte {
	t.Helper()
	msg, err := s.RecvMessageBytes(0)
	if err != nil {
		t.Fatalf("RecvMessageBytes: %v", err)
	}
	return msg
}

// recvData receives one message, skipping subscription probes.
func recvData(t testing.TB, s *zmq.Socket) [][]byte {
	t.Helper()
	for {
		msg := recvFrames(t, s)
		if !bytes.Equal(msg[len(msg)-1], syncFrame) {
			return msg
		}
	}
}

// numbered returns body seq of a numbered stream: the sequence number as
// 8 bytes big-endian, then size-8 copies of its low byte (as peer.py).
func numbered(seq, size int) []byte {
	if size < 8 {
		size = 8
	}
	b := bytes.Repeat([]byte{byte(seq)}, size)
	binary.BigEndian.PutUint64(b, uint64(seq))
	return b
}

// sendNumbered sends n numbered messages, each after the prefix frames.
func sendNumbered(t testing.TB, s *zmq.Socket, n int, prefix ...[]byte) {
	t.Helper()
	for i := 0; i < n; i++ {
		for _, f := range prefix {
			if _, err := s.SendBytes(f, zmq.SNDMORE); err != nil {
				t.Fatalf("message %d: SendBytes prefix: %v", i, err)
			}
		}
		if _, err := s.SendBytes(numbered(i, streamSize), 0); err != nil {
			t.Fatalf("message %d: SendBytes: %v", i, err)
		}
	}
}

// recvNumbered receives n numbered messages, checking order, content and
// (when prefix is given) the frames before the body; probes are skipped.
func recvNumbered(t testing.TB, s *zmq.Socket, n int, prefix ...[]byte) {
	t.Helper()
	for i := 0; i < n; {
		msg, err := s.RecvMessageBytes(0)
		if err != nil {
			t.Fatalf("after %d of %d messages: RecvMessageBytes: %v", i, n, err)
		}
		body := msg[len(msg)-1]
		if bytes.Equal(body, syncFrame) {
			continue
		}
		if prefix != nil && !framesEqual(msg[:len(msg)-1], prefix) {
			t.Fatalf("message %d: envelope %s, want %s", i, encodeFrames(msg[:len(msg)-1]), encodeFrames(prefix))
		}
		if !bytes.Equal(body, numbered(i, streamSize)) {
			t.Fatalf("message %d: got body %x, want %x (lost or reordered)", i, body, numbered(i, streamSize))
		}
		i++
	}
}

// framesEqual reports whether two messages have the same frames.
func framesEqual(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// checkFrames fails the test unless got has exactly the frames of want.
func checkFrames(t testing.TB, what string, got, want [][]byte) {
	t.Helper()
	if !framesEqual(got, want) {
		t.Fatalf("%s: got %d frames %s, want %d frames %s", what,
			len(got), short(encodeFrames(got)), len(want), short(encodeFrames(want)))
	}
}

// frames is shorthand for building a message from strings and byte slices.
func frames(parts ...interface{}) [][]byte {
	out := make([][]byte, len(parts))
	for i, p := range parts {
		switch v := p.(type) {
		case string:
			out[i] = []byte(v)
		case []byte:
			out[i] = v
		default:
			panic(fmt.Sprintf("frames: unsupported part %T", p))
		}
	}
	return out
}

// bigPayload returns a 1 MiB frame whose bytes depend on seed.
func bigPayload(seed byte) []byte {
	b := make([]byte, bigFrame)
	for i := range b {
		b[i] = byte(i*7) ^ seed
	}
	return b
}

// testMessages are the multipart messages every pattern exchanges: empty
// frames in every position, binary data, and 1 MiB frames.
func testMessages() [][][]byte {
	return [][][]byte{
		frames("hello"),
		frames(""),
		frames("a", "", "c"),
		frames("", "", ""),
		frames([]byte{0x00, 0x01, 0xff, 0x0a, 0x20}, "tail"),
		frames(bigPayload(1)),
		frames("head", bigPayload(2), "", bigPayload(3)),
	}
}

// hexWords renders frames as peer.py arguments.
func hexWords(frames ...[]byte) string {
	return encodeFrames(frames)
}

// streamCommand renders a sendn/recvn/pingn command for the peer.
func streamCommand(verb string, n int, withSize bool, prefix ...[]byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d", verb, n)
	if withSize {
		fmt.Fprintf(&b, " %d", streamSize)
	}
	if len(prefix) > 0 {
		b.WriteString(" " + encodeFrames(prefix))
	}
	return b.String()
}
