//go:build unix && !linux && !solaris

package transport

import (
	"os"

	"golang.org/x/sys/unix"
)

// setReusePort sets SO_REUSEPORT, which the BSDs need for several sockets
// to receive one group on one port.
func setReusePort(fd int) error {
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err != nil {
		return os.NewSyscallError("setsockopt SO_REUSEPORT", err)
	}
	return nil
}

// receiveOnlyJoinedGroups does nothing: outside Linux a socket receives
// only the groups it joined.
func receiveOnlyJoinedGroups(fd int, v6 bool) error { return nil }
