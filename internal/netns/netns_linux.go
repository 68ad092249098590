// Package netns gives tests a private Linux network namespace, so that they
// can make interfaces, routes and multicast traffic without touching the
// host's network.
package netns

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// Enter moves the calling goroutine, for good, onto an OS thread in a new
// network namespace, runs each ip(8) command line of setup there, then
// writes each "name=value" of sysctls under /proc/sys/net (which shows the
// namespace of the thread that opens it). Processes started later from this
// goroutine run in the namespace too. It skips t when the namespace cannot
// be made (no root or CAP_SYS_ADMIN), ip is missing, or a step fails.
func Enter(t testing.TB, setup [][]string, sysctls ...string) {
	t.Helper()
	ip, err := exec.LookPath("ip")
	if err != nil {
		t.Skip("no ip command (iproute2) to set up a private network namespace")
	}
	// Never unlocked: when the test goroutine ends, its thread ends too and
	// takes the namespace with it.
	runtime.LockOSThread()
	if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
		t.Skipf("cannot make a private network namespace (needs root or CAP_SYS_ADMIN): %v", err)
	}
	for _, step := range setup {
		if out, err := exec.Command(ip, step...).CombinedOutput(); err != nil {
			t.Skipf("setting up the namespace: ip %s: %v: %s", strings.Join(step, " "), err, out)
		}
	}
	for _, setting := range sysctls {
		name, value, _ := strings.Cut(setting, "=")
		if err := os.WriteFile("/proc/sys/net/"+name, []byte(value), 0); err != nil {
			t.Skipf("setting up the namespace: %s: %v", setting, err)
		}
	}
}

// Addresses of the namespace EnterMulticast makes.
const (
	MC0Address  = "10.205.0.1"  // mc0, which carries the IPv4 multicast route
	MC1Address  = "10.205.1.2"  // mc1, mc0's other end
	MC0Address6 = "fd00:205::1" // mc0's IPv6 address
)

// EnterMulticast enters (as Enter) a namespace for multicast tests: lo and
// a veth pair, mc0 (MC0Address, MC0Address6) carrying the IPv4 multicast
// route and mc1 (MC1Address, fd00:205:1::2) its other end. A group joined
// on mc0 hears this host's own datagrams only through the kernel's
// loopback copy, which IP_MULTICAST_LOOP controls; a group joined on mc1
// hears them as they cross the pair.
func EnterMulticast(t testing.TB) {
	t.Helper()
	Enter(t, [][]string{
		{"link", "set", "lo", "up"},
		{"link", "add", "mc0", "type", "veth", "peer", "name", "mc1"},
		{"addr", "add", MC0Address + "/24", "dev", "mc0"},
		{"addr", "add", MC1Address + "/24", "dev", "mc1"},
		{"-6", "addr", "add", MC0Address6 + "/64", "dev", "mc0", "nodad"},
		{"-6", "addr", "add", "fd00:205:1::2/64", "dev", "mc1", "nodad"},
		{"link", "set", "mc0", "up"},
		{"link", "set", "mc1", "up"},
		{"route", "add", "224.0.0.0/4", "dev", "mc0"},
	},
		// Each end must take datagrams whose source is an address of this
		// host. UDP early demux is off: with two sockets on one group and
		// port it hands a datagram that came in on mc1 to the member
		// joined on mc0 now and then.
		"ipv4/conf/mc0/accept_local=1", "ipv4/conf/mc1/accept_local=1",
		"ipv4/ip_early_demux=0", "ipv4/udp_early_demux=0")
}
