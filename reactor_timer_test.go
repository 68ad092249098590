package zmq4

import (
	"crypto/rand"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/purezmq/zmq4/beacon"
)

// A timer with a repeat count fires exactly that many times and is then
// removed, so a reactor with nothing else ends.
func TestReactorTimerRepeatCount(t *testing.T) {
	r := NewReactor()
	calls := 0
	r.AddTimer(time.Millisecond, 3, func() error { calls++; return nil })
	if err := r.Run(-1); err != errReactorEmpty {
		t.Fatalf("Run = %v, want the empty-reactor error", err)
	}
	if calls != 3 {
		t.Fatalf("timer fired %d times, want 3", calls)
	}
}

// A timer with repeat count 0 fires until removed; handlers can remove
// timers, their own included; due timers fire in the order they were added.
func TestReactorTimerForeverAndRemove(t *testing.T) {
	r := NewReactor()
	var order []string
	var forever uint64
	never := r.AddTimer(time.Hour, 1, func() error { order = append(order, "never"); return nil })
	forever = r.AddTimer(time.Millisecond, 0, func() error {
		order = append(order, "tick")
		if len(order) == 5 {
			r.RemoveTimer(forever)
			r.RemoveTimer(never)
		}
		return nil
	})
	if err := r.Run(-1); err != errReactorEmpty {
		t.Fatalf("Run = %v", err)
	}
	if len(order) != 5 || order[0] != "tick" || order[4] != "tick" {
		t.Fatalf("calls %q, want five ticks and no other", order)
	}

	r = NewReactor()
	order = nil
	r.AddTimer(50*time.Millisecond, 1, func() error { order = append(order, "late"); return nil })
	r.AddTimer(time.Millisecond, 1, func() error { order = append(order, "early"); return nil })
	r.Run(-1)
	if len(order) != 2 || order[0] != "early" {
		t.Fatalf("order %q, want early then late", order)
	}
}

// A timer's error ends Run with that error.
func TestReactorTimerErrorEndsRun(t *testing.T) {
	r := NewReactor()
	stop := errors.New("stop")
	r.AddTimer(time.Millisecond, 0, func() error { return stop })
	if err := r.Run(-1); err != stop {
		t.Fatalf("Run = %v, want the handler's error", err)
	}
}

// A tolerant socket's handler errors do not end Run; the socket keeps
// being served. Without SetTolerant the first error ends Run.
func TestReactorTolerantReader(t *testing.T) {
	b, c := pairUp(t, "inproc", true, PULL, PUSH)
	for i := 0; i < 3; i++ {
		sendParts(t, c, "m")
	}
	bad := errors.New("bad message")
	got := 0
	handler := func(State) error {
		if _, err := b.Recv(0); err != nil {
			return err
		}
		got++
		return bad
	}
	r := NewReactor()
	r.AddSocket(b, POLLIN, handler)
	if err := r.Run(-1); err != bad || got != 1 {
		t.Fatalf("intolerant: Run = %v after %d messages", err, got)
	}
	r.SetTolerant(b, true)
	done := errors.New("done")
	r.AddTimer(time.Millisecond, 0, func() error {
		if got == 3 {
			return done
		}
		return nil
	})
	if err := r.Run(-1); err != done || got != 3 {
		t.Fatalf("tolerant: Run = %v after %d messages, want done after 3", err, got)
	}
}

// Beacons are delivered to a reactor handler.
func TestReactorBeacon(t *testing.T) {
	free, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4zero})
	if err != nil {
		t.Fatal(err)
	}
	port := free.LocalAddr().(*net.UDPAddr).Port
	free.Close()
	listener, err := beacon.New(port, beacon.Loopback())
	must(t, err)
	defer listener.Close()
	sender, err := beacon.New(port, beacon.Loopback())
	must(t, err)
	defer sender.Close()
	listener.Subscribe([]byte("HI"))
	payload := []byte("HI" + rand.Text()) // no other beacon sends these bytes
	must(t, sender.Publish(payload, 10*time.Millisecond))
	r := NewReactor()
	found := errors.New("found")
	r.AddBeacon(listener, func(m beacon.Message) error {
		if string(m.Payload) == string(payload) {
			return found
		}
		return nil
	})
	if err := r.Run(-1); err != found {
		t.Fatalf("Run = %v", err)
	}
}
