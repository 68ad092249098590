//go:build !(unix && !solaris) && !windows

package beacon

import (
	"errors"
	"fmt"
	"runtime"
	"syscall"
)

// socketControl reports that beacons are not supported here: the system
// offers no way (through Go) to share a UDP port and broadcast. The error
// matches errors.ErrUnsupported.
func socketControl(network, address string, c syscall.RawConn) error {
	return fmt.Errorf("beacon: not supported on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}
