package zmq4

import (
	"time"

	"github.com/purezmq/zmq4/internal/trie"
)

// ---- PUB and XPUB: fan-out to matching subscribers ----

// pubPattern sends each message to every peer that subscribed to a prefix
// of its first part, dropping it for peers whose queue is full (or failing
// with EAGAIN under XPUB_NODROP). Subscriptions arrive as SUBSCRIBE/CANCEL
// commands or as messages starting with 0x01/0x00; XPUB hands them to the
// application as such messages, together with any other upstream message.
type pubPattern struct {
	s        *Socket
	xpub     bool
	pipes    []*pipe
	fq       fairQueue
	all      trie.Trie // every peer's subscriptions, one count per peer
	up       [][]frame // XPUB: messages waiting for the application
	partial  []frame   // XPUB: the parts of the next message of up so far
	cur      []frame
	lastSubs *pipe // XPUB_MANUAL: the peer the last subscription came from

	toWake []*queue // send: the subscriber queues whose readers were idle
	fanout fanoutWorker

	// log carries messages to the subscribers served by connection
	// engines (see pubLog); direct lists the others (inproc, CONFLATE),
	// which take each message into their own queue.
	log    *pubLog
	direct []*pipe
	// creditAt is when roomForAll last read the readers' progress.
	creditAt time.Time
}

func newPubPattern(s *Socket, xpub bool) *pubPattern {
	return &pubPattern{s: s, xpub: xpub}
}

func (x *pubPattern) attach(p *pipe) {
	x.pipes = append(x.pipes, p)
	x.fq.add(p)
	if x.xpub && len(x.s.opt.xpubWelcomeMsg) > 0 {
		p.out.pushFrame(frame{data: x.s.opt.xpubWelcomeMsg}, true)
	}
	if p.inproc || p.out.conflate {
		x.direct = append(x.direct, p)
		return
	}
	if x.log == nil {
		x.log = newPubLog()
	}
	p.logSlot = x.log.attach(p)
}

func (x *pubPattern) detach(p *pipe) {
	x.pipes = removePipe(x.pipes, p)
	if p.logSlot != nil {
		x.s.stats.drops.HWM += x.log.detach(p.logSlot)
		p.logSlot = nil
	} else {
		x.direct = removePipe(x.direct, p)
	}
	x.fq.remove(p)
	if x.lastSubs == p {
		x.lastSubs = nil
	}
	if x.xpub && x.s.opt.xpubManual {
		// The application decided what the peer's subscriptions were, so
		// it hears of each topic the peer asked for and never cancelled,
		// as libzmq's XPUB_MANUAL does when a subscriber goes.
		var asked [][]byte
		p.manualSubs.Each(func(topic []byte) { asked = append(asked, topic) })
		for _, t := range asked {
			x.notify(false, t)
		}
		p.manualSubs.Clear()
	}
	// Topics only this peer wanted are now unwanted.
	var gone [][]byte
	p.subs.Each(func(topic []byte) { gone = append(gone, topic) })
	for _, t := range gone {
		last := x.all.Remove(t)
		if x.xpub && !x.s.opt.xpubManual && (last || x.s.opt.xpubVerboser) {
			x.notify(false, t)
		}
	}
	p.subs.Clear()
}

func (x *pubPattern) peerReady(p *pipe) {}
func (x *pubPattern) readable(p *pipe)  { x.fq.add(p) }
func (x *pubPattern) writable(p *pipe)  {}
func (x *pubPattern) hasOut() bool      { return true }

func (x *pubPattern) hasIn() bool {
	if !x.xpub {
		return false
	}
	x.processInput()
	return len(x.up) > 0
}

// notify queues a (un)subscription message for the XPUB application.
func (x *pubPattern) notify(sub bool, topic []byte) {
	b := make([]byte, 1+len(topic))
	if sub {
		b[0] = 1
	}
	copy(b[1:], topic)
	x.queueUp(frame{data: b}, false)
}

// queueUp adds one part to what the XPUB application will receive. Parts
// form messages in the order they are queued, as libzmq's list of pending
// parts does: a notification queued while a data message from upstream is
// still open (its earlier parts were data, a later one a subscription)
// becomes that message's last part.
func (x *pubPattern) queueUp(f frame, more bool) {
	f.flags &^= frameMore
	if more {
		f.flags |= frameMore
	}
	x.partial = append(x.partial, f)
	if !more {
		x.up = append(x.up, x.partial)
		x.partial = nil
	}
}

// subscriptionPart reports whether f is a (un)subscription: a SUBSCRIBE or
// CANCEL command, or a part that starts with 0x01 or 0x00.
func subscriptionPart(f frame) (topic []byte, sub, ok bool) {
	switch {
	case f.flags&frameSubscribe != 0:
		return f.data, true, true
	case f.flags&frameCancel != 0:
		return f.data, false, true
	case len(f.data) > 0 && f.data[0] <= 1:
		return f.data[1:], f.data[0] == 1, true
	}
	return nil, false, false
}

// processInput reads everything subscribers sent. As in libzmq, the parts
// of a message are looked at one by one: each part that is a subscription
// or an unsubscription is applied, and the other parts go to the XPUB
// application as data (PUB drops them). With ONLY_FIRST_SUBSCRIBE, a
// message whose first part is not a (un)subscription is data in all its
// parts; one whose first part is has its later parts looked at too.
func (x *pubPattern) processInput() {
	for {
		m, p, ok := x.fq.recv()
		if !ok {
			return
		}
		x.applyInput(m, p)
	}
}

// applyGoneInput applies what p's peer sent before it went away, so that
// detach then cancels every subscription it made, and an XPUB application
// hears of them all, in the order they were sent, as libzmq reads such a
// pipe up to its end before it lets it go.
func (x *pubPattern) applyGoneInput(p *pipe) {
	for {
		m, ok, _ := p.in.next()
		if !ok {
			return
		}
		x.applyInput(m, p)
	}
}

// applyInput applies one message from subscriber p (see processInput).
func (x *pubPattern) applyInput(m []frame, p *pipe) {
	_, _, firstIsSub := subscriptionPart(m[0])
	examine := firstIsSub || !x.s.opt.onlyFirstSubscribe
	for i, f := range m {
		if i == 0 || examine {
			if topic, sub, ok := subscriptionPart(f); ok {
				x.subscription(p, topic, sub)
				continue
			}
		}
		if x.xpub {
			x.queueUp(f, i < len(m)-1)
		}
	}
}

// subscription applies one peer's (un)subscription.
func (x *pubPattern) subscription(p *pipe, topic []byte, sub bool) {
	o := &x.s.opt
	if x.xpub && o.xpubManual {
		x.lastSubs = p
		// Kept so that the peer's going away can cancel them (detach).
		if sub {
			if !p.manualSubs.Add(topic) {
				p.manualSubs.Remove(topic)
			}
		} else {
			p.manualSubs.Remove(topic)
		}
		x.notify(sub, topic)
		return
	}
	notify := false
	if sub {
		if p.subs.Add(topic) {
			notify = x.all.Add(topic) || o.xpubVerbose || o.xpubVerboser
		} else {
			p.subs.Remove(topic) // a peer's subscription is a set, not a count
			notify = o.xpubVerbose || o.xpubVerboser
		}
	} else {
		if p.subs.Remove(topic) {
			notify = x.all.Remove(topic) || o.xpubVerboser
		} else {
			// Not subscribed by this peer: libzmq 4.3.4 passes it on
			// (its trie reports "not found", which is not "values remain").
			notify = true
		}
	}
	x.subscriptionsChanged(p)
	if x.xpub && notify {
		x.notify(sub, topic)
	}
}

// manualSubscribe is XPUB_MANUAL's SetSubscribe/SetUnsubscribe: it applies
// to the peer the last subscription message came from.
func (x *pubPattern) manualSubscribe(topic []byte, sub bool) error {
	p := x.lastSubs
	if p == nil {
		return nil
	}
	if sub {
		if p.subs.Add(topic) {
			x.all.Add(topic)
		} else {
			p.subs.Remove(topic)
		}
	} else if p.subs.Remove(topic) {
		x.all.Remove(topic)
	}
	x.subscriptionsChanged(p)
	return nil
}

// nodropCreditAge is how long, under XPUB_NODROP, a non-blocking send
// trusts the publisher's last look at what the subscribers' readers took.
const nodropCreditAge = time.Millisecond

// roomForAll reports whether every subscriber matching topic can take one
// more message (XPUB_NODROP; PUB and XPUB alike, as in libzmq). A
// non-blocking send judges the subscribers served through the log by what
// their readers had consumed when the publisher last looked, which it does
// at most once per nodropCreditAge, at each blocking send and after each
// receive: libzmq's socket too learns of its readers' progress only when
// it processes commands, so a burst of non-blocking sends fills SNDHWM even
// while the connections drain it at once. A refused blocking send marks
// the queue so that the reader's progress wakes it.
func (x *pubPattern) roomForAll(topic []byte) bool {
	fresh := !x.s.sendNoWait || time.Since(x.creditAt) >= nodropCreditAge
	if fresh {
		x.creditAt = time.Now()
	}
	for _, p := range x.pipes {
		if !x.matches(p, topic) {
			continue
		}
		if sl := p.logSlot; sl != nil && !fresh {
			if sl.sent-sl.known >= sl.hwm {
				return false
			}
			continue
		}
		if !p.out.canPush() {
			return false
		}
	}
	return true
}

// removePipe removes p from ps, keeping the order of the others.
func removePipe(ps []*pipe, p *pipe) []*pipe {
	for i, q := range ps {
		if q == p {
			return append(ps[:i], ps[i+1:]...)
		}
	}
	return ps
}

func (x *pubPattern) matches(p *pipe, data []byte) bool {
	return p.subs.Match(data) != x.s.opt.invertMatching
}

// matchesAll reports whether p takes every message: it subscribed to the
// empty prefix and matching is not inverted.
func (x *pubPattern) matchesAll(p *pipe) bool {
	return !x.s.opt.invertMatching && p.subs.Match(nil)
}

// subscriptionsChanged puts a subscriber the log set aside as full back in
// its active list, since it may no longer match every message.
func (x *pubPattern) subscriptionsChanged(p *pipe) {
	if p.logSlot != nil {
		p.logSlot.noteSubscriptions()
		x.s.stats.drops.HWM += x.log.wake(p.logSlot)
	}
}

func (x *pubPattern) send(m []frame) error {
	shareFrames(m) // many pipes may take the same message
	x.processInput()
	topic := m[0].data
	if x.s.opt.xpubNodrop && !x.roomForAll(topic) {
		return eagain
	}
	handedOut := false // an inproc peer already has m's memory
	wanted := false
	behind := false // some subscriber had no room for m
	only := (*pipe)(nil)
	if x.xpub && x.s.opt.xpubManual && x.s.opt.xpubSendLastPipe && x.lastSubs != nil {
		// XPUB_MANUAL_LAST_VALUE: this message is for the subscriber
		// that asked last, and it is the last one for it.
		only = x.lastSubs
		x.lastSubs = nil
	}
	if x.log != nil {
		var drops uint64
		wanted, drops, x.toWake = x.log.send(m, topic, only, x, x.toWake)
		x.s.stats.drops.HWM += drops
		behind = drops > 0 || x.log.inactive > 0
	}
	for _, p := range x.direct {
		if only != nil && p != only || !x.matches(p, topic) {
			continue
		}
		wanted = true
		ownLent(m, x.s)
		msg := m
		if p.inproc {
			// Each inproc subscriber gets memory of its own, so one that
			// changes a received slice cannot change another's.
			if handedOut {
				msg = x.copyMessage(m)
			}
			handedOut = true
		}
		ok, wake := p.out.offer(msg)
		if !ok {
			x.s.stats.drops.HWM++
			behind = true
		} else if wake {
			x.toWake = append(x.toWake, p.out)
		}
	}
	x.wakeReaders()
	if !wanted {
		x.s.stats.drops.NoSubscriber++
	}
	if behind {
		x.s.noteBehind()
	}
	return nil
}

// fanoutWorker returns the fan-out worker of a PUB or XPUB socket
// (engine_fanout.go), nil for other types.
func (s *Socket) fanoutWorker() *fanoutWorker {
	if x, ok := s.pat.(*pubPattern); ok {
		return &x.fanout
	}
	return nil
}

// wakeReaders wakes the readers send found idle: a few directly, more
// through the fan-out worker (see fanoutWorker).
func (x *pubPattern) wakeReaders() {
	if len(x.toWake) > fanoutDirectWakes {
		x.fanout.wake(x.toWake)
	} else {
		for _, q := range x.toWake {
			if q.onReadable != nil {
				q.onReadable()
			}
		}
	}
	clear(x.toWake)
	x.toWake = x.toWake[:0]
}

// ownLent copies the parts of m that the sender lent (frameLent) into
// s's memory, so that a queue may keep them.
func ownLent(m []frame, s *Socket) {
	for i := range m {
		if m[i].flags&frameLent != 0 {
			m[i] = frame{data: s.copyData(m[i].data), flags: m[i].flags &^ frameLent}
		}
	}
}

// copyMessage copies m's parts into fresh library memory.
func (x *pubPattern) copyMessage(m []frame) []frame {
	c := make([]frame, len(m))
	for i, f := range m {
		c[i] = frame{data: x.s.copyData(f.data), flags: f.flags}
	}
	return c
}

func (x *pubPattern) recv() ([]frame, *pipe, error) {
	if !x.xpub {
		return nil, nil, ENOTSUP
	}
	x.creditAt = time.Time{} // the next send looks at the readers again
	x.processInput()
	if len(x.up) == 0 {
		return nil, nil, eagain
	}
	x.cur = x.up[0]
	x.up[0] = nil
	x.up = x.up[1:]
	return x.cur, nil, nil
}

// ---- SUB and XSUB: filtered receiving, subscriptions upstream ----

// subPattern receives fair-queued from publishers, keeping messages whose
// first part starts with a subscribed topic, and sends its subscriptions to
// every publisher (again after each reconnection).
type subPattern struct {
	s        *Socket
	xsub     bool
	fq       fairQueue
	pipes    []*pipe
	subs     trie.Trie
	ahead    []frame // a matching message found by hasIn
	aheadP   *pipe
	hasAhead bool
}

func newSubPattern(s *Socket, xsub bool) *subPattern {
	return &subPattern{s: s, xsub: xsub}
}

func (x *subPattern) attach(p *pipe) {
	x.pipes = append(x.pipes, p)
	x.fq.add(p)
	x.sendAllTo(p)
}

// sendAllTo queues every current subscription to p.
func (x *subPattern) sendAllTo(p *pipe) {
	x.subs.Each(func(topic []byte) {
		p.out.pushFrame(frame{data: topic, flags: frameSubscribe}, true)
	})
}

func (x *subPattern) detach(p *pipe) {
	for i, q := range x.pipes {
		if q == p {
			x.pipes = append(x.pipes[:i], x.pipes[i+1:]...)
			break
		}
	}
}

// peerReady resends the subscriptions after a reconnection; what was
// queued for the old connection is dropped, as libzmq's hiccup does.
func (x *subPattern) peerReady(p *pipe) {
	if p.connections > 1 {
		p.out.discard()
		x.sendAllTo(p)
	}
}

func (x *subPattern) readable(p *pipe) { x.fq.add(p) }
func (x *subPattern) writable(p *pipe) {}
func (x *subPattern) hasOut() bool     { return x.xsub }

func (x *subPattern) matches(data []byte) bool {
	return x.subs.Match(data) != x.s.opt.invertMatching
}

func (x *subPattern) next() ([]frame, *pipe, bool) {
	if x.hasAhead {
		x.hasAhead = false
		return x.ahead, x.aheadP, true
	}
	for {
		m, p, ok := x.fq.recv()
		if !ok {
			return nil, nil, false
		}
		// XSUB passes every message on, as libzmq's does: only SUB
		// filters what it receives.
		if x.xsub || x.matches(m[0].data) {
			return m, p, true
		}
	}
}

func (x *subPattern) recv() ([]frame, *pipe, error) {
	if m, p, ok := x.next(); ok {
		return m, p, nil
	}
	return nil, nil, eagain
}

func (x *subPattern) hasIn() bool {
	if x.hasAhead {
		return true
	}
	m, p, ok := x.next()
	if ok {
		x.ahead, x.aheadP, x.hasAhead = m, p, true
	}
	return ok
}

// subscribe is SUB's SUBSCRIBE/UNSUBSCRIBE: every subscribe goes upstream,
// an unsubscribe only when the last reference to the topic goes.
func (x *subPattern) subscribe(topic []byte, sub bool) {
	kind := frameSubscribe
	if sub {
		x.subs.Add(topic)
	} else {
		if !x.subs.Remove(topic) {
			return
		}
		kind = frameCancel
	}
	t := append([]byte(nil), topic...)
	for _, p := range x.pipes {
		p.out.pushFrame(frame{data: t, flags: kind}, true)
	}
}

// send is XSUB's. As in libzmq, the parts of a message are looked at one by
// one: a part starting with 0x01 subscribes, one starting with 0x00
// unsubscribes (and is dropped when the topic was not subscribed), and both
// go upstream as they are, as does every other part. With
// ONLY_FIRST_SUBSCRIBE, a message whose first part is not a
// (un)subscription goes upstream as data in all its parts; one whose first
// part is has its later parts looked at too.
func (x *subPattern) send(m []frame) error {
	if !x.xsub {
		return ENOTSUP
	}
	shareFrames(m) // every publisher gets the same message
	_, _, firstIsSub := subscriptionPart(m[0])
	examine := firstIsSub || !x.s.opt.onlyFirstSubscribe
	if !firstIsSub && (!examine || !anySubscriptionPart(m[1:])) {
		// Data only: the common case, sent as it is.
		for _, p := range x.pipes {
			p.out.push(m, false)
		}
		return nil
	}
	out := make([]frame, 0, len(m))
	for i, f := range m {
		if i == 0 || examine {
			if topic, sub, ok := subscriptionPart(f); ok {
				if sub {
					x.subs.Add(topic)
				} else if !x.subs.Remove(topic) {
					continue
				}
			}
		}
		out = append(out, frame{data: f.data, flags: frameMore})
	}
	if len(out) == 0 {
		return nil
	}
	// libzmq leaves the message open when its dropped part was the last;
	// here the parts kept make one whole message.
	out[len(out)-1].flags = 0
	for _, p := range x.pipes {
		p.out.push(out, true)
	}
	return nil
}

// anySubscriptionPart reports whether a part of m is a (un)subscription.
func anySubscriptionPart(m []frame) bool {
	for _, f := range m {
		if _, _, ok := subscriptionPart(f); ok {
			return true
		}
	}
	return false
}

// subscribeLocked implements SetSubscribe and SetUnsubscribe. Call with
// s.mu held.
func (s *Socket) subscribeLocked(topic []byte, sub bool) error {
	switch x := s.pat.(type) {
	case *subPattern:
		if x.xsub {
			return einval
		}
		x.subscribe(topic, sub)
		return nil
	case *pubPattern:
		if x.xpub && s.opt.xpubManual {
			return x.manualSubscribe(topic, sub)
		}
	}
	return einval
}
