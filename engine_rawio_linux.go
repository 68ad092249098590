package zmq4

import (
	"io"
	"net"
	"syscall"
	"unsafe"
)

// Socket I/O through the connection's RawConn for the ZMTP engine on
// Linux (RawConn keeps these calls ordered with the connection's other
// reads, writes and Close, and waits in the runtime's poller as conn.Read
// does).
//
// Reading: the runtime keeps every socket in non-blocking mode, so a read
// system call on it never blocks and takes only the copy; yet conn.Read
// makes it as a blocking call (syscall.Syscall), and entering one wakes
// the runtime's monitor thread (sysmon) whenever it had gone to sleep
// because the process was idle. At a moderate message rate the process is
// idle between messages, so each read cost a thread wake-up besides the
// call itself. rawReader makes the same call with syscall.RawSyscall.
//
// Writing: the writer goroutine of every ZMTP engine but REQ's and REP's
// writes its small batches (up to rawWriteMax bytes) with rawWriter, raw
// system calls, for the reason reads are raw: at a moderate rate each
// ordinary write woke the sleeping monitor thread, which then ran for a
// while at its shortest period (a ROUTER echoing a DEALER paced at 20,000
// msg/s spent a sixth of its CPU in sysmon; with raw writes, about a
// quarter less CPU per message). A raw call keeps its processor (P) for
// the whole write, which on loopback runs the peer's receive path too;
// the writer goroutine holds nothing the other goroutines wait for
// meanwhile but the write token. Larger batches keep conn.Write: they
// come with a load at which sysmon is awake anyway, and their writes are
// long enough that the runtime should be free to hand the P to another
// thread meanwhile (with raw writes of any size, a PUB's send rate to 10
// subscribers measured 0.74 of the build before, in a noisy median of
// seven alternated pairs).
//
// The in-place writer (engine_inplace.go) makes one write call that must
// not wait, through RawConn.Write. For REQ and REP, whose application
// goroutine makes it, batches up to rawWriteMax bytes go out with a raw
// call: since the application's Recv reads the connection itself
// (engine_direct.go), no other goroutine of the exchange waits for its
// processor meanwhile, and the raw call spares the monitor thread's
// wake-up. Against ordinary calls, REQ/REP round trips (zmq perf
// remote_latp, medians of seven alternated runs, twice) came out with
// p50 1.16 and 1.05 times lower, p99 1.26 and 1.20, p99.9 1.12 and 1.22.
// Before reading in place, raw in-place writes had lengthened the tails
// instead (p99.9 several times longer, tried in two sessions): the
// reader goroutine, readied by the poller, then waited for the processor
// the raw call kept. The fan-out worker of PUB and XPUB, which writes
// one engine after another, makes ordinary calls, which let the runtime
// run the worker's peers meanwhile. Their writer goroutine, which writes
// only what an in-place write left, keeps conn.Write.

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

// rawConnOf returns the raw socket of c, or nil when c is not a plain tcp
// or ipc connection.
func rawConnOf(c net.Conn) syscall.RawConn {
	sc, ok := rawIOConn(c)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// newRawReader returns a reader for c, or nil when c is not a plain tcp or
// ipc connection.
func newRawReader(c net.Conn) *rawReader {
	rc := rawConnOf(c)
	if rc == nil {
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

// inPlaceWriter writes to a connection's socket without waiting; only the
// holder of the engine's write token uses it.
type inPlaceWriter struct {
	rc  syscall.RawConn
	do  func(fd uintptr) bool // w.writeFD, made once so a write allocates nothing
	raw bool                  // write up to rawWriteMax bytes with a raw system call

	// The bytes and results of the write in progress.
	b   []byte
	n   int
	err error
}

// newInPlaceWriter returns a writer for c, or nil when c is not a plain
// tcp or ipc connection. With raw, it writes batches up to rawWriteMax
// bytes with raw system calls.
func newInPlaceWriter(c net.Conn, raw bool) *inPlaceWriter {
	rc := rawConnOf(c)
	if rc == nil {
		return nil
	}
	w := &inPlaceWriter{rc: rc, raw: raw}
	w.do = w.writeFD
	return w
}

// write writes as much of b (not empty) as the socket takes now, and
// returns how many bytes that was: 0 and no error when its buffer is
// full. It never waits.
func (w *inPlaceWriter) write(b []byte) (int, error) {
	w.b, w.n, w.err = b, 0, nil
	err := w.rc.Write(w.do)
	w.b = nil
	if err != nil {
		return 0, err
	}
	return w.n, w.err
}

// writeFD makes one write system call. It always reports done, so
// RawConn.Write never waits for the socket to become writable.
func (w *inPlaceWriter) writeFD(fd uintptr) bool {
	for {
		var n int
		var err error
		if w.raw && len(w.b) <= rawWriteMax {
			r, _, errno := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&w.b[0])), uintptr(len(w.b)))
			n = int(r)
			if errno != 0 {
				err = errno
			}
		} else {
			n, err = syscall.Write(int(fd), w.b)
		}
		switch err {
		case nil:
			w.n = n
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
		default:
			w.err = err
		}
		return true
	}
}

// rawWriter writes a connection's socket with raw system calls, waiting in
// the runtime's poller when the socket's buffer is full; only the holder
// of the engine's write token uses it.
type rawWriter struct {
	rc syscall.RawConn
	do func(fd uintptr) bool // w.writeFD, made once so a write allocates nothing

	// The bytes still to write and the error of the write in progress.
	b   []byte
	err error
}

// newRawWriter returns a writer for c, or nil when c is not a plain tcp or
// ipc connection.
func newRawWriter(c net.Conn) *rawWriter {
	rc := rawConnOf(c)
	if rc == nil {
		return nil
	}
	w := &rawWriter{rc: rc}
	w.do = w.writeFD
	return w
}

// Write writes all of b, as conn.Write does.
func (w *rawWriter) Write(b []byte) (int, error) {
	w.b, w.err = b, nil
	err := w.rc.Write(w.do)
	n := len(b) - len(w.b)
	w.b = nil
	if err == nil {
		err = w.err
	}
	return n, err
}

// writeFD writes what is left of w.b; it reports false (wait until the
// socket can be written, then call again) when the socket's buffer is full.
func (w *rawWriter) writeFD(fd uintptr) bool {
	for len(w.b) > 0 {
		n, _, errno := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&w.b[0])), uintptr(len(w.b)))
		switch errno {
		case 0:
			w.b = w.b[n:]
		case syscall.EINTR:
		case syscall.EAGAIN:
			return false
		default:
			w.err = errno
			return true
		}
	}
	return true
}
