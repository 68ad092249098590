package zmq4

// newPattern returns the routing logic for a socket type.
func newPattern(s *Socket, t Type) (pattern, error) {
	switch t {
	case PAIR:
		return &pairPattern{}, nil
	case PUSH:
		return &pushPattern{}, nil
	case PULL:
		return &pullPattern{}, nil
	case DEALER:
		return &dealerPattern{s: s}, nil
	case REQ:
		return newReqPattern(s), nil
	case REP:
		return &repPattern{s: s}, nil
	case ROUTER:
		return newRouterPattern(s), nil
	case PUB:
		return newPubPattern(s, false), nil
	case XPUB:
		return newPubPattern(s, true), nil
	case SUB:
		return newSubPattern(s, false), nil
	case XSUB:
		return newSubPattern(s, true), nil
	case STREAM:
		return newStreamPattern(s), nil
	// Draft types that route like a classic one but carry only single-part
	// messages (SNDMORE is refused in sendPart; received multipart
	// messages are dropped).
	case CLIENT:
		return &singlePart{&dealerPattern{}}, nil
	case SCATTER:
		return &singlePart{&pushPattern{}}, nil
	case GATHER:
		return &singlePart{&pullPattern{}}, nil
	case CHANNEL:
		return &singlePart{&pairPattern{}}, nil
	case SERVER, PEER:
		return newServerPattern(s), nil
	case RADIO:
		return &radioPattern{s: s}, nil
	case DISH:
		return &dishPattern{s: s}, nil
	case DGRAM:
		return &dgramPattern{}, nil
	}
	return nil, einval
}

// singlePart wraps a pattern so that multipart messages from peers are
// dropped, as libzmq's thread-safe draft types do.
type singlePart struct{ pattern }

func (x *singlePart) recv() ([]frame, *pipe, error) {
	for {
		m, p, err := x.pattern.recv()
		if err != nil || len(m) == 1 {
			return m, p, err
		}
	}
}

// noIn and noOut give the answers of patterns that cannot receive or send.
type noIn struct{}

func (noIn) recv() ([]frame, *pipe, error) { return nil, nil, ENOTSUP }
func (noIn) hasIn() bool                   { return false }
func (noIn) readable(*pipe)                {}

type noOut struct{}

func (noOut) send([]frame) error { return ENOTSUP }
func (noOut) hasOut() bool       { return false }
func (noOut) writable(*pipe)     {}

// ---- PUSH: load-balanced sending to pullers ----

type pushPattern struct {
	noIn
	lb loadBalancer
}

func (x *pushPattern) attach(p *pipe)    { x.lb.add(p) }
func (x *pushPattern) detach(p *pipe)    { x.lb.remove(p) }
func (x *pushPattern) peerReady(p *pipe) {}
func (x *pushPattern) writable(p *pipe)  { x.lb.activate(p) }
func (x *pushPattern) hasOut() bool      { return x.lb.hasOut() }
func (x *pushPattern) send(m []frame) error {
	_, err := x.lb.send(m)
	return err
}

// ---- PULL: fair-queued receiving from pushers ----

type pullPattern struct {
	noOut
	fq fairQueue
}

func (x *pullPattern) attach(p *pipe)    { x.fq.add(p) }
func (x *pullPattern) detach(p *pipe)    {}
func (x *pullPattern) peerReady(p *pipe) {}
func (x *pullPattern) readable(p *pipe)  { x.fq.add(p) }
func (x *pullPattern) hasIn() bool       { return x.fq.hasIn() }
func (x *pullPattern) recv() ([]frame, *pipe, error) {
	if m, p, ok := x.fq.recv(); ok {
		return m, p, nil
	}
	return nil, nil, eagain
}

// ---- DEALER: load-balanced out, fair-queued in ----

type dealerPattern struct {
	s  *Socket // nil under CLIENT, which has no PROBE_ROUTER
	lb loadBalancer
	fq fairQueue
}

func (x *dealerPattern) attach(p *pipe) {
	if x.s != nil {
		sendProbe(x.s, p)
	}
	x.lb.add(p)
	x.fq.add(p)
}

// sendProbe queues PROBE_ROUTER's empty one-part message on a pipe that
// just joined the socket, ahead of anything the application sends on it.
// As in libzmq it goes straight onto the pipe: it is not a request, so a
// REQ socket's send/receive state does not change. A connecting socket
// (without IMMEDIATE) keeps its pipe across reconnections, so its peer is
// probed once per Connect, not once per TCP connection, as in libzmq.
func sendProbe(s *Socket, p *pipe) {
	if s.opt.probeRouter {
		p.out.pushFrame(frame{}, true)
	}
}
func (x *dealerPattern) detach(p *pipe)    { x.lb.remove(p) }
func (x *dealerPattern) peerReady(p *pipe) {}
func (x *dealerPattern) readable(p *pipe)  { x.fq.add(p) }
func (x *dealerPattern) writable(p *pipe)  { x.lb.activate(p) }
func (x *dealerPattern) hasIn() bool       { return x.fq.hasIn() }
func (x *dealerPattern) hasOut() bool      { return x.lb.hasOut() }
func (x *dealerPattern) send(m []frame) error {
	_, err := x.lb.send(m)
	return err
}
func (x *dealerPattern) recv() ([]frame, *pipe, error) {
	if m, p, ok := x.fq.recv(); ok {
		return m, p, nil
	}
	return nil, nil, eagain
}

// ---- PAIR: exactly one peer ----

type pairPattern struct {
	p *pipe
}

func (x *pairPattern) attach(p *pipe) {
	if x.p != nil && x.p.attached {
		// A second peer is refused, as libzmq does.
		go p.s.refusePipe(p)
		return
	}
	x.p = p
}

// detach keeps the pipe until what it received has been read.
func (x *pairPattern) detach(p *pipe)    {}
func (x *pairPattern) peerReady(p *pipe) {}
func (x *pairPattern) readable(p *pipe)  {}
func (x *pairPattern) writable(p *pipe)  {}
func (x *pairPattern) hasIn() bool {
	if x.p == nil {
		return false
	}
	ok, _ := x.p.in.hasMessage()
	return ok
}
func (x *pairPattern) hasOut() bool { return x.p != nil && x.p.attached && x.p.out.canPush() }
func (x *pairPattern) send(m []frame) error {
	if x.p == nil || !x.p.attached || !x.p.out.push(m, false) {
		return eagain
	}
	return nil
}
func (x *pairPattern) recv() ([]frame, *pipe, error) {
	if x.p == nil {
		return nil, nil, eagain
	}
	if m, ok, _ := x.p.in.next(); ok {
		return m, x.p, nil
	}
	if !x.p.attached {
		x.p = nil
	}
	return nil, nil, eagain
}

// refusePipe ends a pipe the pattern does not want.
func (s *Socket) refusePipe(p *pipe) {
	s.endPipe(p, false)
	s.detachPipe(p)
}
