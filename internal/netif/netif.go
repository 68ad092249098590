// Package netif is the one place that asks the system for network
// interfaces and their addresses: the tcp and udp endpoints (an interface
// name as the local address, the interface of a multicast group) and the
// beacon (the interface it broadcasts on) read them through it.
package netif

import (
	"net"
	"net/netip"
)

// Interface is one network interface and its IP addresses.
type Interface struct {
	Name  string
	Index int
	Flags net.Flags
	// Addrs are the interface's IP addresses in the system's order.
	Addrs []Addr
}

// Addr is one IP address of an interface with its netmask.
type Addr struct {
	// IP is the address: 4 bytes for IPv4 (never IPv4-mapped IPv6), and
	// for an IPv6 link-local address zoned with the interface's name.
	IP netip.Addr
	// Mask is the netmask as the system reports it, 4 bytes for IPv4 and
	// 16 for IPv6.
	Mask net.IPMask
}

// List returns every interface of the host with its addresses, in the
// system's order. An interface whose addresses cannot be read is listed
// without addresses.
func List() ([]Interface, error) {
	system, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	list := make([]Interface, 0, len(system))
	for i := range system {
		list = append(list, fromSystem(&system[i]))
	}
	return list, nil
}

// ByName returns the interface called name with its addresses, and false
// when there is none.
func ByName(name string) (Interface, bool) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return Interface{}, false
	}
	return fromSystem(ifi), true
}

// FirstIP returns the first address of the interface called name of one
// family: IPv6 when v6 is set, IPv4 otherwise (as libzmq looks for one
// family only).
func FirstIP(name string, v6 bool) (netip.Addr, bool) {
	ifi, ok := ByName(name)
	if !ok {
		return netip.Addr{}, false
	}
	return ifi.FirstIP(v6)
}

// FirstIP returns the interface's first address of one family: IPv6 when
// v6 is set, IPv4 otherwise.
func (ifi Interface) FirstIP(v6 bool) (netip.Addr, bool) {
	for _, a := range ifi.Addrs {
		if a.IP.Is6() == v6 {
			return a.IP, true
		}
	}
	return netip.Addr{}, false
}

// fromSystem converts ifi and reads its addresses.
func fromSystem(ifi *net.Interface) Interface {
	out := Interface{Name: ifi.Name, Index: ifi.Index, Flags: ifi.Flags}
	addrs, err := ifi.Addrs()
	if err != nil {
		return out
	}
	for _, a := range addrs {
		if addr, ok := convert(ifi.Name, a); ok {
			out.Addrs = append(out.Addrs, addr)
		}
	}
	return out
}

// convert makes an Addr of one address the system listed for the
// interface called name; only *net.IPNet values carry one.
func convert(name string, a net.Addr) (Addr, bool) {
	ipNet, ok := a.(*net.IPNet)
	if !ok {
		return Addr{}, false
	}
	ip, ok := netip.AddrFromSlice(ipNet.IP)
	if !ok {
		return Addr{}, false
	}
	ip = ip.Unmap()
	mask := ipNet.Mask
	if ip.Is4() && len(mask) == net.IPv6len {
		mask = mask[12:]
	}
	if ip.Is6() && ip.IsLinkLocalUnicast() {
		ip = ip.WithZone(name)
	}
	return Addr{IP: ip, Mask: mask}, true
}

// Exists reports whether the host has an interface called name.
func Exists(name string) bool {
	_, err := net.InterfaceByName(name)
	return err == nil
}
