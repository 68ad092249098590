//go:build linux

package interop

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq4"
	"github.com/purezmq/zmq4/internal/netns"
)

// RADIO/DISH (and DGRAM) over udp multicast against libzmq 4.3.5
// (zeromq.js). Multicast needs a route and an interface that takes it, so
// each case runs in a private network namespace holding lo and a veth
// pair: mc0 (10.205.0.1, fd00:205::1) carries the IPv4 multicast route,
// mc1 (10.205.1.2) is its other end. The namespace belongs to the locked
// OS thread of the test goroutine, as in beacon_test.go: our sockets are
// made from that thread, and the zeromq.js process is started from it, so
// a fork of that thread, it lives in the same namespace (as do libzmq's I/O
// threads inside it).

const (
	mcastGroup   = "239.1.2.3"
	mcastPort    = "5555"
	mcastGroup6  = "ff12::205"
	mc1Address   = "10.205.1.2"
	mcastIPv4    = "udp://" + mcastGroup + ":" + mcastPort
	mcastIPv6    = "udp://mc0;[" + mcastGroup6 + "]:" + mcastPort
	mcastThrough = "udp://mc1;" + mcastGroup + ":" + mcastPort
)

// enterMulticastNamespace moves the calling goroutine, for good, onto an
// OS thread in a new network namespace set up as above. It skips the test
// without root (CAP_SYS_ADMIN) or the ip command.
func enterMulticastNamespace(t *testing.T) {
	t.Helper()
	netns.Enter(t, [][]string{
		{"link", "set", "lo", "up"},
		{"link", "add", "mc0", "type", "veth", "peer", "name", "mc1"},
		{"addr", "add", "10.205.0.1/24", "dev", "mc0"},
		{"addr", "add", mc1Address + "/24", "dev", "mc1"},
		{"-6", "addr", "add", "fd00:205::1/64", "dev", "mc0", "nodad"},
		{"link", "set", "mc0", "up"},
		{"link", "set", "mc1", "up"},
		{"route", "add", "224.0.0.0/4", "dev", "mc0"},
	},
		// mc0 must take datagrams sent from mc1's address, another
		// address of this host.
		"ipv4/conf/mc0/accept_local=1")
}

// mcastCase is one way of meeting over multicast.
type mcastCase struct {
	name, endpoint string
	ipv6           bool
}

var mcastCases = []mcastCase{
	{"ipv4", mcastIPv4, false},
	{"ipv6-interface", mcastIPv6, true},
}

// nodeArgs are the zeromq.js options for c.
func (c mcastCase) nodeArgs(args ...string) []string {
	if c.ipv6 {
		args = append(args, "--sockopt", "ipv6=true")
	}
	return args
}

// TestInteropUDPMulticast: our RADIO reaches a libzmq DISH bound to a
// group, a libzmq RADIO reaches ours, over IPv4 and IPv6 multicast; each
// DISH keeps to the groups it joined.
func TestInteropUDPMulticast(t *testing.T) {
	requireNode(t)
	for _, c := range mcastCases {
		t.Run("goRADIO-libzmqDISH/"+c.name, func(t *testing.T) {
			enterMulticastNamespace(t)
			dish := startDraftPeer(t, c.nodeArgs("--type", "DISH", "--bind", c.endpoint, "--join", hexText(weather))...)
			radio := newSocket(t, newContext(t), zmq.RADIO)
			must(t, "SetIpv6", radio.SetIpv6(c.ipv6))
			must(t, "Connect", radio.Connect(c.endpoint))
			// libzmq joins the group on its I/O thread after zmq_bind
			// returns: probe until it hears.
			waitFor(t, "libzmq DISH hears the group", func() bool {
				sendToGroup(t, radio, "SYNC", weather)
				_, _, ok := peerRecvGroup(t, dish, int(probeWait/time.Millisecond))
				return ok
			})
			sendToGroup(t, radio, "goal", sports)
			sendToGroup(t, radio, "rain", weather)
			expectGroups(t, func() (string, string) { return nodeGroupMessage(t, dish) }, [][2]string{{"rain", weather}})
		})
		t.Run("libzmqRADIO-goDISH/"+c.name, func(t *testing.T) {
			enterMulticastNamespace(t)
			dish := newSocket(t, newContext(t), zmq.DISH)
			must(t, "SetIpv6", dish.SetIpv6(c.ipv6))
			must(t, "Bind", dish.Bind(c.endpoint))
			must(t, "Join", dish.Join(weather))
			radio := startDraftPeer(t, c.nodeArgs("--type", "RADIO", "--connect", c.endpoint)...)
			waitFor(t, "our DISH hears libzmq's RADIO", func() bool {
				radio.expect("sendgroup "+hexText(weather)+" "+hexText("SYNC"), "SENT")
				_, _, ok := recvWithin(t, dish, probeWait)
				return ok
			})
			radio.expect("sendgroup "+hexText(sports)+" "+hexText("goal"), "SENT")
			radio.expect("sendgroup "+hexText(weather)+" "+hexText("rain"), "SENT")
			expectGroups(t, func() (string, string) { return recvGroup(t, dish) }, [][2]string{{"rain", weather}})
		})
	}
}

// TestInteropUDPMulticastSharedPort: a libzmq DISH and ours bind the same
// group and port on one host (both set SO_REUSEADDR and SO_REUSEPORT) and
// each hears both RADIOs.
func TestInteropUDPMulticastSharedPort(t *testing.T) {
	requireNode(t)
	enterMulticastNamespace(t)
	ctx := newContext(t)
	ours := newSocket(t, ctx, zmq.DISH)
	must(t, "Bind", ours.Bind(mcastIPv4))
	must(t, "Join", ours.Join(weather))
	theirs := startDraftPeer(t, "--type", "DISH", "--bind", mcastIPv4, "--join", hexText(weather))
	ourRadio := newSocket(t, ctx, zmq.RADIO)
	must(t, "Connect", ourRadio.Connect(mcastIPv4))
	theirRadio := startDraftPeer(t, "--type", "RADIO", "--connect", mcastIPv4)

	waitFor(t, "libzmq DISH hears our RADIO", func() bool {
		sendToGroup(t, ourRadio, "SYNC", weather)
		_, _, ok := peerRecvGroup(t, theirs, int(probeWait/time.Millisecond))
		return ok
	})
	waitFor(t, "our DISH hears libzmq's RADIO", func() bool {
		theirRadio.expect("sendgroup "+hexText(weather)+" "+hexText("SYNC"), "SENT")
		body, _, ok := recvWithin(t, ours, probeWait)
		return ok && string(body) == "SYNC"
	})
	sendToGroup(t, ourRadio, "from purezmq", weather)
	theirRadio.expect("sendgroup "+hexText(weather)+" "+hexText("from libzmq"), "SENT")
	for _, dish := range []struct {
		name string
		recv func() (string, string)
	}{
		{"our DISH", func() (string, string) { return recvGroup(t, ours) }},
		{"libzmq DISH", func() (string, string) { return nodeGroupMessage(t, theirs) }},
	} {
		heard := map[string]bool{}
		for len(heard) < 2 {
			body, group := dish.recv()
			if body == "SYNC" {
				continue
			}
			if group != weather || (body != "from purezmq" && body != "from libzmq") || heard[body] {
				t.Fatalf("%s got %q in %q", dish.name, body, group)
			}
			heard[body] = true
		}
	}
}

// TestInteropUDPMulticastDgram: DGRAM sockets bound to a group receive a
// RADIO's datagrams raw, with the address of the interface the RADIO's
// endpoint names as the source: libzmq's DGRAM from our RADIO, ours from
// libzmq's.
func TestInteropUDPMulticastDgram(t *testing.T) {
	requireNode(t)
	t.Run("goRADIO-libzmqDGRAM", func(t *testing.T) {
		enterMulticastNamespace(t)
		dgram := startDraftPeer(t, "--type", "DGRAM", "--bind", mcastIPv4)
		radio := newSocket(t, newContext(t), zmq.RADIO)
		must(t, "Connect", radio.Connect(mcastThrough))
		var got [][]byte
		waitFor(t, "libzmq DGRAM hears our RADIO", func() bool {
			sendToGroup(t, radio, "hello", weather)
			reply := dgram.do(fmt.Sprintf("recv %d", probeWait/time.Millisecond))
			if reply == "TIMEOUT" {
				return false
			}
			got = dgram.decode(strings.TrimPrefix(reply, "MSG "))
			return true
		})
		checkDgram(t, "libzmq DGRAM", got)
	})
	t.Run("libzmqRADIO-goDGRAM", func(t *testing.T) {
		enterMulticastNamespace(t)
		dgram := newSocket(t, newContext(t), zmq.DGRAM)
		must(t, "Bind", dgram.Bind(mcastIPv4))
		radio := startDraftPeer(t, "--type", "RADIO", "--connect", mcastThrough)
		var got [][]byte
		waitFor(t, "our DGRAM hears libzmq's RADIO", func() bool {
			radio.expect("sendgroup "+hexText(weather)+" "+hexText("hello"), "SENT")
			must(t, "SetRcvtimeo", dgram.SetRcvtimeo(probeWait))
			defer func() { must(t, "SetRcvtimeo", dgram.SetRcvtimeo(socketTimeout)) }()
			msg, err := dgram.RecvMessageBytes(0)
			if errors.Is(err, syscall.EAGAIN) {
				return false
			}
			must(t, "RecvMessageBytes", err)
			got = msg
			return true
		})
		checkDgram(t, "our DGRAM", got)
	})
}

// checkDgram checks a DGRAM's [source, datagram] from a RADIO sending
// "hello" to weather through mc1.
func checkDgram(t *testing.T, who string, got [][]byte) {
	t.Helper()
	if len(got) != 2 || !strings.HasPrefix(string(got[0]), mc1Address+":") || string(got[1]) != "\x07weatherhello" {
		t.Fatalf("%s got %q, want [%s:port, \"\\x07weatherhello\"]", who, got, mc1Address)
	}
}

// sendToGroup sends body to group on our RADIO.
func sendToGroup(t *testing.T, radio *zmq.Socket, body, group string) {
	t.Helper()
	if _, err := radio.Send(body, 0, zmq.OptGroup(group)); err != nil {
		t.Fatalf("RADIO send %q to %q: %v", body, group, err)
	}
}

// nodeGroupMessage makes a zeromq.js DISH receive one message.
func nodeGroupMessage(t *testing.T, dish *peer) (string, string) {
	t.Helper()
	body, group, ok := peerRecvGroup(t, dish, int(socketTimeout/time.Millisecond))
	if !ok {
		t.Fatal("libzmq DISH: no message (hang guard)")
	}
	return body, group
}
