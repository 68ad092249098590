package ws

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/zmq4/internal/zmtp"
)

func FuzzParseRequest(f *testing.F) {
	f.Add([]byte(libzmqRequest))
	f.Add(appendRequest(nil, "h:1", "/p", "k", []string{"ZWS2.0/PLAIN"}))
	f.Add([]byte("GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: a, upgrade\r\nSec-WebSocket-Key: x\r\n\r\n"))
	f.Fuzz(func(t *testing.T, head []byte) {
		req, err := parseRequest(head)
		if err != nil {
			return
		}
		if !validPath(req.path) || req.key == "" {
			t.Fatalf("accepted %+v", req)
		}
		for _, p := range req.protocols {
			if p == "" || strings.ContainsAny(p, ",\r\n") {
				t.Fatalf("protocol %q", p)
			}
		}
	})
}

func FuzzParseResponse(f *testing.F) {
	f.Add(appendResponse(nil, rfcAccept, "ZWS2.0/NULL"))
	f.Add(appendResponse(nil, "x", "ZWS2.0"))
	f.Add([]byte(badRequest))
	f.Fuzz(func(t *testing.T, head []byte) {
		resp, err := parseResponse(head)
		if err != nil {
			return
		}
		if resp.accept == "" || resp.protocol == "" {
			t.Fatalf("accepted %+v", resp)
		}
	})
}

func FuzzParseHeader(f *testing.F) {
	for _, masked := range []bool{false, true} {
		for _, n := range []uint64{1, 126, 70000} {
			f.Add(appendHeader(nil, opBinary, n, masked, [4]byte{1, 2, 3, 4}), masked)
		}
		f.Add(appendHeader(nil, opPing, 3, masked, [4]byte{}), masked)
	}
	f.Fuzz(func(t *testing.T, b []byte, wantMasked bool) {
		h, ok, err := parseHeader(b, wantMasked)
		if err != nil || !ok {
			return
		}
		if h.size > len(b) || h.size > maxHeaderSize || h.masked != wantMasked {
			t.Fatalf("header %+v from %d bytes", h, len(b))
		}
		again := appendHeader(nil, h.opcode, h.length, h.masked, h.mask)
		h2, ok2, err2 := parseHeader(again, wantMasked)
		if !ok2 || err2 != nil || h2 != (header{opcode: h.opcode, masked: h.masked, mask: h.mask, length: h.length, size: len(again)}) {
			t.Fatalf("re-encoded %+v as %x, parsed back %+v %v %v", h, again, h2, ok2, err2)
		}
	})
}

// memConn is a net.Conn that reads a fixed input and discards writes.
type memConn struct {
	r io.Reader
}

func (m *memConn) Read(p []byte) (int, error)         { return m.r.Read(p) }
func (m *memConn) Write(p []byte) (int, error)        { return len(p), nil }
func (m *memConn) Close() error                       { return nil }
func (m *memConn) LocalAddr() net.Addr                { return &net.TCPAddr{} }
func (m *memConn) RemoteAddr() net.Addr               { return &net.TCPAddr{} }
func (m *memConn) SetDeadline(t time.Time) error      { return nil }
func (m *memConn) SetReadDeadline(t time.Time) error  { return nil }
func (m *memConn) SetWriteDeadline(t time.Time) error { return nil }

// clientStream returns what a client Conn writes for the given ZMTP
// frames after its upgrade: the seed of the reader's fuzz target.
func clientStream(frames ...[]byte) []byte {
	var out bytes.Buffer
	var w writer
	c := &Conn{client: true, Conn: &recordConn{w: &out}}
	w.greeted = true
	for _, fr := range frames {
		w.write(c, fr)
	}
	return out.Bytes()
}

// recordConn records writes.
type recordConn struct {
	memConn
	w io.Writer
}

func (r *recordConn) Write(p []byte) (int, error) { return r.w.Write(p) }

func FuzzReader(f *testing.F) {
	ready := zmtp.AppendFrame(nil, zmtp.FlagCommand, zmtp.AppendProperty(zmtp.AppendCommand(nil, zmtp.CmdReady, nil), "Socket-Type", "PAIR"))
	f.Add(clientStream(ready, zmtp.AppendFrame(nil, zmtp.FlagMore, []byte("a")), zmtp.AppendFrame(nil, 0, bytes.Repeat([]byte{1}, 300))), false)
	f.Add(clientStream(zmtp.AppendFrame(nil, zmtp.FlagCommand, zmtp.AppendPing(nil, 0, nil)), zmtp.AppendFrame(nil, zmtp.FlagCommand, zmtp.AppendPong(nil, nil))), false)
	f.Add(clientStream(zmtp.AppendFrame(nil, 0, []byte("routing-id")), zmtp.AppendFrame(nil, 0, bytes.Repeat([]byte{2}, 70000))), true)
	f.Add([]byte{0x88, 0x82, 1, 2, 3, 4, 2, 0xEA}, false)
	f.Fuzz(func(t *testing.T, stream []byte, bare bool) {
		req := libzmqRequest
		if bare {
			req = strings.Replace(req, "ZWS2.0/NULL,ZWS2.0", "ZWS2.0", 1)
		}
		c := Server(&memConn{r: io.MultiReader(strings.NewReader(req), bytes.NewReader(stream))})
		if _, err := c.Write(zmtp.AppendGreeting(nil, "NULL", false)); err != nil {
			t.Fatalf("upgrade: %v", err)
		}
		if _, err := c.Write(ready); err != nil {
			t.Fatalf("write READY: %v", err)
		}
		r := zmtp.NewReader(c, 1<<20)
		if _, err := r.ReadGreeting(); err != nil {
			t.Fatalf("greeting: %v", err)
		}
		total := 0
		for i := 0; i < 10000; i++ {
			fr, err := r.ReadFrame()
			if err != nil {
				return
			}
			total += len(fr.Body)
			if total > 2*len(stream)+1000 {
				t.Fatalf("read %d bytes of frames from %d bytes of input", total, len(stream))
			}
		}
	})
}
