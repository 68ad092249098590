package zmq4

import (
	"encoding/binary"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/purezmq/zmq4/internal/netns"
	"github.com/purezmq/zmq4/internal/transport"
)

// The multicast tests run in a private network namespace, one per test,
// holding lo and a veth pair: mc0 (10.205.0.1, fd00:205::1) carries the
// IPv4 multicast route, mc1 (10.205.1.2, fd00:205:1::2) is its other end.
// A group joined on mc0 hears this host's own datagrams only through the
// kernel's loopback copy, which IP_MULTICAST_LOOP controls; a group joined
// on mc1 hears them as they cross the veth pair. The namespace belongs to
// the locked OS thread of the test goroutine: sockets made from it live
// there, and it goes away with the thread when the test ends. Subtests run
// on other goroutines and must enter their own.

const (
	mcastPort   = "5555"
	mcastGroup  = "239.1.2.3"
	mcastGroup2 = "239.1.2.4"
	mcastGroup6 = "ff12::205"
	mc0Address  = netns.MC0Address
	mc1Address  = netns.MC1Address
	mc0Address6 = netns.MC0Address6
)

// enterMulticastNamespace moves the calling goroutine, for good, onto an
// OS thread in a new network namespace set up as above. It skips the test
// without root (CAP_SYS_ADMIN) or the ip command.
func enterMulticastNamespace(t *testing.T) {
	t.Helper()
	netns.EnterMulticast(t)
}

// expectGroupMessage receives one message and its group from a DISH.
func expectGroupMessage(t *testing.T, dish *Socket, body, group string) {
	t.Helper()
	msg, opts, err := dish.RecvWithOpts(0, OptGroup(""))
	if err != nil {
		t.Fatalf("DISH %s: %v (waiting for %q in %q)", dish.opt.lastEndpoint, err, body, group)
	}
	if got := string(opts[0].(OptGroup)); msg != body || got != group {
		t.Fatalf("DISH %s got %q in %q, want %q in %q", dish.opt.lastEndpoint, msg, got, body, group)
	}
}

func sendToGroup(t *testing.T, radio *Socket, body, group string) {
	t.Helper()
	if _, err := radio.Send(body, 0, OptGroup(group)); err != nil {
		t.Fatalf("RADIO send %q to %q: %v", body, group, err)
	}
}

// TestUDPMulticastEndpointForms: a DISH bound and a RADIO connected to the
// same multicast endpoint meet, in each form libzmq takes; the DISH keeps
// to the groups it joined; LAST_ENDPOINT names the group.
func TestUDPMulticastEndpointForms(t *testing.T) {
	for _, c := range []struct {
		name, endpoint string
		ipv6           bool
	}{
		{"group", "udp://" + mcastGroup + ":" + mcastPort, false},
		{"any-interface", "udp://*;" + mcastGroup + ":" + mcastPort, false},
		{"interface-name", "udp://mc0;" + mcastGroup + ":" + mcastPort, false},
		{"interface-address", "udp://" + mc0Address + ";" + mcastGroup + ":" + mcastPort, false},
		{"ipv6-interface-name", "udp://mc0;[" + mcastGroup6 + "]:" + mcastPort, true},
		// A link-scope IPv6 group with no interface: the system picks
		// one for each datagram, as libzmq's test_radio_dish does it.
		{"ipv6-group", "udp://[" + mcastGroup6 + "]:" + mcastPort, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			enterMulticastNamespace(t)
			ctx := newTestContext(t)
			dish := newTestSocket(t, ctx, DISH)
			radio := newTestSocket(t, ctx, RADIO)
			must(t, dish.SetIpv6(c.ipv6))
			must(t, radio.SetIpv6(c.ipv6))
			must(t, dish.Bind(c.endpoint))
			if got, _ := dish.GetLastEndpoint(); got != c.endpoint {
				t.Errorf("LAST_ENDPOINT %q, want %q", got, c.endpoint)
			}
			must(t, dish.Join("weather"))
			must(t, radio.Connect(c.endpoint))
			sendToGroup(t, radio, "goal", "sports") // not joined
			sendToGroup(t, radio, "rain", "weather")
			expectGroupMessage(t, dish, "rain", "weather")
			must(t, dish.Unbind(c.endpoint))
		})
	}
}

// TestUDPMulticastTwoDishesOneGroup: two DISHes on one host bind the same
// group and port (SO_REUSEADDR) and both receive each datagram; a DISH
// bound to another group on that port receives none of them.
func TestUDPMulticastTwoDishesOneGroup(t *testing.T) {
	enterMulticastNamespace(t)
	ctx := newTestContext(t)
	endpoint := "udp://" + mcastGroup + ":" + mcastPort
	otherEndpoint := "udp://" + mcastGroup2 + ":" + mcastPort
	first := newTestSocket(t, ctx, DISH)
	second := newTestSocket(t, ctx, DISH)
	other := newTestSocket(t, ctx, DISH)
	for _, b := range []struct {
		dish     *Socket
		endpoint string
	}{{first, endpoint}, {second, endpoint}, {other, otherEndpoint}} {
		must(t, b.dish.Bind(b.endpoint))
		must(t, b.dish.Join("news"))
	}
	radio := newTestSocket(t, ctx, RADIO)
	must(t, radio.Connect(endpoint))
	sendToGroup(t, radio, "for the first group", "news")
	expectGroupMessage(t, first, "for the first group", "news")
	expectGroupMessage(t, second, "for the first group", "news")

	// The kernel handed that datagram to every socket it was for when
	// first got it; other's first message must be one for its own group.
	otherRadio := newTestSocket(t, ctx, RADIO)
	must(t, otherRadio.Connect(otherEndpoint))
	sendToGroup(t, otherRadio, "for the second group", "news")
	expectGroupMessage(t, other, "for the second group", "news")
}

// TestUDPMulticastLoop: with ZMQ_MULTICAST_LOOP on (the default) a member
// on the sending host hears the RADIO through the kernel's loopback copy;
// with it off only the copy that leaves the host arrives (here, back over
// the veth pair to a DISH joined on mc1).
func TestUDPMulticastLoop(t *testing.T) {
	enterMulticastNamespace(t)
	ctx := newTestContext(t)
	onHost := newTestSocket(t, ctx, DISH) // joined on mc0: loopback copies only
	onWire := newTestSocket(t, ctx, DISH) // joined on mc1: copies that left mc0
	must(t, onHost.Bind("udp://mc0;"+mcastGroup+":"+mcastPort))
	must(t, onWire.Bind("udp://mc1;"+mcastGroup+":"+mcastPort))
	must(t, onHost.Join("g"))
	must(t, onWire.Join("g"))

	quiet := newTestSocket(t, ctx, RADIO)
	must(t, quiet.SetMulticastLoop(false))
	must(t, quiet.Connect("udp://"+mcastGroup+":"+mcastPort))
	loud := newTestSocket(t, ctx, RADIO)
	must(t, loud.Connect("udp://"+mcastGroup+":"+mcastPort))

	sendToGroup(t, quiet, "no loop", "g")
	expectGroupMessage(t, onWire, "no loop", "g")
	// The kernel delivered "no loop" to every socket it was for when
	// onWire got it; onHost's first message must be the looped one.
	sendToGroup(t, loud, "loop", "g")
	expectGroupMessage(t, onHost, "loop", "g")
	expectGroupMessage(t, onWire, "loop", "g")
}

// TestUDPMulticastSource: a DGRAM bound to a group receives a RADIO's
// datagrams raw, from the address of the interface the endpoint names
// and the RADIO's ephemeral port; a DGRAM can send to the group too.
func TestUDPMulticastSource(t *testing.T) {
	enterMulticastNamespace(t)
	ctx := newTestContext(t)
	endpoint := "udp://" + mcastGroup + ":" + mcastPort
	dgram := newTestSocket(t, ctx, DGRAM)
	must(t, dgram.Bind(endpoint))
	dish := newTestSocket(t, ctx, DISH)
	must(t, dish.Bind(endpoint))
	must(t, dish.Join("g"))

	radio := newTestSocket(t, ctx, RADIO)
	must(t, radio.Connect("udp://mc1;"+mcastGroup+":"+mcastPort))
	sendToGroup(t, radio, "hello", "g")
	got := recvParts(t, dgram)
	if !strings.HasPrefix(got[0], mc1Address+":") || got[1] != "\x01ghello" {
		t.Fatalf("DGRAM got %q, want the datagram \"\\x01ghello\" from %s:port", got, mc1Address)
	}
	expectGroupMessage(t, dish, "hello", "g")

	sender := newTestSocket(t, ctx, DGRAM)
	must(t, sender.Bind("udp://"+mc0Address+":*"))
	sendParts(t, sender, mcastGroup+":"+mcastPort, "\x01graw")
	expectGroupMessage(t, dish, "raw", "g")
}

// TestUDPMulticastGoroutines: closing multicast sockets ends all their
// goroutines.
func TestUDPMulticastGoroutines(t *testing.T) {
	enterMulticastNamespace(t)
	before := runtime.NumGoroutine()
	ctx, err := NewContext()
	must(t, err)
	endpoint := "udp://" + mcastGroup + ":" + mcastPort
	var sockets []*Socket
	for _, typ := range []Type{DISH, DISH, DGRAM, RADIO} {
		s, err := ctx.NewSocket(typ)
		must(t, err)
		must(t, s.SetLinger(0))
		if typ == RADIO {
			must(t, s.Connect(endpoint))
		} else {
			must(t, s.Bind(endpoint))
		}
		sockets = append(sockets, s)
	}
	must(t, sockets[0].Join("g"))
	sendToGroup(t, sockets[3], "x", "g")
	expectGroupMessage(t, sockets[0], "x", "g")
	must(t, sockets[1].Unbind(endpoint))
	for _, s := range sockets {
		must(t, s.Close())
	}
	must(t, ctx.Term())
	waitUntil(t, "goroutines to exit", func() bool { return runtime.NumGoroutine() <= before })
}

// TestUDPMulticastHops: a RADIO's multicast datagrams carry ZMQ_MULTICAST_HOPS
// as their TTL, 1 unless set.
func TestUDPMulticastHops(t *testing.T) {
	enterMulticastNamespace(t)
	a, err := transport.ParseUDPAddress("mc0;"+mcastGroup+":"+mcastPort, true, false)
	must(t, err)
	conn, err := transport.ListenUDP(a)
	must(t, err)
	defer conn.Close()
	raw, err := conn.SyscallConn()
	must(t, err)
	var optErr error
	must(t, raw.Control(func(fd uintptr) {
		optErr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_RECVTTL, 1)
	}))
	must(t, optErr)
	must(t, conn.SetReadDeadline(time.Now().Add(10*time.Second))) // hang guard

	ctx := newTestContext(t)
	for _, hops := range []int{0, 7, 255} {
		radio := newTestSocket(t, ctx, RADIO)
		want := 1
		if hops > 0 {
			must(t, radio.SetMulticastHops(hops))
			want = hops
		}
		must(t, radio.Connect("udp://"+mcastGroup+":"+mcastPort))
		sendToGroup(t, radio, "ttl", "g")
		buf, oob := make([]byte, 64), make([]byte, 64)
		n, oobn, _, _, err := conn.ReadMsgUDP(buf, oob)
		must(t, err)
		if string(buf[:n]) != "\x01gttl" {
			t.Fatalf("got datagram %q", buf[:n])
		}
		if got := receivedTTL(t, oob[:oobn]); got != want {
			t.Errorf("SetMulticastHops(%d): datagram TTL %d, want %d", hops, got, want)
		}
		must(t, radio.Close())
	}
}

// receivedTTL finds the IP_TTL control message among oob.
func receivedTTL(t *testing.T, oob []byte) int {
	t.Helper()
	msgs, err := unix.ParseSocketControlMessage(oob)
	must(t, err)
	for _, m := range msgs {
		if m.Header.Level == unix.IPPROTO_IP && m.Header.Type == unix.IP_TTL && len(m.Data) >= 4 {
			return int(binary.NativeEndian.Uint32(m.Data))
		}
	}
	t.Fatal("no IP_TTL control message")
	return 0
}
