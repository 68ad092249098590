//lint:file-ignore ST1005 pebbe/zmq4's error texts are capitalised; they are kept for drop-in compatibility

package zmq4

import (
	"errors"
	"net"
	"os"
	"syscall"
)

// Errno is a ZeroMQ error number, as returned by libzmq's zmq_errno. Values
// that exist on the system use the system's errno value; the ZeroMQ-specific
// ones (EFSM, ENOCOMPATPROTO, ETERM, EMTHREAD) use libzmq's numbers.
type Errno uintptr

// hausNumero is the base libzmq adds to errno values it defines itself.
const hausNumero = 156384712

// Error numbers, with libzmq's values on Linux.
const (
	EADDRINUSE      = Errno(syscall.EADDRINUSE)
	EADDRNOTAVAIL   = Errno(syscall.EADDRNOTAVAIL)
	EAFNOSUPPORT    = Errno(syscall.EAFNOSUPPORT)
	ECONNABORTED    = Errno(syscall.ECONNABORTED)
	ECONNREFUSED    = Errno(syscall.ECONNREFUSED)
	ECONNRESET      = Errno(syscall.ECONNRESET)
	EHOSTUNREACH    = Errno(syscall.EHOSTUNREACH)
	EINPROGRESS     = Errno(syscall.EINPROGRESS)
	EMSGSIZE        = Errno(syscall.EMSGSIZE)
	ENETDOWN        = Errno(syscall.ENETDOWN)
	ENETRESET       = Errno(syscall.ENETRESET)
	ENETUNREACH     = Errno(syscall.ENETUNREACH)
	ENOBUFS         = Errno(syscall.ENOBUFS)
	ENOTCONN        = Errno(syscall.ENOTCONN)
	ENOTSOCK        = Errno(syscall.ENOTSOCK)
	ENOTSUP         = Errno(syscall.ENOTSUP)
	EPROTONOSUPPORT = Errno(syscall.EPROTONOSUPPORT)
	ETIMEDOUT       = Errno(syscall.ETIMEDOUT)
	EFSM            = Errno(hausNumero + 51)
	ENOCOMPATPROTO  = Errno(hausNumero + 52)
	ETERM           = Errno(hausNumero + 53)
	EMTHREAD        = Errno(hausNumero + 54)

	// The three below are plain system values in pebbe's API; they are
	// named here for convenience.
	eagain = Errno(syscall.EAGAIN)
	eintr  = Errno(syscall.EINTR)
	einval = Errno(syscall.EINVAL)
	emfile = Errno(syscall.EMFILE)
	efault = Errno(syscall.EFAULT)
	enodev = Errno(syscall.ENODEV)
	eproto = Errno(syscall.EPROTO)
	ENOENT = Errno(syscall.ENOENT)
)

var zmqErrorText = map[Errno]string{
	EFSM:           "Operation cannot be accomplished in current state",
	ENOCOMPATPROTO: "The protocol is not compatible with the socket type",
	ETERM:          "Context was terminated",
	EMTHREAD:       "No thread available",
}

// Error returns the text libzmq's zmq_strerror gives for the error number.
func (e Errno) Error() string {
	if s, ok := zmqErrorText[e]; ok {
		return s
	}
	if e == ENOTSUP {
		return "Operation not supported"
	}
	return syscall.Errno(e).Error()
}

// Is lets errors.Is match an Errno against the equal syscall.Errno, a timeout
// EAGAIN against os.ErrDeadlineExceeded, and ETERM against net.ErrClosed.
func (e Errno) Is(target error) bool {
	switch t := target.(type) {
	case syscall.Errno:
		return uintptr(t) == uintptr(e)
	case Errno:
		return t == e
	}
	switch target {
	case os.ErrDeadlineExceeded:
		return e == eagain
	case net.ErrClosed:
		return e == ETERM
	}
	return false
}

// Temporary reports whether retrying the call may succeed (EAGAIN, EINTR).
func (e Errno) Temporary() bool { return e == eagain || e == eintr }

// Timeout reports whether the error is EAGAIN or ETIMEDOUT.
func (e Errno) Timeout() bool { return e == eagain || e == ETIMEDOUT }

// Error returns the text of an error number, as zmq_strerror does.
func Error(e int) string { return Errno(e).Error() }

// AsErrno returns the error number behind err: err itself when it is an Errno,
// the number of a syscall.Errno, ETERM for closed sockets and contexts, and
// EAGAIN for deadline errors. Other errors give 0.
func AsErrno(err error) Errno {
	var e Errno
	if errors.As(err, &e) {
		return e
	}
	var se syscall.Errno
	if errors.As(err, &se) {
		return Errno(se)
	}
	switch {
	case errors.Is(err, ErrorSocketClosed), errors.Is(err, ErrorContextClosed):
		return ENOTSOCK
	case errors.Is(err, os.ErrDeadlineExceeded):
		return eagain
	}
	return 0
}

// Errors for operations on closed or missing objects, as in pebbe/zmq4.
var (
	ErrorContextClosed = wrapClosed("Context is closed")
	ErrorSocketClosed  = wrapClosed("Socket is closed")
	ErrorMoreExpected  = errors.New("More expected")
	ErrorNoSocket      = errors.New("No such socket")

	ErrorNotImplemented405     = errors.New("Not implemented, requires 0MQ version 4.0.5")
	ErrorNotImplemented41      = errors.New("Not implemented, requires 0MQ version 4.1")
	ErrorNotImplemented42      = errors.New("Not implemented, requires 0MQ version 4.2")
	ErrorNotImplementedWindows = errors.New("Not implemented on Windows")
)

// closedError is an error for a closed socket or context that also matches
// net.ErrClosed with errors.Is.
type closedError struct{ text string }

func wrapClosed(text string) error     { return &closedError{text} }
func (e *closedError) Error() string   { return e.text }
func (e *closedError) Is(t error) bool { return t == net.ErrClosed }
