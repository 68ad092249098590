package zmq4

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// peerClosedPoll is how long one poll of peerClosed waits before it looks
// at stop again.
const peerClosedPoll = 20 // milliseconds

// peerClosed reports true once the peer has closed its side of rc's socket
// (POLLRDHUP: its FIN arrived, even with bytes still unread) or the socket
// failed; it reads nothing. It returns false once stop is closed.
func peerClosed(rc syscall.RawConn, stop <-chan struct{}) bool {
	for {
		select {
		case <-stop:
			return false
		default:
		}
		closed := false
		err := rc.Control(func(fd uintptr) {
			fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLRDHUP}}
			n, err := unix.Poll(fds, peerClosedPoll)
			closed = err == nil && n > 0 && fds[0].Revents&(unix.POLLRDHUP|unix.POLLHUP|unix.POLLERR) != 0
		})
		if err != nil {
			return false // the connection was closed here
		}
		if closed {
			return true
		}
	}
}
