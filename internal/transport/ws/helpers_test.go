package ws

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"github.com/purezmq/zmq4/internal/zmtp"
)

// testTimeout guards every blocking step against hangs.
const testTimeout = 10 * time.Second

// tcpPair returns both ends of a loopback tcp connection.
func tcpPair(t *testing.T) (dialed, accepted net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ch := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			ch <- nil
			return
		}
		ch <- c
	}()
	d, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	a := <-ch
	if a == nil {
		t.Fatal("accept failed")
	}
	deadline := time.Now().Add(testTimeout)
	d.SetDeadline(deadline)
	a.SetDeadline(deadline)
	t.Cleanup(func() { d.Close(); a.Close() })
	return d, a
}

// engineEnd plays the ZMTP engine on top of a Conn: it writes ZMTP bytes
// and reads frames with the zmtp package.
type engineEnd struct {
	t *testing.T
	c *Conn
	r *zmtp.Reader
}

// startEngine writes a greeting for mech (which runs the upgrade) and
// returns the peer's greeting as the engine would see it.
func startEngine(t *testing.T, c *Conn, mech string, asServer bool) (*engineEnd, zmtp.Greeting, error) {
	t.Helper()
	e := &engineEnd{t: t, c: c, r: zmtp.NewReader(c, 1<<30)}
	if _, err := c.Write(zmtp.AppendGreeting(nil, mech, asServer)); err != nil {
		return nil, zmtp.Greeting{}, err
	}
	raw, err := e.r.ReadGreeting()
	if err != nil {
		return nil, zmtp.Greeting{}, err
	}
	g, err := zmtp.ParseGreeting(raw)
	return e, g, err
}

// writeFrame writes one ZMTP frame.
func (e *engineEnd) writeFrame(flags byte, body []byte) {
	e.t.Helper()
	if _, err := e.c.Write(zmtp.AppendFrame(nil, flags, body)); err != nil {
		e.t.Fatalf("write frame: %v", err)
	}
}

// readFrame reads one ZMTP frame.
func (e *engineEnd) readFrame() zmtp.Frame {
	e.t.Helper()
	f, err := e.r.ReadFrame()
	if err != nil {
		e.t.Fatalf("read frame: %v", err)
	}
	return f
}

// rawPeer is a hand-written WebSocket peer on a plain connection, used to
// check the bytes on the wire independently of the package's own code.
type rawPeer struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func newRawPeer(t *testing.T, c net.Conn) *rawPeer {
	return &rawPeer{t: t, c: c, br: bufio.NewReader(c)}
}

// writeString writes s as is.
func (p *rawPeer) writeString(s string) {
	p.t.Helper()
	if _, err := io.WriteString(p.c, s); err != nil {
		p.t.Fatal(err)
	}
}

// readHead reads an HTTP head through the blank line.
func (p *rawPeer) readHead() string {
	p.t.Helper()
	var head []byte
	for {
		line, err := p.br.ReadString('\n')
		if err != nil {
			p.t.Fatalf("read head: %v (so far %q)", err, head)
		}
		head = append(head, line...)
		if line == "\r\n" {
			return string(head)
		}
	}
}

// writeMessage writes one frame with the given first byte (FIN and
// opcode), masked with key when key is not nil.
func (p *rawPeer) writeMessage(b0 byte, payload []byte, key []byte) {
	p.t.Helper()
	var hdr []byte
	var mbit byte
	if key != nil {
		mbit = 0x80
	}
	hdr = append(hdr, b0)
	switch n := len(payload); {
	case n < 126:
		hdr = append(hdr, mbit|byte(n))
	case n < 1<<16:
		hdr = append(hdr, mbit|126, byte(n>>8), byte(n))
	default:
		hdr = append(hdr, mbit|127)
		hdr = binary.BigEndian.AppendUint64(hdr, uint64(n))
	}
	body := append([]byte(nil), payload...)
	if key != nil {
		hdr = append(hdr, key...)
		for i := range body {
			body[i] ^= key[i%4]
		}
	}
	if _, err := p.c.Write(append(hdr, body...)); err != nil {
		p.t.Fatal(err)
	}
}

// readMessage reads one frame and returns its first byte, whether it was
// masked, and its unmasked payload.
func (p *rawPeer) readMessage() (b0 byte, masked bool, payload []byte) {
	p.t.Helper()
	var h [2]byte
	if _, err := io.ReadFull(p.br, h[:]); err != nil {
		p.t.Fatalf("read message: %v", err)
	}
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126:
		var b [2]byte
		io.ReadFull(p.br, b[:])
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		io.ReadFull(p.br, b[:])
		n = binary.BigEndian.Uint64(b[:])
	}
	masked = h[1]&0x80 != 0
	var key [4]byte
	if masked {
		io.ReadFull(p.br, key[:])
	}
	payload = make([]byte, n)
	if _, err := io.ReadFull(p.br, payload); err != nil {
		p.t.Fatalf("read payload: %v", err)
	}
	if masked {
		for i := range payload {
			payload[i] ^= key[i%4]
		}
	}
	return h[0], masked, payload
}

// libzmqRequest is the upgrade request libzmq 4.3.5's client sends for a
// NULL socket (with the key of RFC 6455's example).
const libzmqRequest = "GET /zmq HTTP/1.1\r\n" +
	"Host: 127.0.0.1\r\n" +
	"Upgrade: websocket\r\n" +
	"Connection: Upgrade\r\n" +
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
	"Sec-WebSocket-Protocol: ZWS2.0/NULL,ZWS2.0\r\n" +
	"Sec-WebSocket-Version: 13\r\n\r\n"

// rfcAccept is the accept value for the key in libzmqRequest (RFC 6455
// section 1.3).
const rfcAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
