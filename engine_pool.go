package zmq4

// Pooled writes: a PUB or XPUB with many subscribers has as many
// connections, and a writer goroutine for each would make one goroutine
// runnable per subscriber at every burst of messages. Hundreds of them
// then sit in the runtime's run queue, and the publisher, preempted after
// its time slice, waits behind all of them: at 1,000 subscribers its send
// rate varied by a factor of two from run to run. So the connections of
// a publisher are written by the socket's write pool instead (the
// fanoutWaker's goroutine, one per socket, as libzmq's one I/O thread
// serves all of a socket's pipes by default): a push onto an idle
// subscriber's queue hands its engine to the pool, which encodes what is
// queued and writes it with non-blocking system calls (writeInPlace),
// engine after engine, inPlaceRounds writes per turn.
//
// The engine's own writer goroutine stays, for what cannot be done
// without waiting: bytes a full socket buffer did not take, large frames
// for writev, the end of a closed queue. It is woken for those
// (inPlaceHandOff), writes what the encoder holds, which may wait for the
// socket to drain, and hands the engine back to the pool.
//
// Only plain tcp and ipc connections on Linux (newInPlaceWriter); others
// keep their writer goroutine.

// writesPooled reports whether the connections of a socket of type t are
// written by the socket's write pool: PUB and XPUB.
func writesPooled(t Type) bool { return t == PUB || t == XPUB }

// enablePool makes the socket's write pool write a publisher's
// connection when its socket can be written without blocking. Call from
// the connection goroutine after startWriter and before serve.
func (e *engine) enablePool(typ Type) {
	if !writesPooled(typ) {
		return
	}
	pool := e.sess.writePool()
	if pool == nil {
		return
	}
	if e.inPlace = newInPlaceWriter(e.conn); e.inPlace != nil {
		e.pool = pool
	}
}

// writePooled is the pool's turn at the engine: it writes in place
// unless the writer goroutine holds the write token, and reports whether
// messages are still queued, for the pool to come back to.
func (e *engine) writePooled() (more bool) {
	if !e.wmu.TryLock() {
		// The writer goroutine is writing; it looks at the queue again
		// before it waits.
		signalChan(e.wakeOut)
		return false
	}
	r := e.writeInPlace()
	e.wmu.Unlock()
	if r == inPlaceHandOff {
		e.poolHandOffs.Add(1)
		signalChan(e.wakeOut)
	}
	return r == inPlaceMore
}
