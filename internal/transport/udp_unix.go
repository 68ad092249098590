//go:build unix

package transport

import (
	"os"

	"golang.org/x/sys/unix"
)

// setUDPReuse lets several receiving sockets share a port: SO_REUSEADDR
// always, and SO_REUSEPORT too for a multicast group, as libzmq sets them.
func setUDPReuse(fd uintptr, multicast bool) error {
	if err := unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return os.NewSyscallError("setsockopt SO_REUSEADDR", err)
	}
	if multicast {
		return setReusePort(int(fd))
	}
	return nil
}

// joinUDPGroup joins the endpoint's group on its interface (the system's
// choice when it names none) and, where the system has it, stops the
// socket receiving groups it did not join.
func joinUDPGroup(fd uintptr, a UDPAddress) error {
	group := a.dest.Addr()
	if group.Is4() {
		mreq := &unix.IPMreq{Multiaddr: group.As4()}
		if a.ifaceAddr.IsValid() {
			mreq.Interface = a.ifaceAddr.As4()
		}
		if err := unix.SetsockoptIPMreq(int(fd), unix.IPPROTO_IP, unix.IP_ADD_MEMBERSHIP, mreq); err != nil {
			return os.NewSyscallError("setsockopt IP_ADD_MEMBERSHIP", err)
		}
	} else {
		mreq := &unix.IPv6Mreq{Multiaddr: group.As16(), Interface: uint32(a.ifaceIndex)}
		if err := unix.SetsockoptIPv6Mreq(int(fd), unix.IPPROTO_IPV6, unix.IPV6_JOIN_GROUP, mreq); err != nil {
			return os.NewSyscallError("setsockopt IPV6_JOIN_GROUP", err)
		}
	}
	return receiveOnlyJoinedGroups(int(fd), group.Is6())
}

// setMulticastSender sets the loop, TTL and interface a RADIO sends its
// multicast datagrams with. The IPv4 loop and TTL are single bytes, which
// every Unix takes (some take nothing else).
func setMulticastSender(fd uintptr, a UDPAddress, loop bool, hops int) error {
	s := int(fd)
	loopValue := 0
	if loop {
		loopValue = 1
	}
	if a.dest.Addr().Is4() {
		if err := unix.SetsockoptByte(s, unix.IPPROTO_IP, unix.IP_MULTICAST_LOOP, byte(loopValue)); err != nil {
			return os.NewSyscallError("setsockopt IP_MULTICAST_LOOP", err)
		}
		if err := unix.SetsockoptByte(s, unix.IPPROTO_IP, unix.IP_MULTICAST_TTL, byte(hops)); err != nil {
			return os.NewSyscallError("setsockopt IP_MULTICAST_TTL", err)
		}
		if a.ifaceAddr.IsValid() && !a.ifaceAddr.IsUnspecified() {
			if err := unix.SetsockoptInet4Addr(s, unix.IPPROTO_IP, unix.IP_MULTICAST_IF, a.ifaceAddr.As4()); err != nil {
				return os.NewSyscallError("setsockopt IP_MULTICAST_IF", err)
			}
		}
		return nil
	}
	if err := unix.SetsockoptInt(s, unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_LOOP, loopValue); err != nil {
		return os.NewSyscallError("setsockopt IPV6_MULTICAST_LOOP", err)
	}
	if err := unix.SetsockoptInt(s, unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_HOPS, hops); err != nil {
		return os.NewSyscallError("setsockopt IPV6_MULTICAST_HOPS", err)
	}
	if a.ifaceIndex > 0 {
		if err := unix.SetsockoptInt(s, unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_IF, a.ifaceIndex); err != nil {
			return os.NewSyscallError("setsockopt IPV6_MULTICAST_IF", err)
		}
	}
	return nil
}
