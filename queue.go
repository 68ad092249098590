package zmq4

import (
	"sync"
	"sync/atomic"
)

// frame is one part of a message as it travels inside the library. data is
// never written to once the frame exists, so frames can be shared freely.
type frame struct {
	data  []byte
	flags uint8
}

// Frame flags.
const (
	frameMore      uint8 = 1 << iota // more parts of this message follow
	frameCommand                     // data is a complete ZMTP command body (engine level)
	frameSubscribe                   // data is a topic being subscribed to
	frameCancel                      // data is a topic being unsubscribed from
	frameJoin                        // data is a group being joined (DISH)
	frameLeave                       // data is a group being left (DISH)
	framePooled                      // data comes from the buffer pool; the engine returns it
	frameLent                        // data is the sender's, valid only until the send returns (PUB, XPUB)
)

func (f frame) more() bool { return f.flags&frameMore != 0 }

// queue carries whole messages in one direction between two parties: a socket
// and a connection engine, or two sockets over inproc. Its high-water mark
// counts messages, as libzmq's pipes do. The reader takes everything queued
// in one swap and reports what it consumed in batches, so the lock is taken
// about once per batch rather than once per message.
//
// A PUB's queue to a connection also pulls the messages its publisher's log
// marked for it (feed, see pubLog) whenever the reader looks for more.
//
// Readiness is edge-triggered: a reader that finds the queue empty is marked
// idle and is called back (onReadable) by the next push; a writer that finds
// it full is marked blocked and is called back (onWritable) when the reader
// reports room. Callbacks run outside the lock.
type queue struct {
	mu            sync.Mutex
	frames        []frame
	unread        int // messages pushed and not yet reported consumed
	hwm           int // 0 means no limit
	writerBlocked bool
	closed        bool // the writer will push no more
	// atHWM mirrors full() (false under CONFLATE) for offer, which reads
	// it without the lock; it is stored only when it changes.
	atHWM    atomic.Bool
	conflate bool // keep only the newest message (CONFLATE)

	// Counters for Stats: messages (ZMTP commands aside) and bytes pushed,
	// and messages CONFLATE dropped.
	msgs, bytes, conflated uint64

	// marks records where in frames the connection behind the queue
	// changed (see pushBatch); lastProps is the connection of the last
	// mark made, nil after frames were dropped.
	marks     []propsMark
	lastProps *connProps

	onReadable func()
	onWritable func()

	// feed, when set, is the publisher's log this queue pulls its
	// messages from (see pubLog); set and cleared under mu.
	feed *logSlot

	// readerIdle: the reader found the queue empty and waits for
	// onReadable. Changed under mu, except that a publisher may clear it
	// without the lock to claim the wake-up (pubLog.send); it sits on a
	// cache line of its own because the publisher reads it on every send.
	_          [64]byte
	readerIdle atomic.Bool
	_          [64]byte
}

// connProps are the properties of one connection (Socket-Type, Identity,
// User-Id, Peer-Address, the ZAP handler's metadata, ...). One value is
// made per connection and never changes; every message that arrived on the
// connection refers to it, as libzmq attaches its metadata to each message.
type connProps struct {
	m map[string]string
}

// propsMark says that the messages from frame index at on arrived on the
// connection with properties props.
type propsMark struct {
	at    int
	props *connProps
}

func newQueue(hwm int) *queue {
	q := &queue{hwm: hwm}
	q.readerIdle.Store(true)
	return q
}

// full reports whether the queue is at its high-water mark; call with mu held.
func (q *queue) full() bool { return q.hwm > 0 && q.unread >= q.hwm }

// noteFullLocked updates atHWM (and a publisher's view of what the reader
// consumed) after unread or hwm changed; call with mu held.
func (q *queue) noteFullLocked() {
	if f := q.full() && !q.conflate; f != q.atHWM.Load() {
		q.atHWM.Store(f)
	}
	if q.feed != nil {
		q.feed.noteDoneLocked(q)
	}
}

// offer is push for a writer that drops a message rather than wait for
// room (PUB, XPUB): a queue at its HWM refuses without taking the lock,
// so a publisher pays little for a subscriber that lags. Unlike push it
// does not mark the writer blocked when it refuses, and it does not call
// onReadable itself: wake reports that the reader was idle and must be
// woken by the caller (see fanoutWorker).
func (q *queue) offer(m []frame) (ok, wake bool) {
	if q.atHWM.Load() {
		return false, false
	}
	q.mu.Lock()
	ok, wake = q.pushLocked(m, false)
	q.mu.Unlock()
	return ok, wake
}

// push appends one whole message unless the queue is full, in which case it
// marks the writer blocked and returns false. force ignores the HWM (used for
// subscriptions and engine commands, which libzmq never drops).
func (q *queue) push(m []frame, force bool) bool {
	q.mu.Lock()
	ok, wake := q.pushLocked(m, force)
	if !ok {
		q.writerBlocked = true
	}
	q.mu.Unlock()
	if wake && q.onReadable != nil {
		q.onReadable()
	}
	return ok
}

// pushLocked is push's decision under the lock: a closed queue takes m and
// drops it, CONFLATE keeps only m, and otherwise m is refused (false) at
// the HWM unless force. wake reports that the reader was idle. Call with
// mu held.
func (q *queue) pushLocked(m []frame, force bool) (ok, wake bool) {
	if q.closed {
		return true, false
	}
	if q.conflate {
		q.dropPendingLocked()
		force = true
	}
	if !force && q.full() {
		return false, false
	}
	return true, q.appendLocked(m)
}

// appendLocked appends the whole message m, counts it (ZMTP commands
// aside) and reports whether the reader was idle, marking it busy. Call
// with mu held.
func (q *queue) appendLocked(m []frame) (wake bool) {
	q.frames = append(q.frames, m...)
	if m[0].flags&frameCommand == 0 {
		q.msgs++
		q.bytes += messageBytes(m)
	}
	return q.countAppendedLocked(1)
}

// countAppendedLocked counts n entries just appended to frames as unread
// and reports whether the reader was idle, marking it busy. Call with mu
// held.
func (q *queue) countAppendedLocked(n int) (wake bool) {
	q.unread += n
	q.noteFullLocked()
	return q.claimIdleReader()
}

// claimIdleReader clears readerIdle and reports whether it was set: the
// caller then wakes the reader. The flag is read first so that a busy
// reader's cache line is not written.
func (q *queue) claimIdleReader() bool {
	return q.readerIdle.Load() && q.readerIdle.CompareAndSwap(true, false)
}

// pushFinal appends a one-part message after everything the writer
// pushed, even when the writer has closed the queue and regardless of the
// HWM: the socket's own last word on a departed peer (DISCONNECT_MSG).
func (q *queue) pushFinal(f frame) {
	one := [1]frame{f}
	q.mu.Lock()
	wake := q.appendLocked(one[:])
	q.mu.Unlock()
	if wake && q.onReadable != nil {
		q.onReadable()
	}
}

// pushFrame is push for a one-part message.
func (q *queue) pushFrame(f frame, force bool) bool {
	one := [1]frame{f}
	return q.push(one[:], force)
}

// canPush reports whether a push would succeed now; when it would not, the
// writer is marked blocked so that onWritable fires when room appears.
func (q *queue) canPush() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	full := q.full()
	if sl := q.feed; sl != nil {
		full = !sl.roomLocked()
	}
	if q.closed || !full {
		return true
	}
	q.writerBlocked = true
	return false
}

// pushBatch appends as many whole messages from fs as the HWM allows and
// returns how many frames it took. fs must hold whole messages only. The
// messages arrived on the connection with properties props, which the
// reader reports for them (queueReader.props); a change of connection costs
// one mark, so the messages carry their properties without growing frames.
func (q *queue) pushBatch(fs []frame, props *connProps) int {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return len(fs)
	}
	if q.conflate {
		// Only the newest whole message matters.
		last := len(fs) - 1
		for last > 0 && fs[last-1].more() {
			last--
		}
		q.dropPendingLocked()
		q.markLocked(props)
		q.frames = append(q.frames, fs[last:]...)
		q.unread++
		q.msgs++
		q.bytes += messageBytes(fs[last:])
		q.noteFullLocked()
		wake := q.claimIdleReader()
		q.mu.Unlock()
		if wake && q.onReadable != nil {
			q.onReadable()
		}
		return len(fs)
	}
	taken := 0
	for taken < len(fs) && !q.full() {
		end := taken
		for fs[end].more() {
			q.bytes += uint64(len(fs[end].data))
			end++
		}
		q.bytes += uint64(len(fs[end].data))
		end++
		q.unread++
		q.msgs++
		taken = end
	}
	if taken > 0 {
		q.markLocked(props)
		q.noteFullLocked()
	}
	q.frames = append(q.frames, fs[:taken]...)
	if taken < len(fs) {
		q.writerBlocked = true
	}
	wake := taken > 0 && q.claimIdleReader()
	q.mu.Unlock()
	if wake && q.onReadable != nil {
		q.onReadable()
	}
	return taken
}

// markLocked records that the frames appended next arrived on the
// connection with properties props, unless the last mark already says so.
// Call with mu held, just before appending at least one frame.
func (q *queue) markLocked(props *connProps) {
	if props != q.lastProps {
		q.marks = append(q.marks, propsMark{at: len(q.frames), props: props})
		q.lastProps = props
	}
}

// dropFramesLocked empties frames and the marks that point into them; the
// next pushBatch marks its connection again. Call with mu held.
func (q *queue) dropFramesLocked() {
	clear(q.frames)
	q.frames = q.frames[:0]
	clear(q.marks)
	q.marks = q.marks[:0]
	q.lastProps = nil
}

// discard drops every queued message (the reader must not be active).
func (q *queue) discard() {
	q.mu.Lock()
	q.dropFramesLocked()
	q.unread = 0
	q.noteFullLocked()
	wake := q.writerBlocked
	q.writerBlocked = false
	q.mu.Unlock()
	if wake && q.onWritable != nil {
		q.onWritable()
	}
}

// drop discards every message the reader has not returned yet and every
// message pushed later: the reader's side let go of the queue, as libzmq's
// pipe terminated without delay drops what its reader had not read. Call
// from the reading party.
func (r *queueReader) drop() {
	clear(r.buf)
	r.buf = r.buf[:0]
	r.pos = 0
	r.read = 0
	q := r.q
	q.mu.Lock()
	q.closed = true
	q.unread = 0
	q.noteFullLocked()
	q.dropFramesLocked()
	wake := q.writerBlocked
	q.writerBlocked = false
	q.mu.Unlock()
	if wake && q.onWritable != nil {
		q.onWritable()
	}
}

// setConflate makes the queue keep only the newest message.
func (q *queue) setConflate() {
	q.mu.Lock()
	q.conflate = true
	q.noteFullLocked()
	q.mu.Unlock()
}

// dropPendingLocked discards the messages the reader has not taken yet
// (CONFLATE keeps only the newest). Call with mu held.
func (q *queue) dropPendingLocked() {
	n := countMessages(q.frames)
	q.unread -= n
	q.noteFullLocked()
	q.conflated += uint64(n)
	q.dropFramesLocked()
}

func countMessages(fs []frame) int {
	n := 0
	for _, f := range fs {
		if !f.more() {
			n++
		}
	}
	return n
}

// close tells the reader that nothing more will come.
func (q *queue) close() {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	if q.feed != nil {
		q.feed.pullLocked(q) // what was published before close still goes
	}
	q.closed = true
	wake := q.claimIdleReader()
	q.mu.Unlock()
	if wake && q.onReadable != nil {
		q.onReadable()
	}
}

// setHWM changes the high-water mark and wakes a blocked writer if that
// made room.
func (q *queue) setHWM(hwm int) {
	q.mu.Lock()
	q.hwm = hwm
	if q.feed != nil {
		q.feed.hwm = hwmLimit(hwm)
	}
	q.noteFullLocked()
	wake := q.writerBlocked && !q.full()
	if wake {
		q.writerBlocked = false
	}
	q.mu.Unlock()
	if wake && q.onWritable != nil {
		q.onWritable()
	}
}

// pending returns the number of unread messages, counting those a
// publisher's log holds for the queue.
func (q *queue) pending() int {
	q.mu.Lock()
	wake := q.pullFeedLocked()
	n := q.unread
	q.mu.Unlock()
	if wake && q.onReadable != nil {
		q.onReadable()
	}
	return n
}

// pullFeedLocked moves what a publisher's log holds for the queue into
// it, so that unread counts it; wake reports an idle reader to wake. Call
// with mu held.
func (q *queue) pullFeedLocked() (wake bool) {
	if q.feed == nil {
		return false
	}
	return q.feed.pullLocked(q)
}

// queueReader is the reading end of a queue. It holds the batch taken in the
// last swap; it is used by one party at a time (the socket under its lock,
// or the engine's writer goroutine).
type queueReader struct {
	q      *queue
	buf    []frame
	pos    int
	read   int // messages consumed since the last report
	report int // report consumption after this many messages

	marks []propsMark // the queue's marks for buf
	mi    int         // marks[:mi] have been passed
	// props are the properties of the connection the message last
	// returned by next arrived on; nil while no message came from a
	// connection engine (inproc pipes never have any).
	props *connProps
}

func newQueueReader(q *queue) queueReader {
	r := queueReader{q: q}
	r.setReport()
	return r
}

func (r *queueReader) setReport() {
	r.report = 1 << 30
	if r.q.hwm > 0 {
		r.report = (r.q.hwm + 1) / 2
	}
}

// next returns the next whole message, or ok=false when none is queued; then
// closed tells whether the writer has gone for good. The returned slice is
// valid until the next call.
func (r *queueReader) next() (m []frame, ok, closed bool) {
	if r.pos >= len(r.buf) {
		if ok, closed = r.refill(false); !ok {
			return nil, false, closed
		}
	}
	start := r.pos
	if r.mi < len(r.marks) {
		r.passMarks(start)
	}
	for r.buf[r.pos].more() {
		r.pos++
	}
	r.pos++
	r.read++
	if r.read >= r.report {
		r.flushReport()
	}
	return r.buf[start:r.pos], true, false
}

// hasMessage reports whether next would return a message, without consuming
// it. It marks the reader idle when the queue is empty.
func (r *queueReader) hasMessage() (ok, closed bool) {
	if r.pos < len(r.buf) {
		return true, false
	}
	return r.refill(false)
}

// takeAll returns every queued frame at once and counts them all consumed.
// When the reader's buffer was used up, the swap and the report are one
// critical section: afterwards nothing is unread.
func (r *queueReader) takeAll() (fs []frame, ok, closed bool) {
	if r.pos >= len(r.buf) {
		if ok, closed = r.refill(true); !ok {
			return nil, false, closed
		}
		fs = r.buf
		r.pos = len(r.buf)
		if r.mi < len(r.marks) {
			r.passMarks(len(r.buf))
		}
		return fs, true, false
	}
	fs = r.buf[r.pos:]
	r.pos = len(r.buf)
	if r.mi < len(r.marks) {
		r.passMarks(len(r.buf))
	}
	for _, f := range fs {
		if !f.more() {
			r.read++
		}
	}
	r.flushReport()
	return fs, true, false
}

// passMarks applies the marks at or before frame index at.
func (r *queueReader) passMarks(at int) {
	for r.mi < len(r.marks) && r.marks[r.mi].at <= at {
		r.props = r.marks[r.mi].props
		r.mi++
	}
}

// flushReport tells the writer how many messages were consumed.
func (r *queueReader) flushReport() {
	q := r.q
	q.mu.Lock()
	q.unread -= r.read
	r.read = 0
	wake := q.wakeWriterLocked()
	q.mu.Unlock()
	if wake && q.onWritable != nil {
		q.onWritable()
	}
}

// refill swaps the queue's frames into the reader's buffer. With
// consumeAll the reader takes every swapped message at once (takeAll), so
// the queue is left with nothing unread.
func (r *queueReader) refill(consumeAll bool) (ok, closed bool) {
	q := r.q
	clear(r.buf) // let the collector free the data of consumed frames
	q.mu.Lock()
	q.unread -= r.read
	r.read = 0
	if q.feed != nil {
		q.feed.releaseLocked() // the batch just cleared was written
		q.feed.pullLocked(q)
	}
	if len(q.frames) == 0 && q.feed != nil {
		// Say idle before looking at the publisher's log a last time, so
		// that either this look or the publisher's wake-up sees the
		// other's message (pubLog.send).
		q.readerIdle.Store(true)
		q.feed.markIdleLocked()
		q.feed.pullLocked(q)
		if len(q.frames) > 0 {
			q.readerIdle.Store(false)
		}
	}
	if q.feed != nil {
		q.feed.tookLocked(len(q.frames) == 0)
	}
	if len(q.frames) == 0 {
		q.readerIdle.Store(true)
		closed = q.closed
		r.buf = r.buf[:0]
		r.pos = 0
		wake := q.wakeWriterLocked()
		q.mu.Unlock()
		if wake && q.onWritable != nil {
			q.onWritable()
		}
		return false, closed
	}
	r.buf, q.frames = q.frames, r.buf[:0]
	r.pos = 0
	if consumeAll {
		q.unread = 0
	}
	if len(q.marks) > 0 || len(r.marks) > 0 {
		r.passMarks(int(^uint(0) >> 1)) // buf was used up: its last marks hold
		clear(r.marks)
		r.marks, q.marks = q.marks, r.marks[:0]
		r.mi = 0
	}
	wake := q.wakeWriterLocked()
	q.mu.Unlock()
	if wake && q.onWritable != nil {
		q.onWritable()
	}
	return true, false
}

// wakeWriterLocked updates atHWM after the reader reported consumption
// and reports whether a blocked writer now has room and must be woken.
// Call with mu held.
func (q *queue) wakeWriterLocked() bool {
	q.noteFullLocked()
	wake := q.writerBlocked && !q.full()
	if wake {
		q.writerBlocked = false
	}
	return wake
}
