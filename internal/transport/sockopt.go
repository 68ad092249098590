package transport

import (
	"os"
	"syscall"
)

// errnoOp wraps a failed socket call so that errors.Is still finds the errno.
func errnoOp(op string, err error) error {
	return os.NewSyscallError(op, err)
}

// controlFD runs fn with the file descriptor behind rc and returns the
// first error from either.
func controlFD(rc syscall.RawConn, fn func(fd int) error) error {
	var inner error
	err := rc.Control(func(fd uintptr) { inner = fn(int(fd)) })
	if err != nil {
		return err
	}
	return inner
}
