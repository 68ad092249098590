package mechanism

import (
	"errors"
	"fmt"
	"io"
	"syscall"

	"github.com/purezmq/zmq4/internal/zmtp"
)

// FailureKind says which handshake-failed monitor event a failed handshake
// raises (libzmq 4.3 zmq_socket_monitor events).
type FailureKind int

const (
	// FailedNoDetail is ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL; Error.Code is an
	// errno value (EFAULT when a required ZAP handler is missing, EPIPE or the
	// socket's errno when the connection broke).
	FailedNoDetail FailureKind = iota
	// FailedProtocol is ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL; Error.Code is one
	// of the ZMQ_PROTOCOL_ERROR_* values below.
	FailedProtocol
	// FailedAuth is ZMQ_EVENT_HANDSHAKE_FAILED_AUTH; Error.Code is the ZAP
	// status 300, 400 or 500.
	FailedAuth
	// FailedUnreported is a failure for which libzmq raises no
	// handshake-failed event at all, only the disconnect: a peer of an
	// incompatible socket type (NULL READY, PLAIN and CURVE INITIATE), an
	// ERROR command whose reason is not a ZAP status, or a frame the codec
	// rejected. Error.Code is 0.
	FailedUnreported
)

// String names the kind as the monitor event does.
func (k FailureKind) String() string {
	switch k {
	case FailedNoDetail:
		return "HANDSHAKE_FAILED_NO_DETAIL"
	case FailedProtocol:
		return "HANDSHAKE_FAILED_PROTOCOL"
	case FailedAuth:
		return "HANDSHAKE_FAILED_AUTH"
	case FailedUnreported:
		return "HANDSHAKE_FAILED_UNREPORTED"
	}
	return fmt.Sprintf("FailureKind(%d)", int(k))
}

// ZMTP protocol error codes carried by FailedProtocol (zmq.h ZMQ_PROTOCOL_ERROR_*).
const (
	ProtocolErrorZMTPUnspecified                 = 0x10000000
	ProtocolErrorZMTPUnexpectedCommand           = 0x10000001
	ProtocolErrorZMTPInvalidSequence             = 0x10000002
	ProtocolErrorZMTPKeyExchange                 = 0x10000003
	ProtocolErrorZMTPMalformedCommandUnspecified = 0x10000011
	ProtocolErrorZMTPMalformedCommandMessage     = 0x10000012
	ProtocolErrorZMTPMalformedCommandHello       = 0x10000013
	ProtocolErrorZMTPMalformedCommandInitiate    = 0x10000014
	ProtocolErrorZMTPMalformedCommandError       = 0x10000015
	ProtocolErrorZMTPMalformedCommandReady       = 0x10000016
	ProtocolErrorZMTPMalformedCommandWelcome     = 0x10000017
	ProtocolErrorZMTPInvalidMetadata             = 0x10000018
	ProtocolErrorZMTPCryptographic               = 0x11000001
	ProtocolErrorZMTPMechanismMismatch           = 0x11000002
	ProtocolErrorZAPUnspecified                  = 0x20000000
	ProtocolErrorZAPMalformedReply               = 0x20000001
	ProtocolErrorZAPBadRequestID                 = 0x20000002
	ProtocolErrorZAPBadVersion                   = 0x20000003
	ProtocolErrorZAPInvalidStatusCode            = 0x20000004
	ProtocolErrorZAPInvalidMetadata              = 0x20000005
)

// Error is a failed handshake or a rejected CURVE MESSAGE. Kind and Code are
// what the socket reports in its monitor event; Err, when set, says more.
type Error struct {
	Kind FailureKind
	Code int
	Err  error
}

// Error describes the failure.
func (e *Error) Error() string {
	msg := fmt.Sprintf("mechanism: %v (code %#x)", e.Kind, e.Code)
	if e.Kind == FailedAuth || e.Kind == FailedNoDetail {
		msg = fmt.Sprintf("mechanism: %v (code %d)", e.Kind, e.Code)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// protocolError builds a FailedProtocol error.
func protocolError(code int, format string, args ...any) *Error {
	return &Error{Kind: FailedProtocol, Code: code, Err: fmt.Errorf(format, args...)}
}

// unreported builds a FailedUnreported error.
func unreported(format string, args ...any) *Error {
	return &Error{Kind: FailedUnreported, Err: fmt.Errorf(format, args...)}
}

// authError builds the FailedAuth error for a ZAP status 300, 400 or 500.
func authError(status int, cause string) *Error {
	return &Error{Kind: FailedAuth, Code: status, Err: errors.New(cause)}
}

// Errors of the ZAP step.
var (
	// ErrNoZAPHandler reports that a ZAP handler was required but none is bound.
	ErrNoZAPHandler = errors.New("mechanism: no ZAP handler bound at inproc://zeromq.zap.01")
	// ErrConfig reports a Config the mechanism cannot run with.
	ErrConfig = errors.New("mechanism: invalid configuration")
)

// noZAPHandler is the failure libzmq reports when ZAP is mandatory and no
// handler is bound: HANDSHAKE_FAILED_NO_DETAIL with EFAULT.
func noZAPHandler() *Error {
	return &Error{Kind: FailedNoDetail, Code: int(syscall.EFAULT), Err: ErrNoZAPHandler}
}

// configError reports a local misconfiguration (EINVAL, no detail event).
func configError(format string, args ...any) *Error {
	return &Error{Kind: FailedNoDetail, Code: int(syscall.EINVAL), Err: fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)}
}

// transportError wraps an error from the Conn. Codec errors (a malformed or
// oversized frame) are failures libzmq does not report as handshake events;
// anything else broke the connection and is reported with its errno.
func transportError(err error) *Error {
	var me *Error
	if errors.As(err, &me) {
		return me
	}
	if errors.Is(err, zmtp.ErrMalformed) || errors.Is(err, zmtp.ErrTooLarge) {
		return &Error{Kind: FailedUnreported, Err: err}
	}
	code := int(syscall.EPIPE)
	var errno syscall.Errno
	switch {
	case errors.As(err, &errno):
		code = int(errno)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		code = int(syscall.EPIPE)
	}
	return &Error{Kind: FailedNoDetail, Code: code, Err: err}
}
