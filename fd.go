//go:build unix

package zmq4

import (
	"sync"
	"syscall"
)

// fdSignal is the pipe behind ZMQ_FD. Its read end becomes readable when
// the socket's events may have changed, and stays so until ZMQ_EVENTS is
// read (GetEvents, or a Poller looking at the socket): edge-triggered, as
// libzmq's is. The application polls the read end and never reads or
// writes it.
type fdSignal struct {
	r, w    int
	pending bool // a byte waits in the pipe; guarded by the socket's readyMu
	closed  bool // guarded by the socket's readyMu
}

// fdSignals maps each socket that handed out its ZMQ_FD to its pipe.
var fdSignals sync.Map // *Socket -> *fdSignal

// fdLocked returns the socket's ZMQ_FD, making the pipe on the first call.
// The new descriptor starts readable, so a caller that polls it before
// reading ZMQ_EVENTS never misses a change that happened earlier. Call
// with s.mu held.
func (s *Socket) fdLocked() (int, error) {
	if v, ok := fdSignals.Load(s); ok {
		return v.(*fdSignal).r, nil
	}
	sig, err := newFdSignal()
	if err != nil {
		return -1, err
	}
	fdSignals.Store(s, sig)
	s.readyMu.Lock()
	s.onSignal = sig.notifyLocked
	sig.notifyLocked()
	s.readyMu.Unlock()
	return sig.r, nil
}

// newFdSignal makes a close-on-exec, non-blocking pipe.
func newFdSignal() (*fdSignal, error) {
	var p [2]int
	// Hold the fork lock so no child inherits the pipe before it is
	// marked close-on-exec.
	syscall.ForkLock.RLock()
	err := syscall.Pipe(p[:])
	if err == nil {
		syscall.CloseOnExec(p[0])
		syscall.CloseOnExec(p[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, err
	}
	for _, fd := range p {
		if err := syscall.SetNonblock(fd, true); err != nil {
			syscall.Close(p[0])
			syscall.Close(p[1])
			return nil, err
		}
	}
	return &fdSignal{r: p[0], w: p[1]}, nil
}

// notifyLocked makes the read end readable unless it already is. It runs
// at every signal of the socket, with readyMu held.
func (f *fdSignal) notifyLocked() {
	if f.closed || f.pending {
		return
	}
	var one = [1]byte{1}
	for {
		_, err := syscall.Write(f.w, one[:])
		if err != syscall.EINTR {
			// EAGAIN means the pipe is full, so readable anyway.
			break
		}
	}
	f.pending = true
}

// drainLocked empties the pipe. Call with readyMu held.
func (f *fdSignal) drainLocked() {
	if f.closed || !f.pending {
		return
	}
	var buf [64]byte
	for {
		n, err := syscall.Read(f.r, buf[:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n < len(buf) {
			break
		}
	}
	f.pending = false
}

// drainFd clears the socket's ZMQ_FD, if it has one, before its events are
// computed. Call with s.mu held.
func (s *Socket) drainFd() {
	// onSignal is only ever set with s.mu held too, so this read is safe.
	if s.onSignal == nil {
		return
	}
	v, ok := fdSignals.Load(s)
	if !ok {
		return
	}
	s.readyMu.Lock()
	v.(*fdSignal).drainLocked()
	s.readyMu.Unlock()
}

// closeFd closes the socket's ZMQ_FD, if it has one. Call when the socket
// closes; later signals no longer touch the descriptor.
func (s *Socket) closeFd() {
	v, ok := fdSignals.LoadAndDelete(s)
	if !ok {
		return
	}
	sig := v.(*fdSignal)
	s.readyMu.Lock()
	if !sig.closed {
		sig.closed = true
		syscall.Close(sig.r)
		syscall.Close(sig.w)
	}
	s.readyMu.Unlock()
}
