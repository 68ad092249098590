package zmq4

import (
	"encoding/binary"
	"math/rand/v2"
)

// routerPattern receives fair-queued from all peers, prefixing each message
// with the sender's routing id, and sends each message to the peer whose id
// is its first part.
type routerPattern struct {
	s      *Socket
	fq     fairQueue
	byID   map[string]*pipe
	nextID uint32
	msg    []frame
}

func newRouterPattern(s *Socket) *routerPattern {
	return &routerPattern{s: s, byID: map[string]*pipe{}, nextID: rand.Uint32()}
}

// generateID makes libzmq's automatic id: a zero byte and a 32-bit counter.
func (x *routerPattern) generateID() []byte {
	for {
		id := make([]byte, 5)
		binary.BigEndian.PutUint32(id[1:], x.nextID)
		x.nextID++
		if _, taken := x.byID[string(id)]; !taken {
			return id
		}
	}
}

// attach names a raw connection's pipe at once (ROUTER_RAW has no
// handshake, so peerReady never comes): its CONNECT_ROUTING_ID or a
// generated id, never one the peer chose. A Connect with
// CONNECT_ROUTING_ID is named at once too, as libzmq names it when the
// Connect makes its pipe: messages to it queue until the connection is up.
func (x *routerPattern) attach(p *pipe) {
	if !p.raw && !(p.connectSide && len(p.connectRid) > 0) {
		return
	}
	id := p.connectRid
	if len(id) == 0 || x.byID[string(id)] != nil {
		id = x.generateID()
	}
	p.routingID = append([]byte(nil), id...)
	x.byID[string(p.routingID)] = p
	x.fq.add(p)
}

func (x *routerPattern) detach(p *pipe) {
	if p.routingID != nil && x.byID[string(p.routingID)] == p {
		delete(x.byID, string(p.routingID))
	}
	x.notify(p, NotifyDisconnect)
	if len(x.s.opt.disconnectMsg) > 0 && p.routingID != nil {
		// DISCONNECT_MSG: the application hears of the departure as a
		// message from the peer.
		x.s.pendingNotes = append(x.s.pendingNotes, [][]byte{p.routingID, x.s.opt.disconnectMsg})
	}
}

func (x *routerPattern) peerReady(p *pipe) {
	id := p.peerID
	if len(p.connectRid) > 0 {
		id = p.connectRid
	}
	if len(id) == 0 {
		id = x.generateID()
	} else if old, taken := x.byID[string(id)]; taken && old != p {
		if !x.s.opt.routerHandover {
			// The id is in use: refuse the newcomer.
			go x.s.refusePipe(p)
			return
		}
		// Handover: the newcomer takes the id; the old peer is dropped.
		old.routingID = x.generateID()
		go x.s.refusePipe(old)
	}
	p.routingID = append([]byte(nil), id...)
	x.byID[string(p.routingID)] = p
	x.fq.add(p)
	if x.s.opt.probeRouter {
		p.out.pushFrame(frame{}, true)
	}
	x.notify(p, NotifyConnect)
}

// notify queues the [id][empty] message of ROUTER_NOTIFY.
func (x *routerPattern) notify(p *pipe, what int) {
	if x.s.opt.routerNotify&what == 0 || p.routingID == nil {
		return
	}
	x.s.pendingNotes = append(x.s.pendingNotes, [][]byte{p.routingID, nil})
}

func (x *routerPattern) readable(p *pipe) {
	if p.routingID != nil {
		x.fq.add(p)
	}
}
func (x *routerPattern) writable(p *pipe) {}

func (x *routerPattern) hasOut() bool {
	if !x.s.opt.routerMandatory {
		return true
	}
	for _, p := range x.byID {
		if p.out.canPush() {
			return true
		}
	}
	return false
}

func (x *routerPattern) hasIn() bool { return len(x.s.pendingNotes) > 0 || x.fq.hasIn() }

// checkRoute fails for an unknown peer under ROUTER_MANDATORY, and with
// DONTWAIT for a full one (without it, the send blocks at the last part).
func (x *routerPattern) checkRoute(id []byte, flags Flag) error {
	if !x.s.opt.routerMandatory {
		return nil
	}
	p := x.byID[string(id)]
	if p == nil {
		return EHOSTUNREACH
	}
	if flags&DONTWAIT != 0 && !p.out.canPush() {
		return eagain
	}
	return nil
}

func (x *routerPattern) send(m []frame) error {
	if len(m) < 2 {
		return nil // an id with no body: ignored, as in libzmq
	}
	p := x.byID[string(m[0].data)]
	if p == nil {
		if x.s.opt.routerMandatory {
			return EHOSTUNREACH
		}
		x.s.stats.drops.Unroutable++
		return nil
	}
	if p.raw {
		// ROUTER_RAW: the second part is bytes for the connection (an
		// empty one closes it); further parts are dropped, as on STREAM.
		data := m[1]
		data.flags = 0
		if !p.out.pushFrame(data, len(data.data) == 0) {
			if x.s.opt.routerMandatory {
				return eagain
			}
			x.s.stats.drops.HWM++
			x.s.noteBehind()
		}
		return nil
	}
	if !p.out.push(m[1:], false) {
		if x.s.opt.routerMandatory {
			return eagain
		}
		x.s.stats.drops.HWM++
		x.s.noteBehind()
	}
	return nil
}

func (x *routerPattern) recv() ([]frame, *pipe, error) {
	if len(x.s.pendingNotes) > 0 {
		n := x.s.pendingNotes[0]
		x.s.pendingNotes = x.s.pendingNotes[1:]
		x.msg = append(x.msg[:0], frame{data: n[0], flags: frameMore}, frame{data: n[1]})
		return x.msg, nil, nil
	}
	m, p, ok := x.fq.recv()
	if !ok {
		return nil, nil, eagain
	}
	x.msg = append(x.msg[:0], frame{data: p.routingID, flags: frameMore})
	x.msg = append(x.msg, m...)
	return x.msg, p, nil
}
