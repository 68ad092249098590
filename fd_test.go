//go:build unix

package zmq4

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// fdReadable polls fd for input for up to ms milliseconds (0: just look).
func fdReadable(t *testing.T, fd int, ms int) bool {
	t.Helper()
	for {
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(pfd, ms)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		must(t, err)
		if n > 0 && pfd[0].Revents&(unix.POLLERR|unix.POLLNVAL) != 0 {
			t.Fatalf("poll revents %#x", pfd[0].Revents)
		}
		return n > 0 && pfd[0].Revents&unix.POLLIN != 0
	}
}

// drainEvents reads ZMQ_EVENTS, which clears the descriptor.
func drainEvents(t *testing.T, s *Socket) State {
	t.Helper()
	ev, err := s.GetEvents()
	must(t, err)
	return ev
}

const pollGuardMs = 10000 // hang guard for waits that must succeed

func TestGetFdSignalsIncomingMessages(t *testing.T) {
	eachCtxTransport(t, func(t *testing.T, push, pull *Socket) {
		// Finish connecting first, so no handshake signal comes later.
		sendParts(t, push, "warm-up")
		expectParts(t, pull, "warm-up")
		fd, err := pull.GetFd()
		must(t, err)
		if fd < 0 {
			t.Fatalf("fd %d", fd)
		}
		if again, err := pull.GetFd(); err != nil || again != fd {
			t.Fatalf("second GetFd: %d, %v; want %d", again, err, fd)
		}
		// A new descriptor starts readable, so nothing before it is missed.
		if !fdReadable(t, fd, 0) {
			t.Fatal("new fd not readable")
		}
		if ev := drainEvents(t, pull); ev&POLLIN != 0 {
			t.Fatalf("events %v before anything was sent", ev)
		}
		if fdReadable(t, fd, 0) {
			t.Fatal("fd readable after GetEvents with nothing new")
		}

		sendParts(t, push, "one")
		if !fdReadable(t, fd, pollGuardMs) {
			t.Fatal("fd not readable after the peer sent")
		}
		// Readable stays readable until events are read: edge, not level,
		// but not lost either.
		if !fdReadable(t, fd, 0) {
			t.Fatal("fd stopped being readable before GetEvents")
		}
		if ev := drainEvents(t, pull); ev&POLLIN == 0 {
			t.Fatalf("events %v after the fd fired, want POLLIN", ev)
		}
		if fdReadable(t, fd, 0) {
			t.Fatal("fd readable after GetEvents drained it with nothing new")
		}
		expectParts(t, pull, "one")

		// The next message fires it again.
		drainEvents(t, pull)
		sendParts(t, push, "two")
		if !fdReadable(t, fd, pollGuardMs) {
			t.Fatal("fd not readable after the second message")
		}
		if ev := drainEvents(t, pull); ev&POLLIN == 0 {
			t.Fatalf("events %v, want POLLIN", ev)
		}
		expectParts(t, pull, "two")
	})
}

func TestGetFdSignalsRoomToSend(t *testing.T) {
	ctx := newTestContext(t)
	push := newTestSocket(t, ctx, PUSH)
	pull := newTestSocket(t, ctx, PULL)
	must(t, push.SetSndhwm(1))
	must(t, pull.SetRcvhwm(1))
	must(t, pull.Bind("inproc://fd-room"))
	must(t, push.Connect("inproc://fd-room"))
	fd, err := push.GetFd()
	must(t, err)
	fillUntilBlocked(t, push, []byte("x"))
	if ev := drainEvents(t, push); ev&POLLOUT != 0 {
		t.Fatalf("events %v with a full queue", ev)
	}
	if fdReadable(t, fd, 0) {
		t.Fatal("fd readable after GetEvents with nothing new")
	}
	expectParts(t, pull, "x")
	if !fdReadable(t, fd, pollGuardMs) {
		t.Fatal("fd not readable after the peer made room")
	}
	if ev := drainEvents(t, push); ev&POLLOUT == 0 {
		t.Fatalf("events %v after the peer made room, want POLLOUT", ev)
	}
}

func TestGetFdPollerDrains(t *testing.T) {
	// A Poller reads the socket's events too, and so clears the fd.
	pull, push := pairUp(t, "inproc", true, PULL, PUSH)
	fd, err := pull.GetFd()
	must(t, err)
	sendParts(t, push, "m")
	if !fdReadable(t, fd, pollGuardMs) {
		t.Fatal("fd not readable after the peer sent")
	}
	poller := NewPoller()
	poller.Add(pull, POLLIN)
	polled, err := poller.Poll(0)
	must(t, err)
	if len(polled) != 1 || polled[0].Events&POLLIN == 0 {
		t.Fatalf("polled %v", polled)
	}
	if fdReadable(t, fd, 0) {
		t.Fatal("fd readable after a Poller read the events")
	}
}

func TestGetFdClosed(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, PULL)
	fd, err := s.GetFd()
	must(t, err)
	must(t, s.Close())
	if _, err := s.GetFd(); !errors.Is(err, ErrorSocketClosed) {
		t.Fatalf("GetFd after Close: %v", err)
	}
	s.closeFd()
	if _, ok := fdSignals.Load(s); ok {
		t.Fatal("closed socket still registered")
	}
	// Signals after closeFd leave the (closed, maybe reused) descriptor
	// alone, and closing twice is harmless.
	s.signal()
	s.closeFd()
	_ = fd
}
