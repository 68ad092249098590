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
		wait := C.int(-1)
		if timeo >= 0 {
			left := time.Until(deadline)
			if left <= 0 {
				return syscall.EAGAIN
			}
			wait = C.int((left + time.Millisecond - 1) / time.Millisecond)
		}
		pfd := C.struct_pollfd{fd: C.int(fd), events: C.POLLIN}
		if r, perr := C.poll(&pfd, 1, wait); r < 0 && perr == syscall.EINTR {
			return syscall.EINTR
		}
	}
}

// sendPart sends one part as libzmq does. libzmq admits the first part of
// a multipart message only when the socket can send (EAGAIN otherwise), and
// then never refuses the later parts, so a caller that gets EAGAIN retries
// the whole message. The Go package takes a first SNDMORE part at any time
// and keeps it when the last part would block, and a caller retrying the
// whole message would then send that first part twice (pyzmq's asyncio
// does). So on the types whose first part is not an address and that
// block for want of a peer (PAIR, DEALER, PUSH), the first part waits here
// for ZMQ_EVENTS to say POLLOUT. ROUTER and STREAM judge the address in the
// first part themselves; REQ and REP answer EFSM out of turn.
func (e *sockEntry) sendPart(data []byte, flags zmq.Flag, opts ...interface{}) error {
	first := !e.midMessage.Load() && flags&zmq.SNDMORE != 0 &&
		(e.typ == zmq.PAIR || e.typ == zmq.DEALER || e.typ == zmq.PUSH)
	err := blocking(e.s, flags, zmq.POLLOUT, func(f zmq.Flag) error {
		if first {
			ev, err := e.s.GetEvents()
			if err != nil {
				return err
			}
			if ev&zmq.POLLOUT == 0 {
				return syscall.EAGAIN
			}
		}
		_, err := e.s.SendBytes(data, f, opts...)
		return err
	})
	if err == nil {
		e.midMessage.Store(flags&zmq.SNDMORE != 0)
	}
	return err
}
