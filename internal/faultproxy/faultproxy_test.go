package faultproxy

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

// echoServer accepts connections and echoes what they send.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

func newProxy(t *testing.T) *Proxy {
	t.Helper()
	p, err := New(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func dial(t *testing.T, p *Proxy) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return c
}

func roundTrip(t *testing.T, c net.Conn, msg []byte) {
	t.Helper()
	if _, err := c.Write(msg); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, msg) {
		t.Fatalf("echo %q, want %q", got, msg)
	}
}

func TestRelayAndCut(t *testing.T) {
	p := newProxy(t)
	c := dial(t, p)
	roundTrip(t, c, []byte("hello"))
	if n := p.Cut(); n != 1 {
		t.Fatalf("Cut found %d connections, want 1", n)
	}
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("read on a cut connection succeeded")
	}
	c2 := dial(t, p)
	roundTrip(t, c2, []byte("again"))
	if p.Accepted() != 2 {
		t.Fatalf("Accepted = %d, want 2", p.Accepted())
	}
}

func TestStallHoldsBytesUntilResumed(t *testing.T) {
	p := newProxy(t)
	c := dial(t, p)
	roundTrip(t, c, []byte("x"))
	p.Stall(true)
	c.Write([]byte("held"))
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if n, _ := c.Read(make([]byte, 4)); n != 0 {
		t.Fatal("bytes passed a stalled proxy")
	}
	p.Stall(false)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	got := make([]byte, 4)
	if _, err := io.ReadFull(c, got); err != nil || string(got) != "held" {
		t.Fatalf("after resume got %q, %v", got, err)
	}
}

func TestSplitThrottleRefuseReset(t *testing.T) {
	p := newProxy(t)
	p.SplitWrites(true)
	p.Throttle(100000)
	c := dial(t, p)
	roundTrip(t, c, bytes.Repeat([]byte("ab"), 500))
	p.SplitWrites(false)
	p.Throttle(0)
	if n := p.Reset(); n != 1 {
		t.Fatalf("Reset found %d connections, want 1", n)
	}
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("read on a reset connection succeeded")
	}
	p.Refuse(true)
	// The reset may reach the client before its connect completes.
	if r, err := net.Dial("tcp", p.Addr()); err == nil {
		r.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := r.Read(make([]byte, 1)); err == nil {
			t.Fatal("a refused connection delivered data")
		}
		r.Close()
	}
	p.Refuse(false)
	roundTrip(t, dial(t, p), []byte("back"))
}

func TestRunCounter(t *testing.T) {
	var r RunCounter
	for _, n := range []int{1, 2, 5, 3, 6, 4, 7} {
		if !r.Add(n) {
			t.Fatalf("%d reported as a duplicate", n)
		}
	}
	// 1 2 5 6 7 and 3 4: two runs.
	if r.Runs() != 2 || r.Count() != 7 {
		t.Fatalf("Runs %d Count %d, want 2 and 7", r.Runs(), r.Count())
	}
	if r.Add(5) {
		t.Fatal("a duplicate was accepted")
	}
	var desc RunCounter
	for n := 10; n > 0; n-- {
		desc.Add(n)
	}
	if desc.Runs() != 10 {
		t.Fatalf("a falling sequence of 10 gives %d runs, want 10", desc.Runs())
	}
}
