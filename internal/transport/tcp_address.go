package transport

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/purezmq/zmq4/internal/netif"
)

// bindAddr is a resolved local tcp address.
type bindAddr struct {
	ip   netip.Addr
	port uint16
	// mapped marks an IPv4 address used while IPv6 is on: libzmq then binds
	// an IPv4-mapped IPv6 address and prints it as [::ffff:a.b.c.d].
	mapped bool
}

// resolveBindHostPort resolves "host:port" for binding as libzmq does: the
// host is "*", an interface name or a numeric address (no DNS); the port is
// "*", "0" (both ephemeral) or a number.
func resolveBindHostPort(hostport string, ipv6 bool) (bindAddr, error) {
	host, port, err := splitHostPort(hostport)
	if err != nil {
		return bindAddr{}, invalidf("%q: %v", hostport, err)
	}
	var n uint16
	if port != "*" {
		n, err = parsePortNumber(port)
		if err != nil {
			return bindAddr{}, invalidf("%q: %v", hostport, err)
		}
	}
	return resolveLocalHost(host, n, ipv6)
}

// resolveLocalHost resolves a bindable host: "*", an interface name, or a
// numeric IPv4/IPv6 address with an optional %zone.
func resolveLocalHost(host string, port uint16, ipv6 bool) (bindAddr, error) {
	zone := ""
	if i := strings.LastIndexByte(host, '%'); i >= 0 {
		host, zone = host[:i], host[i+1:]
		if err := checkZone(zone); err != nil {
			return bindAddr{}, err
		}
	}
	if host == "*" {
		if ipv6 {
			return bindAddr{ip: netip.IPv6Unspecified(), port: port}, nil
		}
		return bindAddr{ip: netip.IPv4Unspecified(), port: port}, nil
	}
	if ip, ok := netif.FirstIP(host, ipv6); ok {
		return bindAddr{ip: withZone(ip, zone), port: port}, nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		// Beyond libzmq, which refuses names here: a host name that
		// resolves to an address of this machine is bound to that address.
		resolved, rerr := resolveRemoteHost(context.Background(), host, ipv6)
		if rerr != nil {
			return bindAddr{}, errnof(syscall.ENODEV, "%q is neither an interface, a numeric address nor a resolvable host name", host)
		}
		ip = resolved
	}
	ip = ip.WithZone("")
	switch {
	case ip.Is4In6() || ip.Is4():
		return bindAddr{ip: ip.Unmap(), port: port, mapped: ipv6}, nil
	case !ipv6:
		return bindAddr{}, errnof(syscall.ENODEV, "IPv6 address %s while IPv6 is off", host)
	}
	return bindAddr{ip: withZone(ip, zone), port: port}, nil
}

// checkZone accepts an IPv6 zone that names an existing interface or is a
// non-zero interface index, as libzmq does.
func checkZone(zone string) error {
	if zone == "" {
		return invalidf("empty IPv6 zone")
	}
	if c := zone[0]; ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') {
		if !netif.Exists(zone) {
			return invalidf("zone %q: no such interface", zone)
		}
		return nil
	}
	if n, err := strconv.Atoi(zone); err != nil || n <= 0 {
		return invalidf("zone %q is not an interface", zone)
	}
	return nil
}

// withZone adds zone to an IPv6 address; IPv4 addresses have no zone.
func withZone(ip netip.Addr, zone string) netip.Addr {
	if zone == "" || !ip.Is6() || ip.Is4In6() {
		return ip
	}
	return ip.WithZone(zone)
}

// network returns the Go network name for listening on or dialing a.
// The IPv6 wildcard is dual-stack, as libzmq clears IPV6_V6ONLY.
func (a bindAddr) network() string {
	switch {
	case a.ip.Is4():
		return "tcp4"
	case a.ip.IsUnspecified():
		return "tcp"
	}
	return "tcp6"
}

// formatTCPEndpoint formats a bound address as libzmq's ZMQ_LAST_ENDPOINT does.
func formatTCPEndpoint(ip netip.Addr, port int, mapped bool) string {
	p := strconv.Itoa(port)
	switch {
	case ip.Is4() && mapped:
		return "tcp://[::ffff:" + ip.String() + "]:" + p
	case ip.Is4():
		return "tcp://" + ip.String() + ":" + p
	}
	return "tcp://[" + printableZone(ip).String() + "]:" + p
}

// printableZone drops the zone of an IPv6 address that is not link-local
// and turns a numeric zone into its interface name, as getnameinfo does for
// libzmq.
func printableZone(ip netip.Addr) netip.Addr {
	zone := ip.Zone()
	if zone == "" {
		return ip
	}
	if !ip.IsLinkLocalUnicast() && !ip.IsLinkLocalMulticast() {
		return ip.WithZone("")
	}
	if n, err := strconv.Atoi(zone); err == nil {
		if ifi, err := net.InterfaceByIndex(n); err == nil {
			return ip.WithZone(ifi.Name)
		}
	}
	return ip
}

// resolveDialHostPort resolves a remote "host:port" at dial time, each time
// it is called, so every reconnection sees the name's current addresses.
// It returns every usable address in the order to try them: with IPv6 off
// only IPv4 addresses; with it on the IPv6 ones first, as libzmq asks for
// AAAA with V4MAPPED.
func resolveDialHostPort(ctx context.Context, hostport string, ipv6 bool) ([]netip.AddrPort, error) {
	host, port, err := splitHostPort(hostport)
	if err != nil {
		return nil, invalidf("%q: %v", hostport, err)
	}
	if port == "*" {
		return nil, invalidf("%q: wildcard port in a remote address", hostport)
	}
	n, err := parsePortNumber(port)
	if err != nil {
		return nil, invalidf("%q: %v", hostport, err)
	}
	ips, err := resolveRemoteHosts(ctx, host, ipv6)
	if err != nil {
		return nil, err
	}
	remotes := make([]netip.AddrPort, len(ips))
	for i, ip := range ips {
		remotes[i] = netip.AddrPortFrom(ip, n)
	}
	return remotes, nil
}

// resolveRemoteHost resolves a numeric address or a host name to the first
// address resolveRemoteHosts gives.
func resolveRemoteHost(ctx context.Context, host string, ipv6 bool) (netip.Addr, error) {
	ips, err := resolveRemoteHosts(ctx, host, ipv6)
	if err != nil {
		return netip.Addr{}, err
	}
	return ips[0], nil
}

// LookupFunc looks a host name up, as net.Resolver.LookupNetIP does.
type LookupFunc func(ctx context.Context, network, host string) ([]netip.Addr, error)

// lookup holds the LookupFunc in use when SetLookup replaced the default.
var lookup atomic.Pointer[LookupFunc]

// SetLookup replaces the host name lookup of tcp dials, for tests that need
// a name whose addresses change; it returns a function that restores the
// previous one.
func SetLookup(f LookupFunc) (restore func()) {
	prev := lookup.Swap(&f)
	return func() { lookup.Store(prev) }
}

// lookupNetIP looks host up with the replacement from SetLookup, or the
// default resolver.
func lookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if f := lookup.Load(); f != nil {
		return (*f)(ctx, network, host)
	}
	return net.DefaultResolver.LookupNetIP(ctx, network, host)
}

// resolveRemoteHosts resolves a numeric address or a host name to the
// usable addresses, IPv6 first when ipv6 is on, without duplicates.
func resolveRemoteHosts(ctx context.Context, host string, ipv6 bool) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.Is4In6() {
			ip = ip.Unmap()
		}
		if ip.Is6() && !ipv6 {
			return nil, invalidf("IPv6 address %s while IPv6 is off", host)
		}
		return []netip.Addr{ip}, nil
	}
	if strings.IndexByte(host, '%') >= 0 || host == "*" {
		return nil, invalidf("%q is not a host", host)
	}
	family := "ip4"
	if ipv6 {
		family = "ip"
	}
	ips, err := lookupNetIP(ctx, family, host)
	if err != nil {
		return nil, err
	}
	var v6, v4 []netip.Addr
	seen := map[netip.Addr]bool{}
	for _, ip := range ips {
		ip = ip.Unmap()
		if seen[ip] {
			continue
		}
		seen[ip] = true
		switch {
		case ip.Is6() && ipv6:
			v6 = append(v6, ip)
		case ip.Is4():
			v4 = append(v4, ip)
		}
	}
	all := append(v6, v4...)
	if len(all) == 0 {
		return nil, errnof(syscall.EADDRNOTAVAIL, "no usable address for %q", host)
	}
	return all, nil
}

// resolveSource resolves a tcp source address ("host" or "host:port") with
// the bind rules: "*", interface names or numeric addresses.
func resolveSource(src string, ipv6 bool) (bindAddr, error) {
	host, port, err := splitSourceHostPort(src)
	if err != nil {
		return bindAddr{}, invalidf("source %q: %v", src, err)
	}
	var n uint16
	if port != "" && port != "*" {
		n, err = parsePortNumber(port)
		if err != nil {
			return bindAddr{}, invalidf("source %q: %v", src, err)
		}
	}
	return resolveLocalHost(host, n, ipv6)
}
