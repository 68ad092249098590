package transport

import (
	"fmt"
	"syscall"
)

// errnoError is a sentinel error that carries a message and unwraps to a
// syscall.Errno, so callers can test it with errors.Is against either the
// sentinel itself or the errno.
type errnoError struct {
	msg   string
	errno syscall.Errno
}

func (e *errnoError) Error() string { return e.msg }

func (e *errnoError) Unwrap() error { return e.errno }

var (
	// ErrProtocolNotSupported reports an endpoint scheme this package does not
	// handle. It wraps syscall.EPROTONOSUPPORT.
	ErrProtocolNotSupported error = &errnoError{"transport: protocol not supported", syscall.EPROTONOSUPPORT}

	// ErrInvalidEndpoint reports a malformed endpoint. It wraps syscall.EINVAL.
	ErrInvalidEndpoint error = &errnoError{"transport: invalid endpoint", syscall.EINVAL}
)

// invalidf returns an error that wraps ErrInvalidEndpoint (and so EINVAL)
// with a description of what is wrong.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidEndpoint}, args...)...)
}

// errnof returns an error that wraps errno with a description.
func errnof(errno syscall.Errno, format string, args ...any) error {
	return fmt.Errorf("transport: "+format+": %w", append(args, errno)...)
}
