//go:build !unix && !windows

package zmq4

// setUDPReuse does nothing: the system offers no way (through Go) to share
// a port.
func setUDPReuse(fd uintptr, multicast bool) error {
	if multicast {
		return ENOTSUP
	}
	return nil
}

// joinUDPGroup reports that multicast is not supported here.
func joinUDPGroup(fd uintptr, a udpAddress) error { return ENOTSUP }

// setMulticastSender reports that multicast is not supported here.
func setMulticastSender(fd uintptr, a udpAddress, loop bool, hops int) error { return ENOTSUP }
