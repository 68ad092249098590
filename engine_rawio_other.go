//go:build !linux

package zmq4

import "net"

// Raw socket I/O is for Linux (engine_rawio_linux.go); elsewhere the
// engine reads with conn.Read.

// rawReader is not used here.
type rawReader struct{ net.Conn }

// newRawReader returns nil: connections are read with conn.Read.
func newRawReader(net.Conn) *rawReader { return nil }
