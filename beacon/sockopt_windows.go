//go:build windows

package beacon

import "syscall"

// socketControl lets several beacons bind the same UDP port
// (SO_REUSEADDR, which on Windows also covers what SO_REUSEPORT does
// elsewhere) and lets the socket send broadcasts (SO_BROADCAST).
func socketControl(network, address string, c syscall.RawConn) error {
	var optErr error
	err := c.Control(func(fd uintptr) {
		for _, option := range []int{syscall.SO_REUSEADDR, syscall.SO_BROADCAST} {
			if optErr = syscall.SetsockoptInt(syscall.Handle(fd), syscall.SOL_SOCKET, option, 1); optErr != nil {
				return
			}
		}
	})
	if err != nil {
		return err
	}
	return optErr
}
