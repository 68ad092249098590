package transport

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"syscall"

	"github.com/purezmq/zmq4/internal/netif"
)

// A udp endpoint is read as libzmq 4.3.5 reads it: "[iface;]host:port".
//
// Without iface, host:port is the destination of a connect, and for a bind
// the local address to receive on ("*", an interface name, or an address
// or host name). A multicast host (224.0.0.0/4, ff00::/8) is a group: a
// bind receives on the port at every address and joins the group, a
// connect sends to it.
//
// With iface, the host must be a multicast group and iface names the
// interface the group is joined and sent on: "*" (let the system choose),
// an interface name, or, for IPv4 only, a numeric address of the interface.
//
// IPv6 addresses need ZMQ_IPV6 (SetIpv6), as in libzmq.

// UDPAddress is a parsed udp endpoint.
type UDPAddress struct {
	// dest is the destination of a connect, the local address of a
	// unicast bind, or the multicast group and port.
	dest      netip.AddrPort
	multicast bool
	// iface is the interface part as written, "" when there is none.
	iface string
	// ifaceAddr is the IPv4 interface to join and send multicast on; the
	// unspecified address (or none) lets the system choose.
	ifaceAddr netip.Addr
	// ifaceIndex is the IPv6 interface to join and send multicast on; 0
	// lets the system choose.
	ifaceIndex int
}

// ParseUDPAddress parses the part of a udp endpoint after "udp://" for a
// bind or a connect. Malformed endpoints give syscall.EINVAL; an interface
// or local address that does not exist gives syscall.ENODEV, as in libzmq.
func ParseUDPAddress(s string, bind, ipv6 bool) (UDPAddress, error) {
	var a UDPAddress
	hasIface := false
	if i := strings.LastIndexByte(s, ';'); i >= 0 {
		a.iface, s = s[:i], s[i+1:]
		hasIface = true
		if a.iface == "" {
			return UDPAddress{}, syscall.EINVAL
		}
	}
	host, port, err := splitUDPHostPort(s, bind)
	if err != nil {
		return UDPAddress{}, err
	}
	ip, err := resolveUDPHost(host, bind, ipv6)
	if err != nil {
		return UDPAddress{}, err
	}
	a.dest = netip.AddrPortFrom(ip, port)
	a.multicast = ip.IsMulticast()
	if !hasIface {
		return a, nil
	}
	if !a.multicast {
		// An interface makes sense only for a multicast group.
		return UDPAddress{}, syscall.EINVAL
	}
	if err := a.resolveInterface(ipv6); err != nil {
		return UDPAddress{}, err
	}
	return a, nil
}

// splitUDPHostPort splits "host:port" at the last colon and drops the
// brackets around an IPv6 host. The port is a number from 1 to 65535, "0",
// or, for a bind, "*" (both 0: the system picks one).
func splitUDPHostPort(s string, bind bool) (string, uint16, error) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return "", 0, syscall.EINVAL
	}
	host, port := s[:i], s[i+1:]
	if len(host) >= 2 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	if host == "" {
		return "", 0, syscall.EINVAL
	}
	switch port {
	case "*":
		if !bind {
			return "", 0, syscall.EINVAL
		}
		return host, 0, nil
	case "0":
		return host, 0, nil
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || n == 0 || port[0] == '+' {
		return "", 0, syscall.EINVAL
	}
	return host, uint16(n), nil
}

// resolveUDPHost resolves the host of a udp endpoint: "*" and interface
// names for a bind, then a numeric address (with an optional %zone), then
// a host name. What does not resolve is ENODEV for a bind and EINVAL for a
// connect, as in libzmq.
func resolveUDPHost(host string, bind, ipv6 bool) (netip.Addr, error) {
	fail := syscall.EINVAL
	if bind {
		fail = syscall.ENODEV
	}
	zone := ""
	if i := strings.LastIndexByte(host, '%'); i >= 0 {
		host, zone = host[:i], host[i+1:]
		if checkZone(zone) != nil {
			return netip.Addr{}, syscall.EINVAL
		}
	}
	if bind && host == "*" {
		if ipv6 {
			return netip.IPv6Unspecified(), nil
		}
		return netip.IPv4Unspecified(), nil
	}
	if bind {
		if ip, ok := netif.FirstIP(host, ipv6); ok {
			return ip, nil
		}
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		if host == "*" || strings.ContainsAny(host, "%[]") {
			return netip.Addr{}, fail
		}
		ip, err = lookupUDPHost(host, ipv6)
		if err != nil {
			return netip.Addr{}, fail
		}
	}
	ip = ip.Unmap()
	if ip.Is6() && !ipv6 {
		return netip.Addr{}, fail
	}
	if ip.Is6() && zone != "" {
		ip = ip.WithZone(zone)
	}
	return ip, nil
}

// lookupUDPHost resolves a host name: its first IPv4 address, or with IPv6
// on its first address of either family.
func lookupUDPHost(host string, ipv6 bool) (netip.Addr, error) {
	network := "ip4"
	if ipv6 {
		network = "ip"
	}
	ips, err := net.DefaultResolver.LookupNetIP(context.Background(), network, host)
	if err != nil {
		return netip.Addr{}, err
	}
	if len(ips) == 0 {
		return netip.Addr{}, syscall.EINVAL
	}
	return ips[0], nil
}

// resolveInterface resolves the interface part of a multicast endpoint.
// An IPv4 group takes the interface's IPv4 address (an interface name or
// a numeric address); an IPv6 group takes an interface index, which only
// an interface name gives (libzmq has no way from an address either).
// "*" lets the system choose.
func (a *UDPAddress) resolveInterface(ipv6 bool) error {
	v6 := a.dest.Addr().Is6()
	if a.iface == "*" {
		return nil
	}
	if ifi, ok := netif.ByName(a.iface); ok {
		if v6 {
			a.ifaceIndex = ifi.Index
			return nil
		}
		ip, ok := ifi.FirstIP(false)
		if !ok {
			return syscall.ENODEV
		}
		a.ifaceAddr = ip
		return nil
	}
	text := a.iface
	if len(text) >= 2 && text[0] == '[' && text[len(text)-1] == ']' {
		text = text[1 : len(text)-1]
	}
	ip, err := netip.ParseAddr(text)
	if err != nil {
		return syscall.ENODEV
	}
	ip = ip.Unmap()
	switch {
	case ip.IsMulticast():
		// A group cannot be the interface.
		return syscall.EINVAL
	case ip.Is6() && !ipv6:
		return syscall.ENODEV
	case ip.Is6() != v6:
		return syscall.EINVAL
	case v6:
		return syscall.ENODEV
	}
	a.ifaceAddr = ip
	return nil
}

// network returns the Go network for a socket on a's family. An IPv6
// wildcard bind is dual-stack, as libzmq leaves IPV6_V6ONLY off.
func (a UDPAddress) network() string {
	switch {
	case a.dest.Addr().Is4():
		return "udp4"
	case a.dest.Addr().IsUnspecified():
		return "udp"
	}
	return "udp6"
}

// senderNetwork returns the Go network for a sending socket on the
// destination's family.
func (a UDPAddress) senderNetwork() string {
	if a.dest.Addr().Is4() {
		return "udp4"
	}
	return "udp6"
}

// Destination is where a connect sends: the peer's address or the group,
// and the port.
func (a UDPAddress) Destination() netip.AddrPort { return a.dest }

// localAddress is where a bind receives: the wildcard address of the
// group's family for multicast (as libzmq binds), the address itself
// otherwise.
func (a UDPAddress) localAddress() netip.AddrPort {
	if !a.multicast {
		return a.dest
	}
	if a.dest.Addr().Is4() {
		return netip.AddrPortFrom(netip.IPv4Unspecified(), a.dest.Port())
	}
	return netip.AddrPortFrom(netip.IPv6Unspecified(), a.dest.Port())
}

// BoundEndpoint renders a bound udp endpoint with the port actually used:
// the local address for unicast, the interface and group for multicast.
func (a UDPAddress) BoundEndpoint(port uint16) string {
	if !a.multicast {
		return "udp://" + netip.AddrPortFrom(a.dest.Addr(), port).String()
	}
	prefix := ""
	if a.iface != "" {
		prefix = a.iface + ";"
	}
	return "udp://" + prefix + netip.AddrPortFrom(a.dest.Addr(), port).String()
}
