package zmq4

import (
	"encoding/binary"
	"math/rand/v2"
)

// streamPattern speaks raw TCP: each connection gets a routing id; received
// data arrives as [id][bytes], and [id][bytes] sends bytes to that
// connection ([id][empty] closes it). With STREAM_NOTIFY, [id][empty] is
// also received when a connection opens and when it closes.
type streamPattern struct {
	s      *Socket
	fq     fairQueue
	byID   map[string]*pipe
	nextID uint32
	msg    []frame
}

func newStreamPattern(s *Socket) *streamPattern {
	return &streamPattern{s: s, byID: map[string]*pipe{}, nextID: rand.Uint32()}
}

func (x *streamPattern) attach(p *pipe) {
	id := p.connectRid
	if len(id) == 0 {
		for {
			id = make([]byte, 5)
			binary.BigEndian.PutUint32(id[1:], x.nextID)
			x.nextID++
			if x.byID[string(id)] == nil {
				break
			}
		}
		// As libzmq's STREAM, the socket's ROUTING_ID option then reads
		// the id it gave last.
		x.s.opt.identity = string(id)
	}
	p.routingID = id
	x.byID[string(id)] = p
	x.fq.add(p)
}

func (x *streamPattern) detach(p *pipe) {
	if x.byID[string(p.routingID)] == p {
		delete(x.byID, string(p.routingID))
	}
}

func (x *streamPattern) peerReady(p *pipe) {}
func (x *streamPattern) readable(p *pipe) {
	if p.routingID != nil { // not before attach has named it
		x.fq.add(p)
	}
}
func (x *streamPattern) writable(p *pipe) {}
func (x *streamPattern) hasIn() bool      { return x.fq.hasIn() }
func (x *streamPattern) hasOut() bool     { return true }

// checkRoute fails for an unknown connection, as libzmq's STREAM does.
func (x *streamPattern) checkRoute(id []byte, flags Flag) error {
	if x.byID[string(id)] == nil {
		return EHOSTUNREACH
	}
	return nil
}

func (x *streamPattern) send(m []frame) error {
	if len(m) < 2 {
		return nil
	}
	p := x.byID[string(m[0].data)]
	if p == nil {
		return EHOSTUNREACH
	}
	data := m[1]
	data.flags = 0
	if !p.out.pushFrame(data, len(data.data) == 0) {
		return eagain
	}
	return nil
}

func (x *streamPattern) recv() ([]frame, *pipe, error) {
	m, p, ok := x.fq.recv()
	if !ok {
		return nil, nil, eagain
	}
	x.msg = append(x.msg[:0], frame{data: p.routingID, flags: frameMore}, frame{data: m[0].data})
	return x.msg, p, nil
}
