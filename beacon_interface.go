package zmq4

import (
	"fmt"
	"net"
	"net/netip"
)

// beaconRoute is where a beacon sends and what it reports as its hostname.
type beaconRoute struct {
	hostname  string
	broadcast netip.Addr
}

// beaconCandidate is one IPv4 address of an interface a beacon may use.
type beaconCandidate struct {
	name      string
	address   netip.Addr
	broadcast netip.Addr
}

// beaconRouteFor applies the interface choice, the loopback option and the
// broadcast address override of cfg.
func beaconRouteFor(cfg beaconConfig) (beaconRoute, error) {
	var route beaconRoute
	switch {
	case cfg.loopback:
		route = beaconRoute{hostname: "127.0.0.1", broadcast: netip.AddrFrom4([4]byte{127, 255, 255, 255})}
	case cfg.iface == "*":
		route = beaconRoute{hostname: "*", broadcast: netip.AddrFrom4([4]byte{255, 255, 255, 255})}
	default:
		candidates, err := beaconCandidates()
		if err != nil {
			return beaconRoute{}, err
		}
		chosen, ok := pickBeaconCandidate(candidates, cfg.iface)
		if !ok {
			return beaconRoute{}, fmt.Errorf("%w (interface %q)", ErrBeaconNoInterface, cfg.iface)
		}
		route = beaconRoute{hostname: chosen.address.String(), broadcast: chosen.broadcast}
	}
	if cfg.broadcast != "" {
		address, err := netip.ParseAddr(cfg.broadcast)
		if err != nil || !address.Unmap().Is4() {
			return beaconRoute{}, fmt.Errorf("zmq4: beacon broadcast address %q is not an IPv4 address", cfg.broadcast)
		}
		route.broadcast = address.Unmap()
	}
	return route, nil
}

// pickBeaconCandidate chooses among candidates as zbeacon reads
// ZSYS_INTERFACE: a single digit is an index, otherwise the first candidate
// whose name or address equals spec, or simply the first when spec is "".
func pickBeaconCandidate(candidates []beaconCandidate, spec string) (beaconCandidate, bool) {
	if len(spec) == 1 && spec[0] >= '0' && spec[0] <= '9' {
		index := int(spec[0] - '0')
		if index < len(candidates) {
			return candidates[index], true
		}
		return beaconCandidate{}, false
	}
	for _, c := range candidates {
		if spec == "" || spec == c.name || spec == c.address.String() {
			return c, true
		}
	}
	return beaconCandidate{}, false
}

// beaconCandidates lists, in the system's order, the IPv4 addresses of the
// interfaces zbeacon would consider: up, able to broadcast, neither
// loopback nor point-to-point.
func beaconCandidates() ([]beaconCandidate, error) {
	interfaces, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	var candidates []beaconCandidate
	for _, iface := range interfaces {
		if iface.Flags&net.FlagUp == 0 || iface.Flags&net.FlagBroadcast == 0 ||
			iface.Flags&net.FlagLoopback != 0 || iface.Flags&net.FlagPointToPoint != 0 {
			continue
		}
		addrs, err := iface.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if c, ok := beaconCandidateFrom(iface.Name, a); ok {
				candidates = append(candidates, c)
			}
		}
	}
	return candidates, nil
}

// beaconCandidateFrom makes a candidate of an interface address if it is
// IPv4, with the broadcast address its netmask gives.
func beaconCandidateFrom(name string, a net.Addr) (beaconCandidate, bool) {
	ipNet, ok := a.(*net.IPNet)
	if !ok {
		return beaconCandidate{}, false
	}
	ip4 := ipNet.IP.To4()
	mask := ipNet.Mask
	if len(mask) == net.IPv6len {
		mask = mask[12:]
	}
	if ip4 == nil || len(mask) != net.IPv4len {
		return beaconCandidate{}, false
	}
	var address, broadcast [4]byte
	for i := range 4 {
		address[i] = ip4[i]
		broadcast[i] = ip4[i] | ^mask[i]
	}
	return beaconCandidate{name: name, address: netip.AddrFrom4(address), broadcast: netip.AddrFrom4(broadcast)}, true
}
