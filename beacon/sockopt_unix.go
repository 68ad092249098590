//go:build unix && !solaris

package beacon

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// socketControl lets several beacons bind the same UDP port, as
// zbeacon does (SO_REUSEADDR and SO_REUSEPORT), and lets the socket send
// broadcasts (SO_BROADCAST).
func socketControl(network, address string, c syscall.RawConn) error {
	var optErr error
	err := c.Control(func(fd uintptr) {
		for _, option := range []int{unix.SO_REUSEADDR, unix.SO_REUSEPORT, unix.SO_BROADCAST} {
			if optErr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, option, 1); optErr != nil {
				return
			}
		}
	})
	if err != nil {
		return err
	}
	return optErr
}
