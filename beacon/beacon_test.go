package beacon

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/zmq4/internal/netif"
)

// The beacon tests run on the loopback network (Loopback): beacons
// broadcast to 127.255.255.255, which Linux hands to every socket bound to
// the port, so several beacons in this process hear each other. Each test
// takes a fresh port and unique payloads; waits are bounded by
// beaconTestTimeout, which only guards against hangs.

const beaconTestTimeout = 20 * time.Second

// freeBeaconPort returns a UDP port that nothing uses at the moment.
func freeBeaconPort(t *testing.T) int {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4zero})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return conn.LocalAddr().(*net.UDPAddr).Port
}

// newTestBeacon makes a loopback beacon on port, closed when the test ends.
func newTestBeacon(t *testing.T, port int, opts ...Option) *Beacon {
	t.Helper()
	b, err := New(port, append([]Option{Loopback()}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// uniquePayload returns prefix followed by random hex, so that no other
// beacon can send the same bytes by chance.
func uniquePayload(t *testing.T, prefix string) []byte {
	t.Helper()
	random := make([]byte, 8)
	if _, err := rand.Read(random); err != nil {
		t.Fatal(err)
	}
	return []byte(prefix + hex.EncodeToString(random))
}

// recvPayload reads from b until want arrives and returns its sender.
// Other payloads are skipped, except those forbidden says must never come.
func recvPayload(t *testing.T, b *Beacon, want []byte, forbidden func([]byte) bool) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), beaconTestTimeout)
	defer cancel()
	for {
		sender, payload, err := b.Recv(ctx)
		if err != nil {
			t.Fatalf("waiting for beacon %q: %v", want, err)
		}
		if forbidden != nil && forbidden(payload) {
			t.Fatalf("beacon %q delivered; it should not be", payload)
		}
		if bytes.Equal(payload, want) {
			return sender
		}
	}
}

// waitUntil polls cond until it holds; the deadline only guards a hang.
func waitBeaconUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(beaconTestTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// rawBeaconSender sends datagrams to 127.255.255.255:port from a plain
// socket, so that tests choose every byte and the exact order.
type rawBeaconSender struct {
	t    *testing.T
	conn *net.UDPConn
	to   *net.UDPAddr
}

func newRawBeaconSender(t *testing.T, port int) *rawBeaconSender {
	t.Helper()
	conn, err := listen(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawBeaconSender{t: t, conn: conn, to: &net.UDPAddr{IP: net.IPv4(127, 255, 255, 255), Port: port}}
}

func (s *rawBeaconSender) send(datagrams ...[]byte) {
	s.t.Helper()
	for _, d := range datagrams {
		if _, err := s.conn.WriteToUDP(d, s.to); err != nil {
			s.t.Fatal(err)
		}
	}
}

// drain returns what b has queued without waiting.
func drain(b *Beacon) [][]byte {
	var payloads [][]byte
	for {
		select {
		case m, ok := <-b.Beacons():
			if !ok {
				return payloads
			}
			payloads = append(payloads, m.Payload)
		default:
			return payloads
		}
	}
}

func TestBeaconsFindEachOther(t *testing.T) {
	port := freeBeaconPort(t)
	first := newTestBeacon(t, port)
	second := newTestBeacon(t, port)
	if first.Hostname() != "127.0.0.1" || second.Hostname() != "127.0.0.1" {
		t.Fatalf("hostnames %q, %q; want 127.0.0.1", first.Hostname(), second.Hostname())
	}
	firstPayload := uniquePayload(t, "first-")
	secondPayload := uniquePayload(t, "second-")
	first.Subscribe(nil)
	second.Subscribe(nil)
	if err := first.Publish(firstPayload, 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := second.Publish(secondPayload, 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	ownEcho := func(own []byte) func([]byte) bool {
		return func(p []byte) bool { return bytes.Equal(p, own) }
	}
	if sender := recvPayload(t, first, secondPayload, ownEcho(firstPayload)); sender != "127.0.0.1" {
		t.Fatalf("first heard the second from %q", sender)
	}
	if sender := recvPayload(t, second, firstPayload, ownEcho(secondPayload)); sender != "127.0.0.1" {
		t.Fatalf("second heard the first from %q", sender)
	}
}

func TestBeaconOwnEchoDropped(t *testing.T) {
	port := freeBeaconPort(t)
	b := newTestBeacon(t, port)
	b.Subscribe(nil)
	own := uniquePayload(t, "own-")
	if err := b.Publish(own, 2*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	// The socket reads its own broadcasts: once several have been dealt
	// with, none may be queued.
	waitBeaconUntil(t, "the beacon has heard itself 5 times", func() bool { return b.heard.Load() >= 5 })
	for _, p := range drain(b) {
		if bytes.Equal(p, own) {
			t.Fatal("own beacon delivered")
		}
	}
	// The same bytes from another sender are dropped too (zbeacon compares
	// only the bytes); different bytes pass.
	raw := newRawBeaconSender(t, port)
	other := uniquePayload(t, "other-")
	raw.send(own, other)
	recvPayload(t, b, other, func(p []byte) bool { return bytes.Equal(p, own) })
}

func TestBeaconNothingBeforeSubscribe(t *testing.T) {
	port := freeBeaconPort(t)
	b := newTestBeacon(t, port)
	raw := newRawBeaconSender(t, port)
	early := uniquePayload(t, "early-")
	raw.send(early, early, early)
	waitBeaconUntil(t, "3 datagrams were read", func() bool { return b.heard.Load() >= 3 })
	if queued := drain(b); len(queued) != 0 {
		t.Fatalf("delivered %q before any Subscribe", queued)
	}
	b.Subscribe(nil)
	late := uniquePayload(t, "late-")
	raw.send(late)
	recvPayload(t, b, late, nil)
	b.Unsubscribe()
	raw.send(uniquePayload(t, "after-"))
	waitBeaconUntil(t, "5 datagrams were read", func() bool { return b.heard.Load() >= 5 })
	if queued := drain(b); len(queued) != 0 {
		t.Fatalf("delivered %q after Unsubscribe", queued)
	}
}

func TestBeaconSubscribePrefix(t *testing.T) {
	port := freeBeaconPort(t)
	b := newTestBeacon(t, port)
	b.Subscribe([]byte("keep"))
	raw := newRawBeaconSender(t, port)
	kept := uniquePayload(t, "keep-")
	raw.send(
		uniquePayload(t, "drop-"),
		kept,
		[]byte("kee"),  // shorter than the prefix
		[]byte("keep"), // exactly the prefix
		uniquePayload(t, "Keep-"),
	)
	waitBeaconUntil(t, "5 datagrams were read", func() bool { return b.heard.Load() >= 5 })
	queued := drain(b)
	if len(queued) != 2 || !bytes.Equal(queued[0], kept) || string(queued[1]) != "keep" {
		t.Fatalf("delivered %q; want %q and \"keep\"", queued, kept)
	}

	// A new Subscribe replaces the prefix; the empty prefix takes all.
	b.Subscribe(nil)
	anything := uniquePayload(t, "any-")
	raw.send(anything)
	recvPayload(t, b, anything, nil)
}

func TestBeaconSilenceStops(t *testing.T) {
	port := freeBeaconPort(t)
	speaker := newTestBeacon(t, port)
	listener := newTestBeacon(t, port)
	listener.Subscribe(nil)
	payload := uniquePayload(t, "speaker-")
	if err := speaker.Publish(payload, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	recvPayload(t, listener, payload, nil)
	waitBeaconUntil(t, "the speaker has sent 5 beacons", func() bool { return speaker.sent.Load() >= 5 })
	speaker.Silence()
	sentAtSilence := speaker.sent.Load()
	// Give the publisher many intervals' worth of chances to misbehave:
	// wait until another beacon, publishing at the same rate, has sent 20.
	ticker := newTestBeacon(t, port)
	if err := ticker.Publish(uniquePayload(t, "ticker-"), time.Millisecond); err != nil {
		t.Fatal(err)
	}
	waitBeaconUntil(t, "the ticker has sent 20 beacons", func() bool { return ticker.sent.Load() >= 20 })
	if sent := speaker.sent.Load(); sent != sentAtSilence {
		t.Fatalf("%d beacons sent after Silence", sent-sentAtSilence)
	}
	// Publishing again resumes.
	again := uniquePayload(t, "again-")
	if err := speaker.Publish(again, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	recvPayload(t, listener, again, nil)
}

func TestBeaconPublishLimits(t *testing.T) {
	port := freeBeaconPort(t)
	b := newTestBeacon(t, port)
	listener := newTestBeacon(t, port)
	listener.Subscribe(nil)
	if err := b.Publish(make([]byte, MaxSize+1), 0); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("256-byte payload: %v; want ErrTooLarge", err)
	}
	if err := b.Publish([]byte("x"), -time.Second); err == nil {
		t.Fatal("negative interval accepted")
	}
	largest := bytes.Repeat([]byte{0xAB}, MaxSize)
	copy(largest, uniquePayload(t, "largest-"))
	if err := b.Publish(largest, 0); err != nil {
		t.Fatal(err)
	}
	recvPayload(t, listener, largest, nil)
	if b.interval != DefaultInterval {
		t.Fatalf("interval 0 became %v; want %v", b.interval, DefaultInterval)
	}
}

func TestBeaconOversizeDatagramIgnored(t *testing.T) {
	port := freeBeaconPort(t)
	b := newTestBeacon(t, port)
	b.Subscribe(nil)
	raw := newRawBeaconSender(t, port)
	fits := bytes.Repeat([]byte{'f'}, MaxSize)
	raw.send(bytes.Repeat([]byte{'o'}, MaxSize+1), bytes.Repeat([]byte{'O'}, 1000), fits)
	waitBeaconUntil(t, "3 datagrams were read", func() bool { return b.heard.Load() >= 3 })
	queued := drain(b)
	if len(queued) != 1 || !bytes.Equal(queued[0], fits) {
		t.Fatalf("delivered %d beacons; want only the 255-byte one", len(queued))
	}
}

func TestBeaconQueueBoundedDropsCounted(t *testing.T) {
	port := freeBeaconPort(t)
	b := newTestBeacon(t, port, QueueLength(2))
	b.Subscribe(nil)
	raw := newRawBeaconSender(t, port)
	var sent [][]byte
	for i := 0; i < 7; i++ {
		sent = append(sent, uniquePayload(t, "q-"))
	}
	raw.send(sent...)
	waitBeaconUntil(t, "7 datagrams were read", func() bool { return b.heard.Load() >= 7 })
	if got := b.Dropped(); got != 5 {
		t.Fatalf("Dropped() = %d; want 5", got)
	}
	queued := drain(b)
	if len(queued) != 2 || !bytes.Equal(queued[0], sent[0]) || !bytes.Equal(queued[1], sent[1]) {
		t.Fatalf("queued %q; want the first two sent", queued)
	}
}

func TestBeaconRecvContext(t *testing.T) {
	b := newTestBeacon(t, freeBeaconPort(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := b.Recv(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Recv with a cancelled context: %v", err)
	}
}

// beaconGoroutines counts the goroutines that New started and that
// have not ended.
func beaconGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	return strings.Count(string(buf), "created by github.com/purezmq/zmq4/beacon.New")
}

func TestBeaconCloseEndsEverything(t *testing.T) {
	// The beacons of earlier tests are closed, but their goroutines may
	// still be on their way out.
	waitBeaconUntil(t, "earlier beacons' goroutines have ended", func() bool { return beaconGoroutines() == 0 })
	port := freeBeaconPort(t)
	b, err := New(port, Loopback())
	if err != nil {
		t.Fatal(err)
	}
	if got := beaconGoroutines(); got != 2 {
		t.Fatalf("%d beacon goroutines running; want 2", got)
	}
	b.Subscribe(nil)
	if err := b.Publish([]byte("closing"), time.Millisecond); err != nil {
		t.Fatal(err)
	}
	blocked := make(chan error, 1)
	go func() {
		for {
			if _, _, err := b.Recv(context.Background()); err != nil {
				blocked <- err
				return
			}
		}
	}()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-blocked:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("blocked Recv returned %v; want net.ErrClosed", err)
		}
	case <-time.After(beaconTestTimeout):
		t.Fatal("a blocked Recv did not return after Close")
	}
	waitBeaconUntil(t, "the beacon's goroutines have ended", func() bool { return beaconGoroutines() == 0 })
	if err := b.Publish([]byte("late"), 0); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Publish after Close: %v; want net.ErrClosed", err)
	}
	if _, _, err := b.Recv(context.Background()); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Recv after Close: %v; want net.ErrClosed", err)
	}
	b.Silence()
	b.Subscribe(nil)
	b.Unsubscribe()
	if err := b.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	// The port is free again: a socket without SO_REUSEADDR can bind it.
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4zero, Port: port})
	if err != nil {
		t.Fatalf("port still held after Close: %v", err)
	}
	conn.Close()
}

func TestBeaconInterfaceChoice(t *testing.T) {
	candidates := []candidate{
		{"eth0", netip.MustParseAddr("10.0.0.5"), netip.MustParseAddr("10.0.0.255")},
		{"eth0", netip.MustParseAddr("10.1.0.5"), netip.MustParseAddr("10.1.255.255")},
		{"wlan0", netip.MustParseAddr("192.168.1.7"), netip.MustParseAddr("192.168.1.255")},
	}
	cases := []struct {
		spec    string
		address string // "" when nothing matches
	}{
		{"", "10.0.0.5"},
		{"eth0", "10.0.0.5"},
		{"wlan0", "192.168.1.7"},
		{"10.1.0.5", "10.1.0.5"},
		{"1", "10.1.0.5"},
		{"2", "192.168.1.7"},
		{"3", ""},
		{"eth9", ""},
	}
	for _, c := range cases {
		got, ok := pickCandidate(candidates, c.spec)
		if c.address == "" {
			if ok {
				t.Errorf("spec %q chose %v; want none", c.spec, got.address)
			}
			continue
		}
		if !ok || got.address.String() != c.address {
			t.Errorf("spec %q chose %v (found %v); want %s", c.spec, got.address, ok, c.address)
		}
	}
	if _, ok := pickCandidate(nil, ""); ok {
		t.Error("chose an interface from an empty list")
	}

	c, ok := candidateFrom("eth0", netif.Addr{IP: netip.MustParseAddr("10.1.2.3"), Mask: net.CIDRMask(20, 32)})
	if !ok || c.address.String() != "10.1.2.3" || c.broadcast.String() != "10.1.15.255" {
		t.Errorf("10.1.2.3/20 gave %+v", c)
	}
	if _, ok := candidateFrom("eth0", netif.Addr{IP: netip.MustParseAddr("fe80::1%eth0"), Mask: net.CIDRMask(64, 128)}); ok {
		t.Error("an IPv6 address became a candidate")
	}
}

func TestBeaconRoutes(t *testing.T) {
	route, err := routeFor(config{iface: "*"})
	if err != nil || route.hostname != "*" || route.broadcast.String() != "255.255.255.255" {
		t.Fatalf(`"*": %+v, %v`, route, err)
	}
	route, err = routeFor(config{loopback: true, broadcast: "127.0.0.1"})
	if err != nil || route.hostname != "127.0.0.1" || route.broadcast.String() != "127.0.0.1" {
		t.Fatalf("loopback with a broadcast address: %+v, %v", route, err)
	}
	if _, err := routeFor(config{broadcast: "ff02::1", iface: "*"}); err == nil {
		t.Fatal("IPv6 broadcast address accepted")
	}
	if _, err := routeFor(config{iface: "no-such-interface-here"}); !errors.Is(err, ErrNoInterface) {
		t.Fatalf("unknown interface: %v; want ErrNoInterface", err)
	}
	if _, err := New(0); err == nil {
		t.Fatal("port 0 accepted")
	}

	// The default takes the system's first broadcast interface, as zbeacon
	// does, and reports its address. Nothing is sent here.
	candidates, err := listCandidates()
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(freeBeaconPort(t))
	if len(candidates) == 0 {
		if !errors.Is(err, ErrNoInterface) {
			t.Fatalf("no candidates, New: %v", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.Hostname() != candidates[0].address.String() {
		t.Fatalf("default hostname %q; want %s", b.Hostname(), candidates[0].address)
	}
	if b.destination.IP.String() != candidates[0].broadcast.String() {
		t.Fatalf("default destination %v; want %s", b.destination, candidates[0].broadcast)
	}
}

func TestBeaconWantedRules(t *testing.T) {
	cases := []struct {
		datagram, filter, transmit string
		subscribed, publishing     bool
		want                       bool
	}{
		{"ZRE\x01abc", "", "", false, false, false}, // no subscription
		{"ZRE\x01abc", "", "", true, false, true},
		{"ZRE\x01abc", "ZRE", "", true, false, true},
		{"ZRE\x01abc", "ZRF", "", true, false, false},
		{"ZR", "ZRE", "", true, false, false},
		{"", "", "", true, false, true},
		{"", "", "", true, true, false}, // empty echo of an empty payload
		{"mine", "", "mine", true, true, false},
		{"mine!", "", "mine", true, true, true},
		{"mine", "", "mine", true, false, true}, // silent: no echo to drop
	}
	for _, c := range cases {
		var transmit []byte
		if c.publishing {
			transmit = []byte(c.transmit)
		}
		got := passes([]byte(c.datagram), c.subscribed, []byte(c.filter), transmit)
		if got != c.want {
			t.Errorf("%+v: got %v", c, got)
		}
	}
}

// FuzzBeaconAccept feeds peer datagrams through the receive decision and
// checks it against zbeacon's rules written out byte by byte.
func FuzzBeaconAccept(f *testing.F) {
	zre := append([]byte("ZRE\x01"), bytes.Repeat([]byte{7}, 16)...)
	zre = append(zre, 0x1f, 0x90)
	f.Add(zre, []byte("ZRE"), zre, true, true, []byte{127, 0, 0, 1}, true)
	f.Add(zre, []byte{}, []byte("other"), true, true, []byte{10, 0, 0, 1}, false)
	f.Add([]byte{}, []byte{}, []byte{}, true, true, []byte{10, 0, 0, 1}, true)
	f.Add(bytes.Repeat([]byte{1}, 300), []byte{1}, []byte{}, true, false, []byte{127, 1, 2, 3}, true)
	f.Fuzz(func(t *testing.T, datagram, filter, transmit []byte, subscribed, publishing bool, senderBytes []byte, loopbackOnly bool) {
		sender, ok := netip.AddrFromSlice(senderBytes)
		if !ok {
			sender = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		}
		b := &Beacon{loopbackOnly: loopbackOnly, subscribed: subscribed, filter: filter}
		if publishing {
			b.transmit = append([]byte{}, transmit...)
		}
		m, delivered := b.accept(datagram, sender)

		want := subscribed && len(datagram) <= MaxSize && len(datagram) >= len(filter)
		for i := 0; want && i < len(filter); i++ {
			want = datagram[i] == filter[i]
		}
		if want && publishing && len(datagram) == len(transmit) {
			same := true
			for i := range datagram {
				if datagram[i] != transmit[i] {
					same = false
				}
			}
			want = !same
		}
		if loopbackOnly && !sender.Unmap().IsLoopback() {
			want = false
		}
		if delivered != want {
			t.Fatalf("delivered %v, want %v", delivered, want)
		}
		if !delivered {
			return
		}
		if !bytes.Equal(m.Payload, datagram) || m.Sender != sender.Unmap().String() {
			t.Fatalf("delivered %q from %q", m.Payload, m.Sender)
		}
		if len(datagram) > 0 {
			datagram[0]++ // the message must own its bytes
			if m.Payload[0] == datagram[0] {
				t.Fatal("delivered payload shares the datagram's buffer")
			}
		}
	})
}
