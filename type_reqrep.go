package zmq4

import (
	"encoding/binary"
	"math/rand/v2"
)

// ---- REQ: strict request-reply client ----

// reqPattern sends a request to one peer in turn (prefixed with an empty
// delimiter, and a request id with REQ_CORRELATE) and then accepts only
// that peer's reply.
type reqPattern struct {
	s         *Socket
	lb        loadBalancer
	fq        fairQueue
	waiting   bool  // a request was sent and its reply not yet received
	replyPipe *pipe // the peer the request went to
	requestID uint32
	msg       []frame
}

func newReqPattern(s *Socket) *reqPattern {
	return &reqPattern{s: s, requestID: rand.Uint32()}
}

func (x *reqPattern) attach(p *pipe) { sendProbe(x.s, p); x.lb.add(p); x.fq.add(p) }

// detach stops sending to p; a reply p already delivered stays readable,
// so replyPipe keeps pointing at it.
func (x *reqPattern) detach(p *pipe) {
	x.lb.remove(p)
}
func (x *reqPattern) peerReady(p *pipe) {}
func (x *reqPattern) readable(p *pipe)  { x.fq.add(p) }
func (x *reqPattern) writable(p *pipe)  { x.lb.activate(p) }
func (x *reqPattern) hasOut() bool      { return (!x.waiting || x.s.opt.reqRelaxed) && x.lb.hasOut() }

func (x *reqPattern) send(m []frame) error {
	if x.waiting && !x.s.opt.reqRelaxed {
		return EFSM
	}
	x.msg = x.msg[:0]
	if x.s.opt.reqCorrelate {
		x.requestID++
		id := make([]byte, 4)
		binary.NativeEndian.PutUint32(id, x.requestID)
		x.msg = append(x.msg, frame{data: id, flags: frameMore})
	}
	x.msg = append(x.msg, frame{flags: frameMore})
	x.msg = append(x.msg, m...)
	p, err := x.lb.send(x.msg)
	clear(x.msg)
	if err != nil {
		return err
	}
	x.waiting = true
	x.replyPipe = p
	return nil
}

// nextReply returns the body of the next valid reply, dropping anything
// else that arrives.
func (x *reqPattern) nextReply() ([]frame, *pipe, bool) {
	for {
		m, p, ok := x.fq.recv()
		if !ok {
			return nil, nil, false
		}
		if p != x.replyPipe {
			continue
		}
		if x.s.opt.reqCorrelate {
			if len(m) < 2 || len(m[0].data) != 4 || binary.NativeEndian.Uint32(m[0].data) != x.requestID {
				continue
			}
			m = m[1:]
		}
		if len(m) < 2 || len(m[0].data) != 0 {
			continue
		}
		return m[1:], p, true
	}
}

func (x *reqPattern) recv() ([]frame, *pipe, error) {
	if !x.waiting {
		return nil, nil, EFSM
	}
	m, p, ok := x.nextReply()
	if !ok {
		return nil, nil, eagain
	}
	x.waiting = false
	return m, p, nil
}

func (x *reqPattern) hasIn() bool {
	if !x.waiting {
		return false
	}
	// Discard invalid replies so that POLLIN means a reply is there.
	for x.fq.hasIn() {
		if x.fq.active[x.fq.cur] == x.replyPipe {
			return true
		}
		x.fq.recv()
	}
	return false
}

// ---- REP: request-reply server ----

// repPattern receives requests fair-queued, keeps each request's envelope
// (every frame up to and including the empty delimiter) and sends the reply
// back through the same peer with that envelope.
type repPattern struct {
	s         *Socket
	fq        fairQueue
	replying  bool
	replyPipe *pipe
	envelope  []frame
	msg       []frame
}

func (x *repPattern) attach(p *pipe) { sendProbe(x.s, p); x.fq.add(p) }
func (x *repPattern) detach(p *pipe) {
	if x.replyPipe == p {
		x.replyPipe = nil
	}
}
func (x *repPattern) peerReady(p *pipe) {}
func (x *repPattern) readable(p *pipe)  { x.fq.add(p) }
func (x *repPattern) writable(p *pipe)  {}
func (x *repPattern) hasOut() bool      { return x.replying }
func (x *repPattern) hasIn() bool       { return !x.replying && x.fq.hasIn() }

func (x *repPattern) recv() ([]frame, *pipe, error) {
	if x.replying {
		return nil, nil, EFSM
	}
	for {
		m, p, ok := x.fq.recv()
		if !ok {
			return nil, nil, eagain
		}
		i := 0
		for i < len(m) && len(m[i].data) != 0 {
			i++
		}
		if i >= len(m)-1 {
			continue // no delimiter, or nothing after it: not a request
		}
		x.envelope = append(x.envelope[:0], m[:i+1]...)
		x.replying = true
		x.replyPipe = p
		return m[i+1:], p, nil
	}
}

func (x *repPattern) send(m []frame) error {
	if !x.replying {
		return EFSM
	}
	x.replying = false
	p := x.replyPipe
	x.replyPipe = nil
	if p == nil || !p.attached {
		x.s.stats.drops.Unroutable++
		return nil // the requester left; the reply is dropped, as in libzmq
	}
	x.msg = append(append(x.msg[:0], x.envelope...), m...)
	p.out.push(x.msg, false)
	clear(x.msg)
	clear(x.envelope)
	return nil
}
