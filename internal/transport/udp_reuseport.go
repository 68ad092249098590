//go:build unix && !solaris

package transport

import (
	"os"

	"golang.org/x/sys/unix"
)

// setReusePort sets SO_REUSEPORT, which Linux and the BSDs need for several
// sockets to receive one group on one port (Solaris shares a port with
// SO_REUSEADDR alone: udp_solaris.go).
func setReusePort(fd int) error {
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err != nil {
		return os.NewSyscallError("setsockopt SO_REUSEPORT", err)
	}
	return nil
}
