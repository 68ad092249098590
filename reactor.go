package zmq4

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"
)

// errReactorEmpty is what Run returns when nothing is left to wait for.
var errReactorEmpty = errors.New("No sockets to poll, no channels to read")

// reactorSocket is a socket's handler in a Reactor.
type reactorSocket struct {
	events  State
	handler func(State) error
}

// reactorChannel is a channel's handler in a Reactor. ch holds a receivable
// channel of any element type.
type reactorChannel struct {
	ch      reflect.Value
	limit   int
	handler func(interface{}) error
}

// Reactor runs handlers for socket events and channel values in one
// goroutine, the one calling Run. Handlers may add and remove sockets and
// channels, themselves included. A Reactor is not for use by several
// goroutines at once, except through its handlers.
type Reactor struct {
	sockets  map[*Socket]*reactorSocket
	channels map[uint64]*reactorChannel
	poller   *Poller
	lastID   uint64
	verbose  bool
}

// NewReactor makes a reactor with no sockets and no channels.
func NewReactor() *Reactor {
	return &Reactor{
		sockets:  map[*Socket]*reactorSocket{},
		channels: map[uint64]*reactorChannel{},
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

// SetVerbose makes Run print what it handles to standard output.
func (r *Reactor) SetVerbose(verbose bool) {
	r.verbose = verbose
}

// Run handles events until a handler returns an error, which Run then
// returns, or until no socket or channel is left, when it returns an error
// saying so. It fails with ETERM when the context of a socket is terminated.
//
// Run waits for sockets and channels together and needs no polling
// interval: interval is accepted for compatibility and has no effect (any
// value, also a negative one, is fine with channels present).
func (r *Reactor) Run(interval time.Duration) error {
	for {
		if len(r.sockets) == 0 && len(r.channels) == 0 {
			return errReactorEmpty
		}
		// Watch the sockets before looking at them, so that no change
		// between the look and the wait is missed.
		watched := r.poller.arm()
		busy, err := r.turn()
		if err == nil && !busy {
			err = r.wait()
		}
		r.poller.disarm(watched)
		if err != nil {
			return err
		}
	}
}

// turn handles what is ready now on every channel, then on every socket,
// without waiting. busy reports whether anything was handled or removed.
func (r *Reactor) turn() (busy bool, err error) {
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
			return busy, err
		}
	}
	return busy, nil
}

// wait blocks until a socket may have become ready, a context ends, or a
// channel delivers; a value received here is handled at once.
func (r *Reactor) wait() error {
	cases := []reflect.SelectCase{{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(r.poller.notify)}}
	var contexts []*Context
	for s := range r.sockets {
		if !slices.Contains(contexts, s.ctx) {
			contexts = append(contexts, s.ctx)
			cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(s.ctx.done)})
		}
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
func (r *Reactor) channelIDs() []uint64 {
	ids := make([]uint64, 0, len(r.channels))
	for id := range r.channels {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
