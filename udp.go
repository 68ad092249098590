package zmq4

import (
	"net"
	"net/netip"

	"github.com/purezmq/zmq4/internal/transport"
)

// The udp transport carries RADIO/DISH and DGRAM messages, one datagram
// each, as libzmq does: a DISH or DGRAM binds, a RADIO (or DGRAM) sends,
// to one peer or to a multicast group (internal/transport's udp*.go: the
// endpoint forms and the socket options). This file binds and connects the
// transport; engine_udp.go moves the datagrams, type_dgram.go routes
// DGRAM's messages.
// RADIO/DISH datagrams are group-length(1) + group + body; DGRAM messages
// are two parts, the peer's "ip:port" (NUL-terminated when received, as
// libzmq's) and the body.

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
	p := s.startUDP(conn, endpoint, netip.AddrPort{})
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
	conn, err := transport.OpenUDPSender(a, s.opt.multicastLoop, s.opt.multicastHops)
	if err != nil {
		return errnoOf(err)
	}
	p := s.startUDP(conn, endpoint, a.Destination())
	p.connectSide = true
	s.opt.lastEndpoint = endpoint
	return nil
}
