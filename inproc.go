package zmq4

import "sync"

// inprocRegistry maps inproc endpoint names to the socket bound there, and
// keeps connections made before the bind until it happens.
type inprocRegistry struct {
	mu      sync.Mutex
	bound   map[string]*Socket
	pending map[string][]*inprocPending
}

// inprocPending is a connect that waits for its bind. Its pipe already
// exists, so messages queue meanwhile, as in libzmq.
type inprocPending struct {
	s   *Socket
	p   *pipe  // the connecting socket's end
	toB *queue // connecter → binder
	toC *queue // binder → connecter
	id  string // the connecting socket's routing id
}

func (r *inprocRegistry) init() {
	r.bound = map[string]*Socket{}
	r.pending = map[string][]*inprocPending{}
}

func (r *inprocRegistry) unbind(name string, s *Socket) {
	r.mu.Lock()
	if r.bound[name] == s {
		delete(r.bound, name)
	}
	r.mu.Unlock()
}

// lookup returns the socket bound at name, if any.
func (r *inprocRegistry) lookup(name string) *Socket {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bound[name]
}

// inprocHWM combines a sender's SNDHWM and a receiver's RCVHWM: the pipe
// holds both, as libzmq's inproc pipes do; zero on either side means none.
func inprocHWM(snd, rcv int) int {
	if snd == 0 || rcv == 0 {
		return 0
	}
	return snd + rcv
}

func (s *Socket) effectiveHWMsLocked() (snd, rcv int) {
	if s.opt.conflate && conflateApplies(s.typ) {
		return 1, 1
	}
	return s.opt.sndhwm, s.opt.rcvhwm
}

// bindInprocLocked binds an inproc name. Call with s.mu held.
func (s *Socket) bindInprocLocked(name, endpoint string) error {
	r := &s.ctx.inproc
	r.mu.Lock()
	if _, taken := r.bound[name]; taken {
		r.mu.Unlock()
		return EADDRINUSE
	}
	r.bound[name] = s
	waiting := r.pending[name]
	delete(r.pending, name)
	r.mu.Unlock()
	b := &binding{s: s, endpoint: endpoint, inprocName: name}
	s.binds[endpoint] = append(s.binds[endpoint], b)
	s.opt.lastEndpoint = endpoint
	for _, w := range waiting {
		snd, rcv := s.effectiveHWMsLocked()
		connectorRcv := w.toC.counts().hwm // the connector's RCVHWM so far
		w.toB.setHWM(addHWM(w.toB.counts().hwm, rcv))
		w.toC.setHWM(addHWM(connectorRcv, snd))
		w.p.inprocBoost = rcv // w.s's lock is not held: the field is set before the pipe is shared
		s.joinInprocLocked(w.s, w.p, w.toB, w.toC, endpoint, w.id, connectorRcv)
		go w.s.inprocPeerReady(w.p)
	}
	return nil
}

func addHWM(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	return a + b
}

// connectInprocLocked connects to an inproc name. Call with s.mu held.
func (s *Socket) connectInprocLocked(name, endpoint string) error {
	r := &s.ctx.inproc
	r.mu.Lock()
	binder := r.bound[name]
	snd, rcv := s.effectiveHWMsLocked()
	if binder == nil {
		toB, toC := newQueue(snd), newQueue(rcv)
		p := newPipe(s, toC, toB, endpoint)
		p.connectSide, p.inproc = true, true
		s.lastConnected = p
		r.pending[name] = append(r.pending[name], &inprocPending{s: s, p: p, toB: toB, toC: toC, id: s.opt.identity})
		r.mu.Unlock()
		p.setStop(func(linger bool) { toB.close() })
		s.attachPipeLocked(p)
		// As libzmq, HELLO_MSG is queued at once, ahead of what the
		// application sends before the bind.
		s.sendHelloLocked(p)
		s.opt.lastEndpoint = endpoint
		return nil
	}
	r.mu.Unlock()
	if binder == s {
		bsnd, brcv := snd, rcv
		toB, toC := newQueue(inprocHWM(snd, brcv)), newQueue(inprocHWM(bsnd, rcv))
		p := newPipe(s, toC, toB, endpoint)
		p.connectSide, p.inproc = true, true
		p.inprocBoost = brcv
		s.lastConnected = p
		s.attachPipeLocked(p)
		s.sendHelloLocked(p)
		s.joinInprocLocked(s, p, toB, toC, endpoint, s.opt.identity, rcv)
		s.pat.peerReady(p)
		return nil
	}
	binder.mu.Lock()
	bsnd, brcv := binder.effectiveHWMsLocked()
	binder.mu.Unlock()
	toB, toC := newQueue(inprocHWM(snd, brcv)), newQueue(inprocHWM(bsnd, rcv))
	p := newPipe(s, toC, toB, endpoint)
	p.connectSide, p.inproc = true, true
	p.inprocBoost = brcv
	s.lastConnected = p
	s.attachPipeLocked(p)
	s.sendHelloLocked(p)
	s.opt.lastEndpoint = endpoint
	// The binder's side is attached without holding our lock, so two sockets'
	// locks are never held together.
	id := s.opt.identity
	s.mu.Unlock()
	binder.mu.Lock()
	binder.joinInprocLocked(s, p, toB, toC, endpoint, id, rcv)
	binder.mu.Unlock()
	s.mu.Lock()
	if p.attached {
		s.pat.peerReady(p)
	}
	return nil
}

// joinInprocLocked makes the binder's (s's) end of an inproc pipe whose
// connecting end cp belongs to socket c, attaches it and exchanges the two
// sockets' properties; cRcv is c's RCVHWM, which the binder's outbound HWM
// includes. Call with s.mu held (and not c.mu unless c == s).
func (s *Socket) joinInprocLocked(c *Socket, cp *pipe, toB, toC *queue, endpoint, cID string, cRcv int) {
	bp := newPipe(s, toB, toC, endpoint)
	bp.inproc = true
	bp.inprocBoost = cRcv
	cp.setStop(func(linger bool) {
		toB.close()
		s.inprocPeerGone(bp)
	})
	bp.setStop(func(linger bool) {
		toC.close()
		c.inprocPeerGone(cp)
	})
	if !s.attachPipeLocked(bp) {
		toC.close()
		return
	}
	bType, cType := s.typ.String(), c.typ.String()
	bID := s.opt.identity
	bp.setPeer(map[string]string{"Socket-Type": cType, "Identity": cID}, cType, []byte(cID))
	cp.setPeer(map[string]string{"Socket-Type": bType, "Identity": bID}, bType, []byte(bID))
	s.sendHelloLocked(bp)
	s.pat.peerReady(bp)
}

// inprocPeerReady tells the pattern that an inproc connect made before the
// bind now has its peer; its HELLO_MSG went out at the connect.
func (s *Socket) inprocPeerReady(p *pipe) {
	s.mu.Lock()
	if p.attached {
		s.pat.peerReady(p)
	}
	s.mu.Unlock()
	s.signal()
}

// inprocPeerGone is called when the other end of an inproc pipe closed: the
// pipe leaves the socket, keeping what it already received readable.
func (s *Socket) inprocPeerGone(p *pipe) {
	p.in.q.close()
	s.pipeGone(p)
}

// disconnectInprocLocked undoes an inproc connect. Call with s.mu held.
func (s *Socket) disconnectInprocLocked(endpoint string) bool {
	var found []*pipe
	for p := range s.pipes {
		if p.inproc && p.connectSide && p.endpoint == endpoint {
			found = append(found, p)
		}
	}
	if len(found) == 0 {
		return false
	}
	s.mu.Unlock()
	for _, p := range found {
		s.disconnectPipe(p)
	}
	s.mu.Lock()
	return true
}
