package zmq4

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

// tcpPair returns the two ends of a loopback tcp connection.
func tcpPair(t *testing.T) (*net.TCPConn, *net.TCPConn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer l.Close()
	c, err := net.Dial("tcp", l.Addr().String())
	must(t, err)
	s, err := l.Accept()
	must(t, err)
	t.Cleanup(func() { c.Close(); s.Close() })
	return c.(*net.TCPConn), s.(*net.TCPConn)
}

func TestRawReader(t *testing.T) {
	c, s := tcpPair(t)
	r := newRawReader(s)
	if r == nil {
		t.Fatal("no raw reader for a tcp connection")
	}
	if n, err := r.Read(nil); n != 0 || err != nil {
		t.Errorf("empty read: %d, %v", n, err)
	}

	// A read waits for data, as conn.Read does.
	want := bytes.Repeat([]byte("zmtp"), 50000)
	go func() {
		time.Sleep(10 * time.Millisecond)
		c.Write(want)
	}()
	got := make([]byte, len(want))
	if _, err := io.ReadFull(r, got); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("ReadFull: %v, equal %v", err, bytes.Equal(got, want))
	}

	// Read deadlines hold.
	must(t, s.SetReadDeadline(time.Now().Add(10*time.Millisecond)))
	if _, err := r.Read(got); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read past the deadline: %v", err)
	}
	must(t, s.SetReadDeadline(time.Time{}))

	// The peer closing gives io.EOF; closing our end gives net.ErrClosed.
	c.Close()
	if _, err := r.Read(got); err != io.EOF {
		t.Errorf("read after the peer closed: %v, want EOF", err)
	}
	s.Close()
	if _, err := r.Read(got); !errors.Is(err, net.ErrClosed) {
		t.Errorf("read after close: %v, want net.ErrClosed", err)
	}
}

func TestRawReaderOnlyPlainConnections(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if newRawReader(a) != nil {
		t.Error("raw reader for a net.Pipe")
	}
}

func TestRawWriter(t *testing.T) {
	c, s := tcpPair(t)
	w := newRawWriter(c)
	if w == nil {
		t.Fatal("no raw writer for a tcp connection")
	}
	// A small send buffer and a slow reader: the write meets a full
	// buffer many times, writes part of what is left each time, and
	// waits for room as conn.Write does.
	must(t, c.SetWriteBuffer(4096))
	want := payload(1, 4<<20)
	got := make(chan []byte, 1)
	go func() {
		b := make([]byte, 0, len(want))
		buf := make([]byte, 1000)
		for len(b) < len(want) {
			n, err := s.Read(buf)
			if err != nil {
				break
			}
			b = append(b, buf[:n]...)
			if len(b)%100 == 0 {
				time.Sleep(time.Millisecond)
			}
		}
		got <- b
	}()
	n, err := w.Write(want)
	if n != len(want) || err != nil {
		t.Fatalf("Write: %d, %v; want %d, nil", n, err, len(want))
	}
	if b := <-got; !bytes.Equal(b, want) {
		t.Fatalf("the reader got %d bytes, different from the %d written", len(b), len(want))
	}

	// Write deadlines hold: nobody reads, the buffers fill.
	must(t, c.SetWriteDeadline(time.Now().Add(20*time.Millisecond)))
	if n, err := w.Write(want); !errors.Is(err, os.ErrDeadlineExceeded) || n >= len(want) {
		t.Errorf("write past the deadline: %d, %v", n, err)
	}
	must(t, c.SetWriteDeadline(time.Time{}))

	// Closing our end gives net.ErrClosed.
	c.Close()
	if _, err := w.Write(want[:10]); !errors.Is(err, net.ErrClosed) {
		t.Errorf("write after close: %v, want net.ErrClosed", err)
	}
}

// TestRawWriterCloseWhileWaiting closes the connection while a write
// waits for room, as an engine's stop does: the write ends with
// net.ErrClosed.
func TestRawWriterCloseWhileWaiting(t *testing.T) {
	c, _ := tcpPair(t)
	w := newRawWriter(c)
	must(t, c.SetWriteBuffer(4096))
	done := make(chan error, 1)
	go func() {
		_, err := w.Write(payload(2, 16<<20)) // more than the buffers take: nobody reads
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	c.Close()
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Errorf("write waiting when the connection closed: %v, want net.ErrClosed", err)
	}
}

func TestRawWriterPeerGone(t *testing.T) {
	c, s := tcpPair(t)
	w := newRawWriter(c)
	s.Close()
	// The first write may still be taken; once the peer's reset has
	// arrived a write fails with the system's error.
	var err error
	for range 100 {
		if _, err = w.Write([]byte("after the peer left")); err != nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if !errors.Is(err, syscall.EPIPE) && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("write to a closed peer: %v, want EPIPE or ECONNRESET", err)
	}
}

func TestRawWriterOnlyPlainConnections(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if newRawWriter(a) != nil {
		t.Error("raw writer for a net.Pipe")
	}
}

// TestRawWriterChosen checks which engines' writer goroutines write raw:
// those of every ZMTP socket type but REQ and REP (whose senders write in
// place), over tcp and ipc; and that messages both ways arrive whole and
// in order through it.
func TestRawWriterChosen(t *testing.T) {
	rawWriters := func(s *Socket) (raw, all int) {
		s.mu.Lock()
		defer s.mu.Unlock()
		for p := range s.pipes {
			if e := p.engine.Load(); e != nil {
				all++
				if e.rawW != nil {
					raw++
				}
			}
		}
		return raw, all
	}
	for _, tr := range []string{"tcp", "ipc"} {
		t.Run(tr, func(t *testing.T) {
			ctx := newTestContext(t)
			router := newTestSocket(t, ctx, ROUTER)
			dealer := newTestSocket(t, ctx, DEALER)
			must(t, router.Bind(endpointFor(t, tr)))
			must(t, dealer.Connect(router.opt.lastEndpoint))
			sizes := []int{0, 64, largeFrame, 3 << 20}
			for i := range 40 {
				want := payload(i, sizes[i%len(sizes)])
				if _, err := dealer.SendBytes(want, 0); err != nil {
					t.Fatal(err)
				}
				msg, err := router.RecvMessageBytes(0)
				must(t, err)
				if len(msg) != 2 || !bytes.Equal(msg[1], want) {
					t.Fatalf("message %d: %d parts, different", i, len(msg))
				}
				if _, err := router.SendMessage(msg); err != nil {
					t.Fatal(err)
				}
				got, err := dealer.RecvBytes(0)
				must(t, err)
				if !bytes.Equal(got, want) {
					t.Fatalf("echo %d of %d bytes arrived as %d bytes, different", i, len(want), len(got))
				}
			}
			for _, s := range []*Socket{router, dealer} {
				if raw, all := rawWriters(s); all != 1 || raw != 1 {
					t.Errorf("%v: %d raw writers among %d engines, want 1 of 1", s.typ, raw, all)
				}
			}

			rep := newTestSocket(t, ctx, REP)
			req := newTestSocket(t, ctx, REQ)
			must(t, rep.Bind(endpointFor(t, tr)))
			must(t, req.Connect(rep.opt.lastEndpoint))
			_, err := req.Send("ping", 0)
			must(t, err)
			_, err = rep.Recv(0)
			must(t, err)
			for _, s := range []*Socket{rep, req} {
				if raw, all := rawWriters(s); all != 1 || raw != 0 {
					t.Errorf("%v: %d raw writers among %d engines, want 0 of 1", s.typ, raw, all)
				}
			}
		})
	}
}
