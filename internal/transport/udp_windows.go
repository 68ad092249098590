package transport

import (
	"os"
	"syscall"
)

// setUDPReuse lets several receiving sockets share a port (SO_REUSEADDR,
// which on Windows also covers what SO_REUSEPORT does elsewhere).
func setUDPReuse(fd uintptr, multicast bool) error {
	if err := syscall.SetsockoptInt(syscall.Handle(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
		return os.NewSyscallError("setsockopt SO_REUSEADDR", err)
	}
	return nil
}

// joinUDPGroup joins the endpoint's group on its interface (the system's
// choice when it names none).
func joinUDPGroup(fd uintptr, a UDPAddress) error {
	h := syscall.Handle(fd)
	group := a.dest.Addr()
	if group.Is4() {
		mreq := &syscall.IPMreq{Multiaddr: group.As4()}
		if a.ifaceAddr.IsValid() {
			mreq.Interface = a.ifaceAddr.As4()
		}
		if err := syscall.SetsockoptIPMreq(h, syscall.IPPROTO_IP, syscall.IP_ADD_MEMBERSHIP, mreq); err != nil {
			return os.NewSyscallError("setsockopt IP_ADD_MEMBERSHIP", err)
		}
		return nil
	}
	mreq := &syscall.IPv6Mreq{Multiaddr: group.As16(), Interface: uint32(a.ifaceIndex)}
	if err := syscall.SetsockoptIPv6Mreq(h, syscall.IPPROTO_IPV6, syscall.IPV6_JOIN_GROUP, mreq); err != nil {
		return os.NewSyscallError("setsockopt IPV6_JOIN_GROUP", err)
	}
	return nil
}

// setMulticastSender sets the loop, TTL and interface a RADIO sends its
// multicast datagrams with (each a DWORD on Windows).
func setMulticastSender(fd uintptr, a UDPAddress, loop bool, hops int) error {
	h := syscall.Handle(fd)
	loopValue := 0
	if loop {
		loopValue = 1
	}
	if a.dest.Addr().Is4() {
		if err := syscall.SetsockoptInt(h, syscall.IPPROTO_IP, syscall.IP_MULTICAST_LOOP, loopValue); err != nil {
			return os.NewSyscallError("setsockopt IP_MULTICAST_LOOP", err)
		}
		if err := syscall.SetsockoptInt(h, syscall.IPPROTO_IP, syscall.IP_MULTICAST_TTL, hops); err != nil {
			return os.NewSyscallError("setsockopt IP_MULTICAST_TTL", err)
		}
		if a.ifaceAddr.IsValid() && !a.ifaceAddr.IsUnspecified() {
			if err := syscall.SetsockoptInet4Addr(h, syscall.IPPROTO_IP, syscall.IP_MULTICAST_IF, a.ifaceAddr.As4()); err != nil {
				return os.NewSyscallError("setsockopt IP_MULTICAST_IF", err)
			}
		}
		return nil
	}
	if err := syscall.SetsockoptInt(h, syscall.IPPROTO_IPV6, syscall.IPV6_MULTICAST_LOOP, loopValue); err != nil {
		return os.NewSyscallError("setsockopt IPV6_MULTICAST_LOOP", err)
	}
	if err := syscall.SetsockoptInt(h, syscall.IPPROTO_IPV6, syscall.IPV6_MULTICAST_HOPS, hops); err != nil {
		return os.NewSyscallError("setsockopt IPV6_MULTICAST_HOPS", err)
	}
	if a.ifaceIndex > 0 {
		if err := syscall.SetsockoptInt(h, syscall.IPPROTO_IPV6, syscall.IPV6_MULTICAST_IF, a.ifaceIndex); err != nil {
			return os.NewSyscallError("setsockopt IPV6_MULTICAST_IF", err)
		}
	}
	return nil
}
