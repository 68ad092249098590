package zmq4

import "sync"

// fanoutDirectWakes is how many idle subscriber writers one PUB send wakes
// itself; beyond that it hands the wake-ups to a fanoutWaker.
const fanoutDirectWakes = 4

// fanoutWaker wakes the writers of a publisher's subscriber queues on
// behalf of the sending goroutine. Waking a parked engine writer costs far
// more than queueing a message for it, so a PUB sending to hundreds of
// idle subscribers would spend most of each send waking them, one message
// per wake-up and write. Handing the wake-ups to a goroutine of their own
// keeps the send at the cost of marking the message for them (pubLog) or
// pushing it into their queues; the writers it wakes
// later find more messages waiting and write them together, as libzmq's
// I/O thread does when it comes round to a pipe.
//
// The waking goroutine runs only while wake-ups are pending; it ends when
// it finds none.
type fanoutWaker struct {
	mu      sync.Mutex
	pending []*queue
	spare   []*queue
	running bool
}

// wake arranges for each queue's onReadable to be called soon, in order.
// It takes over none of qs: the caller may reuse the slice.
func (w *fanoutWaker) wake(qs []*queue) {
	w.mu.Lock()
	w.pending = append(w.pending, qs...)
	start := !w.running
	w.running = true
	w.mu.Unlock()
	if start {
		go w.run()
	}
}

// run calls onReadable for every pending queue until none is left.
func (w *fanoutWaker) run() {
	for {
		w.mu.Lock()
		batch := w.pending
		if len(batch) == 0 {
			w.running = false
			w.mu.Unlock()
			return
		}
		w.pending = w.spare[:0]
		w.mu.Unlock()
		for _, q := range batch {
			if q.onReadable != nil {
				q.onReadable()
			}
		}
		clear(batch)
		w.mu.Lock()
		w.spare = batch
		w.mu.Unlock()
	}
}
