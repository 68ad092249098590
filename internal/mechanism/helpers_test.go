package mechanism

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/purezmq/zmq4/internal/zmtp"
)

// hangGuard bounds every test exchange; it never asserts timing.
const hangGuard = 10 * time.Second

// pipeConn adapts one end of a net.Pipe to Conn. Writes are queued to a
// goroutine so both sides may send before reading, as they may over TCP.
type pipeConn struct {
	raw    net.Conn
	reader *zmtp.Reader
	queue  chan []byte
	done   chan struct{}
	once   sync.Once
}

func newPipeConn(raw net.Conn) *pipeConn {
	p := &pipeConn{
		raw:    raw,
		reader: zmtp.NewReader(raw, 1<<20),
		queue:  make(chan []byte, 64),
		done:   make(chan struct{}),
	}
	go func() {
		defer close(p.done)
		for b := range p.queue {
			if _, err := raw.Write(b); err != nil {
				return
			}
		}
	}()
	return p
}

func (p *pipeConn) ReadFrame() (zmtp.Frame, error) {
	_ = p.raw.SetReadDeadline(time.Now().Add(hangGuard))
	return p.reader.ReadFrame()
}

func (p *pipeConn) WriteFrame(flags byte, body []byte) error {
	p.queue <- zmtp.AppendFrame(nil, flags, body)
	return nil
}

// Close delivers what was queued (bounded by the hang guard), then closes.
func (p *pipeConn) Close() {
	p.once.Do(func() {
		close(p.queue)
		_ = p.raw.SetWriteDeadline(time.Now().Add(hangGuard))
		<-p.done
		_ = p.raw.Close()
	})
}

// connPair returns two connected Conns.
func connPair() (*pipeConn, *pipeConn) {
	a, b := net.Pipe()
	return newPipeConn(a), newPipeConn(b)
}

// outcome is one side's handshake result.
type outcome struct {
	res *Result
	err error
}

// wrapConn lets a test interpose on one side's Conn.
type wrapConn func(Conn) Conn

// runPair runs a client and a server handshake against each other. A side
// that fails closes its end, so the other side is never left waiting.
func runPair(t *testing.T, client, server *Config, wrap ...wrapConn) (c, s outcome) {
	t.Helper()
	return runPairRaw(t, client, server, nil, nil, wrap...)
}

// runPairRaw is runPair with optional raw metadata for either side.
func runPairRaw(t *testing.T, client, server *Config, clientRaw, serverRaw []byte, wrap ...wrapConn) (c, s outcome) {
	t.Helper()
	cc, sc := connPair()
	var clientConn Conn = cc
	if len(wrap) > 0 && wrap[0] != nil {
		clientConn = wrap[0](cc)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		c.res, c.err = runHandshake(clientConn, client, clientRaw)
		if c.err != nil {
			cc.Close()
		}
	}()
	go func() {
		defer wg.Done()
		s.res, s.err = runHandshake(sc, server, serverRaw)
		if s.err != nil {
			sc.Close()
		}
	}()
	wg.Wait()
	cc.Close()
	sc.Close()
	return c, s
}

// wantSuccess fails the test unless both sides succeeded.
func wantSuccess(t *testing.T, c, s outcome) {
	t.Helper()
	if c.err != nil || s.err != nil {
		t.Fatalf("handshake failed: client %v, server %v", c.err, s.err)
	}
}

// wantFailure checks an outcome's failure kind and code.
func wantFailure(t *testing.T, side string, o outcome, kind FailureKind, code int) {
	t.Helper()
	var e *Error
	if !errors.As(o.err, &e) {
		t.Fatalf("%s: error = %v, want *Error %v/%#x", side, o.err, kind, code)
	}
	if e.Kind != kind || e.Code != code {
		t.Fatalf("%s: got %v code %#x (%v), want %v code %#x", side, e.Kind, e.Code, e.Err, kind, code)
	}
}

// scriptConn replays prepared frames and records what is written. After
// the script it reports io.EOF.
type scriptConn struct {
	frames  []zmtp.Frame
	written [][]byte
}

func (s *scriptConn) ReadFrame() (zmtp.Frame, error) {
	if len(s.frames) == 0 {
		return zmtp.Frame{}, io.EOF
	}
	f := s.frames[0]
	s.frames = s.frames[1:]
	return f, nil
}

func (s *scriptConn) WriteFrame(flags byte, body []byte) error {
	s.written = append(s.written, append([]byte(nil), body...))
	return nil
}

// tamperConn rewrites outgoing command bodies.
type tamperConn struct {
	Conn
	rewrite func(body []byte) []byte
}

func (t tamperConn) WriteFrame(flags byte, body []byte) error {
	return t.Conn.WriteFrame(flags, t.rewrite(append([]byte(nil), body...)))
}

// tamper returns a wrapConn that applies rewrite to commands starting with prefix.
func tamper(prefix string, rewrite func([]byte) []byte) wrapConn {
	return func(c Conn) Conn {
		return tamperConn{Conn: c, rewrite: func(b []byte) []byte {
			if hasPrefix(b, prefix) {
				return rewrite(b)
			}
			return b
		}}
	}
}

// keyPair makes a CURVE key pair or fails the test.
func keyPair(t testing.TB) (public, secret []byte) {
	t.Helper()
	pub, sec, err := NewKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	return pub[:], sec[:]
}

// zapRecorder is a ZAP handler that records requests and answers status.
type zapRecorder struct {
	mu       sync.Mutex
	requests []ZAPRequest
	reply    ZAPReply
	err      error
}

func (z *zapRecorder) handle(r ZAPRequest) (ZAPReply, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.requests = append(z.requests, r)
	return z.reply, z.err
}

func (z *zapRecorder) count() int {
	z.mu.Lock()
	defer z.mu.Unlock()
	return len(z.requests)
}

// prop builds a metadata property.
func prop(name, value string) zmtp.Property { return zmtp.Property{Name: name, Value: value} }
