package authpolicy

import (
	"net/netip"
	"strings"
)

// hasAddresses reports whether any address list applies to domain.
func hasAddresses(lists map[string]*addressSet, domain string) bool {
	for _, d := range domainsOf(domain) {
		if set := lists[d]; set != nil && !set.empty() {
			return true
		}
	}
	return false
}

// matchAddress reports whether address is on a list that applies to domain.
func matchAddress(lists map[string]*addressSet, domain, address string) bool {
	for _, d := range domainsOf(domain) {
		if set := lists[d]; set != nil && set.contains(address) {
			return true
		}
	}
	return false
}

// addressSet is a list of IP networks (single addresses are /32 or /128).
type addressSet struct {
	prefixes []netip.Prefix
}

// empty reports whether the set lists nothing.
func (s *addressSet) empty() bool { return len(s.prefixes) == 0 }

// contains reports whether the textual address is in the set.
func (s *addressSet) contains(address string) bool {
	addr, err := netip.ParseAddr(address)
	if err != nil {
		return false
	}
	addr = addr.Unmap().WithZone("")
	for _, p := range s.prefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// parseAddressPattern reads an IP address or a CIDR network.
func parseAddressPattern(s string) (netip.Prefix, bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Masked(), p.IsValid()
	}
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	addr = addr.Unmap().WithZone("")
	return netip.PrefixFrom(addr, addr.BitLen()), true
}
