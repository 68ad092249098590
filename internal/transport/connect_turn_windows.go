package transport

import "syscall"

// connectFD issues connect on socket fd, ignoring the result.
func connectFD(fd int, sa syscall.Sockaddr) { syscall.Connect(syscall.Handle(fd), sa) }
