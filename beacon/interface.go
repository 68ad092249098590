package beacon

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/purezmq/zmq4/internal/netif"
)

// route is where a beacon sends and what it reports as its hostname.
type route struct {
	hostname  string
	broadcast netip.Addr
}

// candidate is one IPv4 address of an interface a beacon may use.
type candidate struct {
	name      string
	address   netip.Addr
	broadcast netip.Addr
}

// routeFor applies the interface choice, the loopback option and the
// broadcast address override of cfg.
func routeFor(cfg config) (route, error) {
	var r route
	switch {
	case cfg.loopback:
		r = route{hostname: "127.0.0.1", broadcast: netip.AddrFrom4([4]byte{127, 255, 255, 255})}
	case cfg.iface == "*":
		r = route{hostname: "*", broadcast: netip.AddrFrom4([4]byte{255, 255, 255, 255})}
	default:
		candidates, err := listCandidates()
		if err != nil {
			return route{}, err
		}
		chosen, ok := pickCandidate(candidates, cfg.iface)
		if !ok {
			return route{}, fmt.Errorf("%w (interface %q)", ErrNoInterface, cfg.iface)
		}
		r = route{hostname: chosen.address.String(), broadcast: chosen.broadcast}
	}
	if cfg.broadcast != "" {
		address, err := netip.ParseAddr(cfg.broadcast)
		if err != nil || !address.Unmap().Is4() {
			return route{}, fmt.Errorf("beacon: broadcast address %q is not an IPv4 address", cfg.broadcast)
		}
		r.broadcast = address.Unmap()
	}
	return r, nil
}

// pickCandidate chooses among candidates as zbeacon reads
// ZSYS_INTERFACE: a single digit is an index, otherwise the first candidate
// whose name or address equals spec, or simply the first when spec is "".
func pickCandidate(candidates []candidate, spec string) (candidate, bool) {
	if len(spec) == 1 && spec[0] >= '0' && spec[0] <= '9' {
		index := int(spec[0] - '0')
		if index < len(candidates) {
			return candidates[index], true
		}
		return candidate{}, false
	}
	for _, c := range candidates {
		if spec == "" || spec == c.name || spec == c.address.String() {
			return c, true
		}
	}
	return candidate{}, false
}

// listCandidates lists, in the system's order, the IPv4 addresses of the
// interfaces zbeacon would consider: up, able to broadcast, neither
// loopback nor point-to-point.
func listCandidates() ([]candidate, error) {
	interfaces, err := netif.List()
	if err != nil {
		return nil, err
	}
	var candidates []candidate
	for _, iface := range interfaces {
		if iface.Flags&net.FlagUp == 0 || iface.Flags&net.FlagBroadcast == 0 ||
			iface.Flags&net.FlagLoopback != 0 || iface.Flags&net.FlagPointToPoint != 0 {
			continue
		}
		for _, a := range iface.Addrs {
			if c, ok := candidateFrom(iface.Name, a); ok {
				candidates = append(candidates, c)
			}
		}
	}
	return candidates, nil
}

// candidateFrom makes a candidate of an interface address if it is IPv4,
// with the broadcast address its netmask gives.
func candidateFrom(name string, a netif.Addr) (candidate, bool) {
	if !a.IP.Is4() || len(a.Mask) != net.IPv4len {
		return candidate{}, false
	}
	address := a.IP.As4()
	var broadcast [4]byte
	for i := range 4 {
		broadcast[i] = address[i] | ^a.Mask[i]
	}
	return candidate{name: name, address: a.IP, broadcast: netip.AddrFrom4(broadcast)}, true
}
