//lint:file-ignore ST1005 pebbe/zmq4's error text is capitalised; it is kept for drop-in compatibility

package zmq4

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/purezmq/zmq4/beacon"
)

// errReactorEmpty is what Run returns when nothing is left to wait for.
var errReactorEmpty = errors.New("No sockets to poll, no channels to read")

// reactorSocket is a socket's handler in a Reactor.
type reactorSocket struct {
	events   State
	handler  func(State) error
	tolerant bool // a handler error is ignored instead of ending Run
}

// reactorFd is a raw file descriptor's handler in a Reactor.
type reactorFd struct {
	events  State
	handler func(State) error
}

// reactorTimer is a timer's handler in a Reactor.
type reactorTimer struct {
	delay   time.Duration
	times   int // how many times to fire; 0 means forever
	fired   int
	next    time.Time
	handler func() error
}

// reactorChannel is a channel's handler in a Reactor. ch holds a receivable
// channel of any element type.
type reactorChannel struct {
	ch      reflect.Value
	limit   int
	handler func(interface{}) error
}

// Reactor runs handlers for socket events, channel values and timers in
// one goroutine, the one calling Run, as CZMQ's zloop does. Handlers may
// add and remove sockets, channels and timers, themselves included. A
// Reactor is not for use by several goroutines at once, except through its
// handlers.
type Reactor struct {
	sockets  map[*Socket]*reactorSocket
	fds      map[int]*reactorFd
	channels map[uint64]*reactorChannel
	timers   map[uint64]*reactorTimer
	poller   *Poller
	lastID   uint64 // channel and timer ids share one sequence
	verbose  bool
}

// NewReactor makes a reactor with no sockets, channels or timers.
func NewReactor() *Reactor {
	return &Reactor{
		sockets:  map[*Socket]*reactorSocket{},
		fds:      map[int]*reactorFd{},
		channels: map[uint64]*reactorChannel{},
		timers:   map[uint64]*reactorTimer{},
		poller:   NewPoller(),
	}
}

// AddSocket calls handler when soc is ready for any of events (POLLIN,
// POLLOUT or both); the handler gets the events that are ready. A socket has
// one handler; adding it again replaces the earlier one.
func (r *Reactor) AddSocket(soc *Socket, events State, handler func(State) error) {
	r.RemoveSocket(soc)
	r.sockets[soc] = &reactorSocket{events: events, handler: handler}
	r.poller.Add(soc, events)
}

// AddFd calls handler when the raw file descriptor fd is ready for any of
// events, or has an error (POLLERR); the handler gets the events that are
// ready (CZMQ's zloop_poller with a descriptor). A descriptor has one
// handler; adding it again replaces the earlier one. It returns ENOTSUP on
// systems without poll(2).
func (r *Reactor) AddFd(fd int, events State, handler func(State) error) error {
	r.RemoveFd(fd)
	if _, err := r.poller.AddFd(fd, events); err != nil {
		return err
	}
	r.fds[fd] = &reactorFd{events: events, handler: handler}
	return nil
}

// RemoveFd removes fd's handler; it is not called again.
func (r *Reactor) RemoveFd(fd int) {
	if _, ok := r.fds[fd]; !ok {
		return
	}
	delete(r.fds, fd)
	r.poller.RemoveFd(fd)
}

// SetTolerant makes an error returned by soc's handler be ignored (and
// printed when verbose) instead of ending Run, as CZMQ's tolerant readers
// keep the loop going; false restores the default. It does nothing for a
// socket without a handler.
func (r *Reactor) SetTolerant(soc *Socket, tolerant bool) {
	if rs := r.sockets[soc]; rs != nil {
		rs.tolerant = tolerant
	}
}

// RemoveSocket removes soc's handler; it is not called again.
func (r *Reactor) RemoveSocket(soc *Socket) {
	if _, ok := r.sockets[soc]; !ok {
		return
	}
	delete(r.sockets, soc)
	r.poller.RemoveBySocket(soc)
}

// AddChannel calls handler with each value received from ch and returns an
// id for RemoveChannel. With a positive limit, at most that many values are
// handled per turn of the loop, so that one busy channel cannot starve the
// rest; otherwise all values waiting are handled. A closed channel is
// removed by itself.
func (r *Reactor) AddChannel(ch <-chan interface{}, limit int, handler func(interface{}) error) (id uint64) {
	return r.addChannel(reflect.ValueOf(ch), limit, handler)
}

// AddChannelTime is AddChannel for a channel of time.Time, such as a
// time.Ticker's; the handler gets the time.Time values.
func (r *Reactor) AddChannelTime(ch <-chan time.Time, limit int, handler func(interface{}) error) (id uint64) {
	return r.addChannel(reflect.ValueOf(ch), limit, handler)
}

func (r *Reactor) addChannel(ch reflect.Value, limit int, handler func(interface{}) error) uint64 {
	r.lastID++
	r.channels[r.lastID] = &reactorChannel{ch: ch, limit: limit, handler: handler}
	return r.lastID
}

// RemoveChannel removes a channel's handler; it is not called again.
func (r *Reactor) RemoveChannel(id uint64) {
	delete(r.channels, id)
}

// AddBeacon calls handler with each beacon b receives (b.Beacons) and
// returns an id for RemoveChannel.
func (r *Reactor) AddBeacon(b *beacon.Beacon, handler func(beacon.Message) error) (id uint64) {
	return r.addChannel(reflect.ValueOf(b.Beacons()), 0, func(v interface{}) error {
		return handler(v.(beacon.Message))
	})
}

// AddTimer calls handler after delay, and again every delay after that,
// times times in all, or forever when times is 0 (CZMQ's zloop_timer). It
// returns an id for RemoveTimer; the timer is removed by itself after its
// last call. A timer that falls behind is not caught up: its next call is
// one delay after the late one. An error from handler ends Run.
func (r *Reactor) AddTimer(delay time.Duration, times int, handler func() error) (id uint64) {
	r.lastID++
	r.timers[r.lastID] = &reactorTimer{delay: delay, times: max(times, 0),
		next: time.Now().Add(delay), handler: handler}
	return r.lastID
}

// RemoveTimer removes a timer; its handler is not called again (CZMQ's
// zloop_timer_end).
func (r *Reactor) RemoveTimer(id uint64) {
	delete(r.timers, id)
}

// SetVerbose makes Run print what it handles to standard output.
func (r *Reactor) SetVerbose(verbose bool) {
	r.verbose = verbose
}

// Run handles events until a handler returns an error, which Run then
// returns, or until no socket, channel or timer is left, when it returns an
// error saying so. It fails with ETERM when the context of a socket is
// terminated.
//
// Run waits for sockets and channels together and needs no polling
// interval: interval is accepted for compatibility and has no effect (any
// value, also a negative one, is fine with channels present).
func (r *Reactor) Run(interval time.Duration) error {
	for {
		if len(r.sockets) == 0 && len(r.fds) == 0 && len(r.channels) == 0 && len(r.timers) == 0 {
			return errReactorEmpty
		}
		// The poller's sockets wake its notification channel at every
		// change from the moment they were added, so no change between
		// the look and the wait is missed.
		busy, err := r.turn()
		if err == nil && !busy {
			err = r.wait()
		}
		if err != nil {
			return err
		}
	}
}

// turn handles what is ready now: due timers, then every channel, then
// every socket, without waiting. busy reports whether anything was handled
// or removed.
func (r *Reactor) turn() (busy bool, err error) {
	if busy, err = r.fireTimers(); err != nil {
		return busy, err
	}
	for _, id := range r.channelIDs() {
		c := r.channels[id]
		for n := 0; c.limit <= 0 || n < c.limit; n++ {
			if r.channels[id] != c {
				break // removed by a handler
			}
			v, ok := c.ch.TryRecv()
			if !v.IsValid() {
				break // nothing waiting
			}
			busy = true
			if !ok {
				r.closedChannel(id)
				break
			}
			if err := r.handleValue(id, c, v); err != nil {
				return busy, err
			}
		}
	}
	if len(r.poller.items) == 0 {
		return busy, nil
	}
	polled, err := r.poller.Poll(0)
	if err != nil {
		return busy, err
	}
	for _, item := range polled {
		if item.Socket == nil {
			rf := r.fds[item.Fd]
			if rf == nil {
				continue // removed by an earlier handler
			}
			ev := item.Events & (rf.events | POLLERR)
			if ev == 0 {
				continue
			}
			busy = true
			if err := rf.handler(ev); err != nil {
				return busy, err
			}
			continue
		}
		rs := r.sockets[item.Socket]
		if rs == nil {
			continue // removed by an earlier handler
		}
		ev := item.Events & rs.events
		if ev == 0 {
			continue
		}
		busy = true
		if r.verbose {
			fmt.Printf("Reactor(%p) %v %v\n", r, item.Socket, ev)
		}
		if err := rs.handler(ev); err != nil {
			if !rs.tolerant {
				return busy, err
			}
			if r.verbose {
				fmt.Printf("Reactor(%p) %v: ignored error %v\n", r, item.Socket, err)
			}
		}
	}
	return busy, nil
}

// fireTimers calls the handlers of the timers that are due, in the order
// the timers were added.
func (r *Reactor) fireTimers() (busy bool, err error) {
	if len(r.timers) == 0 {
		return false, nil
	}
	now := time.Now()
	for _, id := range sortedIDs(r.timers) {
		t := r.timers[id]
		if t == nil || t.next.After(now) {
			continue // removed by an earlier handler, or not due
		}
		busy = true
		t.fired++
		if t.times > 0 && t.fired >= t.times {
			delete(r.timers, id)
		} else {
			t.next = t.next.Add(t.delay)
			if t.next.Before(now) {
				t.next = now.Add(t.delay)
			}
		}
		if r.verbose {
			fmt.Printf("Reactor(%p) timer %d\n", r, id)
		}
		if err := t.handler(); err != nil {
			return busy, err
		}
	}
	return busy, nil
}

// nextTimer returns when the earliest timer is due; ok is false without
// timers.
func (r *Reactor) nextTimer() (next time.Time, ok bool) {
	for _, t := range r.timers {
		if !ok || t.next.Before(next) {
			next, ok = t.next, true
		}
	}
	return next, ok
}

// wait blocks until a socket may have become ready, a context ends, or a
// channel delivers; a value received here is handled at once.
func (r *Reactor) wait() error {
	cases := []reflect.SelectCase{{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(r.poller.core.notify)}}
	var contexts []*Context
	for s := range r.sockets {
		if !slices.Contains(contexts, s.ctx) {
			contexts = append(contexts, s.ctx)
			cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(s.ctx.done)})
		}
	}
	fds, err := r.poller.waitFds()
	if err != nil {
		return err
	}
	defer fds.stop()
	if fds != nil {
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(fds.ready)})
	}
	if next, ok := r.nextTimer(); ok {
		timer := time.NewTimer(time.Until(next))
		defer timer.Stop()
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(timer.C)})
	}
	firstChannel := len(cases)
	ids := r.channelIDs()
	for _, id := range ids {
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: r.channels[id].ch})
	}
	chosen, v, ok := reflect.Select(cases)
	if chosen < firstChannel {
		return nil // the next turn looks at the sockets
	}
	id := ids[chosen-firstChannel]
	if !ok {
		r.closedChannel(id)
		return nil
	}
	return r.handleValue(id, r.channels[id], v)
}

// handleValue calls a channel's handler.
func (r *Reactor) handleValue(id uint64, c *reactorChannel, v reflect.Value) error {
	val := v.Interface()
	if r.verbose {
		fmt.Printf("Reactor(%p) channel %d: %v\n", r, id, val)
	}
	return c.handler(val)
}

// closedChannel removes a channel found closed.
func (r *Reactor) closedChannel(id uint64) {
	if r.verbose {
		fmt.Printf("Reactor(%p) removing closed channel %d\n", r, id)
	}
	r.RemoveChannel(id)
}

// channelIDs returns the ids of the channels in the order they were added.
func (r *Reactor) channelIDs() []uint64 { return sortedIDs(r.channels) }

// sortedIDs returns the keys of m in the order they were handed out.
func sortedIDs[V any](m map[uint64]V) []uint64 {
	ids := make([]uint64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
