//go:build !windows

package transport

import "syscall"

// connectFD issues connect(2) on socket fd, ignoring the result.
func connectFD(fd int, sa syscall.Sockaddr) { syscall.Connect(fd, sa) }
