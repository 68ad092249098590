//go:build !unix && !windows

package transport

import "syscall"

// setUDPReuse does nothing: the system offers no way (through Go) to share
// a port.
func setUDPReuse(fd uintptr, multicast bool) error {
	if multicast {
		return syscall.ENOTSUP
	}
	return nil
}

// joinUDPGroup reports that multicast is not supported here.
func joinUDPGroup(fd uintptr, a UDPAddress) error { return syscall.ENOTSUP }

// setMulticastSender reports that multicast is not supported here.
func setMulticastSender(fd uintptr, a UDPAddress, loop bool, hops int) error { return syscall.ENOTSUP }
