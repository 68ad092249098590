//go:build !unix

package zmq4

// checkPollFd refuses descriptors where poll(2) is missing.
func checkPollFd(fd int) error { return ENOTSUP }

// fdStates has nothing to check: AddFd never adds a descriptor here.
func (p *Poller) fdStates() ([]State, error) { return nil, nil }

// fdWait is never made here.
type fdWait struct{ ready chan struct{} }

func (p *Poller) waitFds() (*fdWait, error) { return nil, nil }

func (w *fdWait) stop() {}
