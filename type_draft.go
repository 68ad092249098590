package zmq4

import (
	"math/rand/v2"
)

// OptRoutingId is a message's routing id, for SERVER and PEER sockets: pass
// it to Send/SendBytes to address a peer, and to RecvWithOpts to learn the
// sender.
type OptRoutingId uint32

// OptGroup is a message's group, for RADIO and DISH sockets: pass it to
// Send/SendBytes on a RADIO, and to RecvWithOpts on a DISH.
type OptGroup string

// sendOptions are the draft options of the message being sent.
type sendOptions struct {
	routingID OptRoutingId
	hasID     bool
	group     string
	hasGroup  bool
}

// parseSendOptions reads OptRoutingId and OptGroup values.
func parseSendOptions(options []interface{}) (sendOptions, error) {
	var o sendOptions
	for _, opt := range options {
		switch v := opt.(type) {
		case OptRoutingId:
			o.routingID, o.hasID = v, true
		case OptGroup:
			if len(v) > 255 {
				return o, einval
			}
			o.group, o.hasGroup = string(v), true
		default:
			return o, einval
		}
	}
	return o, nil
}

// ---- SERVER and PEER: single-part messages addressed by a numeric id ----

// serverPattern gives each peer a non-zero 32-bit routing id; received
// messages carry it and sent messages need one.
type serverPattern struct {
	s      *Socket
	fq     fairQueue
	byKey  map[uint32]*pipe
	nextID uint32
}

func newServerPattern(s *Socket) *serverPattern {
	return &serverPattern{s: s, byKey: map[uint32]*pipe{}, nextID: rand.Uint32()}
}

func (x *serverPattern) attach(p *pipe) {
	for x.nextID == 0 || x.byKey[x.nextID] != nil {
		x.nextID++
	}
	p.routeKey = x.nextID
	x.nextID++
	x.byKey[p.routeKey] = p
	x.fq.add(p)
}

func (x *serverPattern) detach(p *pipe) {
	if x.byKey[p.routeKey] == p {
		delete(x.byKey, p.routeKey)
	}
	if msg := x.s.opt.disconnectMsg; len(msg) > 0 && !p.connectSide && p.handshaken() {
		// DISCONNECT_MSG: after what the peer sent, the application
		// receives this as the peer's last message, as from libzmq
		// (for peers that connected to this socket).
		p.in.q.pushFinal(frame{data: msg})
	}
}

func (x *serverPattern) peerReady(p *pipe) {}
func (x *serverPattern) readable(p *pipe)  { x.fq.add(p) }
func (x *serverPattern) writable(p *pipe)  {}
func (x *serverPattern) hasIn() bool       { return x.fq.hasIn() }
func (x *serverPattern) hasOut() bool      { return true }

func (x *serverPattern) send(m []frame) error {
	o := x.s.sendOpts
	if !o.hasID {
		return EHOSTUNREACH
	}
	p := x.byKey[uint32(o.routingID)]
	if p == nil {
		return EHOSTUNREACH
	}
	if !p.out.push(m, false) {
		return eagain
	}
	return nil
}

func (x *serverPattern) recv() ([]frame, *pipe, error) {
	for {
		m, p, ok := x.fq.recv()
		if !ok {
			return nil, nil, eagain
		}
		if len(m) == 1 {
			return m, p, nil
		}
	}
}

// ConnectPeer connects a PEER socket and returns the routing id of the new
// peer, to send to it with OptRoutingId.
func (s *Socket) ConnectPeer(endpoint string) (uint32, error) {
	if s.typ != PEER {
		return 0, ENOTSUP
	}
	s.mu.Lock()
	immediate := s.opt.immediate
	s.mu.Unlock()
	if immediate {
		return 0, efault
	}
	if err := s.Connect(endpoint); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lastConnected == nil || s.lastConnected.endpoint != endpoint {
		return 0, efault
	}
	return s.lastConnected.routeKey, nil
}

// ---- RADIO and DISH: groups ----

// radioPattern sends each message to the peers that joined its group,
// dropping it for peers whose queue is full.
type radioPattern struct {
	s     *Socket
	pipes []*pipe
	fq    fairQueue // JOIN/LEAVE from dishes
	msg   []frame
}

func (x *radioPattern) attach(p *pipe) {
	x.pipes = append(x.pipes, p)
	x.fq.add(p)
}

func (x *radioPattern) detach(p *pipe) {
	for i, q := range x.pipes {
		if q == p {
			x.pipes = append(x.pipes[:i], x.pipes[i+1:]...)
			break
		}
	}
	x.fq.remove(p)
}

func (x *radioPattern) peerReady(p *pipe) {}
func (x *radioPattern) readable(p *pipe)  { x.fq.add(p) }
func (x *radioPattern) writable(p *pipe)  {}
func (x *radioPattern) hasIn() bool       { return false }
func (x *radioPattern) hasOut() bool      { return true }

func (x *radioPattern) recv() ([]frame, *pipe, error) { return nil, nil, ENOTSUP }

// processInput applies the JOIN and LEAVE commands dishes sent.
func (x *radioPattern) processInput() {
	for {
		m, p, ok := x.fq.recv()
		if !ok {
			return
		}
		f := m[0]
		if p.groups == nil {
			p.groups = map[string]bool{}
		}
		switch {
		case f.flags&frameJoin != 0:
			p.groups[string(f.data)] = true
		case f.flags&frameLeave != 0:
			delete(p.groups, string(f.data))
		}
	}
}

func (x *radioPattern) send(m []frame) error {
	x.processInput()
	shareFrames(m)
	group := x.s.sendOpts.group
	// On the wire a RADIO message is two frames: the group, then the body.
	x.msg = append(x.msg[:0], frame{data: []byte(group), flags: frameMore}, m[0])
	wanted, behind := false, false
	for _, p := range x.pipes {
		// Over udp no JOIN arrives: every group goes out and the DISH
		// filters.
		if p.udp || p.groups[group] {
			wanted = true
			if !p.out.push(x.msg, false) {
				x.s.stats.drops.HWM++
				behind = true
			}
		}
	}
	if !wanted {
		x.s.stats.drops.NoSubscriber++
	}
	if behind {
		x.s.noteBehind()
	}
	return nil
}

// dishPattern receives the messages of the groups it joined, and tells
// every RADIO which groups those are.
type dishPattern struct {
	s         *Socket
	fq        fairQueue
	pipes     []*pipe
	groups    map[string]bool
	lastGroup string
	one       [1]frame
}

func (x *dishPattern) attach(p *pipe) {
	x.pipes = append(x.pipes, p)
	x.fq.add(p)
	for g := range x.groups {
		p.out.pushFrame(frame{data: []byte(g), flags: frameJoin}, true)
	}
}

func (x *dishPattern) detach(p *pipe) {
	for i, q := range x.pipes {
		if q == p {
			x.pipes = append(x.pipes[:i], x.pipes[i+1:]...)
			break
		}
	}
}

// peerReady joins the groups again on a new connection of a kept pipe.
func (x *dishPattern) peerReady(p *pipe) {
	if p.connections > 1 {
		p.out.discard()
		for g := range x.groups {
			p.out.pushFrame(frame{data: []byte(g), flags: frameJoin}, true)
		}
	}
}

func (x *dishPattern) readable(p *pipe)     { x.fq.add(p) }
func (x *dishPattern) writable(p *pipe)     {}
func (x *dishPattern) hasOut() bool         { return false }
func (x *dishPattern) send(m []frame) error { return ENOTSUP }

func (x *dishPattern) hasIn() bool { return x.fq.hasIn() }

func (x *dishPattern) recv() ([]frame, *pipe, error) {
	for {
		m, p, ok := x.fq.recv()
		if !ok {
			return nil, nil, eagain
		}
		if len(m) != 2 || !x.groups[string(m[0].data)] {
			continue
		}
		x.lastGroup = string(m[0].data)
		x.one[0] = frame{data: m[1].data}
		return x.one[:], p, nil
	}
}

// Join makes a DISH socket receive the messages of group.
func (s *Socket) Join(group string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkUsable(); err != nil {
		return err
	}
	x, ok := s.pat.(*dishPattern)
	if !ok {
		return ENOTSUP
	}
	if len(group) > 255 || x.groups[group] {
		return einval
	}
	if x.groups == nil {
		x.groups = map[string]bool{}
	}
	x.groups[group] = true
	for _, p := range x.pipes {
		p.out.pushFrame(frame{data: []byte(group), flags: frameJoin}, true)
	}
	return nil
}

// Leave stops a DISH socket receiving the messages of group.
func (s *Socket) Leave(group string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkUsable(); err != nil {
		return err
	}
	x, ok := s.pat.(*dishPattern)
	if !ok {
		return ENOTSUP
	}
	if !x.groups[group] {
		return einval
	}
	delete(x.groups, group)
	for _, p := range x.pipes {
		p.out.pushFrame(frame{data: []byte(group), flags: frameLeave}, true)
	}
	return nil
}

// RecvWithOpts receives a message part and the options asked for
// (OptRoutingId for SERVER and PEER, OptGroup for DISH), in the order given.
func (s *Socket) RecvWithOpts(flags Flag, options ...interface{}) (string, []interface{}, error) {
	b, o, err := s.RecvBytesWithOpts(flags, options...)
	return string(b), o, err
}

// RecvBytesWithOpts is RecvWithOpts returning bytes.
func (s *Socket) RecvBytesWithOpts(flags Flag, options ...interface{}) ([]byte, []interface{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	opts := make([]interface{}, len(options))
	b, err := s.recvPartLocked(flags)
	if err != nil {
		return []byte{}, opts, err
	}
	for i, opt := range options {
		switch opt.(type) {
		case OptRoutingId:
			var id uint32
			if s.recvPipe != nil {
				id = s.recvPipe.routeKey
			}
			opts[i] = OptRoutingId(id)
		case OptGroup:
			var g string
			if x, ok := s.pat.(*dishPattern); ok {
				g = x.lastGroup
			}
			opts[i] = OptGroup(g)
		default:
			return []byte{}, opts, einval
		}
	}
	return nonNil(b), opts, nil
}
