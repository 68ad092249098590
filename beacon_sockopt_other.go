//go:build !(unix && !solaris) && !windows

package zmq4

import "syscall"

// beaconSocketControl reports that beacons are not supported here: the
// system offers no way (through Go) to share a UDP port and broadcast.
func beaconSocketControl(network, address string, c syscall.RawConn) error {
	return ENOTSUP
}
