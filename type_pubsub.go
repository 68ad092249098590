package zmq4

import "github.com/purezmq/zmq4/internal/trie"

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
	cur      []frame
	lastSubs *pipe // XPUB_MANUAL: the peer the last subscription came from
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
}

func (x *pubPattern) detach(p *pipe) {
	for i, q := range x.pipes {
		if q == p {
			x.pipes = append(x.pipes[:i], x.pipes[i+1:]...)
			break
		}
	}
	x.fq.remove(p)
	if x.lastSubs == p {
		x.lastSubs = nil
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
	x.up = append(x.up, []frame{{data: b}})
}

// processInput reads everything subscribers sent.
func (x *pubPattern) processInput() {
	for {
		m, p, ok := x.fq.recv()
		if !ok {
			return
		}
		f := m[0]
		switch {
		case len(m) == 1 && f.flags&frameSubscribe != 0:
			x.subscription(p, f.data, true)
		case len(m) == 1 && f.flags&frameCancel != 0:
			x.subscription(p, f.data, false)
		case len(m) == 1 && len(f.data) > 0 && f.data[0] <= 1:
			x.subscription(p, f.data[1:], f.data[0] == 1)
		case x.xpub:
			x.up = append(x.up, append([]frame(nil), m...))
		}
	}
}

// subscription applies one peer's (un)subscription.
func (x *pubPattern) subscription(p *pipe, topic []byte, sub bool) {
	o := &x.s.opt
	if x.xpub && o.xpubManual {
		x.lastSubs = p
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
			notify = o.xpubVerboser
		}
	}
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
	return nil
}

func (x *pubPattern) matches(p *pipe, data []byte) bool {
	return p.subs.Match(data) != x.s.opt.invertMatching
}

func (x *pubPattern) send(m []frame) error {
	shareFrames(m) // many pipes may take the same message
	x.processInput()
	topic := m[0].data
	if x.xpub && x.s.opt.xpubNodrop {
		for _, p := range x.pipes {
			if x.matches(p, topic) && !p.out.canPush() {
				return eagain
			}
		}
	}
	handedOut := false // an inproc peer already has m's memory
	for _, p := range x.pipes {
		if !x.matches(p, topic) {
			continue
		}
		if p.inproc {
			// Each inproc subscriber gets memory of its own, so one that
			// changes a received slice cannot change another's.
			if handedOut {
				p.out.push(x.copyMessage(m), false)
				continue
			}
			handedOut = true
		}
		p.out.push(m, false)
	}
	return nil
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
		if x.matches(m[0].data) {
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

// send is XSUB's: 0x01/0x00 messages (un)subscribe and go upstream as
// they are; other messages go to every publisher.
func (x *subPattern) send(m []frame) error {
	if !x.xsub {
		return ENOTSUP
	}
	shareFrames(m) // every publisher gets the same message
	if len(m) == 1 && len(m[0].data) > 0 && m[0].data[0] <= 1 {
		topic := m[0].data[1:]
		if m[0].data[0] == 1 {
			x.subs.Add(topic)
		} else if !x.subs.Remove(topic) {
			return nil
		}
		for _, p := range x.pipes {
			p.out.push(m, true)
		}
		return nil
	}
	for _, p := range x.pipes {
		p.out.push(m, false)
	}
	return nil
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
