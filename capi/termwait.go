package main

/*
#include "pz.h"
*/
import "C"

import "syscall"

// zmq_ctx_term waits for the context's termination in poll(2), as libzmq
// waits on its termination mailbox, so that a signal ends the wait with
// EINTR and the application's handler can run; a later zmq_ctx_term
// waits again. pyzmq's Context.term relies on it: Ctrl-C, or
// pytest-timeout's alarm, ends a term held by lingering messages. Waiting
// on the Go channel instead would hold the thread past any signal.
//
// The goroutine that runs the Go package's Term writes one byte to a pipe
// when Term returns, before it closes termDone; the waiting threads poll
// the pipe's read end. The last waiter to leave after termination closes
// the pipe.

// termPipe is a context's termination pipe: r and w are its two ends.
type termPipe struct {
	r, w    int
	waiters int // threads in waitTerm, under ctxEntry.mu
}

// newTermPipe makes the pipe, or returns nil when the system refuses one
// (the wait then cannot be interrupted).
func newTermPipe() *termPipe {
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		return nil
	}
	for _, fd := range fds {
		syscall.CloseOnExec(fd)
		_ = syscall.SetNonblock(fd, true)
	}
	return &termPipe{r: fds[0], w: fds[1]}
}

// signal writes the byte that says termination is done.
func (t *termPipe) signal() {
	if t != nil {
		_, _ = syscall.Write(t.w, []byte{1})
	}
}

// waitTerm waits until done is closed, in poll(2) on the pipe; it returns
// EINTR when a signal arrives first. Call without c.mu held.
func (c *ctxEntry) waitTerm(done chan struct{}) syscall.Errno {
	c.mu.Lock()
	t := c.termPipe
	if t != nil {
		t.waiters++
	}
	c.mu.Unlock()
	if t == nil {
		<-done
		return 0
	}
	defer c.leaveTermWait(t, done)
	for {
		select {
		case <-done:
			return 0
		default:
		}
		pfd := C.struct_pollfd{fd: C.int(t.r), events: C.POLLIN}
		if r, err := C.pz_poll(&pfd, 1, -1); r < 0 && err == syscall.EINTR {
			return syscall.EINTR
		}
	}
}

// leaveTermWait closes the pipe when termination is done and no other
// thread waits on it.
func (c *ctxEntry) leaveTermWait(t *termPipe, done chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t.waiters--
	select {
	case <-done:
	default:
		return // interrupted: a later zmq_ctx_term waits again
	}
	if t.waiters == 0 && c.termPipe == t {
		syscall.Close(t.r)
		syscall.Close(t.w)
		c.termPipe = nil
	}
}
