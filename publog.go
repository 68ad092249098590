package zmq4

import (
	"math/bits"
	"sync"
	"sync/atomic"
)

// ---- PUB and XPUB: one shared log for the connection-served subscribers ----
//
// A publisher with many subscribers would pay one queue push (a mutex and a
// cache line owned by another core) per subscriber per message. Instead, a
// message goes once into the socket's pubLog, with a bitmap naming the
// subscribers it is for; each subscriber's queue pulls the messages marked
// for it when its reader (the connection engine's writer goroutine) asks
// for more. So a send touches only memory the sending goroutine owns, plus
// one flag per subscriber whose reader sleeps.
//
// The publisher decides at send time, as libzmq's distributor does, which
// subscribers take a message: those that match it and are below their HWM.
// It counts what it marked for each subscriber (sent) and learns what the
// reader consumed (done) only when the difference reaches the HWM. A
// subscriber found full that matches every message is taken out of the
// active list, so later sends skip it at no cost, until its reader
// consumes and puts it back (reactivate), as libzmq's pipes tell their
// writer "activate_write". The messages it missed meanwhile are counted as
// HWM drops when it comes back.
//
// Readers that fall more than logMaxLag messages or logMaxLagBytes bytes
// behind the newest have their marked messages moved into their queue by
// the publisher (at most their HWM), so a stalled subscriber pins a
// bounded part of the log.
// Inproc subscribers and CONFLATE queues keep the per-queue path.

// logChunkLen is the number of messages in one chunk of a pubLog; a chunk
// ends early once its messages hold logChunkBytes.
const (
	logChunkLen   = 256
	logChunkBytes = 256 << 10
)

// logMaxLag and logMaxLagBytes are how far a reader may fall behind the
// newest message, in messages (sequence numbers, counting those a chunk
// that ended early left unused) and in bytes, before the publisher moves
// its marked messages into its queue. The publisher looks at logLagChecks
// readers per chunk, so with n subscribers a reader can fall behind by
// that plus n/logLagChecks chunks.
const (
	logMaxLag      = 64 * logChunkLen
	logMaxLagBytes = 8 << 20
	logLagChecks   = 64
)

// logChunk is a run of logChunkLen published messages and, for each, the
// subscribers it is for: bit i%64 of cols[i/64][k] says whether the slot
// with index i takes msgs[k]. A reader scans one column, eight messages to
// a cache line. Chunks form a list from older to newer; once every reader
// has moved past a chunk, the publisher clears it and reuses it for a new
// tail (pubLog.recycle), up to logSpareChunks of them; the others are left
// to the garbage collector.
type logChunk struct {
	first       uint64 // sequence number of msgs[0]
	bytesBefore uint64 // bytes of the messages published before msgs[0]
	msgs        [logChunkLen][]frame
	cols        [][logChunkLen]uint64
	// marked summarises cols: bit i%64 of marked[i/64] says whether any
	// message of the chunk is for the slot with index i. Readers use it
	// only once the chunk is complete (next is set), to skip a chunk
	// with nothing for them without scanning its column.
	marked []uint64
	// frames is the memory msgs' entries point into (sender-owned): the
	// chunk's own, so that it pins no other chunk's data.
	frames []frame
	// data holds the bytes of the small parts the sender lent to send
	// (frameLent), copied (sender-owned); reused with the chunk.
	data []byte
	next atomic.Pointer[logChunk]
}

// newLogChunk makes a chunk starting at sequence number first with room
// for slots slots.
func newLogChunk(first, bytesBefore uint64, slots int) *logChunk {
	words := slots/64 + 1
	return &logChunk{first: first, bytesBefore: bytesBefore, cols: make([][logChunkLen]uint64, words),
		marked: make([]uint64, words), frames: make([]frame, 0, logChunkLen)}
}

// logSpareChunks is how many cleared chunks a pubLog keeps for reuse.
const logSpareChunks = 8

// logArenaSize is the size of a chunk's data block; a lent part larger
// than a quarter of it gets memory of its own.
const logArenaSize = 16 << 10

// keep returns a copy of b in the chunk's data. Call from the sender.
func (c *logChunk) keep(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	if cap(c.data)-len(c.data) < len(b) {
		if len(b) > logArenaSize/4 {
			return append([]byte(nil), b...)
		}
		// Earlier parts point into the full block; it stays theirs.
		c.data = make([]byte, 0, logArenaSize)
	}
	start := len(c.data)
	c.data = append(c.data, b...)
	return c.data[start:len(c.data):len(c.data)]
}

// reset clears a chunk for reuse, once no reader can reach it and no
// reader holds a frame of it: it drops the frames of its messages and its
// marks, and keeps its data block to be written over.
func (c *logChunk) reset() {
	clear(c.msgs[:])
	clear(c.frames)
	c.frames = c.frames[:0]
	c.data = c.data[:0]
	clear(c.cols)
	clear(c.marked)
	c.next.Store(nil)
}

// pubLog is a PUB or XPUB socket's shared outbound log. Its fields are
// owned by the sending side (the socket's mutex), except head and the
// reactivation list, which readers use.
type pubLog struct {
	tail  *logChunk
	seq   uint64 // entries appended
	bytes uint64 // bytes of the messages appended
	// maxLagBytes is logMaxLagBytes (tests lower it).
	maxLagBytes uint64
	slots       []*logSlot
	active      []*logSlot // slots send looks at (see logSlot.active)
	// broadcasts counts the entries not limited to one subscriber
	// (XPUB_MANUAL_LAST_VALUE's), which an inactive slot misses.
	broadcasts uint64
	inactive   int // slots out of the active list
	lagNext    int // the slot newChunk looked at last
	// oldest is the oldest chunk not yet recycled; spare holds cleared
	// chunks for newChunk. The chunks before noReuseBelow (a sequence
	// number) may hold frames a detached slot's reader still has: they
	// are never reused.
	oldest       *logChunk
	spare        []*logChunk
	noReuseBelow uint64
	// idle holds, for each 64 slots, the bits of the slots whose readers
	// may be idle (see idleWord); it grows with slots.
	idle []*idleWord

	head atomic.Uint64 // entries readers may look at

	reactMu      sync.Mutex // leaf lock: guards react
	react        []*logSlot
	reactPending atomic.Bool
}

// idleWord is one word of pubLog.idle: bit i%64 set says that the reader
// of the slot with index i may be idle, so that a send marking a message
// for the slot must look at its queue's readerIdle flag. A reader sets its
// bit after it sets readerIdle and before its last look at head; the
// sender clears it before it claims the flag. A send that marks no idle
// reader so reads one shared word per 64 slots instead of one flag in
// each queue. It sits on a cache line of its own.
type idleWord struct {
	atomic.Uint64
	_ [56]byte
}

// logSlot is one subscriber's place in the log, attached to the pipe's
// outbound queue (queue.feed).
type logSlot struct {
	log   *pubLog
	index int // bit number in the entries' bitmaps
	p     *pipe
	// idle is the word of log.idle that holds the slot's bit.
	idle *idleWord

	// Sender-owned.
	sent  int64 // messages marked for the slot
	known int64 // the last value of done the sender read
	hwm   int64
	// active: listed in log.active. A slot leaves the list only while it
	// matches every message and is full.
	active bool
	// all: the pipe subscribed to the empty prefix, which every topic
	// starts with (noteSubscriptions).
	all bool
	// missedFrom is log.broadcasts when the slot left the active list.
	missedFrom uint64
	gone       bool // detached

	_ [64]byte // keep the fields readers write off the sender's cache line

	// Written by the reader, read by the sender.
	inactive atomic.Bool   // the sender stopped marking the slot
	done     atomic.Int64  // messages the reader consumed
	cursor   atomic.Uint64 // next entry the reader will look at
	// cursorBytes is bytesBefore of the chunk the reader is in.
	cursorBytes atomic.Uint64

	// released is the sequence number below which the reader holds no
	// frame of the log: none in its queue, none in the batch it took.
	released atomic.Uint64

	// Reader-owned, under the queue's mutex.
	chunk  *logChunk
	next   uint64
	pulled int64 // messages pulled into the queue
	// swapNext is next when the reader last took the queue's frames.
	swapNext uint64
}

func newPubLog() *pubLog {
	c := newLogChunk(0, 0, 64)
	return &pubLog{tail: c, oldest: c, maxLagBytes: logMaxLagBytes}
}

// attach gives p's outbound queue a slot: it receives the messages
// published from now on. Call with the socket's mutex held.
func (l *pubLog) attach(p *pipe) *logSlot {
	sl := &logSlot{log: l, p: p}
	sl.index = len(l.slots)
	for i, old := range l.slots {
		if old == nil {
			sl.index = i
			break
		}
	}
	if sl.index == len(l.slots) {
		l.slots = append(l.slots, sl)
	} else {
		l.slots[sl.index] = sl
	}
	if sl.index >= 64*len(l.tail.cols) {
		// The tail chunk has no column for the slot.
		l.endChunk()
		l.newChunk()
	}
	for len(l.idle) <= sl.index>>6 {
		l.idle = append(l.idle, new(idleWord))
	}
	sl.idle = l.idle[sl.index>>6]
	// The new queue's reader may already be idle, without the bit.
	sl.idle.Or(sl.bit())
	sl.chunk, sl.next, sl.swapNext = l.tail, l.seq, l.seq
	sl.released.Store(l.seq)
	sl.cursor.Store(l.seq)
	sl.cursorBytes.Store(l.tail.bytesBefore)
	sl.active = true
	sl.noteSubscriptions()
	l.active = append(l.active, sl)
	q := p.out
	q.mu.Lock()
	sl.hwm = hwmLimit(q.hwm)
	q.feed = sl
	q.mu.Unlock()
	return sl
}

// noteSubscriptions updates all after the pipe's subscriptions changed.
// Call with the socket's mutex held.
func (sl *logSlot) noteSubscriptions() {
	sl.all = sl.p.subs.Match(nil)
}

// bit is the slot's bit in its words of the bitmaps and of log.idle.
func (sl *logSlot) bit() uint64 { return 1 << (sl.index & 63) }

// markIdleLocked tells the sender that the reader may be idle: call after
// setting the queue's readerIdle and before looking at head again. Call
// with the queue's mutex held.
func (sl *logSlot) markIdleLocked() {
	if sl.idle.Load()&sl.bit() == 0 {
		sl.idle.Or(sl.bit())
	}
}

// hwmLimit turns an HWM option value into a limit (0 means none).
func hwmLimit(hwm int) int64 {
	if hwm <= 0 {
		return 1 << 62
	}
	return int64(hwm)
}

// detach moves what is marked for sl into its queue and frees the slot.
// Call with the socket's mutex held. It returns the messages sl missed
// while inactive, for the HWM drop count.
func (l *pubLog) detach(sl *logSlot) (missed uint64) {
	missed = l.settle(sl)
	q := sl.p.out
	q.mu.Lock()
	wake := sl.pullLocked(q)
	q.feed = nil
	sl.chunk = nil
	q.mu.Unlock()
	if wake && q.onReadable != nil {
		q.onReadable()
	}
	sl.gone = true
	// Its reader may still write frames it took or finds in its queue.
	l.noReuseBelow = l.seq
	l.slots[sl.index] = nil
	if sl.active {
		l.removeActive(sl)
	} else {
		l.inactive--
	}
	return missed
}

// removeActive takes sl out of the active list.
func (l *pubLog) removeActive(sl *logSlot) {
	for i, a := range l.active {
		if a == sl {
			l.removeActiveAt(i)
			break
		}
	}
	sl.active = false
}

// removeActiveAt takes the i-th slot out of the active list; the last one
// takes its place.
func (l *pubLog) removeActiveAt(i int) {
	last := len(l.active) - 1
	l.active[i] = l.active[last]
	l.active[last] = nil
	l.active = l.active[:last]
}

// unsettled returns the messages the inactive slots missed and settle has
// not counted yet (for Stats).
func (l *pubLog) unsettled() (n uint64) {
	if l.inactive == 0 {
		return 0
	}
	for _, sl := range l.slots {
		if sl != nil && !sl.active {
			n += l.broadcasts - sl.missedFrom
		}
	}
	return n
}

// settle returns how many broadcasts an inactive slot missed since it was
// last counted, and counts them.
func (l *pubLog) settle(sl *logSlot) uint64 {
	if sl.active {
		return 0
	}
	n := l.broadcasts - sl.missedFrom
	sl.missedFrom = l.broadcasts
	return n
}

// wake puts sl back in the active list after a subscription change (it may
// no longer match every message). It returns the messages sl missed.
func (l *pubLog) wake(sl *logSlot) uint64 {
	if sl.active || sl.gone {
		return 0
	}
	missed := l.settle(sl)
	sl.inactive.Store(false)
	sl.active = true
	l.inactive--
	l.active = append(l.active, sl)
	return missed
}

// takeReactivations puts back in the active list the slots whose readers
// made room. It returns the messages those slots missed.
func (l *pubLog) takeReactivations() (missed uint64) {
	if !l.reactPending.Load() {
		return 0
	}
	l.reactMu.Lock()
	list := l.react
	l.react = nil
	l.reactPending.Store(false)
	l.reactMu.Unlock()
	for _, sl := range list {
		missed += l.wake(sl)
	}
	return missed
}

// reactivate is the reader's request to put sl back in the active list.
// It takes only the leaf lock reactMu.
func (l *pubLog) reactivate(sl *logSlot) {
	l.reactMu.Lock()
	l.react = append(l.react, sl)
	l.reactPending.Store(true)
	l.reactMu.Unlock()
}

// room reports whether sl is below its HWM, reading the reader's progress
// only when the sender's own count says the slot may be full.
func (sl *logSlot) room() bool {
	if sl.sent-sl.known < sl.hwm {
		return true
	}
	sl.known = sl.done.Load()
	return sl.sent-sl.known < sl.hwm
}

// roomLocked is room for a caller that holds the queue's mutex and must
// know the reader's progress at this moment (XPUB_NODROP).
func (sl *logSlot) roomLocked() bool {
	sl.known = sl.done.Load()
	return sl.sent-sl.known < sl.hwm
}

// deactivate marks a full slot inactive; it reports false when the reader
// made room in the meantime (the slot stays active). The reader stores
// done before it looks at inactive and the sender stores inactive before
// it looks at done again, so one of them sees the other.
func (sl *logSlot) deactivate() bool {
	sl.inactive.Store(true)
	sl.known = sl.done.Load()
	if sl.sent-sl.known < sl.hwm && sl.inactive.CompareAndSwap(true, false) {
		return false
	}
	// Either still full, or the reader already asked to reactivate it.
	return true
}

// send publishes m, whose first part is topic, to the slots whose pipes
// x says match it and that have room. It returns whether any slot matched
// and how many matching slots were at their HWM, and appends the queues
// whose readers were idle to wake. only, when not nil, limits the message
// to that pipe. Call with the socket's mutex held.
func (l *pubLog) send(m []frame, topic []byte, only *pipe, x *pubPattern, wake []*queue) (wanted bool, drops uint64, _ []*queue) {
	invert := x.s.opt.invertMatching
	match := func(sl *logSlot) bool {
		if sl.all {
			return !invert // it matches every topic
		}
		return x.matches(sl.p, topic)
	}
	drops = l.takeReactivations()
	if l.seq-l.tail.first == logChunkLen {
		l.newChunk()
	}
	c := l.tail
	off := l.seq - c.first
	marked := false
	mark := func(sl *logSlot) {
		c.cols[sl.index>>6][off] |= sl.bit()
		c.marked[sl.index>>6] |= sl.bit()
		sl.sent++
		marked = true
	}
	if only != nil {
		for _, sl := range l.slots {
			if sl != nil && sl.p == only && match(sl) {
				wanted = true
				if sl.active && sl.room() {
					mark(sl)
				} else {
					drops++
				}
			}
		}
	} else {
		l.broadcasts++
		for k := 0; k < len(l.active); {
			sl := l.active[k]
			if !match(sl) {
				k++
				continue
			}
			wanted = true
			if sl.room() {
				mark(sl)
				k++
				continue
			}
			drops++
			if x.matchesAll(sl.p) && sl.deactivate() {
				sl.active = false
				l.inactive++
				sl.missedFrom = l.broadcasts
				l.removeActiveAt(k)
				continue
			}
			k++
		}
		if l.inactive > 0 {
			wanted = true // they matched every message when they left
		}
	}
	if !marked {
		return wanted, drops, wake
	}
	// The caller reuses m's slice; the log keeps a copy of the frames, in
	// memory of the chunk's own. A full array is replaced, not grown: the
	// entries made so far point into it.
	if cap(c.frames)-len(c.frames) < len(m) {
		c.frames = make([]frame, 0, max(logChunkLen, len(m)))
	}
	start := len(c.frames)
	if len(m) == 1 {
		c.frames = append(c.frames, m[0]) // a plain store, no bulk write barrier
	} else {
		c.frames = append(c.frames, m...)
	}
	kept := c.frames[start:len(c.frames):len(c.frames)]
	for i := range kept {
		if kept[i].flags&frameLent != 0 {
			kept[i] = frame{data: c.keep(kept[i].data), flags: kept[i].flags &^ frameLent}
		}
	}
	c.msgs[off] = kept
	l.seq++
	l.bytes += messageBytes(m)
	if l.bytes-c.bytesBefore >= logChunkBytes {
		l.endChunk() // large messages: keep the lag checks frequent
	}
	l.head.Store(l.seq)
	// Only now look at the readers' idle bits: a reader sets its bit
	// before it looks at head for the last time.
	for w := range min(len(c.cols), len(l.idle)) {
		idle := c.cols[w][off] & l.idle[w].Load()
		for idle != 0 {
			b := idle & -idle
			idle &^= b
			l.idle[w].And(^b)
			q := l.slots[w<<6|bits.TrailingZeros64(b)].p.out
			if q.claimIdleReader() {
				wake = append(wake, q)
			}
		}
	}
	return wanted, drops, wake
}

// endChunk ends the tail chunk early: its unused messages are empty and
// marked for no one, and the next send starts a new chunk.
func (l *pubLog) endChunk() {
	l.seq = l.tail.first + logChunkLen
	l.head.Store(l.seq)
}

// newChunk starts a chunk after the full tail and moves the marked
// messages of readers that fell too far behind into their queues.
func (l *pubLog) newChunk() {
	l.recycle()
	var c *logChunk
	if n := len(l.spare); n > 0 && len(l.spare[n-1].cols) > len(l.slots)/64 {
		c = l.spare[n-1]
		l.spare[n-1] = nil
		l.spare = l.spare[:n-1]
		c.first, c.bytesBefore = l.seq, l.bytes
	} else {
		c = newLogChunk(l.seq, l.bytes, len(l.slots))
	}
	l.tail.next.Store(c)
	l.tail = c
	// Each new chunk looks at the next logLagChecks slots in turn, so
	// a slot is looked at once every len(slots)/logLagChecks chunks.
	for range min(logLagChecks, len(l.slots)) {
		l.lagNext = (l.lagNext + 1) % len(l.slots)
		sl := l.slots[l.lagNext]
		if sl == nil || l.seq-sl.cursor.Load() <= logMaxLag && l.bytes-sl.cursorBytes.Load() <= l.maxLagBytes {
			continue
		}
		q := sl.p.out
		q.mu.Lock()
		wake := sl.pullLocked(q)
		q.mu.Unlock()
		if wake && q.onReadable != nil {
			q.onReadable()
		}
	}
}

// recycle moves the chunks that every reader has left behind from the
// list to the spares (cleared), or drops them when there are enough
// spares. A chunk is reused only when every reader's released is beyond
// its end: a reader whose position is at the end of a chunk may still
// hold the chunk and follow its next pointer, and one that pulled
// messages may still be writing their frames, whose data is in the
// chunk's block. A reader stores released only after it is done with
// them. Chunks that some reader still holds are left to the garbage
// collector once they are as far behind as a reader may fall
// (logMaxLag, maxLagBytes), so that oldest pins no more than a lagging
// reader may.
func (l *pubLog) recycle() {
	if l.oldest == l.tail {
		return
	}
	low := l.seq
	for _, sl := range l.slots {
		if sl != nil {
			low = min(low, sl.released.Load())
		}
	}
	for l.oldest != l.tail {
		c := l.oldest
		end := c.first + logChunkLen
		next := c.next.Load()
		switch {
		case low > end && c.first >= l.noReuseBelow:
			if len(l.spare) < logSpareChunks {
				c.reset()
				l.spare = append(l.spare, c)
			}
		case low > end || l.seq-end > logMaxLag || l.bytes-next.bytesBefore > l.maxLagBytes:
			// Dropped: the collector frees it when no one holds it.
		default:
			return
		}
		l.oldest = next
	}
}

// pullLocked appends to q the messages published for sl that it has not
// looked at yet, and reports whether q's reader was idle and must be
// woken. A closed queue takes nothing; the messages count as consumed.
// Call with q.mu held.
func (sl *logSlot) pullLocked(q *queue) (wake bool) {
	head := sl.log.head.Load()
	word, bit := sl.index>>6, sl.bit()
	var n int // messages appended: counted together at the end
	for sl.next < head {
		c := sl.chunk
		off := sl.next - c.first
		if off == logChunkLen {
			sl.chunk = c.next.Load()
			continue
		}
		end := min(uint64(logChunkLen), head-c.first)
		sl.next = c.first + end
		if word >= len(c.cols) {
			continue // the chunk was made before the slot
		}
		if c.next.Load() != nil && c.marked[word]&bit == 0 {
			continue // complete, and nothing in it for the slot
		}
		col := &c.cols[word]
		for ; off < end; off++ {
			if col[off]&bit == 0 {
				continue
			}
			sl.pulled++
			if q.closed {
				continue
			}
			m := c.msgs[off]
			if len(m) == 1 {
				q.frames = append(q.frames, m[0])
			} else {
				q.frames = append(q.frames, m...)
			}
			q.bytes += messageBytes(m)
			n++
		}
	}
	if n > 0 {
		// Counted as appendLocked counts each (the log holds no commands).
		q.msgs += uint64(n)
		wake = q.countAppendedLocked(n)
	}
	sl.cursor.Store(sl.next)
	sl.cursorBytes.Store(sl.chunk.bytesBefore)
	sl.noteDoneLocked(q)
	return wake
}

// releaseLocked records that the reader let go of the frames it took from
// the queue before (the batch it is about to replace); what it took later
// is in the queue now. Call with q.mu held, before the reader takes the
// queue's frames again.
func (sl *logSlot) releaseLocked() {
	sl.released.Store(sl.swapNext)
}

// tookLocked records that the reader took the queue's frames (swapped
// them into its batch), or found the queue empty: then it holds nothing.
// Call with q.mu held.
func (sl *logSlot) tookLocked(empty bool) {
	sl.swapNext = sl.next
	if empty {
		sl.released.Store(sl.next)
	}
}

// noteDoneLocked publishes how many messages the reader consumed and, when
// the sender had set the slot aside as full, asks for it to be put back.
// Call with q.mu held.
func (sl *logSlot) noteDoneLocked(q *queue) {
	d := sl.pulled - int64(q.unread)
	if d == sl.done.Load() {
		return
	}
	sl.done.Store(d)
	if sl.inactive.Load() && sl.inactive.CompareAndSwap(true, false) {
		sl.log.reactivate(sl)
	}
}
