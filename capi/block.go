package main

/*
#include "pz.h"
*/
import "C"

import (
	"syscall"
	"time"

	zmq "github.com/purezmq/zmq4"
)

// recheck bounds one poll(2) of a blocking call; see blocking.
const recheck = 100 * time.Millisecond

// blocking runs a send or receive (op) the way libzmq blocks: op is tried
// without waiting, and while it would block the calling thread itself
// waits in poll(2) on the socket's ZMQ_FD, until the socket is ready
// (want), ZMQ_SNDTIMEO/RCVTIMEO pass (EAGAIN) or a signal arrives (EINTR,
// so the application's handler can run: Ctrl-C works in pyzmq). Waiting
// in the Go package instead would hold the thread past any signal.
func blocking(s *zmq.Socket, flags zmq.Flag, want zmq.State, op func(zmq.Flag) error) error {
	err := op(flags | zmq.DONTWAIT)
	if err == nil || flags&zmq.DONTWAIT != 0 || zmq.AsErrno(err) != zmq.Errno(syscall.EAGAIN) {
		return err
	}
	var timeo time.Duration
	var terr error
	if want == zmq.POLLIN {
		timeo, terr = s.GetRcvtimeo()
	} else {
		timeo, terr = s.GetSndtimeo()
	}
	if terr != nil {
		return terr
	}
	var deadline time.Time
	if timeo >= 0 {
		deadline = time.Now().Add(timeo)
	}
	fd, ferr := s.GetFd()
	if ferr != nil {
		return ferr
	}
	for {
		ev, err := s.GetEvents() // also rearms ZMQ_FD
		if err != nil {
			return err
		}
		if ev&want != 0 {
			err = op(flags | zmq.DONTWAIT)
			if zmq.AsErrno(err) != zmq.Errno(syscall.EAGAIN) {
				return err
			}
			// Ready by ZMQ_EVENTS yet still blocked (a SUB's unmatched
			// messages, an XPUB at its HWM): wait for the next change.
		}
		// ZMQ_FD's readiness is an edge that any thread's ZMQ_EVENTS
		// consumes: with two threads blocked on one socket (a thread-safe
		// type), the edge meant for this one may be gone, so the state is
		// looked at again at least every recheck.
		wait := C.int(recheck / time.Millisecond)
		if timeo >= 0 {
			left := time.Until(deadline)
			if left <= 0 {
				return syscall.EAGAIN
			}
			if left < recheck {
				wait = C.int((left + time.Millisecond - 1) / time.Millisecond)
			}
		}
		pfd := C.struct_pollfd{fd: C.int(fd), events: C.POLLIN}
		if r, perr := C.pz_poll(&pfd, 1, wait); r < 0 && perr == syscall.EINTR {
			return syscall.EINTR
		}
	}
}

// sendPart sends one part, blocking as libzmq does. The Go package refuses
// the first part of a multipart message when no peer can take it, as
// libzmq does, so a caller that retries a whole message after EAGAIN never
// sends a first part twice.
func (e *sockEntry) sendPart(data []byte, flags zmq.Flag, opts ...interface{}) error {
	return blocking(e.s, flags, zmq.POLLOUT, func(f zmq.Flag) error {
		_, err := e.s.SendBytes(data, f, opts...)
		return err
	})
}
