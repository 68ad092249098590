package transport

import (
	"errors"
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/purezmq/zmq4/internal/netns"
)

// The udp plumbing tests run in the private network namespace of
// netns.EnterMulticast: a group joined on mc0 hears this host's datagrams
// only through the kernel's loopback copy, one joined on mc1 as they cross
// the veth pair.

const (
	udpTestGroup  = "239.1.2.3"
	udpTestGroup2 = "239.1.2.4"
	udpTestPort   = "5556"
)

// listenGroup binds endpoint (the part after "udp://") and joins its group.
func listenGroup(t *testing.T, endpoint string) *net.UDPConn {
	t.Helper()
	a, err := ParseUDPAddress(endpoint, true, false)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := ListenUDP(a)
	if err != nil {
		t.Fatalf("ListenUDP(%s): %v", endpoint, err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil { // hang guard
		t.Fatal(err)
	}
	return conn
}

// groupSender is a sending socket and the group it sends to.
type groupSender struct {
	conn *net.UDPConn
	dest netip.AddrPort
}

// dialGroup opens a sender to endpoint with the given loop and hops.
func dialGroup(t *testing.T, endpoint string, loop bool, hops int) groupSender {
	t.Helper()
	a, err := ParseUDPAddress(endpoint, false, false)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := OpenUDPSender(a, loop, hops)
	if err != nil {
		t.Fatalf("OpenUDPSender(%s): %v", endpoint, err)
	}
	t.Cleanup(func() { conn.Close() })
	return groupSender{conn: conn, dest: a.Destination()}
}

func send(t *testing.T, s groupSender, datagram string) {
	t.Helper()
	if _, err := s.conn.WriteToUDPAddrPort([]byte(datagram), s.dest); err != nil {
		t.Fatal(err)
	}
}

func expect(t *testing.T, conn *net.UDPConn, want string) {
	t.Helper()
	buf := make([]byte, 64)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatalf("waiting for %q: %v", want, err)
	}
	if string(buf[:n]) != want {
		t.Fatalf("got %q, want %q", buf[:n], want)
	}
}

// Two receivers share a group's port and both hear each datagram; a
// receiver of another group on the same port hears only its own group
// (IP_MULTICAST_ALL is off).
func TestUDPGroupSharedPortAndOnlyJoinedGroups(t *testing.T) {
	netns.EnterMulticast(t)
	first := listenGroup(t, "mc0;"+udpTestGroup+":"+udpTestPort)
	second := listenGroup(t, "mc0;"+udpTestGroup+":"+udpTestPort)
	other := listenGroup(t, "mc0;"+udpTestGroup2+":"+udpTestPort)
	toGroup := dialGroup(t, udpTestGroup+":"+udpTestPort, true, 1)
	toOther := dialGroup(t, udpTestGroup2+":"+udpTestPort, true, 1)
	send(t, toGroup, "for the group")
	send(t, toOther, "for the other")
	expect(t, first, "for the group")
	expect(t, second, "for the group")
	// Both datagrams were delivered before "other" reads; the first it
	// reads must be its own group's.
	expect(t, other, "for the other")
}

// With loop off only the copy that leaves the host arrives: a receiver
// joined on mc1 hears it, one joined on mc0 does not.
func TestUDPMulticastLoopOption(t *testing.T) {
	netns.EnterMulticast(t)
	onHost := listenGroup(t, "mc0;"+udpTestGroup+":"+udpTestPort)
	onWire := listenGroup(t, "mc1;"+udpTestGroup+":"+udpTestPort)
	quiet := dialGroup(t, udpTestGroup+":"+udpTestPort, false, 1)
	loud := dialGroup(t, udpTestGroup+":"+udpTestPort, true, 1)
	send(t, quiet, "no loop")
	expect(t, onWire, "no loop")
	send(t, loud, "loop")
	expect(t, onHost, "loop") // "no loop" never reached it
	expect(t, onWire, "loop")
}

// A multicast sender's hops must fit the IP header's TTL byte.
func TestOpenUDPSenderHopsRange(t *testing.T) {
	a, err := ParseUDPAddress(udpTestGroup+":"+udpTestPort, false, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, hops := range []int{0, 256} {
		if _, err := OpenUDPSender(a, true, hops); !errors.Is(err, syscall.EINVAL) {
			t.Errorf("hops %d: %v; want EINVAL", hops, err)
		}
	}
}
