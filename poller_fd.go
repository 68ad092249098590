package zmq4

// AddFd adds a raw file descriptor (a socket, pipe or terminal of the
// process's own) with the events to wait for, as zmq_poll and pyzmq's
// Poller take them beside ZeroMQ sockets. It returns the item's id, like
// Add. Poll reports POLLIN and POLLOUT as poll(2) does, and POLLERR when
// the descriptor has an error or was hung up, whether asked for or not. On
// systems without poll(2) it returns ENOTSUP.
func (p *Poller) AddFd(fd int, events State) (int, error) {
	if err := checkPollFd(fd); err != nil {
		return -1, err
	}
	p.init()
	p.items = append(p.items, pollItem{isFd: true, fd: fd, events: events})
	p.fdIDs = append(p.fdIDs, len(p.items)-1)
	return len(p.items) - 1, nil
}

// RemoveFd removes the first item for fd, or returns ErrorNoSocket when fd
// is not in the poller.
func (p *Poller) RemoveFd(fd int) error {
	for _, id := range p.fdIDs {
		if p.items[id].fd == fd {
			return p.Remove(id)
		}
	}
	return ErrorNoSocket
}

// hasFds reports whether the poller has raw descriptors.
func (p *Poller) hasFds() bool { return len(p.fdIDs) > 0 }
