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

// zmq_poll waits until one of the items is ready or timeout ms pass (-1:
// forever) and returns how many items are ready. Socket items are watched
// through their ZMQ_FD and judged by ZMQ_EVENTS; fd items by poll(2).
//
//export zmq_poll
func zmq_poll(items unsafe.Pointer, n C.int, timeout C.long) C.int {
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
	socks := make([]*zmq.Socket, len(list))
	pfds := make([]C.struct_pollfd, len(list))
	for i := range list {
		it := &list[i]
		it.revents = 0
		if it.socket != nil {
			e := getSock(it.socket)
			if e == nil {
				return fail(syscall.ENOTSOCK)
			}
			socks[i] = e.s
			fd, err := e.s.GetFd()
			if err != nil {
				return failErr(err)
			}
			pfds[i].fd = C.int(fd)
			pfds[i].events = C.POLLIN
		} else {
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
	}
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(time.Duration(timeout) * time.Millisecond)
	}
	first := true
	for {
		ready := 0
		for i := range list {
			it := &list[i]
			it.revents = 0
			if socks[i] != nil {
				st, err := socks[i].GetEvents()
				if err != nil {
					return failErr(err)
				}
				it.revents = C.short(int(st) & int(it.events) & (pollIn | pollOut))
			} else if !first {
				re := pfds[i].revents
				if re&C.POLLIN != 0 {
					it.revents |= pollIn
				}
				if re&C.POLLOUT != 0 {
					it.revents |= pollOut
				}
				if re&C.POLLPRI != 0 {
					it.revents |= pollPri
				}
				if re&^(C.POLLIN|C.POLLOUT|C.POLLPRI) != 0 {
					it.revents |= pollErr
				}
				it.revents &= it.events | pollErr
			}
			if it.revents != 0 {
				ready++
			}
		}
		if ready > 0 {
			return C.int(ready)
		}
		wait := -1
		switch {
		case timeout == 0:
			if !first {
				return 0
			}
			wait = 0
		case timeout > 0:
			left := time.Until(deadline)
			if left <= 0 && !first {
				return 0
			}
			if left < 0 {
				left = 0
			}
			wait = int((left + time.Millisecond - 1) / time.Millisecond)
		}
		for i := range pfds {
			pfds[i].revents = 0
		}
		r, err := C.poll(&pfds[0], C.nfds_t(len(pfds)), C.int(wait))
		if r < 0 {
			if err == syscall.EINTR {
				return fail(syscall.EINTR)
			}
			return fail(syscall.EFAULT)
		}
		first = false
	}
}
