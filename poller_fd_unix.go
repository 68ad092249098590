//go:build unix

package zmq4

import (
	"errors"

	"golang.org/x/sys/unix"
)

// checkPollFd accepts any non-negative descriptor.
func checkPollFd(fd int) error {
	if fd < 0 {
		return einval
	}
	return nil
}

// pollEvents converts a State to poll(2)'s events.
func pollEvents(s State) int16 {
	var ev int16
	if s&POLLIN != 0 {
		ev |= unix.POLLIN
	}
	if s&POLLOUT != 0 {
		ev |= unix.POLLOUT
	}
	return ev
}

// pollState converts poll(2)'s revents to a State as libzmq's zmq_poll
// does: POLLIN and POLLOUT as they are, and anything else (error, hang-up,
// invalid descriptor, priority data) as POLLERR.
func pollState(rev int16) State {
	var s State
	if rev&unix.POLLIN != 0 {
		s |= POLLIN
	}
	if rev&unix.POLLOUT != 0 {
		s |= POLLOUT
	}
	if rev&^(unix.POLLIN|unix.POLLOUT) != 0 {
		s |= POLLERR
	}
	return s
}

// pollFds returns the poll(2) entries of the poller's descriptors, in the
// order of p.fdIDs.
func (p *Poller) pollFds() []unix.PollFd {
	fds := make([]unix.PollFd, 0, len(p.fdIDs)+1)
	for _, id := range p.fdIDs {
		it := p.items[id]
		fds = append(fds, unix.PollFd{Fd: int32(it.fd), Events: pollEvents(it.events)})
	}
	return fds
}

// fdStates checks the descriptors without waiting and returns the state of
// each, in the order of p.fdIDs, or nil without descriptors.
func (p *Poller) fdStates() ([]State, error) {
	if !p.hasFds() {
		return nil, nil
	}
	fds := p.pollFds()
	if err := pollRetry(fds, 0); err != nil {
		return nil, err
	}
	states := make([]State, len(fds))
	for k, f := range fds {
		states[k] = pollState(f.Revents)
	}
	return states, nil
}

// pollRetry is unix.Poll, retried on EINTR.
func pollRetry(fds []unix.PollFd, timeout int) error {
	for {
		_, err := unix.Poll(fds, timeout)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// fdWait is a goroutine blocked in poll(2) on the poller's descriptors and
// on a pipe that stop writes to.
type fdWait struct {
	ready chan struct{} // closed when poll(2) returned
	wake  [2]int        // the pipe that interrupts the wait
}

// waitFds starts waiting on the descriptors; nil without descriptors.
func (p *Poller) waitFds() (*fdWait, error) {
	if !p.hasFds() {
		return nil, nil
	}
	w := &fdWait{ready: make(chan struct{})}
	if err := unix.Pipe(w.wake[:]); err != nil {
		return nil, err
	}
	for _, fd := range w.wake {
		unix.CloseOnExec(fd)
		unix.SetNonblock(fd, true)
	}
	fds := p.pollFds()
	fds = append(fds, unix.PollFd{Fd: int32(w.wake[0]), Events: unix.POLLIN})
	go func() {
		defer close(w.ready)
		pollRetry(fds, -1)
	}()
	return w, nil
}

// stop ends the wait and releases the pipe; it does nothing on nil.
func (w *fdWait) stop() {
	if w == nil {
		return
	}
	unix.Write(w.wake[1], []byte{0})
	<-w.ready
	unix.Close(w.wake[0])
	unix.Close(w.wake[1])
}
