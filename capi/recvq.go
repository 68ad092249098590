package main

/*
#include "pz.h"
*/
import "C"

import (
	"reflect"
	"sync/atomic"
	"syscall"
	"unsafe"

	zmq "github.com/purezmq/zmq4"
)

// Receive buffers. A call from C into Go costs more than receiving a small
// part in Go, so sockets of the types in batchedRecv get a receive buffer
// in C (pz_rq, pz.h): pz_rq_fill moves every part already queued on the Go
// socket, up to the buffer's bounds, into it in one call, and zmq_msg_recv
// and zmq_recv (pz.c) take parts from it without calling Go. The buffer is
// the head of the socket's queue, so everything that looks at the queue
// looks at it too: ZMQ_EVENTS and zmq_poll report POLLIN while it holds
// parts, ZMQ_RCVMORE is the flag of the last part taken from it, zmq_close
// drops it, zmq_disconnect drops the parts of the connections it ends, and
// pz_go_zmq_proxy is zmq_proxy: forwards its parts before anything else.

// batchedRecv says which socket types have a receive buffer: those where
// nothing the application does between two receives changes what the
// second one returns, beyond what the buffer follows (disconnect, close,
// context termination). A SUB's subscriptions, a REQ's or REP's state
// machine and the thread-safe types' several readers are not followed, so
// they receive part by part.
func batchedRecv(t zmq.Type) bool {
	return t == zmq.PULL
}

// Receive buffer bounds, from pz.h.
const (
	rqParts = C.PZ_RQ_PARTS
	rqStage = C.PZ_RQ_STAGE
	rqSmall = C.PZ_RQ_SMALL
	rqBytes = C.PZ_RQ_BYTES
	msgLost = 0x80 // PZ_MSG_LOST in pz.c
)

// newSocketHandle allocates the C handle of socket e (a pz_sock), with a
// receive buffer when its type batches receives.
func newSocketHandle(e *sockEntry) unsafe.Pointer {
	p := C.calloc(1, C.size_t(unsafe.Sizeof(C.pz_sock{})))
	h := (*C.pz_sock)(p)
	if batchedRecv(e.typ) {
		q := (*C.pz_rq)(C.calloc(1, C.size_t(unsafe.Sizeof(C.pz_rq{}))))
		q.term = e.ctx.term
		q.buf = (*C.pz_rqbuf)(C.calloc(1, C.size_t(unsafe.Sizeof(C.pz_rqbuf{}))))
		h.rq = q
		e.rq = q
	}
	if batchedSend(e.typ) {
		h.sq = newSendBuffer(e)
	}
	h.tag = tagSocket
	h.owner = C.pz_owner_id
	objects.Store(uintptr(p), e)
	return p
}

func rqLock(q *C.pz_rq) { C.pz_lock(&q.mu) }

func rqUnlock(q *C.pz_rq) { C.pz_unlock(&q.mu) }

// pz_rq_fill moves the parts queued on socket sp into its receive buffer
// for pz.c, waiting as a blocking receive does (flags: ZMQ_DONTWAIT) until
// at least one is there. Returns 0, or -1 with errno set.
//
//export pz_rq_fill
func pz_rq_fill(sp unsafe.Pointer, flags C.int) C.int {
	e := getSock(sp)
	if e == nil || e.rq == nil {
		return fail(syscall.ENOTSOCK)
	}
	err := blocking(e.s, zmq.Flag(flags), zmq.POLLIN, func(zmq.Flag) error {
		return e.fill()
	})
	if err != nil {
		return failErr(err)
	}
	return 0
}

// fill moves the parts queued on the Go socket into the receive buffer,
// when it is empty, without waiting; EAGAIN when none was queued.
func (e *sockEntry) fill() error {
	q := e.rq
	rqLock(q)
	defer rqUnlock(q)
	b := q.buf
	if b == nil {
		return syscall.ENOTSOCK
	}
	if b.head < b.count {
		return nil // another thread filled it
	}
	b.head, b.count = 0, 0
	e.rqSrc = e.rqSrc[:0]
	block := stageBlock(b)
	var stage []byte
	if block != nil {
		stage = unsafe.Slice((*byte)(block.data), rqStage)
	}
	used, total := 0, 0
	// The references the new parts take, to the block and to their
	// properties, are counted here and added once each.
	blockRefs := 0
	// Consecutive parts mostly come over one connection: its property
	// block is looked up once. A small part of it whose batch block
	// holds a reference to the properties borrows that one.
	var lastProps map[string]string
	var lastSrc zmq.PartSource
	lastFD := -1
	var lastMeta *C.pz_meta
	metaRefs := 0 // references to lastMeta taken and not yet added
	_, err := e.s.RecvBatch(func(data []byte, info zmq.PartInfo, src zmq.PartSource) bool {
		i := int(b.count)
		m := &b.parts[i]
		emptyMsg(m)
		if len(data) == 0 {
			// An empty part needs no content.
		} else if block != nil && len(data) <= rqSmall {
			copy(stage[used:], data)
			m.content = block
			m.data = unsafe.Pointer(&stage[used])
			m.size = C.size_t(len(data))
			m.flags |= C.PZ_MSG_SLICE
			used += len(data)
			blockRefs++
		} else if c := newContent(len(data)); c != nil {
			copy(unsafe.Slice((*byte)(c.data), len(data)), data)
			m.content = c
			m.data = c.data
			m.size = C.size_t(len(data))
		} else {
			m.flags |= msgLost
		}
		if info.More {
			m.flags |= msgMore
		}
		if m.flags&msgLost == 0 {
			m.routing_id = C.uint32_t(info.RoutingID)
			setGroup(m, info.Group)
			if lastMeta == nil || info.SrcFD != lastFD ||
				!src.SameProperties(lastSrc) && !sameMap(info.Metadata, lastProps) {
				settleRefs(lastMeta, metaRefs)
				// get's reference is the first of those counted.
				lastMeta, metaRefs = e.metas.get(info.Metadata, info.SrcFD), -1
				lastProps, lastFD, lastSrc = info.Metadata, info.SrcFD, src
			}
			m.meta = lastMeta
			if lastMeta != nil && m.flags&C.PZ_MSG_SLICE != 0 && blockRefs == 1 && block.meta != lastMeta {
				// The batch's first part in the block: no part of an
				// earlier batch holds the block, so it can take this
				// part's properties in place of its old ones.
				old := block.meta
				block.meta = lastMeta
				metaRefs++
				if old != nil {
					C.pz_meta_release(old)
				}
			}
			if lastMeta != nil && m.flags&C.PZ_MSG_SLICE != 0 && block.meta == lastMeta {
				m.flags |= C.PZ_MSG_META_BLOCK
			} else {
				metaRefs++
			}
		}
		e.rqSrc = append(e.rqSrc, src)
		b.count++
		total += len(data)
		return b.count < rqParts && used+rqSmall <= rqStage && total < rqBytes
	})
	settleRefs(lastMeta, metaRefs)
	if blockRefs > 0 {
		atomic.AddInt64((*int64)(unsafe.Pointer(&block.refs)), int64(blockRefs))
	}
	return err
}

// settleRefs adds n references to properties p, or drops one when n is
// -1 (none when p is NULL).
func settleRefs(p *C.pz_meta, n int) {
	if p == nil || n == 0 {
		return
	}
	if n < 0 {
		C.pz_meta_release(p)
		return
	}
	atomic.AddInt64((*int64)(unsafe.Pointer(&p.refs)), int64(n))
}

// stageBlock returns the block the small parts of b's next batch go into:
// b's block, when no part of an earlier batch holds it any more, or else
// a new one, which b then holds instead. NULL when none can be allocated.
// Call with the buffer's lock held.
func stageBlock(b *C.pz_rqbuf) *C.pz_content {
	old := b.block
	if old != nil && atomic.LoadInt64((*int64)(unsafe.Pointer(&old.refs))) == 1 {
		return old
	}
	b.block = newContent(rqStage)
	if old != nil {
		C.pz_content_release(old)
	}
	return b.block
}

// sameMap reports whether a and b are the same map (not merely equal).
func sameMap(a, b map[string]string) bool {
	return a != nil && b != nil && reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// pendingIn reports whether the receive buffer holds parts.
func (e *sockEntry) pendingIn() bool {
	q := e.rq
	if q == nil {
		return false
	}
	rqLock(q)
	defer rqUnlock(q)
	return q.buf != nil && q.buf.head < q.buf.count
}

// events is ZMQ_EVENTS: the Go socket's, with POLLIN while the receive
// buffer holds parts.
func (e *sockEntry) events() (zmq.State, error) {
	st, err := e.s.GetEvents()
	if err != nil {
		return st, err
	}
	if e.pendingIn() {
		st |= zmq.POLLIN
	}
	return st, nil
}

// rcvmore is ZMQ_RCVMORE: with a receive buffer, every part comes through
// it, and it keeps the flag of the last one taken.
func (e *sockEntry) rcvmore() (bool, error) {
	if e.rq == nil {
		return e.s.GetRcvmore()
	}
	if _, err := e.s.GetRcvmore(); err != nil {
		return false, err
	}
	q := e.rq
	rqLock(q)
	more := q.more != 0
	rqUnlock(q)
	return more, nil
}

// closeRecvBuffer drops the parts the receive buffer holds and frees it
// (zmq_close); the header stays for late calls, which then fail.
func (e *sockEntry) closeRecvBuffer() {
	q := e.rq
	if q == nil {
		return
	}
	rqLock(q)
	defer rqUnlock(q)
	b := q.buf
	if b == nil {
		return
	}
	for i := b.head; i < b.count; i++ {
		C.pz_rq_drop_part(q, i)
	}
	C.pz_content_release(b.block)
	q.buf = nil
	e.rqSrc = nil
	C.free(unsafe.Pointer(b))
}

// dropDisconnected drops the buffered parts whose connection
// zmq_disconnect(endpoint) just ended, as the Go socket dropped that
// connection's queued ones.
func (e *sockEntry) dropDisconnected(endpoint string) {
	q := e.rq
	if q == nil {
		return
	}
	rqLock(q)
	defer rqUnlock(q)
	b := q.buf
	if b == nil || b.head == b.count {
		return
	}
	keep := b.head
	for i := b.head; i < b.count; i++ {
		if e.rqSrc[i].DroppedBy(endpoint) {
			C.pz_rq_drop_part(q, i)
			continue
		}
		if keep != i {
			b.parts[keep] = b.parts[i]
			e.rqSrc[keep] = e.rqSrc[i]
			emptyMsg(&b.parts[i])
		}
		keep++
	}
	b.count = keep
}

// takeBuffered removes the next buffered part, for callers in Go that
// forward it (zmq_proxy); ok is false when the buffer is empty.
func (e *sockEntry) takeBuffered() (data []byte, more bool, ok bool) {
	q := e.rq
	if q == nil {
		return nil, false, false
	}
	rqLock(q)
	defer rqUnlock(q)
	b := q.buf
	if b == nil || b.head == b.count {
		return nil, false, false
	}
	i := b.head
	m := &b.parts[i]
	data = []byte{}
	if m.content != nil {
		data = append(data, unsafe.Slice((*byte)(m.data), int(m.size))...)
	}
	more = m.flags&msgMore != 0
	C.pz_rq_drop_part(q, i)
	b.head++
	q.more = 0
	if more {
		q.more = 1
	}
	return data, more, true
}

// forwardBuffered sends the parts e's receive buffer holds to dst, copying
// them to capture if not nil, as a proxy forwards what is queued: a proxy
// starts with them.
func forwardBuffered(e *sockEntry, dst, capture *zmq.Socket) error {
	if e == nil || dst == nil {
		return nil
	}
	for {
		data, more, ok := e.takeBuffered()
		if !ok {
			return nil
		}
		var f zmq.Flag
		if more {
			f = zmq.SNDMORE
		}
		if capture != nil {
			if _, err := capture.SendBytes(data, f); err != nil {
				return err
			}
		}
		if _, err := dst.SendBytes(data, f); err != nil {
			return err
		}
	}
}

// recvBuffered receives one part through the receive buffer for Go
// callers (zmq_recviov) into a malloc'd buffer of size+1 bytes.
func (e *sockEntry) recvBuffered(sp unsafe.Pointer, flags C.int) (buf unsafe.Pointer, size int, more bool, rc C.int) {
	// The message lives in C memory: it points into itself.
	m := (*C.pz_msg)(C.malloc(C.size_t(unsafe.Sizeof(C.pz_msg{}))))
	if m == nil {
		return nil, 0, false, fail(syscall.ENOMEM)
	}
	defer C.free(unsafe.Pointer(m))
	emptyMsg(m)
	rc = C.pz_c_zmq_msg_recv(unsafe.Pointer(m), sp, flags)
	if rc < 0 {
		C.pz_c_zmq_msg_close(unsafe.Pointer(m))
		return nil, 0, false, rc
	}
	size = int(m.size)
	more = m.flags&msgMore != 0
	buf = C.malloc(C.size_t(size + 1))
	if buf != nil && size > 0 {
		C.memcpy(buf, m.data, m.size)
	}
	C.pz_c_zmq_msg_close(unsafe.Pointer(m))
	return buf, size, more, 0
}
