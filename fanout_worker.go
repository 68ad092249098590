package zmq4

import "sync"

// fanoutDirectWakes is how many idle subscriber writers one PUB send wakes
// itself; beyond that it hands the wake-ups to a fanoutWorker.
const fanoutDirectWakes = 4

// fanoutWorker does a publisher's fan-out work on behalf of the sending
// goroutine: it wakes the readers of subscriber queues the send found
// idle (inproc peers, CONFLATE subscribers), and it writes the
// publisher's tcp and ipc connections itself (engine_fanout.go). Waking
// a parked goroutine costs far more than queueing a message for it, so a
// PUB sending to hundreds of idle subscribers would spend most of each
// send waking them, one message per wake-up and write. Handing that work
// to a goroutine of its own keeps the send at the cost of marking the
// message for them (pubLog) or pushing it into their queues; the writes
// the worker makes later find more messages waiting and write them
// together, as libzmq's I/O thread does when it comes round to a pipe.
//
// The goroutine runs only while wake-ups or engines are pending; it ends
// when it finds none.
type fanoutWorker struct {
	mu           sync.Mutex
	pending      []*queue
	spare        []*queue
	engines      []*engine // engines with messages for the worker to write
	spareEngines []*engine
	running      bool
}

// wake arranges for each queue's onReadable to be called soon, in order.
// It takes over none of qs: the caller may reuse the slice.
func (w *fanoutWorker) wake(qs []*queue) {
	w.mu.Lock()
	w.pending = append(w.pending, qs...)
	w.startLocked()
	w.mu.Unlock()
}

// addEngine arranges for e's queued messages to be written soon by the
// worker (writeForFanout), unless e is already waiting in the list.
func (w *fanoutWorker) addEngine(e *engine) {
	if !e.fanoutQueued.CompareAndSwap(false, true) {
		return
	}
	w.mu.Lock()
	w.engines = append(w.engines, e)
	w.startLocked()
	w.mu.Unlock()
}

// startLocked starts the goroutine unless it runs. Call with mu held.
func (w *fanoutWorker) startLocked() {
	if !w.running {
		w.running = true
		go w.run()
	}
}

// run calls onReadable for every pending queue and gives every pending
// engine its turn until none is left.
func (w *fanoutWorker) run() {
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
			e.fanoutQueued.Store(false)
			if e.writeForFanout() {
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
