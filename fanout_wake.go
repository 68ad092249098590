package zmq4

import "sync"

// fanoutDirectWakes is how many idle subscriber writers one PUB send wakes
// itself; beyond that it hands the wake-ups to a fanoutWaker.
const fanoutDirectWakes = 4

// fanoutWaker wakes the writers of a publisher's subscriber queues on
// behalf of the sending goroutine, and is the socket's write pool: its
// goroutine writes the publisher's connections itself (engine_pool.go).
// Waking a parked engine writer costs far more than queueing a message
// for it, so a PUB sending to hundreds of idle subscribers would spend
// most of each send waking them, one message per wake-up and write.
// Handing the wake-ups to a goroutine of their own keeps the send at the
// cost of marking the message for them (pubLog) or pushing it into their
// queues; the writes it makes later find more messages waiting and write
// them together, as libzmq's I/O thread does when it comes round to a
// pipe.
//
// The goroutine runs only while wake-ups or engines are pending; it ends
// when it finds none.
type fanoutWaker struct {
	mu           sync.Mutex
	pending      []*queue
	spare        []*queue
	engines      []*engine // pooled engines with messages to write
	spareEngines []*engine
	running      bool
}

// wake arranges for each queue's onReadable to be called soon, in order.
// It takes over none of qs: the caller may reuse the slice.
func (w *fanoutWaker) wake(qs []*queue) {
	w.mu.Lock()
	w.pending = append(w.pending, qs...)
	w.startLocked()
	w.mu.Unlock()
}

// addEngine arranges for e's queued messages to be written soon by the
// pool (writePooled), unless e is already waiting in the list.
func (w *fanoutWaker) addEngine(e *engine) {
	if !e.poolQueued.CompareAndSwap(false, true) {
		return
	}
	w.mu.Lock()
	w.engines = append(w.engines, e)
	w.startLocked()
	w.mu.Unlock()
}

// startLocked starts the goroutine unless it runs. Call with mu held.
func (w *fanoutWaker) startLocked() {
	if !w.running {
		w.running = true
		go w.run()
	}
}

// run calls onReadable for every pending queue and gives every pending
// engine its turn until none is left.
func (w *fanoutWaker) run() {
	for {
		w.mu.Lock()
		qs, es := w.pending, w.engines
		if len(qs) == 0 && len(es) == 0 {
			w.running = false
			w.mu.Unlock()
			return
		}
		w.pending, w.engines = w.spare[:0], w.spareEngines[:0]
		w.mu.Unlock()
		for _, q := range qs {
			if q.onReadable != nil {
				q.onReadable()
			}
		}
		for _, e := range es {
			// Cleared first: a push from now on queues e again.
			e.poolQueued.Store(false)
			if e.writePooled() {
				w.addEngine(e)
			}
		}
		clear(qs)
		clear(es)
		w.mu.Lock()
		w.spare, w.spareEngines = qs, es
		w.mu.Unlock()
	}
}
