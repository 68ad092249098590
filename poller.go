package zmq4

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
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
// send (POLLOUT), as zmq_poll does. It never polls periodically: Add
// registers the poller with the socket once, and from then on the socket
// puts itself on the poller's ready list whenever its readiness may have
// changed (a message arrived, room freed up, a peer came or went, a send or
// receive, Close, Term). A Poll checks only the sockets on that list and
// those it found ready last time, so its cost grows with the number of
// sockets that are or were just ready, not with the number registered.
// Readiness stays level-triggered as in zmq_poll: a socket that stays ready
// is reported by every Poll. Raw file descriptors (AddFd) are checked with
// the system's poll(2) at each Poll, and waited on in a helper goroutine.
//
// libzmq's zmq_poll reports ZMQ_POLLERR only for raw descriptors, never for
// a socket, so Events never holds an error bit for a socket, even one asked
// for in Add; errors (a closed socket, a terminated context) come back from
// Poll instead.
//
// A Poller is meant for one goroutine at a time; the sockets in it may be
// used by other goroutines meanwhile. Make one Poller and poll it in a
// loop: while a socket is in a poller, each of its sends, receives and
// option changes also wakes that poller. A Poller that is dropped without
// removing its sockets is unregistered from them once the garbage collector
// finds it unreachable.
type Poller struct {
	items []pollItem
	core  *pollCore
	regs  map[*Socket]*pollReg // one registration per distinct socket
	fdIDs []int                // ids of the raw descriptor items, ascending

	candidates []*pollReg  // found ready (or failing) by the last check
	round      uint64      // number of the current check, for de-duplication
	woken      []*pollReg  // scratch: the ready list taken by a check
	listed     []*pollReg  // scratch: the registrations a check looks at
	found      []readyItem // scratch: the items a check found ready

	checks int // sockets whose readiness the last Poll looked at (tests)
}

// pollCore is the part of a Poller its sockets hold: the ready list. It
// holds no reference to the Poller itself, so a dropped Poller can be
// collected and unregistered.
type pollCore struct {
	mu     sync.Mutex
	ready  []*pollReg    // registrations woken since the last check
	notify chan struct{} // receives (without blocking) at each wake
}

// pollReg is one socket's registration with a poller. The socket calls
// wake at each signal.
type pollReg struct {
	core    *pollCore
	soc     *Socket
	ids     []int       // the poller items for soc, ascending
	queued  atomic.Bool // on core.ready; set and cleared under core.mu
	seen    uint64      // the last check that listed it
	removed bool        // unregistered: its socket left the poller
}

// wake puts the registration on its poller's ready list, once, and wakes a
// waiting Poll. The socket calls it with its readyMu held.
func (r *pollReg) wake() {
	c := r.core
	if !r.queued.Load() {
		c.mu.Lock()
		if !r.queued.Load() {
			r.queued.Store(true)
			c.ready = append(c.ready, r)
		}
		c.mu.Unlock()
	}
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// NewPoller makes an empty poller.
func NewPoller() *Poller {
	p := &Poller{
		core: &pollCore{notify: make(chan struct{}, 1)},
		regs: map[*Socket]*pollReg{},
	}
	runtime.AddCleanup(p, unregisterAll, p.regs)
	return p
}

// unregisterAll removes a collected poller's registrations from their
// sockets.
func unregisterAll(regs map[*Socket]*pollReg) {
	for s, r := range regs {
		if s != nil {
			s.unwatch(r)
		}
	}
}

// Add adds a socket with the events (POLLIN, POLLOUT or both) to wait for.
// It returns the item's id: its index in the result of PollAll and the
// handle for Update and Remove.
func (p *Poller) Add(soc *Socket, events State) int {
	p.init()
	id := len(p.items)
	p.items = append(p.items, pollItem{soc: soc, events: events})
	r := p.regs[soc]
	if r == nil {
		r = &pollReg{core: p.core, soc: soc}
		p.regs[soc] = r
		if soc != nil {
			soc.watch(r)
		}
	}
	r.ids = append(r.ids, id)
	r.wake() // the next Poll checks it
	return id
}

// init makes the zero Poller usable.
func (p *Poller) init() {
	if p.core == nil {
		p.core = &pollCore{notify: make(chan struct{}, 1)}
		p.regs = map[*Socket]*pollReg{}
		runtime.AddCleanup(p, unregisterAll, p.regs)
	}
}

// Update replaces the events of item id and returns the previous ones, or
// ErrorNoSocket when there is no such item.
func (p *Poller) Update(id int, events State) (State, error) {
	if id < 0 || id >= len(p.items) {
		return 0, ErrorNoSocket
	}
	it := &p.items[id]
	previous := it.events
	it.events = events
	if !it.isFd && events&^previous != 0 {
		// Newly asked-for events: the next Poll checks the socket.
		p.regs[it.soc].wake()
	}
	return previous, nil
}

// UpdateBySocket replaces the events of the first item for soc and returns
// the previous ones, or ErrorNoSocket when soc is not in the poller.
func (p *Poller) UpdateBySocket(soc *Socket, events State) (State, error) {
	if r := p.regs[soc]; r != nil && len(r.ids) > 0 {
		return p.Update(r.ids[0], events)
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
	p.reindex()
	return nil
}

// reindex recomputes the item ids of every registration and descriptor
// after a removal, and unregisters the sockets that have no item left.
func (p *Poller) reindex() {
	for _, r := range p.regs {
		r.ids = r.ids[:0]
	}
	p.fdIDs = p.fdIDs[:0]
	for id, it := range p.items {
		if it.isFd {
			p.fdIDs = append(p.fdIDs, id)
			continue
		}
		r := p.regs[it.soc]
		r.ids = append(r.ids, id)
	}
	for s, r := range p.regs {
		if len(r.ids) > 0 {
			continue
		}
		r.removed = true
		delete(p.regs, s)
		if s != nil {
			s.unwatch(r)
		}
	}
}

// RemoveBySocket removes the first item for soc, or returns ErrorNoSocket
// when soc is not in the poller.
func (p *Poller) RemoveBySocket(soc *Socket) error {
	if r := p.regs[soc]; r != nil && len(r.ids) > 0 {
		return p.Remove(r.ids[0])
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
	p.checks = 0
	if len(p.items) == 0 {
		return []Polled{}, nil
	}
	// Fast path: something is ready already, or the caller only checks.
	lst, ready, err := p.check(all)
	if err != nil || ready || timeout == 0 {
		return lst, err
	}

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
	if s := p.anySocket(); s != nil {
		termed = s.ctx.done
	}
	for {
		fds, err := p.waitFds() // nil without descriptors
		if err != nil {
			return []Polled{}, err
		}
		var fdReady <-chan struct{}
		if fds != nil {
			fdReady = fds.ready
		}
		select {
		case <-p.core.notify:
		case <-fdReady:
		case <-termed:
			termed = nil
			p.wakeAll() // the check reports ETERM
		case <-timer:
			fds.stop()
			lst, _, err = p.check(all)
			return lst, err
		case <-cancelled:
			fds.stop()
			return []Polled{}, ctx.Err()
		}
		fds.stop()
		lst, ready, err = p.check(all)
		if err != nil || ready {
			return lst, err
		}
	}
}

// anySocket returns one of the poller's sockets, or nil.
func (p *Poller) anySocket() *Socket {
	for s := range p.regs {
		if s != nil {
			return s
		}
	}
	return nil
}

// wakeAll puts every registration on the ready list.
func (p *Poller) wakeAll() {
	for _, r := range p.regs {
		r.wake()
	}
}

// check looks once at the sockets that were woken since the last check and
// those the last check found ready, and at every raw descriptor. ready
// reports whether any item matched; lst holds the matching items in id
// order, or all items when all is set. On error lst is empty.
func (p *Poller) check(all bool) (lst []Polled, ready bool, err error) {
	p.round++
	c := p.core
	c.mu.Lock()
	p.woken = append(p.woken[:0], c.ready...)
	clear(c.ready)
	c.ready = c.ready[:0]
	for _, r := range p.woken {
		r.queued.Store(false)
	}
	c.mu.Unlock()

	// The sockets to look at: last time's ready ones, then the woken ones,
	// each once. All of them stay candidates if the check fails part way.
	p.listed = p.listed[:0]
	for _, list := range [][]*pollReg{p.candidates, p.woken} {
		for _, r := range list {
			if r.removed || r.seen == p.round {
				continue
			}
			r.seen = p.round
			p.listed = append(p.listed, r)
		}
	}
	clear(p.woken)
	p.found = p.found[:0]
	kept := p.candidates[:0]
	for i, r := range p.listed {
		ev, err := p.checkSocket(r)
		if err != nil {
			kept = append(kept, p.listed[i:]...)
			p.candidates = kept
			return []Polled{}, false, err
		}
		if ev == 0 {
			continue
		}
		kept = append(kept, r)
		for _, id := range r.ids {
			if e := ev & p.items[id].events; e != 0 {
				p.found = append(p.found, readyItem{id, e})
			}
		}
	}
	clear(kept[len(kept):cap(kept)])
	p.candidates = kept

	fdStates, err := p.fdStates()
	if err != nil {
		return []Polled{}, false, err
	}
	for k, st := range fdStates {
		id := p.fdIDs[k]
		if e := st & (p.items[id].events | POLLERR); e != 0 {
			p.found = append(p.found, readyItem{id, e})
		}
	}
	slices.SortFunc(p.found, func(a, b readyItem) int { return a.id - b.id })
	return p.results(all), len(p.found) > 0, nil
}

// readyItem is an item a check found ready, and its events.
type readyItem struct {
	id int
	ev State
}

// results builds Poll's list from the items the last check found ready:
// those only, or every item when all is set.
func (p *Poller) results(all bool) []Polled {
	if !all {
		lst := make([]Polled, len(p.found))
		for k, f := range p.found {
			lst[k] = p.polled(f.id, f.ev)
		}
		return lst
	}
	lst := make([]Polled, len(p.items))
	for id := range p.items {
		lst[id] = p.polled(id, 0)
	}
	for _, f := range p.found {
		lst[f.id].Events = f.ev
	}
	return lst
}

// polled is the result entry for item id with events ev.
func (p *Poller) polled(id int, ev State) Polled {
	it := p.items[id]
	if it.isFd {
		return Polled{Events: ev, Fd: it.fd}
	}
	return Polled{Socket: it.soc, Events: ev}
}

// checkSocket returns the events of the socket of r that its items ask for,
// or the error that makes it unusable.
func (p *Poller) checkSocket(r *pollReg) (State, error) {
	p.checks++
	var want State
	for _, id := range r.ids {
		want |= p.items[id].events
	}
	s := r.soc
	if s == nil {
		return 0, ErrorSocketClosed
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkUsable(); err != nil {
		return 0, err
	}
	return s.pollEventsLocked(want), nil
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
