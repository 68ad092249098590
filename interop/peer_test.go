package interop

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq4"
	"github.com/purezmq/zmq4/internal/pyzmq"
)

const (
	// peerScript is the libzmq peer, relative to this package's directory.
	peerScript = "peer.py"
	// replyWait bounds how long we wait for any one reply from the peer. The
	// peer's own socket timeouts (20 s) fire first; this only guards hangs.
	replyWait = 90 * time.Second
)

// requirePyzmq skips the test when the libzmq peer cannot run here.
func requirePyzmq(t testing.TB) {
	t.Helper()
	pyzmq.Require(t)
}

// peer is a running peer.py process owning one libzmq (or plain TCP) socket.
type peer struct {
	t        testing.TB
	name     string
	cmd      *exec.Cmd
	stdin    io.WriteCloser
	lines    chan string
	stderr   *lockedBuffer
	endpoint string // the endpoint from the READY line
	done     bool
}

// lockedBuffer collects the peer's stderr for failure messages.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startPeer runs peer.py with args (for example "--type", "DEALER",
// "--connect", endpoint), waits for its READY line and arranges for it to
// be stopped when the test ends.
func startPeer(t testing.TB, args ...string) *peer {
	t.Helper()
	requirePyzmq(t)
	cmd := pyzmq.Command(append([]string{peerScript}, args...)...)
	return launchPeer(t, "libzmq "+strings.Join(args, " "), cmd)
}

// launchPeer starts cmd, a peer speaking peer.py's line protocol, and waits
// for its READY line.
func launchPeer(t testing.TB, name string, cmd *exec.Cmd) *peer {
	t.Helper()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &peer{
		t:      t,
		name:   name,
		cmd:    cmd,
		stdin:  stdin,
		lines:  make(chan string, 1),
		stderr: &lockedBuffer{},
	}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", p.name, err)
	}
	go readLines(stdout, p.lines)
	t.Cleanup(p.stop)
	ready := p.await()
	if !strings.HasPrefix(ready, "READY ") {
		t.Fatalf("%s: want READY, got %q", p.name, ready)
	}
	p.endpoint = strings.TrimPrefix(ready, "READY ")
	return p
}

// readLines forwards each stdout line until EOF, then closes lines.
func readLines(r io.Reader, lines chan<- string) {
	br := bufio.NewReaderSize(r, 1<<16)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			lines <- strings.TrimRight(line, "\r\n")
		}
		if err != nil {
			close(lines)
			return
		}
	}
}

// stop asks the peer to quit and kills it if it does not.
func (p *peer) stop() {
	if p.done {
		return
	}
	p.done = true
	io.WriteString(p.stdin, "quit\n")
	p.stdin.Close()
	exited := make(chan struct{})
	go func() {
		for range p.lines {
		}
		p.cmd.Wait()
		close(exited)
	}()
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-exited
	}
	if p.t.Failed() {
		if msg := p.stderr.String(); msg != "" {
			p.t.Logf("%s stderr:\n%s", p.name, msg)
		}
	}
}

// write sends one command line without waiting for its reply.
func (p *peer) write(command string) {
	p.t.Helper()
	if _, err := io.WriteString(p.stdin, command+"\n"); err != nil {
		p.t.Fatalf("%s: write %q: %v", p.name, short(command), err)
	}
}

// await returns the next reply line, failing the test if none comes.
func (p *peer) await() string {
	p.t.Helper()
	select {
	case line, ok := <-p.lines:
		if !ok {
			p.cmd.Wait()
			p.t.Fatalf("%s exited: %s", p.name, p.stderr.String())
		}
		return line
	case <-time.After(replyWait):
		p.t.Fatalf("%s: no reply within %v (hang guard)", p.name, replyWait)
		return ""
	}
}

// do runs one command and returns its reply line.
func (p *peer) do(command string) string {
	p.t.Helper()
	p.write(command)
	return p.await()
}

// doPumping runs one command while our socket s would otherwise sit idle,
// calling s.GetEvents every 10 ms until the reply comes, as a libzmq
// application's poll loop would. libzmq, and so pebbe/zmq4, attaches new
// connections, sends a SUB's subscriptions over them and closes a STREAM
// connection only when the application calls into the socket; the tests
// must not depend on an implementation doing that work in the background.
func (p *peer) doPumping(command string, s *zmq.Socket) string {
	p.t.Helper()
	p.write(command)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				p.cmd.Wait()
				p.t.Fatalf("%s exited: %s", p.name, p.stderr.String())
			}
			return line
		case <-time.After(10 * time.Millisecond):
			if _, err := s.GetEvents(); err != nil {
				p.t.Fatalf("GetEvents: %v", err)
			}
		}
	}
}

// expect runs one command and fails the test unless the reply starts with want.
func (p *peer) expect(command, want string) string {
	p.t.Helper()
	got := p.do(command)
	if !strings.HasPrefix(got, want) {
		p.t.Fatalf("%s: %q replied %q, want %q", p.name, short(command), short(got), want)
	}
	return got
}

// send makes the peer send one multipart message.
func (p *peer) send(frames ...[]byte) {
	p.t.Helper()
	p.expect("send "+encodeFrames(frames), "SENT")
}

// recv makes the peer receive one message and returns its frames.
func (p *peer) recv() [][]byte {
	p.t.Helper()
	got := p.do("recv")
	if !strings.HasPrefix(got, "MSG ") {
		p.t.Fatalf("%s: recv replied %q, want MSG", p.name, short(got))
	}
	return p.decode(strings.TrimPrefix(got, "MSG "))
}

// decode parses space-separated hex frames ("-" is an empty frame).
func (p *peer) decode(s string) [][]byte {
	p.t.Helper()
	var frames [][]byte
	for _, word := range strings.Fields(s) {
		if word == "-" {
			frames = append(frames, []byte{})
			continue
		}
		b, err := hex.DecodeString(word)
		if err != nil {
			p.t.Fatalf("%s: bad hex frame %q: %v", p.name, short(word), err)
		}
		frames = append(frames, b)
	}
	return frames
}

// encodeFrames renders frames for the line protocol.
func encodeFrames(frames [][]byte) string {
	words := make([]string, len(frames))
	for i, f := range frames {
		if len(f) == 0 {
			words[i] = "-"
		} else {
			words[i] = hex.EncodeToString(f)
		}
	}
	return strings.Join(words, " ")
}

// short trims long protocol lines for error messages.
func short(s string) string {
	if len(s) > 200 {
		return s[:200] + fmt.Sprintf("...(%d bytes)", len(s))
	}
	return s
}
