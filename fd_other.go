//go:build !unix

package zmq4

// fdLocked reports that ZMQ_FD is not available on this system.
func (s *Socket) fdLocked() (int, error) { return -1, ENOTSUP }

// drainFd does nothing where there is no ZMQ_FD.
func (s *Socket) drainFd() {}

// closeFd does nothing where there is no ZMQ_FD.
func (s *Socket) closeFd() {}
