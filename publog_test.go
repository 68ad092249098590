package zmq4

import (
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// logPipe is a PUB pipe served by no engine: the test reads its outbound
// queue as a connection's writer would.
type logPipe struct {
	p     *pipe
	r     queueReader
	woken atomic.Int32 // onReadable calls
}

func attachLogPipe(t *testing.T, s *Socket, hwm int, topics ...string) *logPipe {
	t.Helper()
	lp := &logPipe{p: newNetPipe(s, hwm, hwm, "test")}
	lp.p.out.onReadable = func() { lp.woken.Add(1) }
	if !s.attachPipe(lp.p) {
		t.Fatal("attach failed")
	}
	s.mu.Lock()
	for _, topic := range topics {
		s.pat.(*pubPattern).subscription(lp.p, []byte(topic), true)
	}
	s.mu.Unlock()
	if lp.p.logSlot == nil {
		t.Fatal("a pipe served by connections got no place in the log")
	}
	lp.r = newQueueReader(lp.p.out)
	return lp
}

// take returns the messages queued for the pipe now, one string per
// message (parts joined with "|").
func (lp *logPipe) take() []string {
	fs, ok, _ := lp.r.takeAll()
	if !ok {
		return nil
	}
	var got []string
	msg := ""
	for _, f := range fs {
		msg += string(f.data)
		if f.more() {
			msg += "|"
			continue
		}
		got = append(got, msg)
		msg = ""
	}
	return got
}

func hwmDrops(t *testing.T, s *Socket) uint64 {
	t.Helper()
	st, err := s.Stats()
	must(t, err)
	return st.Drops.HWM
}

func TestPubLogDeliversMatchingInOrder(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, PUB)
	a := attachLogPipe(t, s, 100, "a")
	b := attachLogPipe(t, s, 100, "b", "a1")
	all := attachLogPipe(t, s, 100, "")
	for i := 0; i < 3; i++ {
		sendParts(t, s, "a"+strconv.Itoa(i), "x")
		sendParts(t, s, "b"+strconv.Itoa(i))
	}
	// A reader that looks before anything was sent is idle and is woken.
	if got := fmt.Sprint(a.take()); got != "[a0|x a1|x a2|x]" {
		t.Errorf("a got %s", got)
	}
	if got := fmt.Sprint(b.take()); got != "[b0 a1|x b1 b2]" {
		t.Errorf("b got %s", got)
	}
	if got := fmt.Sprint(all.take()); got != "[a0|x b0 a1|x b1 a2|x b2]" {
		t.Errorf("all got %s", got)
	}
	if got := a.take(); got != nil {
		t.Errorf("a got %v after taking everything", got)
	}
	before := a.woken.Load()
	sendParts(t, s, "a9")
	if a.woken.Load() != before+1 {
		t.Errorf("the idle reader was woken %d times for one message, want 1", a.woken.Load()-before)
	}
	sendParts(t, s, "a10")
	if a.woken.Load() != before+1 {
		t.Error("a reader already woken was woken again")
	}
	if got := fmt.Sprint(a.take()); got != "[a9 a10]" {
		t.Errorf("a got %s", got)
	}
}

// A subscriber at its HWM misses messages, each counted as an HWM drop,
// and takes messages again once its reader made room, whether or not the
// publisher had set it aside.
func TestPubLogHWMDropsAndResumes(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, PUB)
	all := attachLogPipe(t, s, 4, "")
	some := attachLogPipe(t, s, 4, "m")
	for i := 0; i < 10; i++ {
		sendParts(t, s, "m"+strconv.Itoa(i))
	}
	if drops := hwmDrops(t, s); drops != 12 {
		t.Errorf("HWM drops %d after 10 messages to two subscribers of HWM 4, want 12", drops)
	}
	if got := fmt.Sprint(all.take()); got != "[m0 m1 m2 m3]" {
		t.Errorf("all got %s", got)
	}
	if got := fmt.Sprint(some.take()); got != "[m0 m1 m2 m3]" {
		t.Errorf("some got %s", got)
	}
	for i := 10; i < 20; i++ {
		sendParts(t, s, "m"+strconv.Itoa(i))
	}
	if got := fmt.Sprint(all.take()); got != "[m10 m11 m12 m13]" {
		t.Errorf("all got %s after making room", got)
	}
	if got := fmt.Sprint(some.take()); got != "[m10 m11 m12 m13]" {
		t.Errorf("some got %s after making room", got)
	}
	if drops := hwmDrops(t, s); drops != 24 {
		t.Errorf("HWM drops %d after 20 messages, want 24", drops)
	}
	// A subscriber set aside as full that changes its subscriptions is
	// looked at again: it now matches only what it asked for.
	for i := 20; i < 30; i++ {
		sendParts(t, s, "m"+strconv.Itoa(i))
	}
	s.mu.Lock()
	s.pat.(*pubPattern).subscription(all.p, nil, false)
	s.pat.(*pubPattern).subscription(all.p, []byte("z"), true)
	s.mu.Unlock()
	all.take()
	sendParts(t, s, "m30")
	sendParts(t, s, "z1")
	if got := fmt.Sprint(all.take()); got != "[z1]" {
		t.Errorf("all got %s after subscribing to z only", got)
	}
	if drops := hwmDrops(t, s); drops != 24+12+1 {
		t.Errorf("HWM drops %d, want %d", drops, 24+12+1)
	}
}

// A subscriber whose reader stops pins no more than logMaxLag messages of
// the log: the publisher moves what it holds for it (at most its HWM) into
// its queue.
func TestPubLogLaggingReaderBounded(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, PUB)
	stuck := attachLogPipe(t, s, 10, "")
	busy := attachLogPipe(t, s, 1000, "")
	n := 3 * logMaxLag
	for i := 0; i < n; i++ {
		sendParts(t, s, strconv.Itoa(i))
		if i%500 == 499 {
			busy.take()
		}
	}
	s.mu.Lock()
	l := s.pat.(*pubPattern).log
	tail := l.tail.first
	s.mu.Unlock()
	q := stuck.p.out
	q.mu.Lock()
	behind := tail - stuck.p.logSlot.chunk.first
	unread := q.unread
	q.mu.Unlock()
	if behind > logMaxLag+logChunkLen {
		t.Errorf("the stalled reader holds %d messages of log, want at most %d", behind, logMaxLag+logChunkLen)
	}
	if unread != 10 {
		t.Errorf("the stalled reader's queue holds %d messages, want its HWM 10", unread)
	}
	if got := fmt.Sprint(stuck.take()); got != "[0 1 2 3 4 5 6 7 8 9]" {
		t.Errorf("the stalled reader got %s", got)
	}
}

// Closing or detaching a subscriber's queue keeps what was published for
// it before (LINGER delivers it); a reader that let go drops it.
func TestPubLogCloseKeepsPublished(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, PUB)
	closing := attachLogPipe(t, s, 10, "")
	leaving := attachLogPipe(t, s, 10, "")
	dropping := attachLogPipe(t, s, 10, "")
	sendParts(t, s, "one")
	sendParts(t, s, "two")
	closing.p.out.close()
	s.detachPipe(leaving.p)
	dropping.r.drop()
	sendParts(t, s, "three")
	if got := fmt.Sprint(closing.take()); got != "[one two]" {
		t.Errorf("closed queue: got %s", got)
	}
	if _, ok, closed := closing.r.takeAll(); ok || !closed {
		t.Errorf("closed queue: ok %v closed %v after taking, want false true", ok, closed)
	}
	if got := fmt.Sprint(leaving.take()); got != "[one two]" {
		t.Errorf("detached pipe: got %s", got)
	}
	if leaving.p.out.feed != nil {
		t.Error("a detached pipe still pulls from the log")
	}
	if got := dropping.take(); got != nil {
		t.Errorf("a reader that let go got %v", got)
	}
	if n := dropping.p.out.pending(); n != 0 {
		t.Errorf("a reader that let go has %d pending", n)
	}
}

// Pending counts (Stats, connecter linger decisions) include what the log
// holds for the queue.
func TestPubLogPendingCountsLog(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, PUB)
	lp := attachLogPipe(t, s, 10, "")
	for i := 0; i < 3; i++ {
		sendParts(t, s, "m")
	}
	if n := lp.p.out.pending(); n != 3 {
		t.Errorf("pending %d, want 3", n)
	}
	st, err := s.Stats()
	must(t, err)
	if st.QueuedOut != 3 || len(st.Peers) != 1 || st.Peers[0].MsgsOut != 3 {
		t.Errorf("Stats QueuedOut %d, peers %+v; want 3 queued and 3 out", st.QueuedOut, st.Peers)
	}
}

// Under XPUB_NODROP a send that would go beyond a subscriber's HWM fails
// with EAGAIN, and succeeds again once the reader made room.
func TestPubLogNodrop(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, XPUB)
	must(t, s.SetXpubNodrop(true))
	lp := attachLogPipe(t, s, 2, "")
	sendParts(t, s, "1")
	sendParts(t, s, "2")
	if _, err := s.Send("3", DONTWAIT); AsErrno(err) != eagain {
		t.Fatalf("third send: %v, want EAGAIN", err)
	}
	sent := make(chan error, 1)
	go func() {
		_, err := s.Send("3", 0) // waits for room (SNDTIMEO 10 s)
		sent <- err
	}()
	if got := fmt.Sprint(lp.take()); got != "[1 2]" {
		t.Errorf("got %s", got)
	}
	must(t, <-sent)
	if got := fmt.Sprint(lp.take()); got != "[3]" {
		t.Errorf("got %s after making room", got)
	}
}

// Over tcp, every message a PUB sends to a subscriber that matches it is
// either queued for it or counted as an HWM drop, and each subscriber gets
// what was queued for it in the order it was sent.
func TestPubLogTCPAccounting(t *testing.T) {
	ctx := newTestContext(t)
	pub := newTestSocket(t, ctx, XPUB)
	must(t, pub.SetSndhwm(20))
	must(t, pub.SetXpubVerbose(1))
	must(t, pub.Bind("tcp://127.0.0.1:*"))
	ep := pub.opt.lastEndpoint
	const nsubs, count = 3, 20000
	subs := make([]*Socket, nsubs)
	for i := range subs {
		subs[i] = newTestSocket(t, ctx, SUB)
		must(t, subs[i].SetRcvhwm(20))
		must(t, subs[i].SetSubscribe(""))
		must(t, subs[i].Connect(ep))
		if _, err := pub.RecvBytes(0); err != nil { // the subscription
			t.Fatal(err)
		}
	}
	for i := 0; i < count; i++ {
		sendParts(t, pub, strconv.Itoa(i))
	}
	st, err := pub.Stats()
	must(t, err)
	queued := uint64(0)
	for _, p := range st.Peers {
		queued += p.MsgsOut
	}
	if queued+st.Drops.HWM != nsubs*count {
		t.Fatalf("queued %d + HWM drops %d != %d sent to %d subscribers", queued, st.Drops.HWM, count, nsubs)
	}
	// Each subscriber now reads until the end marker, which the publisher
	// repeats until everyone has it.
	got := make(chan uint64, nsubs)
	for _, sub := range subs {
		go func() {
			n, last := uint64(0), -1
			for {
				b, err := sub.RecvBytes(0)
				if err != nil {
					t.Error(err)
					break
				}
				if string(b) == "end" {
					break
				}
				v, _ := strconv.Atoi(string(b))
				if v <= last {
					t.Errorf("message %d after %d", v, last)
				}
				last = v
				n++
			}
			got <- n
		}()
	}
	received := uint64(0)
	for done := 0; done < nsubs; {
		select {
		case n := <-got:
			received += n
			done++
		case <-time.After(10 * time.Millisecond):
			sendParts(t, pub, "end")
		}
	}
	if received != queued {
		t.Errorf("subscribers received %d messages before the end marker, %d were queued for them", received, queued)
	}
}

// Subscribers that come and go while the publisher sends each get a
// gap-free run of what was sent after they joined, and the slots of those
// that left are reused.
func TestPubLogSubscriberChurn(t *testing.T) {
	ctx := newTestContext(t)
	pub := newTestSocket(t, ctx, XPUB)
	must(t, pub.SetXpubVerbose(1))
	must(t, pub.SetXpubNodrop(true)) // a send waits rather than drop
	must(t, pub.Bind("tcp://127.0.0.1:*"))
	ep := pub.opt.lastEndpoint
	stop := make(chan struct{})
	sent := make(chan error, 1)
	go func() {
		for i, tries := 0, 0; ; tries++ {
			select {
			case <-stop:
				sent <- nil
				return
			default:
			}
			// A refused message is offered again, so every subscriber
			// sees an unbroken count.
			_, err := pub.Send(strconv.Itoa(i), DONTWAIT)
			if err == nil {
				i++
			} else if AsErrno(err) != eagain {
				sent <- err
				return
			}
			if tries%64 == 0 {
				pub.RecvBytes(DONTWAIT) // subscriptions, unread otherwise
			}
		}
	}()
	for round := 0; round < 20; round++ {
		var subs []*Socket
		for i := 0; i < 3; i++ {
			sub, err := ctx.NewSocket(SUB)
			must(t, err)
			t.Cleanup(func() { sub.Close() }) // closed already unless the test failed
			must(t, sub.SetLinger(0))
			must(t, sub.SetRcvtimeo(10*time.Second))
			must(t, sub.SetSubscribe(""))
			must(t, sub.Connect(ep))
			subs = append(subs, sub)
		}
		for _, sub := range subs {
			last := -1
			for n := 0; n < 200; n++ {
				b, err := sub.RecvBytes(0)
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
				v, _ := strconv.Atoi(string(b))
				if last >= 0 && v != last+1 {
					t.Fatalf("round %d: message %d after %d", round, v, last)
				}
				last = v
			}
			must(t, sub.Close())
		}
	}
	close(stop)
	must(t, <-sent)
	pub.mu.Lock()
	slots := len(pub.pat.(*pubPattern).log.slots)
	pub.mu.Unlock()
	if slots >= 30 {
		t.Errorf("the log has %d slots after 60 subscribers came and went, 3 at a time: slots are not reused", slots)
	}
}

// XPUB_NODROP acts on PUB as on XPUB, as in libzmq (PUB is an XPUB there).
func TestPubNodrop(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, PUB)
	must(t, s.SetXpubNodrop(true))
	attachLogPipe(t, s, 1, "")
	sendParts(t, s, "1")
	if _, err := s.Send("2", DONTWAIT); AsErrno(err) != eagain {
		t.Fatalf("PUB with XPUB_NODROP, subscriber full: %v, want EAGAIN", err)
	}
}

// Under XPUB_NODROP a non-blocking send trusts the publisher's last look
// at the readers' progress (for up to a millisecond); a blocking send and
// a receive make it look again.
func TestPubLogNodropStaleCredit(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, XPUB)
	must(t, s.SetXpubNodrop(true))
	lp := attachLogPipe(t, s, 2, "")
	sendParts(t, s, "1")
	sendParts(t, s, "2")
	if got := fmt.Sprint(lp.take()); got != "[1 2]" {
		t.Fatalf("got %s", got)
	}
	stale := func() {
		s.mu.Lock()
		s.pat.(*pubPattern).creditAt = time.Now().Add(time.Hour)
		s.mu.Unlock()
	}
	stale()
	if _, err := s.Send("3", DONTWAIT); AsErrno(err) != eagain {
		t.Fatalf("non-blocking send on stale credit: %v, want EAGAIN", err)
	}
	sendParts(t, s, "3") // a blocking send looks again
	lp.take()
	sendParts(t, s, "4")
	sendParts(t, s, "5")
	if got := fmt.Sprint(lp.take()); got != "[4 5]" {
		t.Fatalf("got %s", got)
	}
	stale()
	if _, err := s.Send("6", DONTWAIT); AsErrno(err) != eagain {
		t.Fatalf("non-blocking send on stale credit: %v, want EAGAIN", err)
	}
	if _, err := s.RecvBytes(DONTWAIT); err != nil && AsErrno(err) != eagain {
		t.Fatalf("receive: %v", err)
	}
	if _, err := s.Send("6", DONTWAIT); err != nil {
		t.Fatalf("non-blocking send after a receive: %v", err)
	}
	if got := fmt.Sprint(lp.take()); got != "[6]" {
		t.Errorf("got %s", got)
	}
}

// The log's bound on a stalled reader also counts bytes, so large
// messages do not let it pin logMaxLag of them.
func TestPubLogLaggingReaderBoundedInBytes(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, PUB)
	stuck := attachLogPipe(t, s, 4, "")
	busy := attachLogPipe(t, s, 1000, "")
	s.mu.Lock()
	l := s.pat.(*pubPattern).log
	l.maxLagBytes = 1 << 20
	s.mu.Unlock()
	msg := make([]byte, 64<<10)
	for i := 0; i < 200; i++ {
		if _, err := s.SendBytes(msg, 0); err != nil {
			t.Fatal(err)
		}
		busy.take()
	}
	s.mu.Lock()
	sent := l.bytes
	s.mu.Unlock()
	q := stuck.p.out
	q.mu.Lock()
	pinned := sent - stuck.p.logSlot.chunk.bytesBefore
	unread := q.unread
	q.mu.Unlock()
	if limit := uint64(1<<20 + logChunkBytes + len(msg)); pinned > limit {
		t.Errorf("the stalled reader pins %d bytes of log, want at most %d", pinned, limit)
	}
	if unread != 4 {
		t.Errorf("the stalled reader's queue holds %d messages, want its HWM 4", unread)
	}
}

// A log whose readers keep up reuses the chunks they left behind instead
// of making a new one for every logChunkLen messages, and what the
// readers take is what was sent.
func TestPubLogReusesChunks(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, PUB)
	a := attachLogPipe(t, s, 1000, "")
	b := attachLogPipe(t, s, 1000, "")
	chunks := map[*logChunk]bool{}
	next := map[*logPipe]int{a: 0, b: 0}
	check := func(lp *logPipe) {
		for _, got := range lp.take() {
			if want := strconv.Itoa(next[lp]); got != want {
				t.Fatalf("reader got %q, want %q", got, want)
			}
			next[lp]++
		}
	}
	n := 40 * logChunkLen
	for i := 0; i < n; i++ {
		sendParts(t, s, strconv.Itoa(i))
		s.mu.Lock()
		chunks[s.pat.(*pubPattern).log.tail] = true
		s.mu.Unlock()
		if i%100 == 99 {
			check(a)
			check(b)
		}
	}
	check(a)
	check(b)
	if next[a] != n || next[b] != n {
		t.Fatalf("readers got %d and %d messages, want %d", next[a], next[b], n)
	}
	if len(chunks) > logSpareChunks+4 {
		t.Errorf("the log made %d chunks for %d messages, want reuse (at most %d)", len(chunks), n, logSpareChunks+4)
	}
}

// A send wakes the readers that were idle, once, and leaves busy ones
// alone (pubLog.idle).
func TestPubLogWakesIdleReaders(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, PUB)
	a := attachLogPipe(t, s, 100, "")
	b := attachLogPipe(t, s, 100, "")
	woken := func() string { return fmt.Sprint(a.woken.Load(), b.woken.Load()) }
	a.take() // idle; b has not looked yet, and a new queue's reader is idle too
	sendParts(t, s, "1")
	if got := woken(); got != "1 1" {
		t.Fatalf("after the first send: woken %s, want 1 1", got)
	}
	sendParts(t, s, "2")
	if got := woken(); got != "1 1" {
		t.Fatalf("a send to busy readers woke them: %s, want 1 1", got)
	}
	if got := fmt.Sprint(a.take()); got != "[1 2]" {
		t.Fatalf("a got %s", got)
	}
	a.take() // idle again
	sendParts(t, s, "3")
	if got := woken(); got != "2 1" {
		t.Fatalf("after a went idle again: woken %s, want 2 1", got)
	}
	if got := fmt.Sprint(b.take()); got != "[1 2 3]" {
		t.Fatalf("b got %s", got)
	}
}

// sendLent sends the number i as one 8-byte part from buf, then writes
// over buf as a caller reusing its buffer would.
func sendLent(t *testing.T, s *Socket, buf []byte, i int) {
	t.Helper()
	copy(buf, fmt.Sprintf("%08d", i))
	if _, err := s.SendBytes(buf, 0); err != nil {
		t.Fatal(err)
	}
	copy(buf, "xxxxxxxx")
}

// sendWhileReused sends 20 chunks' worth of numbered messages from 300 on,
// busy's reader taking them as it goes, so that the log reuses chunks.
func sendWhileReused(t *testing.T, s *Socket, buf []byte, busy *logPipe) {
	t.Helper()
	for i := 300; i < 300+20*logChunkLen; i++ {
		sendLent(t, s, buf, i)
		if i%100 == 99 {
			busy.take()
		}
	}
}

// checkNumbered fails unless msgs are the numbers from first on, as
// sendLent sent them.
func checkNumbered(t *testing.T, what string, msgs []string, first, n int) {
	t.Helper()
	if len(msgs) != n {
		t.Fatalf("%s: %d messages, want %d", what, len(msgs), n)
	}
	for i, m := range msgs {
		if want := fmt.Sprintf("%08d", first+i); m != want {
			t.Fatalf("%s: message %d reads %q, want %q", what, i, m, want)
		}
	}
}

// A batch a reader took (as a connection's writer does before it writes
// it) stays intact while the publisher goes on and reuses chunks: the
// log reuses a chunk only after every reader came back for more.
func TestPubLogTakenBatchSurvivesReuse(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, PUB)
	held := attachLogPipe(t, s, 1000, "")
	busy := attachLogPipe(t, s, 1000, "")
	buf := make([]byte, 8)
	for i := 0; i < 300; i++ {
		sendLent(t, s, buf, i)
	}
	batch, ok, _ := held.r.takeAll()
	if !ok {
		t.Fatal("nothing to take")
	}
	busy.take()
	sendWhileReused(t, s, buf, busy)
	var got []string
	for _, f := range batch {
		got = append(got, string(f.data))
	}
	checkNumbered(t, "the batch taken", got, 0, 300)
}

// A detached subscriber's queue keeps what was published for it intact
// (its connection may still be writing it) while the log reuses chunks.
func TestPubLogDetachedQueueSurvivesReuse(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, PUB)
	leaving := attachLogPipe(t, s, 1000, "")
	busy := attachLogPipe(t, s, 1000, "")
	buf := make([]byte, 8)
	for i := 0; i < 300; i++ {
		sendLent(t, s, buf, i)
	}
	s.detachPipe(leaving.p)
	sendWhileReused(t, s, buf, busy)
	checkNumbered(t, "the detached queue", leaving.take(), 0, 300)
}

// An inproc subscriber (a queue of its own, no log) gets a copy of a part
// the application lent to Send, not the application's buffer.
func TestPubLentPartCopiedForInproc(t *testing.T) {
	ctx := newTestContext(t)
	pub := newTestSocket(t, ctx, PUB)
	sub := newTestSocket(t, ctx, SUB)
	must(t, pub.Bind("inproc://lent"))
	must(t, sub.Connect("inproc://lent"))
	must(t, sub.SetSubscribe(""))
	waitUntil(t, "the subscription", func() bool {
		pub.mu.Lock()
		defer pub.mu.Unlock()
		pub.pat.(*pubPattern).processInput()
		return pub.pat.(*pubPattern).all.Len() == 1
	})
	buf := make([]byte, 8)
	for i := 0; i < 3; i++ {
		sendLent(t, pub, buf, i)
	}
	var got []string
	for i := 0; i < 3; i++ {
		got = append(got, recvParts(t, sub)...)
	}
	checkNumbered(t, "the inproc subscriber", got, 0, 3)
}

// A subscriber to everything takes every message, none with inverted
// matching, and follows a change of its subscriptions (logSlot.all).
func TestPubLogSubscribedToAll(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, PUB)
	all := attachLogPipe(t, s, 100, "")
	some := attachLogPipe(t, s, 100, "a")
	sendParts(t, s, "a1")
	sendParts(t, s, "b1")
	s.mu.Lock()
	s.pat.(*pubPattern).subscription(all.p, nil, false) // unsubscribe ""
	s.pat.(*pubPattern).subscription(all.p, []byte("b"), true)
	s.mu.Unlock()
	sendParts(t, s, "a2")
	sendParts(t, s, "b2")
	must(t, s.SetInvertMatching(1))
	sendParts(t, s, "a3")
	sendParts(t, s, "b3")
	if got := fmt.Sprint(all.take()); got != "[a1 b1 b2 a3]" {
		t.Errorf("the subscriber to everything, then to b: got %s", got)
	}
	if got := fmt.Sprint(some.take()); got != "[a1 a2 b3]" {
		t.Errorf("the subscriber to a: got %s", got)
	}
	all2 := attachLogPipe(t, s, 100, "")
	sendParts(t, s, "c")
	if got := all2.take(); got != nil {
		t.Errorf("with inverted matching a subscriber to everything got %v", got)
	}
}
