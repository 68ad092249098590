package zmq4

import (
	"errors"
	"net"
	"strings"
	"sync"

	"github.com/purezmq/zmq4/internal/transport"
)

// The udp transport carries RADIO/DISH and DGRAM messages, one datagram
// each, as libzmq does: a DISH or DGRAM binds, a RADIO (or DGRAM) sends,
// to one peer or to a multicast group (internal/transport's udp*.go: the
// endpoint forms and the socket options).
// RADIO/DISH datagrams are group-length(1) + group + body; DGRAM messages
// are two parts, the peer's "ip:port" (NUL-terminated when received, as
// libzmq's) and the body.

// maxDatagram bounds a received datagram (libzmq reads at most 8 KiB for
// RADIO/DISH; DGRAM gets the largest UDP payload).
const (
	maxDishDatagram  = 8192
	maxDgramDatagram = 65507
)

// udpAllowed reports whether the socket type may use udp, and how.
func udpAllowed(t Type, bind bool) bool {
	switch t {
	case DISH:
		return bind
	case RADIO:
		return !bind
	case DGRAM:
		return bind
	}
	return false
}

// bindUDPLocked binds a udp endpoint. Call with s.mu held.
func (s *Socket) bindUDPLocked(addr, endpoint string) error {
	if !udpAllowed(s.typ, true) {
		return ENOCOMPATPROTO
	}
	a, err := transport.ParseUDPAddress(addr, true, s.opt.ipv6)
	if err != nil {
		return errnoOf(err)
	}
	conn, err := transport.ListenUDP(a)
	if err != nil {
		return errnoOf(err)
	}
	resolved := a.BoundEndpoint(conn.LocalAddr().(*net.UDPAddr).AddrPort().Port())
	p := s.startUDP(conn, endpoint)
	b := &binding{s: s, endpoint: resolved}
	b.udp = p
	s.binds[resolved] = append(s.binds[resolved], b)
	if resolved != endpoint {
		s.binds[endpoint] = append(s.binds[endpoint], b)
	}
	s.opt.lastEndpoint = resolved
	return nil
}

// connectUDPLocked makes a RADIO send to a udp endpoint. Call with s.mu held.
func (s *Socket) connectUDPLocked(addr, endpoint string) error {
	if !udpAllowed(s.typ, false) {
		return ENOCOMPATPROTO
	}
	a, err := transport.ParseUDPAddress(addr, false, s.opt.ipv6)
	if err != nil {
		return errnoOf(err)
	}
	conn, err := transport.DialUDP(a, s.opt.multicastLoop, s.opt.multicastHops)
	if err != nil {
		return errnoOf(err)
	}
	p := s.startUDP(conn, endpoint)
	p.connectSide = true
	s.opt.lastEndpoint = endpoint
	return nil
}

// startUDP attaches a pipe served by a datagram reader and writer.
func (s *Socket) startUDP(conn *net.UDPConn, endpoint string) *pipe {
	p := newNetPipe(s, s.opt.sndhwm, s.opt.rcvhwm, endpoint)
	p.udp = true
	e := &engine{s: s, conn: conn, endpoint: endpoint, p: p,
		wakeOut: make(chan struct{}, 1), wakeIn: make(chan struct{}, 1), done: make(chan struct{})}
	p.engine.Store(e)
	p.setStop(e.stop)
	p.setPeer(map[string]string{}, "", nil)
	e.outR = newQueueReader(p.out)
	s.attachPipeLocked(p)
	u := &udpEngine{e: e, conn: conn, typ: s.typ}
	var wg sync.WaitGroup
	wg.Add(1)
	s.goTracked(func() {
		defer wg.Done()
		e.writeLoop(u.write)
	})
	s.goTracked(func() {
		u.readLoop()
		e.stop(false)
		wg.Wait()
		p.in.q.close()
		s.detachPipe(p)
	})
	return p
}

// udpEngine moves datagrams for one udp socket.
type udpEngine struct {
	e    *engine
	conn *net.UDPConn
	typ  Type
}

func (u *udpEngine) readLoop() {
	size := maxDishDatagram
	if u.typ == DGRAM {
		size = maxDgramDatagram
	}
	buf := make([]byte, size)
	for {
		n, from, err := u.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		data := append([]byte(nil), buf[:n]...)
		var m []frame
		if u.typ == DGRAM {
			m = []frame{{data: dgramAddress(from), flags: frameMore}, {data: data}}
		} else {
			group, body, ok := parseDishDatagram(data)
			if !ok {
				continue
			}
			m = []frame{{data: group, flags: frameMore}, {data: body}}
		}
		if !u.e.p.in.q.push(m, false) {
			continue // full: datagrams are dropped, as UDP would
		}
	}
}

// parseDishDatagram splits a RADIO datagram: group-length(1), group, body.
// A datagram too short for its group length is refused.
func parseDishDatagram(d []byte) (group, body []byte, ok bool) {
	if len(d) < 1 || int(d[0]) > len(d)-1 {
		return nil, nil, false
	}
	gl := int(d[0])
	return d[1 : 1+gl : 1+gl], d[1+gl:], true
}

// write sends each queued message as one datagram.
func (u *udpEngine) write(fs []frame) error {
	for i := 0; i < len(fs); {
		j := i
		for j < len(fs) && fs[j].more() {
			j++
		}
		msg := fs[i : j+1]
		i = j + 1
		if msg[0].flags&(frameJoin|frameLeave|frameCommand|frameSubscribe|frameCancel) != 0 || len(msg) != 2 {
			continue // JOIN/LEAVE mean nothing over udp
		}
		switch u.typ {
		case RADIO:
			g := msg[0].data
			d := make([]byte, 0, 1+len(g)+len(msg[1].data))
			d = append(d, byte(len(g)))
			d = append(d, g...)
			d = append(d, msg[1].data...)
			if _, err := u.conn.Write(d); err != nil && !isTransient(err) {
				return err
			}
		case DGRAM:
			to, err := net.ResolveUDPAddr("udp", strings.TrimSuffix(string(msg[0].data), "\x00"))
			if err != nil {
				continue
			}
			if _, err := u.conn.WriteToUDP(msg[1].data, to); err != nil && !isTransient(err) {
				return err
			}
		}
	}
	return nil
}

// isTransient reports errors a udp sender should ignore (a refused
// datagram reported back by the kernel).
func isTransient(err error) bool {
	var ne *net.OpError
	return errors.As(err, &ne) && !errors.Is(err, net.ErrClosed)
}

// ---- DGRAM: raw datagrams addressed by "ip:port" ----

// dgramAddress renders the sender of a datagram as libzmq does: "ip:port"
// with a terminating NUL byte, so that libzmq programs' address handling
// carries over. Sending accepts the address with or without the NUL.
func dgramAddress(from *net.UDPAddr) []byte {
	return append([]byte(from.String()), 0)
}

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
