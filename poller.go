package zmq4

import (
	"context"
	"fmt"
	"time"
)

// Polled is one result of a poll: a socket, or a raw file descriptor
// added with AddFd, and the events it is ready for.
type Polled struct {
	Socket *Socket // socket with matched event(s); nil for a descriptor
	Events State   // actual matched event(s)
	Fd     int     // the descriptor, when Socket is nil
}

// pollItem is one socket or descriptor of a Poller and the events asked
// for.
type pollItem struct {
	soc    *Socket
	isFd   bool // a raw descriptor (AddFd): fd, not soc
	fd     int
	events State
}

// Poller waits until one or more sockets are ready to receive (POLLIN) or
// send (POLLOUT), as zmq_poll does. It never polls periodically: every
// socket it waits on wakes it through a shared notification channel when
// its readiness may have changed. Raw file descriptors (AddFd) are waited
// on with the system's poll(2) in a helper goroutine while Poll waits.
//
// A Poller holds sockets only, not raw file descriptors. libzmq's zmq_poll
// reports ZMQ_POLLERR only for raw descriptors, never for a socket, so
// Events never holds an error bit, even one asked for in Add; errors (a
// closed socket, a terminated context) come back from Poll instead.
//
// A Poller is meant for one goroutine at a time; the sockets in it may be
// used by other goroutines meanwhile.
type Poller struct {
	items  []pollItem
	notify chan struct{}
}

// NewPoller makes an empty poller.
func NewPoller() *Poller {
	return &Poller{notify: make(chan struct{}, 1)}
}

// Add adds a socket with the events (POLLIN, POLLOUT or both) to wait for.
// It returns the item's id: its index in the result of PollAll and the
// handle for Update and Remove.
func (p *Poller) Add(soc *Socket, events State) int {
	p.items = append(p.items, pollItem{soc: soc, events: events})
	return len(p.items) - 1
}

// Update replaces the events of item id and returns the previous ones, or
// ErrorNoSocket when there is no such item.
func (p *Poller) Update(id int, events State) (State, error) {
	if id < 0 || id >= len(p.items) {
		return 0, ErrorNoSocket
	}
	previous := p.items[id].events
	p.items[id].events = events
	return previous, nil
}

// UpdateBySocket replaces the events of the first item for soc and returns
// the previous ones, or ErrorNoSocket when soc is not in the poller.
func (p *Poller) UpdateBySocket(soc *Socket, events State) (State, error) {
	for id, it := range p.items {
		if it.soc == soc {
			return p.Update(id, events)
		}
	}
	return 0, ErrorNoSocket
}

// Remove removes item id; the ids of later items drop by one. It returns
// ErrorNoSocket when there is no such item.
func (p *Poller) Remove(id int) error {
	if id < 0 || id >= len(p.items) {
		return ErrorNoSocket
	}
	copy(p.items[id:], p.items[id+1:])
	p.items[len(p.items)-1] = pollItem{}
	p.items = p.items[:len(p.items)-1]
	return nil
}

// RemoveBySocket removes the first item for soc, or returns ErrorNoSocket
// when soc is not in the poller.
func (p *Poller) RemoveBySocket(soc *Socket) error {
	for id, it := range p.items {
		if it.soc == soc {
			return p.Remove(id)
		}
	}
	return ErrorNoSocket
}

// Poll waits until at least one socket is ready for an event it was added
// with, and returns those sockets only, in the order they were added. A
// negative timeout waits without limit; zero checks once. On time-out the
// list is empty and the error nil. It fails with ETERM when the context of
// a socket is terminated and with ErrorSocketClosed when a socket is closed.
func (p *Poller) Poll(timeout time.Duration) ([]Polled, error) {
	return p.poll(timeout, nil, false)
}

// PollAll is Poll, but the list holds every item in the order added (so an
// item's id indexes it), with Events 0 for those not ready. On error the
// list is empty.
func (p *Poller) PollAll(timeout time.Duration) ([]Polled, error) {
	return p.poll(timeout, nil, true)
}

// PollContext is Poll without a time-out that gives up when ctx is
// cancelled or its deadline passes, returning ctx.Err().
func (p *Poller) PollContext(ctx context.Context) ([]Polled, error) {
	if err := ctx.Err(); err != nil {
		return []Polled{}, err
	}
	return p.poll(-1, ctx, false)
}

// poll is the body of Poll, PollAll and PollContext.
func (p *Poller) poll(timeout time.Duration, ctx context.Context, all bool) ([]Polled, error) {
	if len(p.items) == 0 {
		return []Polled{}, nil
	}
	// Fast path: something is ready already, or the caller only checks.
	lst, ready, err := p.scan(all)
	if err != nil || ready || timeout == 0 {
		return lst, err
	}

	// Watch first, then check again, so no change is missed in between.
	watched := p.arm()
	defer p.disarm(watched)
	var timer <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		timer = t.C
	}
	var cancelled <-chan struct{}
	if ctx != nil {
		cancelled = ctx.Done()
	}
	// Term also signals every socket; waiting on one context's done channel
	// as well only makes the wake-up independent of that.
	var termed <-chan struct{}
	if s := p.firstSocket(); s != nil {
		termed = s.ctx.done
	}
	for {
		lst, ready, err = p.scan(all)
		if err != nil || ready {
			return lst, err
		}
		fds, err := p.waitFds() // nil without descriptors
		if err != nil {
			return []Polled{}, err
		}
		var fdReady <-chan struct{}
		if fds != nil {
			fdReady = fds.ready
		}
		select {
		case <-p.notify:
		case <-fdReady:
		case <-termed:
			termed = nil // scan reports ETERM
		case <-timer:
			fds.stop()
			lst, _, err = p.scan(all)
			return lst, err
		case <-cancelled:
			fds.stop()
			return []Polled{}, ctx.Err()
		}
		fds.stop()
	}
}

// firstSocket returns the first socket item's socket, or nil.
func (p *Poller) firstSocket() *Socket {
	for _, it := range p.items {
		if !it.isFd && it.soc != nil {
			return it.soc
		}
	}
	return nil
}

// scan checks every item once. ready reports whether any item matched; lst
// holds the matching items, or all items when all is set. On error lst is
// empty.
func (p *Poller) scan(all bool) (lst []Polled, ready bool, err error) {
	lst = make([]Polled, 0, len(p.items))
	fdStates, err := p.fdStates()
	if err != nil {
		return []Polled{}, false, err
	}
	for i, it := range p.items {
		if it.isFd {
			ev := fdStates[i] & (it.events | POLLERR)
			if ev != 0 {
				ready = true
			}
			if ev != 0 || all {
				lst = append(lst, Polled{Events: ev, Fd: it.fd})
			}
			continue
		}
		ev, err := socketEvents(it.soc)
		if err != nil {
			return []Polled{}, false, err
		}
		ev &= it.events
		if ev != 0 {
			ready = true
		}
		if ev != 0 || all {
			lst = append(lst, Polled{Socket: it.soc, Events: ev})
		}
	}
	return lst, ready, nil
}

// socketEvents returns the socket's POLLIN and POLLOUT readiness, ETERM
// when its context is terminated, or ErrorSocketClosed.
func socketEvents(s *Socket) (State, error) {
	if s == nil {
		return 0, ErrorSocketClosed
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkUsable(); err != nil {
		return 0, err
	}
	return s.eventsLocked(), nil
}

// arm empties the notification channel and registers it with every distinct
// socket of the poller, returning the sockets to disarm afterwards.
func (p *Poller) arm() []*Socket {
	select {
	case <-p.notify:
	default:
	}
	watched := make([]*Socket, 0, len(p.items))
	for _, it := range p.items {
		if it.soc == nil || containsSocket(watched, it.soc) {
			continue
		}
		it.soc.watch(p.notify)
		watched = append(watched, it.soc)
	}
	return watched
}

// disarm undoes arm.
func (p *Poller) disarm(watched []*Socket) {
	for _, s := range watched {
		s.unwatch(p.notify)
	}
}

func containsSocket(list []*Socket, s *Socket) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// String lists the poller's sockets and the events asked for.
func (p *Poller) String() string {
	str := make([]string, 0, len(p.items))
	for _, it := range p.items {
		if it.isFd {
			str = append(str, fmt.Sprintf("Fd(%d)%v", it.fd, it.events))
			continue
		}
		str = append(str, fmt.Sprintf("%v%v", it.soc, it.events))
	}
	return fmt.Sprint("Poller", str)
}
