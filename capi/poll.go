package main

/*
#include "pz.h"
*/
import "C"

import (
	"syscall"
	"time"
	"unsafe"

	zmq "github.com/purezmq/zmq4"
)

const (
	pollIn  = 1
	pollOut = 2
	pollErr = 4
	pollPri = 8
)

// pollItem is one thing to wait on: a socket, or a file descriptor when
// sock is nil. entry, when set, is sock's C API state, whose receive
// buffer counts as input (recvq.go).
type pollItem struct {
	sock   *zmq.Socket
	entry  *sockEntry
	fd     int
	events int
}

// state is ZMQ_EVENTS for the item's socket.
func (it pollItem) state() (zmq.State, error) {
	if it.entry != nil {
		return it.entry.events()
	}
	return it.sock.GetEvents()
}

// pollWait waits until an item is ready or timeout ms pass (-1: forever)
// and returns each item's ready events, and how many items are ready.
// Sockets are watched through their ZMQ_FD and judged by ZMQ_EVENTS, file
// descriptors by poll(2), which runs on the calling thread so a signal
// there ends the wait with EINTR, as in libzmq.
func pollWait(items []pollItem, timeout int) ([]int, int, syscall.Errno) {
	revents := make([]int, len(items))
	if len(items) == 0 {
		if timeout < 0 {
			return nil, 0, syscall.EFAULT
		}
		time.Sleep(time.Duration(timeout) * time.Millisecond)
		return revents, 0, 0
	}
	for _, it := range items {
		it.entry.flushSends()
	}
	pfds := make([]C.struct_pollfd, len(items))
	for i, it := range items {
		if it.sock != nil {
			fd, err := it.sock.GetFd()
			if err != nil {
				return nil, 0, errnoOf(err)
			}
			pfds[i].fd = C.int(fd)
			pfds[i].events = C.POLLIN
			continue
		}
		pfds[i].fd = C.int(it.fd)
		var ev C.short
		if it.events&pollIn != 0 {
			ev |= C.POLLIN
		}
		if it.events&pollOut != 0 {
			ev |= C.POLLOUT
		}
		if it.events&pollPri != 0 {
			ev |= C.POLLPRI
		}
		pfds[i].events = ev
	}
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(time.Duration(timeout) * time.Millisecond)
	}
	first := true
	for {
		ready := 0
		for i, it := range items {
			revents[i] = 0
			if it.sock != nil {
				st, err := it.state()
				if err != nil {
					return nil, 0, errnoOf(err)
				}
				revents[i] = int(st) & it.events & (pollIn | pollOut)
			} else if !first {
				re := pfds[i].revents
				r := 0
				if re&C.POLLIN != 0 {
					r |= pollIn
				}
				if re&C.POLLOUT != 0 {
					r |= pollOut
				}
				if re&C.POLLPRI != 0 {
					r |= pollPri
				}
				if re&^(C.POLLIN|C.POLLOUT|C.POLLPRI) != 0 {
					r |= pollErr
				}
				revents[i] = r & (it.events | pollErr)
			}
			if revents[i] != 0 {
				ready++
			}
		}
		if ready > 0 {
			return revents, ready, 0
		}
		wait := -1
		switch {
		case timeout == 0:
			if !first {
				return revents, 0, 0
			}
			wait = 0
		case timeout > 0:
			left := time.Until(deadline)
			if left <= 0 && !first {
				return revents, 0, 0
			}
			if left < 0 {
				left = 0
			}
			wait = int((left + time.Millisecond - 1) / time.Millisecond)
		}
		for i := range pfds {
			pfds[i].revents = 0
		}
		r, err := C.pz_poll(&pfds[0], C.nfds_t(len(pfds)), C.int(wait))
		if r < 0 {
			if err == syscall.EINTR {
				return nil, 0, syscall.EINTR
			}
			return nil, 0, syscall.EFAULT
		}
		first = false
	}
}

// pz_go_zmq_poll is zmq_poll: waits until one of the items is ready or timeout ms pass (-1:
// forever) and returns how many items are ready.
//
//export pz_go_zmq_poll
func pz_go_zmq_poll(items unsafe.Pointer, n C.int, timeout C.long) C.int {
	if n < 0 || (items == nil && n != 0) {
		return fail(syscall.EFAULT)
	}
	if n == 0 {
		if timeout < 0 {
			// Nothing can ever be ready; libzmq would block forever too.
			select {}
		}
		time.Sleep(time.Duration(timeout) * time.Millisecond)
		return 0
	}
	list := unsafe.Slice((*C.pz_pollitem)(items), int(n))
	pi := make([]pollItem, len(list))
	for i := range list {
		it := &list[i]
		it.revents = 0
		pi[i] = pollItem{fd: int(it.fd), events: int(it.events)}
		if it.socket != nil {
			e := getSock(it.socket)
			if e == nil {
				return fail(syscall.ENOTSOCK)
			}
			pi[i].sock = e.s
			pi[i].entry = e
		}
	}
	revents, ready, errno := pollWait(pi, int(timeout))
	if errno != 0 {
		return fail(errno)
	}
	for i := range list {
		list[i].revents = C.short(revents[i])
	}
	return C.int(ready)
}
