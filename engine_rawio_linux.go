package zmq4

import (
	"io"
	"net"
	"syscall"
	"unsafe"
)

// Raw socket I/O for the ZMTP engine on Linux. The runtime keeps every
// socket in non-blocking mode and waits for readiness in its poller, so a
// read system call on it never blocks; yet conn.Read makes it as a
// blocking call (syscall.Syscall), and entering one wakes the runtime's
// monitor thread (sysmon) whenever it had gone to sleep because the
// process was idle. At a moderate message rate the process is idle
// between messages, so each read cost a thread wake-up besides the call
// itself. rawReader makes the same call with syscall.RawSyscall, through
// the connection's RawConn (which keeps it ordered with the connection's
// own reads and Close, and waits in the poller as conn.Read does).

// rawIOConn returns c as a syscall.Conn when its socket can be read and
// written raw: plain tcp and ipc connections, not the wrappers of ws, wss
// or SOCKS.
func rawIOConn(c net.Conn) (syscall.Conn, bool) {
	switch c := c.(type) {
	case *net.TCPConn:
		return c, true
	case *net.UnixConn:
		return c, true
	}
	return nil, false
}

// rawReader reads a connection with raw system calls; one goroutine
// reads at a time (the engine's connection goroutine).
type rawReader struct {
	rc syscall.RawConn
	do func(fd uintptr) bool // r.readFD, made once so a read allocates nothing

	// The buffer and results of the read in progress.
	b   []byte
	n   int
	err error
}

// newRawReader returns a reader for c, or nil when c is not a plain tcp or
// ipc connection.
func newRawReader(c net.Conn) *rawReader {
	sc, ok := rawIOConn(c)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	r := &rawReader{rc: rc}
	r.do = r.readFD
	return r
}

// Read reads what the socket has, waiting in the runtime's poller until
// it has something, as conn.Read does (read deadlines included).
func (r *rawReader) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	r.b, r.n, r.err = b, 0, nil
	err := r.rc.Read(r.do)
	r.b = nil
	switch {
	case err != nil:
		return 0, err
	case r.err != nil:
		return 0, r.err
	case r.n == 0:
		return 0, io.EOF
	}
	return r.n, nil
}

// readFD makes one read system call; it reports false (wait for the
// socket to become readable, then call again) when there is nothing to
// read yet.
func (r *rawReader) readFD(fd uintptr) bool {
	for {
		n, _, errno := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&r.b[0])), uintptr(len(r.b)))
		switch errno {
		case 0:
			r.n = int(n)
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		default:
			r.err = errno
		}
		return true
	}
}
