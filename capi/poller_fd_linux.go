//go:build linux

package main

import (
	"syscall"

	zmq "github.com/purezmq/zmq4"
)

// signalerLocked returns zmq_poller_fd's descriptor, made on first use: an
// epoll descriptor watching the ZMQ_FD of each thread-safe socket in the
// poller, so that it turns readable when one of them may be ready. Call
// with x.mu held.
func (x *poller) signalerLocked() (int, syscall.Errno) {
	if x.sig >= 0 {
		return x.sig, 0
	}
	var socks []*zmq.Socket
	for _, it := range x.items {
		if it.sock == nil {
			continue
		}
		if e := getSock(it.sock); e != nil && threadSafe(e.typ) {
			socks = append(socks, it.s)
		}
	}
	if len(socks) == 0 {
		return -1, syscall.EINVAL
	}
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return -1, errnoOf(err)
	}
	x.sig = ep
	for _, s := range socks {
		x.watchLocked(s, true)
	}
	return ep, 0
}

// watchLocked adds a thread-safe socket's ZMQ_FD to the signaler, or takes
// it out, once the signaler exists. Call with x.mu held.
func (x *poller) watchLocked(s *zmq.Socket, on bool) {
	if x.sig < 0 {
		return
	}
	fd, err := s.GetFd()
	if err != nil {
		return
	}
	if on {
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}
		syscall.EpollCtl(x.sig, syscall.EPOLL_CTL_ADD, fd, &ev)
	} else {
		syscall.EpollCtl(x.sig, syscall.EPOLL_CTL_DEL, fd, nil)
	}
}

// closeSignalerLocked closes the signaler, if made. Call with x.mu held.
func (x *poller) closeSignalerLocked() {
	if x.sig >= 0 {
		syscall.Close(x.sig)
		x.sig = -1
	}
}
