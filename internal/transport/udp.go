package transport

import (
	"context"
	"net"
	"syscall"
)

// Opening udp sockets as libzmq 4.3.5's udp engine does.
//
// A receiving socket (DISH, DGRAM) sets SO_REUSEADDR, so that several
// sockets on one host can bind the same port; for a multicast group it
// also sets SO_REUSEPORT, binds the wildcard address with the group's port
// and joins the group on the endpoint's interface. On Linux it also clears
// IP_MULTICAST_ALL (IPV6_MULTICAST_ALL), so that it receives only the
// groups it joined itself: libzmq leaves it on, and a DISH bound to one
// group there also gets the datagrams of any other group some socket on
// the host joined on the same port.
//
// A RADIO sends each datagram to the endpoint's address on a socket that
// is not connected (OpenUDPSender). Sending to a group, it sets
// IP_MULTICAST_LOOP from ZMQ_MULTICAST_LOOP (on by default: the sending
// host's own members receive too), the TTL (IPV6_MULTICAST_HOPS for IPv6)
// from ZMQ_MULTICAST_HOPS (default 1: the datagrams stay on the local
// network) and, when the endpoint names one, the interface to send on
// (IP_MULTICAST_IF with its address for IPv4, IPV6_MULTICAST_IF with its
// index for IPv6). Its socket is bound to no address: the system picks the
// source address from the interface and an ephemeral port. libzmq gives
// ZMQ_MULTICAST_HOPS to IP_MULTICAST_TTL at the IPv6 level, where that
// number means something else; here IPv6 groups get IPV6_MULTICAST_HOPS.

// ListenUDP opens the socket of a udp bind.
func ListenUDP(a UDPAddress) (*net.UDPConn, error) {
	lc := net.ListenConfig{Control: func(network, address string, c syscall.RawConn) error {
		return withFD(c, func(fd uintptr) error { return setUDPReuse(fd, a.multicast) })
	}}
	pc, err := lc.ListenPacket(context.Background(), a.network(), a.localAddress().String())
	if err != nil {
		return nil, err
	}
	conn := pc.(*net.UDPConn)
	if a.multicast {
		raw, err := conn.SyscallConn()
		if err == nil {
			err = withFD(raw, func(fd uintptr) error { return joinUDPGroup(fd, a) })
		}
		if err != nil {
			conn.Close()
			return nil, err
		}
	}
	return conn, nil
}

// OpenUDPSender opens the socket of a udp connect: bound to no address
// (the system picks the source address and an ephemeral port) and not
// connected, with the multicast options set. Datagrams go out with
// WriteToUDPAddrPort to the endpoint's Destination, as libzmq sends each
// with sendto: a connected socket would refuse a link-scope IPv6 group
// with no interface named (EINVAL), which sendto lets the system route.
func OpenUDPSender(a UDPAddress, loop bool, hops int) (*net.UDPConn, error) {
	if a.multicast && (hops < 1 || hops > 255) {
		return nil, syscall.EINVAL
	}
	lc := net.ListenConfig{Control: func(network, address string, c syscall.RawConn) error {
		if !a.multicast {
			return nil
		}
		return withFD(c, func(fd uintptr) error { return setMulticastSender(fd, a, loop, hops) })
	}}
	pc, err := lc.ListenPacket(context.Background(), a.senderNetwork(), ":0")
	if err != nil {
		return nil, err
	}
	return pc.(*net.UDPConn), nil
}

// withFD runs fn on the socket's descriptor and returns the first error.
func withFD(c syscall.RawConn, fn func(fd uintptr) error) error {
	var fnErr error
	if err := c.Control(func(fd uintptr) { fnErr = fn(fd) }); err != nil {
		return err
	}
	return fnErr
}
