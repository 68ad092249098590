package zmq4

import (
	"errors"
	"net"
	"net/netip"
	"strings"
)

// The udp engine: no handshake; each message travels as one datagram
// (udp.go describes the formats). It shares the engine's life with the
// others (session.go) and supplies its read loop and batch writer.

// maxDishDatagram and maxDgramDatagram bound a received datagram (libzmq
// reads at most 8 KiB for RADIO/DISH; DGRAM gets the largest UDP payload).
const (
	maxDishDatagram  = 8192
	maxDgramDatagram = 65507
)

// startUDP attaches a pipe served by a datagram reader and writer. dest is
// where a RADIO sends (its socket is not connected); a bound socket has
// none. Call with s.mu held.
func (s *Socket) startUDP(conn *net.UDPConn, endpoint string, dest netip.AddrPort) *pipe {
	p := newNetPipe(s, s.opt.sndhwm, s.opt.rcvhwm, endpoint)
	p.udp = true
	e := newEngine(s, conn, endpoint)
	e.own(p, false)
	p.setPeer(map[string]string{}, "", nil)
	s.attachPipeLocked(p)
	u := &udpEngine{e: e, conn: conn, typ: s.typ, dest: dest}
	s.goTracked(func() {
		e.serve(u)
		e.release(false)
	})
	return p
}

// udpEngine moves datagrams for one udp socket: the udp engine's
// engineWire.
type udpEngine struct {
	e    *engine
	conn *net.UDPConn
	typ  Type
	dest netip.AddrPort // RADIO: the peer or group each datagram goes to
}

// readLoop receives datagrams until the connection is closed. A datagram
// that finds the inbound queue full is dropped. A RADIO receives nothing
// (libzmq's udp engine reads only for DISH and DGRAM): what reaches its
// socket is read and dropped.
func (u *udpEngine) readLoop() error {
	size := maxDishDatagram
	if u.typ == DGRAM {
		size = maxDgramDatagram
	}
	buf := make([]byte, size)
	for {
		n, from, err := u.conn.ReadFromUDP(buf)
		if err != nil {
			return err
		}
		if u.typ == RADIO {
			continue
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
			if _, err := u.conn.WriteToUDPAddrPort(d, u.dest); err != nil && !isTransient(err) {
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

// dgramAddress renders the sender of a datagram as libzmq does: "ip:port"
// with a terminating NUL byte, so that libzmq programs' address handling
// carries over. Sending accepts the address with or without the NUL.
func dgramAddress(from *net.UDPAddr) []byte {
	return append([]byte(from.String()), 0)
}
