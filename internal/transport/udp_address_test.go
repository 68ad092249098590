package transport

import (
	"errors"
	"net"
	"net/netip"
	"syscall"
	"testing"

	"github.com/purezmq/zmq4/internal/netif"
)

// loopbackInterface returns a loopback interface and its IPv4 address,
// skipping the test when there is none.
func loopbackInterface(t *testing.T) (netif.Interface, netip.Addr) {
	t.Helper()
	ifis, err := netif.List()
	if err != nil {
		t.Skipf("no interface list: %v", err)
	}
	for _, ifi := range ifis {
		if ifi.Flags&net.FlagLoopback == 0 {
			continue
		}
		if ip, ok := ifi.FirstIP(false); ok {
			return ifi, ip
		}
	}
	t.Skip("no loopback interface with an IPv4 address")
	return netif.Interface{}, netip.Addr{}
}

func TestParseUDPAddress(t *testing.T) {
	lo, loIP := loopbackInterface(t)
	cases := []struct {
		text       string
		bind, ipv6 bool
		dest       string // "" when an error is expected
		multicast  bool
		ifaceAddr  string
		ifaceIndex int
		err        error
	}{
		// Unicast, as libzmq's unittest_udp_address has them.
		{text: "127.0.0.1:5555", dest: "127.0.0.1:5555"},
		{text: "[::1]:123", ipv6: true, dest: "[::1]:123"},
		{text: "127.0.0.1:5555", bind: true, dest: "127.0.0.1:5555"},
		{text: "*:*", bind: true, dest: "0.0.0.0:0"},
		{text: "*:*", bind: true, ipv6: true, dest: "[::]:0"},
		{text: "127.0.0.1:*", bind: true, dest: "127.0.0.1:0"},
		{text: "*:5555", bind: true, dest: "0.0.0.0:5555"},
		{text: "127.0.0.1:0", dest: "127.0.0.1:0"},
		{text: "localhost:5555", dest: "127.0.0.1:5555"},
		{text: lo.Name + ":5555", bind: true, dest: loIP.String() + ":5555"},
		{text: "*:5555", err: syscall.EINVAL},
		{text: "127.0.0.1:*", err: syscall.EINVAL},
		{text: "[::1]:123", err: syscall.EINVAL},
		{text: "[::1]:123", bind: true, err: syscall.ENODEV},
		// Multicast groups.
		{text: "239.0.0.1:1234", bind: true, dest: "239.0.0.1:1234", multicast: true},
		{text: "239.0.0.1:2222", dest: "239.0.0.1:2222", multicast: true},
		{text: "[ff00::1]:1234", bind: true, ipv6: true, dest: "[ff00::1]:1234", multicast: true},
		{text: "[ff00::1]:2222", ipv6: true, dest: "[ff00::1]:2222", multicast: true},
		{text: "[ff00::1]:2222", err: syscall.EINVAL},
		// Interfaces.
		{text: "127.0.0.1;230.2.8.12:5555", bind: true, dest: "230.2.8.12:5555", multicast: true, ifaceAddr: "127.0.0.1"},
		{text: "8.9.10.11;230.2.8.12:5555", dest: "230.2.8.12:5555", multicast: true, ifaceAddr: "8.9.10.11"},
		{text: "*;230.2.8.12:5555", bind: true, dest: "230.2.8.12:5555", multicast: true},
		{text: "*;230.2.8.12:5555", dest: "230.2.8.12:5555", multicast: true},
		{text: "*;[ffff::]:5555", bind: true, ipv6: true, dest: "[ffff::]:5555", multicast: true},
		{text: "*;[ff10::1]:5555", ipv6: true, dest: "[ff10::1]:5555", multicast: true},
		{text: lo.Name + ";239.0.0.1:5555", bind: true, dest: "239.0.0.1:5555", multicast: true, ifaceAddr: loIP.String()},
		{text: lo.Name + ";[ff02::1]:5555", ipv6: true, dest: "[ff02::1]:5555", multicast: true, ifaceIndex: lo.Index},
		// IPv6 interfaces go by name only, as in libzmq.
		{text: "[::1];[ffab::4]:5555", bind: true, ipv6: true, err: syscall.ENODEV},
		{text: "[1:2:3::4];[ff01::1]:5555", ipv6: true, err: syscall.ENODEV},
		// An interface with a unicast destination, a group as interface,
		// mixed families, unknown interfaces.
		{text: "127.0.0.1;1.2.3.4:5555", bind: true, err: syscall.EINVAL},
		{text: "127.0.0.1;1.2.3.4:5555", err: syscall.EINVAL},
		{text: "[::1];[fe00::1]:5555", bind: true, ipv6: true, err: syscall.EINVAL},
		{text: "239.0.0.2;239.0.0.1:5555", err: syscall.EINVAL},
		{text: "[::1];239.0.0.1:5555", ipv6: true, err: syscall.EINVAL},
		{text: "nosuchif0;239.0.0.1:5555", bind: true, err: syscall.ENODEV},
		{text: "eth0.example;239.0.0.1:5555", err: syscall.ENODEV},
		// Malformed.
		{text: "239.0.0.1", err: syscall.EINVAL},
		{text: "239.0.0.1:", err: syscall.EINVAL},
		{text: ":5555", err: syscall.EINVAL},
		{text: "239.0.0.1:x", err: syscall.EINVAL},
		{text: "239.0.0.1:+80", err: syscall.EINVAL},
		{text: "239.0.0.1:-1", err: syscall.EINVAL},
		{text: "239.0.0.1:70000", err: syscall.EINVAL},
		{text: ";239.0.0.1:5555", err: syscall.EINVAL},
		{text: "[ff02::1%0]:5555", ipv6: true, err: syscall.EINVAL},
		{text: "[ff02::1%]:5555", ipv6: true, err: syscall.EINVAL},
		{text: "[ff02::1%nosuchif0]:5555", ipv6: true, err: syscall.EINVAL},
	}
	for _, c := range cases {
		a, err := ParseUDPAddress(c.text, c.bind, c.ipv6)
		what := c.text
		if c.bind {
			what += " (bind)"
		}
		if c.ipv6 {
			what += " (ipv6)"
		}
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("%s: got %+v, %v; want %v", what, a, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", what, err)
			continue
		}
		if a.dest.String() != c.dest || a.multicast != c.multicast || a.ifaceIndex != c.ifaceIndex {
			t.Errorf("%s: got %+v; want %s, multicast %v, interface index %d", what, a, c.dest, c.multicast, c.ifaceIndex)
		}
		gotIface := ""
		if a.ifaceAddr.IsValid() {
			gotIface = a.ifaceAddr.String()
		}
		if gotIface != c.ifaceAddr {
			t.Errorf("%s: interface address %q; want %q", what, gotIface, c.ifaceAddr)
		}
	}
}
