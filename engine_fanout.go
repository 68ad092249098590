package zmq4

// Writes by the fan-out worker: a PUB or XPUB with many subscribers has
// as many connections, and a writer goroutine for each would make one
// goroutine runnable per subscriber at every burst of messages. Hundreds
// of them then sit in the runtime's run queue, and the publisher,
// preempted after its time slice, waits behind all of them: at 1,000
// subscribers its send rate varied by half from run to run. So the
// connections of a publisher are written by the socket's fan-out worker
// instead (fanout_worker.go: one goroutine per socket while there is
// work, as libzmq's one I/O thread serves all of a socket's pipes by
// default): a push onto an idle subscriber's queue hands its engine to
// the worker, which encodes what is queued and writes it with
// non-blocking system calls (writeInPlace), engine after engine, at most
// inPlaceRounds writes per turn.
//
// The engine's own writer goroutine stays, for what cannot be done
// without waiting: bytes a full socket buffer did not take, large frames
// for writev, the end of a closed queue. It is woken for those
// (inPlaceHandOff), writes what the encoder holds, which may wait for the
// socket to drain, and hands the engine back to the worker.
//
// Only plain tcp and ipc connections on Linux (newInPlaceWriter); on the
// others the writer goroutine writes everything.

// writtenByFanout reports whether the connections of a socket of type t
// are written by the socket's fan-out worker: PUB and XPUB.
func writtenByFanout(t Type) bool { return t == PUB || t == XPUB }

// enableFanoutWrites makes the socket's fan-out worker write a
// publisher's connection when its socket can be written without
// blocking. Call from the connection goroutine after startWriter and
// before serve.
func (e *engine) enableFanoutWrites(typ Type) {
	if !writtenByFanout(typ) {
		return
	}
	w := e.sess.fanoutWorker()
	if w == nil {
		return
	}
	if e.inPlace = newInPlaceWriter(e.conn, false); e.inPlace != nil {
		e.fanout = w
	}
}

// writeForFanout is the fan-out worker's turn at the engine: it writes
// in place unless the writer goroutine holds the write token, and reports
// whether messages are still queued, for the worker to come back to.
func (e *engine) writeForFanout() (more bool) {
	if !e.wmu.TryLock() {
		// The writer goroutine is writing; it looks at the queue again
		// before it waits.
		signalChan(e.wakeOut)
		return false
	}
	r := e.writeInPlace()
	e.wmu.Unlock()
	if r == inPlaceHandOff {
		e.fanoutHandOffs.Add(1)
		signalChan(e.wakeOut)
	}
	return r == inPlaceMore
}
