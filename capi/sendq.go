package main

/*
#include "pz.h"
*/
import "C"

import (
	"sync"
	"syscall"
	"unsafe"

	zmq "github.com/purezmq/zmq4"
)

// Send buffers. Sockets of the types in batchedSend get a send buffer in C
// (pz_sq, pz.h): zmq_msg_send and zmq_send (pz.c) move a single-part
// message into it, without calling Go, while its credit allows: the
// number of whole messages the Go socket takes without blocking
// (zmq4.Socket.SendRoom), less those accepted since that was asked, for a
// few milliseconds (PZ_SQ_CREDIT_NS). So a send is accepted or refused
// when it is made, as libzmq's is, and never past the high-water marks. A
// goroutine per socket (flusher) hands the buffer to the Go socket
// whenever the first message lands in it, and then until it finds it
// empty; under load the sender fills the buffer while the flusher sends
// the last batch, and each call into Go carries many messages. Every
// other way into the socket (multipart and blocking sends, options,
// ZMQ_EVENTS, polling, bind, connect, disconnect, monitors, proxies,
// close, the context's termination) first hands the buffer over
// (flushSends), so the Go socket has every accepted message before it is
// looked at.
type sendBuffer struct {
	q      *C.pz_sq
	mu     sync.Mutex    // one hand-over at a time, in order
	msgs   [][]byte      // the hand-over's messages, under mu
	kick   chan struct{} // wakes the flusher
	done   chan struct{} // closed when the flusher returns
	closed bool          // under mu
	// kickMu guards sending on kick against its close.
	kickMu     sync.Mutex
	kickClosed bool
}

// batchedSend says which socket types have a send buffer: PUSH, whose
// room SendRoom can count.
func batchedSend(t zmq.Type) bool {
	return t == zmq.PUSH
}

// maxCredit bounds the credit of a socket with no high-water mark.
const maxCredit = 1 << 30

// newSendBuffer makes the send buffer of socket e and starts its flusher.
func newSendBuffer(e *sockEntry) *C.pz_sq {
	q := (*C.pz_sq)(C.calloc(1, C.size_t(unsafe.Sizeof(C.pz_sq{}))))
	q.term = e.ctx.term
	q.cur = (*C.pz_sqbuf)(C.calloc(1, C.size_t(unsafe.Sizeof(C.pz_sqbuf{}))))
	q.spare = (*C.pz_sqbuf)(C.calloc(1, C.size_t(unsafe.Sizeof(C.pz_sqbuf{}))))
	e.sq = &sendBuffer{q: q, kick: make(chan struct{}, 1), done: make(chan struct{})}
	e.ctx.sendSockets.Store(e, struct{}{})
	go e.flusher()
	return q
}

func sqLock(q *C.pz_sq) { C.pz_lock(&q.mu) }

func sqUnlock(q *C.pz_sq) { C.pz_unlock(&q.mu) }

// pz_sq_kick wakes socket sp's flusher (pz.c calls it when a message lands
// in an empty send buffer).
//
//export pz_sq_kick
func pz_sq_kick(sp unsafe.Pointer) {
	e := getSock(sp)
	if e == nil || e.sq == nil {
		return
	}
	sb := e.sq
	sb.kickMu.Lock()
	defer sb.kickMu.Unlock()
	if sb.kickClosed {
		return
	}
	select {
	case sb.kick <- struct{}{}:
	default:
	}
}

// flusher hands the send buffer to the Go socket each time it is woken,
// until it finds the buffer empty; it returns when the socket closes.
func (e *sockEntry) flusher() {
	defer close(e.sq.done)
	for range e.sq.kick {
		for e.flushOnce(true) {
		}
	}
}

// flushOnce hands what the send buffer holds to the Go socket and renews
// the credit; it reports whether there was anything. The flusher (idle)
// marks the buffer unkicked when it finds it empty, so the next message
// wakes it again.
func (e *sockEntry) flushOnce(idle bool) bool {
	sb := e.sq
	sb.mu.Lock()
	defer sb.mu.Unlock()
	return e.flushLocked(idle)
}

// flushLocked is flushOnce with sb.mu held.
func (e *sockEntry) flushLocked(idle bool) bool {
	sb := e.sq
	q := sb.q
	sqLock(q)
	b := q.cur
	if sb.closed || b == nil || b.count == 0 {
		if idle {
			q.kicked = 0
		}
		sqUnlock(q)
		return false
	}
	q.cur, q.spare = q.spare, b
	q.flushing = 1
	sqUnlock(q)
	parts := unsafe.Slice(&b.parts[0], int(b.count))
	stage := unsafe.Slice((*byte)(unsafe.Pointer(&b.stage[0])), C.PZ_SQ_STAGE)
	msgs := sb.msgs[:0]
	for i := range parts {
		m := &parts[i]
		if m.content != nil {
			msgs = append(msgs, cBytes(m.data, m.size))
		} else {
			off := int(b.off[i])
			msgs = append(msgs, stage[off:off+int(m.size):off+int(m.size)])
		}
	}
	for rest := msgs; len(rest) > 0; {
		// The messages were accepted when they were sent, with room
		// for them: one fails now only when its peer has gone since,
		// or the socket's context is ending, and is then lost as
		// libzmq loses what a terminated pipe held.
		n, err := e.s.SendBatch(rest)
		if err == nil {
			break
		}
		rest = rest[n+1:]
	}
	clear(msgs)
	sb.msgs = msgs[:0]
	C.pz_sq_release(b)
	sqLock(q)
	q.flushing = 0
	sqUnlock(q)
	e.renewCreditLocked()
	return true
}

// renewCreditLocked sets the credit from the Go socket's room, less the
// messages accepted since the last hand-over, for the next
// PZ_SQ_CREDIT_NS. A socket with an inproc peer gets none: that peer sees
// a message the moment it is sent, as in libzmq, which a message waiting
// in the buffer would break. Call with sb.mu held.
func (e *sockEntry) renewCreditLocked() {
	room, inproc := e.s.SendRoom()
	if room < 0 || room > maxCredit {
		room = maxCredit
	}
	if inproc {
		room = 0
	}
	expiry := C.pz_now_coarse() + C.PZ_SQ_CREDIT_NS
	q := e.sq.q
	sqLock(q)
	if q.cur != nil {
		q.credit = C.int32_t(room) - C.int32_t(q.cur.count)
		q.expiry = C.int64_t(expiry)
		q.direct = 0
		if inproc {
			q.direct = 1
		}
	}
	sqUnlock(q)
}

// flushSends hands the send buffer to the Go socket, if e has one: the
// first thing every other call on the socket does.
func (e *sockEntry) flushSends() {
	if e == nil || e.sq == nil {
		return
	}
	sb := e.sq
	sb.mu.Lock()
	defer sb.mu.Unlock()
	for e.flushLocked(false) {
	}
}

// pz_sq_send sends message p on socket sp as pz_msg_send_part does, after
// handing the send buffer to the Go socket, for what pz.c does not accept
// into the buffer. Returns the size sent or -1 with errno set.
//
//export pz_sq_send
func pz_sq_send(p unsafe.Pointer, sp unsafe.Pointer, flags C.int) C.int {
	e := getSock(sp)
	if e == nil || e.sq == nil {
		return fail(syscall.ENOTSOCK)
	}
	sb := e.sq
	sb.mu.Lock()
	defer sb.mu.Unlock()
	for e.flushLocked(false) {
	}
	rc := pz_msg_send_part(p, sp, flags)
	if rc >= 0 {
		e.setInMessage(flags&C.int(zmq.SNDMORE) != 0)
	}
	e.renewCreditLocked()
	return rc
}

// setInMessage records whether the Go socket holds the first parts of a
// message, whose later parts must then go to it directly.
func (e *sockEntry) setInMessage(in bool) {
	q := e.sq.q
	sqLock(q)
	q.inmsg = 0
	if in {
		q.inmsg = 1
	}
	sqUnlock(q)
}

// closeSendBuffer hands the send buffer to the Go socket a last time,
// stops the flusher and frees the buffer (zmq_close, before the Go socket
// closes and lingers).
func (e *sockEntry) closeSendBuffer() {
	sb := e.sq
	if sb == nil {
		return
	}
	e.ctx.sendSockets.Delete(e)
	sb.mu.Lock()
	for e.flushLocked(false) {
	}
	sb.closed = true
	q := sb.q
	sqLock(q)
	cur, spare := q.cur, q.spare
	q.cur, q.spare = nil, nil
	sqUnlock(q)
	sb.mu.Unlock()
	sb.kickMu.Lock()
	sb.kickClosed = true
	close(sb.kick)
	sb.kickMu.Unlock()
	<-sb.done
	if cur != nil {
		C.pz_sq_release(cur)
		C.free(unsafe.Pointer(cur))
	}
	if spare != nil {
		C.free(unsafe.Pointer(spare))
	}
}

// flushSendBuffers hands the send buffers of the context's sockets to Go
// as its termination starts (the C side already refuses new messages), so
// that what they accepted lingers as sent messages do. A socket whose
// buffer is being handed over already, by a send blocked in Go, is left
// to it.
func (c *ctxEntry) flushSendBuffers() {
	c.sendSockets.Range(func(k, _ any) bool {
		e := k.(*sockEntry)
		if e.sq.mu.TryLock() {
			for e.flushLocked(false) {
			}
			e.sq.mu.Unlock()
		}
		return true
	})
}
