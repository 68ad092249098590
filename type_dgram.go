package zmq4

// dgramPattern receives [address][body] and sends [address][body] over its
// one udp socket.
type dgramPattern struct {
	p *pipe
}

func (x *dgramPattern) attach(p *pipe) { x.p = p }
func (x *dgramPattern) detach(p *pipe) {
	if x.p == p {
		x.p = nil
	}
}
func (x *dgramPattern) peerReady(p *pipe) {}
func (x *dgramPattern) readable(p *pipe)  {}
func (x *dgramPattern) writable(p *pipe)  {}
func (x *dgramPattern) hasIn() bool {
	if x.p == nil {
		return false
	}
	ok, _ := x.p.in.hasMessage()
	return ok
}
func (x *dgramPattern) hasOut() bool { return x.p != nil }
func (x *dgramPattern) send(m []frame) error {
	if len(m) != 2 {
		return einval
	}
	if x.p == nil {
		return eagain
	}
	x.p.out.push(m, false) // a full queue drops, as a datagram would be
	return nil
}
func (x *dgramPattern) recv() ([]frame, *pipe, error) {
	if x.p == nil {
		return nil, nil, eagain
	}
	if m, ok, _ := x.p.in.next(); ok {
		return m, x.p, nil
	}
	return nil, nil, eagain
}
