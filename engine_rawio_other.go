//go:build !linux

package zmq4

import (
	"net"
	"syscall"
)

// Raw socket I/O is for Linux (engine_rawio_linux.go); elsewhere the
// engine reads with conn.Read, its writer goroutine writes with
// conn.Write, and senders never write in place.

// rawReader is not used here.
type rawReader struct{ net.Conn }

// newRawReader returns nil: connections are read with conn.Read.
func newRawReader(net.Conn) *rawReader { return nil }

// inPlaceWriter is not used here.
type inPlaceWriter struct{}

// newInPlaceWriter returns nil: senders never write in place.
func newInPlaceWriter(net.Conn, bool) *inPlaceWriter { return nil }

// write is never called.
func (w *inPlaceWriter) write([]byte) (int, error) { return 0, syscall.EINVAL }

// rawWriter is not used here.
type rawWriter struct{}

// newRawWriter returns nil: the writer goroutine writes with conn.Write.
func newRawWriter(net.Conn) *rawWriter { return nil }

// Write is never called.
func (w *rawWriter) Write([]byte) (int, error) { return 0, syscall.EINVAL }

// rawConnOf returns nil: no connection is used raw here.
func rawConnOf(net.Conn) syscall.RawConn { return nil }

// peerClosed is never called here (rawConnOf gives nil).
func peerClosed(syscall.RawConn, <-chan struct{}) bool { return false }
