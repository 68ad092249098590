package transport

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// receiveOnlyJoinedGroups clears IP_MULTICAST_ALL (IPV6_MULTICAST_ALL):
// otherwise Linux hands a socket bound to the wildcard address the
// datagrams of every group any socket on the host joined on its port.
// Kernels older than 4.20 lack the IPv6 option; they keep the old way.
func receiveOnlyJoinedGroups(fd int, v6 bool) error {
	if v6 {
		err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_ALL, 0)
		if err != nil && !errors.Is(err, unix.ENOPROTOOPT) {
			return os.NewSyscallError("setsockopt IPV6_MULTICAST_ALL", err)
		}
		return nil
	}
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_MULTICAST_ALL, 0); err != nil {
		return os.NewSyscallError("setsockopt IP_MULTICAST_ALL", err)
	}
	return nil
}
