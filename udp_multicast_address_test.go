package zmq4

import (
	"errors"
	"net"
	"net/netip"
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
		{text: "*:5555", err: einval},
		{text: "127.0.0.1:*", err: einval},
		{text: "[::1]:123", err: einval},
		{text: "[::1]:123", bind: true, err: enodev},
		// Multicast groups.
		{text: "239.0.0.1:1234", bind: true, dest: "239.0.0.1:1234", multicast: true},
		{text: "239.0.0.1:2222", dest: "239.0.0.1:2222", multicast: true},
		{text: "[ff00::1]:1234", bind: true, ipv6: true, dest: "[ff00::1]:1234", multicast: true},
		{text: "[ff00::1]:2222", ipv6: true, dest: "[ff00::1]:2222", multicast: true},
		{text: "[ff00::1]:2222", err: einval},
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
		{text: "[::1];[ffab::4]:5555", bind: true, ipv6: true, err: enodev},
		{text: "[1:2:3::4];[ff01::1]:5555", ipv6: true, err: enodev},
		// An interface with a unicast destination, a group as interface,
		// mixed families, unknown interfaces.
		{text: "127.0.0.1;1.2.3.4:5555", bind: true, err: einval},
		{text: "127.0.0.1;1.2.3.4:5555", err: einval},
		{text: "[::1];[fe00::1]:5555", bind: true, ipv6: true, err: einval},
		{text: "239.0.0.2;239.0.0.1:5555", err: einval},
		{text: "[::1];239.0.0.1:5555", ipv6: true, err: einval},
		{text: "nosuchif0;239.0.0.1:5555", bind: true, err: enodev},
		{text: "eth0.example;239.0.0.1:5555", err: enodev},
		// Malformed.
		{text: "239.0.0.1", err: einval},
		{text: "239.0.0.1:", err: einval},
		{text: ":5555", err: einval},
		{text: "239.0.0.1:x", err: einval},
		{text: "239.0.0.1:+80", err: einval},
		{text: "239.0.0.1:-1", err: einval},
		{text: "239.0.0.1:70000", err: einval},
		{text: ";239.0.0.1:5555", err: einval},
		{text: "[ff02::1%0]:5555", ipv6: true, err: einval},
		{text: "[ff02::1%]:5555", ipv6: true, err: einval},
		{text: "[ff02::1%nosuchif0]:5555", ipv6: true, err: einval},
	}
	for _, c := range cases {
		a, err := parseUDPAddress(c.text, c.bind, c.ipv6)
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

// TestUDPEndpointErrors: Bind and Connect refuse bad udp endpoints as
// libzmq does, and a TTL over 255 when sending to a group.
func TestUDPEndpointErrors(t *testing.T) {
	ctx := newTestContext(t)
	dish := newTestSocket(t, ctx, DISH)
	radio := newTestSocket(t, ctx, RADIO)
	for _, c := range []struct {
		s        *Socket
		bind     bool
		endpoint string
		err      error
	}{
		{dish, true, "udp://127.0.0.1;1.2.3.4:5555", einval},
		{dish, true, "udp://239.0.0.1", einval},
		{dish, true, "udp://nosuchif0;239.0.0.1:5555", enodev},
		{dish, true, "udp://[ff02::1]:5555", enodev}, // IPv6 is off
		{radio, false, "udp://*:5555", einval},
		{radio, false, "udp://239.0.0.1:*", einval},
		{radio, false, "udp://[ff02::1]:5555", einval},
		{radio, false, "udp://10.0.0.1;10.0.0.2:5555", einval},
		{radio, true, "udp://239.0.0.1:5555", ENOCOMPATPROTO},
		{dish, false, "udp://239.0.0.1:5555", ENOCOMPATPROTO},
	} {
		var err error
		if c.bind {
			err = c.s.Bind(c.endpoint)
		} else {
			err = c.s.Connect(c.endpoint)
		}
		if !errors.Is(err, c.err) {
			t.Errorf("%v %s: got %v, want %v", c.s.typ, c.endpoint, err, c.err)
		}
	}
	must(t, radio.SetMulticastHops(256))
	if err := radio.Connect("udp://239.0.0.1:5555"); !errors.Is(err, einval) {
		t.Errorf("Connect with a TTL of 256: got %v, want EINVAL", err)
	}
	loop, err := radio.GetMulticastLoop()
	if err != nil || !loop {
		t.Errorf("MULTICAST_LOOP defaults to %v, %v; want true", loop, err)
	}
	must(t, radio.SetMulticastLoop(false))
	if loop, _ := radio.GetMulticastLoop(); loop {
		t.Error("MULTICAST_LOOP still on after SetMulticastLoop(false)")
	}
}
