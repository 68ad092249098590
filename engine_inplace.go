package zmq4

import "time"

// Writing in place: a request or a reply finds the engine's writer
// goroutine idle, and waking it costs more than the write itself (the
// runtime wakes another thread to run it, and the message crosses from
// one processor to another). So on the connections of REQ and REP sockets
// the goroutine that queues a message on an idle engine (the
// application's Send, or the reader answering a PING) encodes and writes
// it itself, with one non-blocking system call, when all of these hold:
//
//   - the connection is plain tcp or ipc, whose socket can be written
//     without blocking (newInPlaceWriter; Linux only);
//   - it can take the write token (e.wmu) without waiting: whoever holds
//     the token owns the outbound queue's reader, the encoder and the
//     connection's write side, so exactly one goroutine writes and the
//     order of messages is the queue's;
//   - the encoder holds no bytes still to be written, and fewer than
//     inPlaceBurst messages were written in place since the connection
//     was last quiet for inPlaceQuiet.
//
// Anything else (a full socket buffer, a partial write, a large frame to
// be written by writev, more messages than inPlaceRounds takes, an error)
// leaves the rest to the writer goroutine: the encoded bytes stay in the
// encoder, the offset already written in e.inPlaceSent, and the goroutine
// is woken, writes them first (finishPending) and carries on.
//
// Only REQ and REP: they alternate sending and receiving, so one
// connection never has a second message that could have been batched with
// the first. Other sockets send in bursts, and the writer goroutine's
// wake-up takes long enough for a burst to gather into one write: with
// every socket type writing in place, a ROUTER echoing a DEALER paced at
// 20,000 msg/s made three times the write calls and used more CPU than
// it saved on the DEALER's side (zmq perf local_echo and remote_paced).
// Even a pace that steady arrives in bursts: the sender's nanosleep
// overshoots by the kernel's timer slack, so it mostly wakes every
// 100 us and sends two messages, which the echo reads at once. Its
// writer goroutine, woken by the first reply, writes both replies in
// one call and the DEALER reads them in one; written in place, each
// reply costs a write and a wake-up of the DEALER of its own. Measured
// again with raw writes in both cases (the writer goroutine's, and the
// in-place ones): writing in place on the ROUTER raised its CPU per
// message from 15.1 to 18.5 us and the DEALER's from 22.3 to 26.0 us
// (medians of five alternated runs).
//
// PUB and XPUB connections use the same non-blocking writes, made not by
// the sender but by the socket's fan-out worker (engine_fanout.go), which
// comes round to each engine after the sender has moved on, so bursts
// still gather into one write.

// inPlaceQuiet and inPlaceBurst bound writing in place for a sender that
// does not wait for replies (REQ_RELAXED, or a REP answering a peer that
// pipelines): after a pause of inPlaceQuiet with no write, up to
// inPlaceBurst writes in place, each following the one before within
// inPlaceQuiet; then the writer goroutine batches until the sender pauses.
const (
	inPlaceQuiet = 20 * time.Microsecond
	inPlaceBurst = 4
)

// inPlaceRounds bounds how many times one sender writes what is queued
// before leaving the rest to the writer goroutine, so a sender whose
// writes keep finding new messages behind them is not held up.
const inPlaceRounds = 2

// outboundReady is called by whoever pushed a message onto the outbound
// queue that the engine's writer had found empty: on a publisher's
// connection it hands the engine to the socket's fan-out worker
// (engine_fanout.go); otherwise it writes in place when it can, and
// otherwise wakes the writer goroutine.
func (e *engine) outboundReady() {
	if !e.inPlaceOn.Load() {
		signalChan(e.wakeOut)
		return
	}
	if e.fanout != nil {
		e.fanout.addEngine(e)
		return
	}
	if !e.wmu.TryLock() {
		signalChan(e.wakeOut)
		return
	}
	if e.sinceLastWrite() >= inPlaceQuiet {
		e.inPlaceRun = 0
	}
	if e.inPlaceRun >= inPlaceBurst {
		e.wmu.Unlock()
		signalChan(e.wakeOut)
		return
	}
	e.inPlaceRun++
	r := e.writeInPlace()
	e.wmu.Unlock()
	if r != inPlaceIdle {
		signalChan(e.wakeOut)
	}
}

// inPlaceResult is what a series of writes in place left to do.
type inPlaceResult int

const (
	// inPlaceIdle: everything was written and the queue was found empty
	// (and marked so: the next push calls outboundReady again).
	inPlaceIdle inPlaceResult = iota
	// inPlaceMore: everything taken was written, and more messages were
	// queued behind them after inPlaceRounds.
	inPlaceMore
	// inPlaceHandOff: the writer goroutine must carry on: bytes are left
	// in the encoder (a full socket buffer, a partial write, large frames
	// for writev), the queue is closed, or the engine is ending.
	inPlaceHandOff
)

// writeInPlace writes what is queued with non-blocking writes, at most
// inPlaceRounds times, and says what it left to do. Call with e.wmu held.
func (e *engine) writeInPlace() inPlaceResult {
	w := &e.zw
	if w.Len() > 0 || e.isStopped() || e.outputFailed.Load() {
		// The writer goroutine has bytes to finish first, or the engine
		// is ending or writes no more: what is queued stays for the next
		// connection of a persistent pipe.
		return inPlaceHandOff
	}
	for range inPlaceRounds {
		fs, ok, closed := e.outR.takeAll()
		if !ok {
			// Empty, and marked so: the next push calls outboundReady.
			// A closed queue is the writer goroutine's to end.
			if closed {
				return inPlaceHandOff
			}
			return inPlaceIdle
		}
		for _, f := range fs {
			if err := e.encode(f); err != nil {
				// The writer goroutine would have stopped on this
				// error; the messages taken are lost with the engine.
				w.Reset()
				e.stop(false)
				return inPlaceIdle
			}
		}
		if w.NumSegments() > 0 || w.Len() > writeFlushSize {
			return inPlaceHandOff // large frames: writev in the writer goroutine
		}
		n, err := e.inPlace.write(w.Bytes())
		e.markWrite()
		e.inPlaceWrites.Add(1)
		if err != nil || n < w.Len() {
			// A full socket buffer, a partial write or an error: the
			// writer goroutine writes the rest, or meets the error.
			e.inPlaceSent = max(n, 0)
			return inPlaceHandOff
		}
		w.Reset()
	}
	switch ok, closed := e.outR.hasMessage(); {
	case ok:
		return inPlaceMore
	case closed:
		return inPlaceHandOff
	}
	return inPlaceIdle
}

// finishPending writes what an in-place write left in the encoder. The
// writer goroutine calls it, holding e.wmu, before taking more messages.
func (e *engine) finishPending() error {
	w := &e.zw
	if w.Len() == 0 {
		return nil
	}
	var err error
	if e.inPlaceSent == 0 {
		err = e.flush()
	} else {
		_, err = e.conn.Write(w.Bytes()[e.inPlaceSent:])
		e.inPlaceSent = 0
		w.Reset()
	}
	w.Trim(4 * writeFlushSize)
	return err
}

// inPlaceEpoch is the origin of the monotonic times in e.lastWriteAt.
var inPlaceEpoch = time.Now()

// markWrite records that a write ended now, for engines whose senders may
// write in place (the only readers of lastWriteAt); others skip the clock.
func (e *engine) markWrite() {
	if e.inPlace != nil {
		e.lastWriteAt.Store(int64(time.Since(inPlaceEpoch)))
	}
}

// sinceLastWrite returns how long ago the last write ended (the time since
// inPlaceEpoch before any).
func (e *engine) sinceLastWrite() time.Duration {
	return time.Since(inPlaceEpoch) - time.Duration(e.lastWriteAt.Load())
}

// writesInPlace reports whether senders on the connections of a socket of
// type t write in place: REQ and REP.
func writesInPlace(t Type) bool { return t == REQ || t == REP }

// enableInPlace lets senders write in place on a ZMTP connection of a REQ
// or REP socket whose socket can be written without blocking. Call from
// the connection goroutine after startWriter and before serve.
func (e *engine) enableInPlace(typ Type) {
	if writesInPlace(typ) {
		e.inPlace = newInPlaceWriter(e.conn, true)
	}
}
