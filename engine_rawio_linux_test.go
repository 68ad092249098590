package zmq4

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
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
