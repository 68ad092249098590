package zmq4

import (
	"testing"
)

// msg1 is a one-part message.
func msg1(s string) []frame { return []frame{{data: []byte(s)}} }

// The reader is woken once per transition from empty to not empty, not
// once per message; after it finds the queue empty, the next push wakes it
// again.
func TestQueueEdgeTriggeredReadable(t *testing.T) {
	q := newQueue(0)
	wakes := 0
	q.onReadable = func() { wakes++ }
	r := newQueueReader(q)
	q.push(msg1("a"), false)
	q.push(msg1("b"), false)
	if wakes != 1 {
		t.Fatalf("%d wake-ups for two pushes into an empty queue, want 1", wakes)
	}
	for _, want := range []string{"a", "b"} {
		m, ok, _ := r.next()
		if !ok || string(m[0].data) != want {
			t.Fatalf("next = %q %v, want %q", m, ok, want)
		}
	}
	if _, ok, closed := r.next(); ok || closed {
		t.Fatalf("next on an empty queue: ok %v closed %v", ok, closed)
	}
	q.push(msg1("c"), false)
	if wakes != 2 {
		t.Fatalf("%d wake-ups after the reader found the queue empty, want 2", wakes)
	}
}

// takeAll swaps out every queued frame at once, multipart messages whole.
func TestQueueTakeAllBatch(t *testing.T) {
	q := newQueue(0)
	r := newQueueReader(q)
	q.push([]frame{{data: []byte("1a"), flags: frameMore}, {data: []byte("1b")}}, false)
	q.push(msg1("2"), false)
	fs, ok, _ := r.takeAll()
	if !ok || len(fs) != 3 || string(fs[2].data) != "2" || !fs[0].more() {
		t.Fatalf("takeAll = %v %v", fs, ok)
	}
	if q.pending() != 0 {
		t.Fatalf("pending after takeAll = %d, want 0", q.pending())
	}
	if _, ok, _ := r.takeAll(); ok {
		t.Fatal("a second takeAll found frames")
	}
}

// The HWM counts whole messages; a writer refused at the mark is woken
// when the reader reports that it took messages.
func TestQueueHWMAndWritable(t *testing.T) {
	q := newQueue(2)
	writable := 0
	q.onWritable = func() { writable++ }
	r := newQueueReader(q)
	if !q.push([]frame{{data: []byte("x"), flags: frameMore}, {data: []byte("y")}}, false) || !q.push(msg1("z"), false) {
		t.Fatal("pushes under the HWM refused")
	}
	if q.push(msg1("over"), false) {
		t.Fatal("push at the HWM accepted")
	}
	if q.canPush() {
		t.Fatal("canPush at the HWM")
	}
	if !q.push(msg1("forced"), true) {
		t.Fatal("a forced push (commands, subscriptions) refused")
	}
	if writable != 0 {
		t.Fatal("writer woken before anything was read")
	}
	r.takeAll()
	if writable != 1 {
		t.Fatalf("writer woken %d times after the reader took everything, want 1", writable)
	}
	if !q.push(msg1("again"), false) {
		t.Fatal("push after the reader made room refused")
	}
}

// With CONFLATE only the newest message waits; a reader that closed the
// queue makes pushes succeed and vanish.
func TestQueueConflateAndClose(t *testing.T) {
	q := newQueue(0)
	q.setConflate()
	r := newQueueReader(q)
	for _, s := range []string{"1", "2", "3"} {
		q.push(msg1(s), false)
	}
	m, ok, _ := r.next()
	if !ok || string(m[0].data) != "3" {
		t.Fatalf("conflated queue gave %q, want the newest", m)
	}
	if c := q.counts(); c.conflated != 2 {
		t.Fatalf("conflated %d, want 2", c.conflated)
	}
	q.close()
	if _, ok, closed := r.next(); ok || !closed {
		t.Fatalf("after close: ok %v closed %v, want closed", ok, closed)
	}
	if !q.push(msg1("late"), false) {
		t.Fatal("push into a closed queue reported failure")
	}
}

// testPipe is a pipe of a socket's with queues of its own, for routing
// tests.
func testPipe(s *Socket, hwm int) *pipe {
	return newPipe(s, newQueue(hwm), newQueue(hwm), "test")
}

// The fair queue takes one message from each pipe in turn and drops pipes
// that run dry from its list.
func TestFairQueueRoundRobin(t *testing.T) {
	s := &Socket{}
	a, b := testPipe(s, 0), testPipe(s, 0)
	a.in.q.onReadable, b.in.q.onReadable = nil, nil
	for _, m := range []string{"a1", "a2", "a3"} {
		a.in.q.push(msg1(m), false)
	}
	b.in.q.push(msg1("b1"), false)
	var f fairQueue
	f.add(a)
	f.add(b)
	f.add(a) // adding twice lists once
	var got []string
	for {
		m, _, ok := f.recv()
		if !ok {
			break
		}
		got = append(got, string(m[0].data))
	}
	want := []string{"a1", "b1", "a2", "a3"}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
	if len(f.active) != 0 || a.inActive || b.inActive {
		t.Fatal("dry pipes still listed")
	}
}

// The load balancer sends to pipes in turn, skips a full one until it is
// activated again, and reports EAGAIN when every pipe is full.
func TestLoadBalancerSkipsFullPipes(t *testing.T) {
	s := &Socket{}
	a, b := testPipe(s, 1), testPipe(s, 2)
	var l loadBalancer
	l.add(a)
	l.add(b)
	var order []*pipe
	for i := 0; i < 3; i++ {
		p, err := l.send(msg1("m"))
		if err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		order = append(order, p)
	}
	if order[0] == order[1] || order[2] != b {
		t.Fatalf("sends went to %p %p %p; want alternation, then the pipe with room", order[0], order[1], order[2])
	}
	if _, err := l.send(msg1("m")); err != eagain {
		t.Fatalf("send with every pipe full: %v, want EAGAIN", err)
	}
	if l.hasOut() {
		t.Fatal("hasOut with every pipe full")
	}
	drain := newQueueReader(a.out)
	drain.takeAll()
	l.activate(a)
	if p, err := l.send(msg1("m")); err != nil || p != a {
		t.Fatalf("after a made room: %p %v, want a", p, err)
	}
	l.remove(a)
	l.remove(b)
	if _, err := l.send(msg1("m")); err != eagain || l.hasOut() {
		t.Fatal("an empty load balancer sent")
	}
}

// offer refuses at the HWM without marking the writer blocked (a PUB
// drops, it never waits), accepts again once the reader reported room or
// the HWM was raised, and never refuses under CONFLATE. It leaves waking
// the reader to its caller: wake is true for the offer that found the
// reader idle, and onReadable is not called.
func TestQueueOffer(t *testing.T) {
	q := newQueue(2)
	writable, readable := 0, 0
	q.onWritable = func() { writable++ }
	q.onReadable = func() { readable++ }
	r := newQueueReader(q)
	accepted := func(q *queue, s string) bool {
		ok, _ := q.offer(msg1(s))
		return ok
	}
	if ok, wake := q.offer(msg1("a")); !ok || !wake {
		t.Fatalf("first offer: ok %v wake %v, want true true", ok, wake)
	}
	if ok, wake := q.offer(msg1("b")); !ok || wake {
		t.Fatalf("second offer: ok %v wake %v, want true false", ok, wake)
	}
	if readable != 0 {
		t.Fatal("offer called onReadable")
	}
	if accepted(q, "c") {
		t.Fatal("offer at the HWM accepted")
	}
	r.takeAll()
	if writable != 0 {
		t.Fatalf("a refused offer marked the writer blocked: woken %d times", writable)
	}
	if !accepted(q, "d") || !accepted(q, "e") {
		t.Fatal("offers after the reader made room refused")
	}
	if accepted(q, "f") {
		t.Fatal("offer at the HWM accepted after a refill")
	}
	q.setHWM(3)
	if !accepted(q, "g") {
		t.Fatal("offer refused after the HWM was raised")
	}
	if accepted(q, "h") {
		t.Fatal("offer accepted past the raised HWM")
	}

	c := newQueue(1)
	c.setConflate()
	for _, s := range []string{"1", "2", "3"} {
		if !accepted(c, s) {
			t.Fatalf("offer %s refused under CONFLATE", s)
		}
	}
	cr := newQueueReader(c)
	if m, ok, _ := cr.next(); !ok || string(m[0].data) != "3" {
		t.Fatalf("conflated queue holds %q, want the newest", m)
	}
}
