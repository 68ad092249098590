package netif

import (
	"net"
	"net/netip"
	"testing"
)

func TestConvert(t *testing.T) {
	cases := []struct {
		name string
		in   net.Addr
		ok   bool
		ip   string
		mask string
	}{
		{"IPv4 in 4 bytes", &net.IPNet{IP: net.IP{10, 1, 2, 3}, Mask: net.CIDRMask(20, 32)}, true, "10.1.2.3", "fffff000"},
		{"IPv4 in 16 bytes", &net.IPNet{IP: net.IPv4(10, 1, 2, 3), Mask: net.CIDRMask(116, 128)}, true, "10.1.2.3", "fffff000"},
		{"IPv6 global", &net.IPNet{IP: net.ParseIP("2001:db8::1"), Mask: net.CIDRMask(64, 128)}, true, "2001:db8::1", "ffffffffffffffff0000000000000000"},
		{"IPv6 link-local", &net.IPNet{IP: net.ParseIP("fe80::1"), Mask: net.CIDRMask(64, 128)}, true, "fe80::1%eth0", "ffffffffffffffff0000000000000000"},
		{"not an IPNet", &net.IPAddr{IP: net.IPv4(10, 1, 2, 3)}, false, "", ""},
		{"no address", &net.IPNet{IP: net.IP{1, 2, 3}}, false, "", ""},
	}
	for _, c := range cases {
		got, ok := convert("eth0", c.in)
		if ok != c.ok {
			t.Fatalf("%s: ok = %v", c.name, ok)
		}
		if !ok {
			continue
		}
		if got.IP.String() != c.ip || got.Mask.String() != c.mask {
			t.Fatalf("%s: %s/%s; want %s/%s", c.name, got.IP, got.Mask, c.ip, c.mask)
		}
	}
}

func TestFirstIPPicksFamily(t *testing.T) {
	ifi := Interface{Name: "eth0", Addrs: []Addr{
		{IP: netip.MustParseAddr("fe80::1%eth0")},
		{IP: netip.MustParseAddr("192.0.2.7")},
		{IP: netip.MustParseAddr("192.0.2.8")},
	}}
	if ip, ok := ifi.FirstIP(false); !ok || ip.String() != "192.0.2.7" {
		t.Fatalf("IPv4: %v %v", ip, ok)
	}
	if ip, ok := ifi.FirstIP(true); !ok || ip.String() != "fe80::1%eth0" {
		t.Fatalf("IPv6: %v %v", ip, ok)
	}
	if _, ok := (Interface{Name: "none"}).FirstIP(false); ok {
		t.Fatal("an interface without addresses has a first IPv4 address")
	}
}

// The system's loopback interface is found by name and listed, with its
// address, the same way both ways.
func TestLoopbackListedAndByName(t *testing.T) {
	list, err := List()
	if err != nil {
		t.Fatal(err)
	}
	var loopback *Interface
	for i := range list {
		if list[i].Flags&net.FlagLoopback != 0 && len(list[i].Addrs) > 0 {
			loopback = &list[i]
			break
		}
	}
	if loopback == nil {
		t.Skip("no loopback interface with an address")
	}
	byName, ok := ByName(loopback.Name)
	if !ok || byName.Index != loopback.Index || len(byName.Addrs) != len(loopback.Addrs) {
		t.Fatalf("ByName(%q) = %+v, %v; List has %+v", loopback.Name, byName, ok, *loopback)
	}
	if !loopback.Addrs[0].IP.IsLoopback() {
		t.Fatalf("loopback's first address %v", loopback.Addrs[0].IP)
	}
	if _, ok := ByName("no-such-interface-here"); ok {
		t.Fatal("an unknown interface was found")
	}
	if _, ok := FirstIP("no-such-interface-here", false); ok {
		t.Fatal("an unknown interface has an address")
	}
}
