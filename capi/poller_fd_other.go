//go:build !linux

package main

import (
	"syscall"

	zmq "github.com/purezmq/zmq4"
)

// signalerLocked: zmq_poller_fd has no descriptor to give off Linux.
func (x *poller) signalerLocked() (int, syscall.Errno) { return -1, syscall.EINVAL }

func (x *poller) watchLocked(s *zmq.Socket, on bool) {}

func (x *poller) closeSignalerLocked() {}
