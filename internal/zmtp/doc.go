// Package zmtp encodes and decodes the ZMTP 3.x wire format: the 64-byte
// greeting, frames, commands and metadata properties.
//
// It works on byte slices and an io.Reader; it knows nothing about sockets
// or networks. Encoders append to a caller-supplied slice so the caller can
// reuse its buffers; Writer encodes a connection's data phase (messages,
// commands, subscriptions in the form the peer's version expects, CURVE
// sealing) into a buffer it keeps across batches and leaves the writing to
// its caller. Every parser treats its input as hostile: malformed input
// yields ErrMalformed, never a panic, and no peer-supplied length is
// allocated before it is checked.
package zmtp

import "errors"

// ErrMalformed reports a greeting, frame, command or metadata block that
// breaks the ZMTP grammar.
var ErrMalformed = errors.New("zmtp: malformed input")

// ErrTooLarge reports a frame whose declared size exceeds the reader's
// maximum frame size.
var ErrTooLarge = errors.New("zmtp: frame too large")
