//go:build unix

package zmq4

import (
	"errors"
	"os"
	"testing"
	"time"
)

// pipeFds returns an os.Pipe's ends, closed when the test ends.
func pipeFds(t *testing.T) (r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	must(t, err)
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

// A raw descriptor is polled beside sockets: not ready, then readable once
// written to, and POLLERR once its writer hangs up.
func TestPollerRawFd(t *testing.T) {
	r, w := pipeFds(t)
	p := NewPoller()
	id, err := p.AddFd(int(r.Fd()), POLLIN)
	must(t, err)
	if got, err := p.Poll(0); err != nil || len(got) != 0 {
		t.Fatalf("Poll(0) on an empty pipe: %v %v", got, err)
	}
	if got, err := p.Poll(10 * time.Millisecond); err != nil || len(got) != 0 {
		t.Fatalf("Poll timed out with %v %v", got, err)
	}
	go func() {
		time.Sleep(10 * time.Millisecond)
		w.Write([]byte("x"))
	}()
	got, err := p.Poll(-1)
	if err != nil || len(got) != 1 || got[0].Socket != nil || got[0].Fd != int(r.Fd()) || got[0].Events != POLLIN {
		t.Fatalf("Poll after a write: %+v %v", got, err)
	}
	all, _ := p.PollAll(0)
	if len(all) != 1 || all[id].Events != POLLIN {
		t.Fatalf("PollAll: %+v", all)
	}
	w.Close()
	r.Read(make([]byte, 1))
	got, _ = p.Poll(-1)
	if len(got) != 1 || got[0].Events&POLLERR == 0 {
		t.Fatalf("after the writer hung up: %+v, want POLLERR", got)
	}
	must(t, p.RemoveFd(int(r.Fd())))
	if err := p.RemoveFd(int(r.Fd())); err != ErrorNoSocket {
		t.Fatalf("RemoveFd twice: %v", err)
	}
	if _, err := p.AddFd(-1, POLLIN); err == nil {
		t.Fatal("AddFd(-1) accepted")
	}
}

// A socket becoming ready ends a wait that includes a descriptor, and the
// descriptor's waiter goroutine ends with it (the leak check after all
// tests would see it otherwise).
func TestPollerRawFdAndSocket(t *testing.T) {
	r, _ := pipeFds(t)
	b, c := pairUp(t, "inproc", true, PULL, PUSH)
	p := NewPoller()
	p.AddFd(int(r.Fd()), POLLIN)
	p.Add(b, POLLIN)
	go func() {
		time.Sleep(10 * time.Millisecond)
		c.Send("to the socket", 0)
	}()
	got, err := p.Poll(-1)
	if err != nil || len(got) != 1 || got[0].Socket != b || got[0].Events != POLLIN {
		t.Fatalf("Poll: %+v %v", got, err)
	}
	if s := p.String(); s == "" {
		t.Fatal("String empty")
	}
}

// A Reactor serves a raw descriptor beside a timer.
func TestReactorRawFd(t *testing.T) {
	r, w := pipeFds(t)
	rc := NewReactor()
	got := ""
	done := errors.New("done")
	must(t, rc.AddFd(int(r.Fd()), POLLIN, func(ev State) error {
		buf := make([]byte, 16)
		n, _ := r.Read(buf)
		got += string(buf[:n])
		if got == "hello" {
			return done
		}
		return nil
	}))
	rc.AddTimer(time.Millisecond, 1, func() error {
		w.Write([]byte("hello"))
		return nil
	})
	if err := rc.Run(-1); err != done {
		t.Fatalf("Run = %v, got %q", err, got)
	}
	rc.RemoveFd(int(r.Fd()))
	if err := rc.Run(-1); err != errReactorEmpty {
		t.Fatalf("Run after RemoveFd = %v", err)
	}
}
