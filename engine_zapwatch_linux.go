package zmq4

import "syscall"

// peerClosed waits until rc's socket is readable and reports whether that
// is because the peer closed it (or reset it); data waiting to be read
// gives false and stays unread. A read deadline ends the wait with false.
func peerClosed(rc syscall.RawConn) bool {
	var b [1]byte
	closed := false
	err := rc.Read(func(fd uintptr) bool {
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case err == syscall.EAGAIN || err == syscall.EINTR:
			return false
		case err != nil:
			closed = true
		default:
			closed = n == 0
		}
		return true
	})
	return err == nil && closed
}
