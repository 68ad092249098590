package transport

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// mustParse parses s or fails the test.
func mustParse(t *testing.T, s string) Endpoint {
	t.Helper()
	ep, err := ParseEndpoint(s)
	if err != nil {
		t.Fatalf("ParseEndpoint(%q): %v", s, err)
	}
	return ep
}

// hasIPv6Loopback reports whether ::1 can be bound here.
func hasIPv6Loopback() bool {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

// roundTrip dials dialEP against l, sends a message each way and returns
// the dialed and accepted connections (closed at test end).
func roundTrip(t *testing.T, l Listener, dialEP string, opts *Options) (dialed, accepted net.Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	type result struct {
		c   net.Conn
		err error
	}
	acc := make(chan result, 1)
	go func() {
		c, err := l.Accept()
		acc <- result{c, err}
	}()
	dialed, err := Dial(ctx, mustParse(t, dialEP), opts)
	if err != nil {
		t.Fatalf("Dial(%q): %v", dialEP, err)
	}
	t.Cleanup(func() { dialed.Close() })
	r := <-acc
	if r.err != nil {
		t.Fatalf("Accept: %v", r.err)
	}
	accepted = r.c
	t.Cleanup(func() { accepted.Close() })
	exchange(t, dialed, accepted)
	return dialed, accepted
}

// exchange writes a message in each direction and checks it arrives.
func exchange(t *testing.T, a, b net.Conn) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	a.SetDeadline(deadline)
	b.SetDeadline(deadline)
	for _, pair := range [][2]net.Conn{{a, b}, {b, a}} {
		msg := []byte("hello " + pair[0].LocalAddr().String())
		if _, err := pair[0].Write(msg); err != nil {
			t.Fatalf("write: %v", err)
		}
		got := make([]byte, len(msg))
		if _, err := io.ReadFull(pair[1], got); err != nil {
			t.Fatalf("read: %v", err)
		}
		if string(got) != string(msg) {
			t.Fatalf("read %q, want %q", got, msg)
		}
	}
}

// listen binds s or fails the test; the listener is closed at test end.
func listen(t *testing.T, s string, opts *Options) Listener {
	t.Helper()
	l, err := Listen(mustParse(t, s), opts)
	if err != nil {
		t.Fatalf("Listen(%q): %v", s, err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// portOf returns the port of a tcp LAST_ENDPOINT string.
func portOf(t *testing.T, endpoint string) string {
	t.Helper()
	i := strings.LastIndexByte(endpoint, ':')
	if i < 0 {
		t.Fatalf("no port in %q", endpoint)
	}
	return endpoint[i+1:]
}

func TestTCPLastEndpointForms(t *testing.T) {
	v6 := hasIPv6Loopback()
	cases := []struct {
		bind    string
		ipv6    bool
		pattern string // regexp for Endpoint(), as libzmq 4.3.4 prints it
		dial    string // host to dial back, "" to skip the round trip
		needV6  bool
	}{
		{"tcp://*:*", false, `^tcp://0\.0\.0\.0:\d+$`, "127.0.0.1", false},
		{"tcp://*:0", false, `^tcp://0\.0\.0\.0:\d+$`, "127.0.0.1", false},
		{"tcp://[*]:*", false, `^tcp://0\.0\.0\.0:\d+$`, "127.0.0.1", false},
		{"tcp://127.0.0.1:*", false, `^tcp://127\.0\.0\.1:\d+$`, "127.0.0.1", false},
		{"tcp://0.0.0.0:*", false, `^tcp://0\.0\.0\.0:\d+$`, "127.0.0.1", false},
		{"tcp://[::ffff:127.0.0.1]:*", false, `^tcp://127\.0\.0\.1:\d+$`, "127.0.0.1", false},
		{"tcp://lo:*", false, `^tcp://127\.0\.0\.1:\d+$`, "127.0.0.1", false},
		{"tcp://*:*", true, `^tcp://\[::\]:\d+$`, "127.0.0.1", true},
		{"tcp://127.0.0.1:*", true, `^tcp://\[::ffff:127\.0\.0\.1\]:\d+$`, "127.0.0.1", false},
		{"tcp://0.0.0.0:*", true, `^tcp://\[::ffff:0\.0\.0\.0\]:\d+$`, "127.0.0.1", false},
		{"tcp://[::1]:*", true, `^tcp://\[::1\]:\d+$`, "[::1]", true},
		{"tcp://::1:*", true, `^tcp://\[::1\]:\d+$`, "[::1]", true},
		{"tcp://lo:*", true, `^tcp://\[::1\]:\d+$`, "[::1]", true},
		{"tcp://[::1%lo]:*", true, `^tcp://\[::1\]:\d+$`, "[::1]", true},
		{"tcp://[::]:*", true, `^tcp://\[::\]:\d+$`, "127.0.0.1", true},
		{"tcp://[::ffff:127.0.0.1]:*", true, `^tcp://\[::ffff:127\.0\.0\.1\]:\d+$`, "127.0.0.1", false},
		{"tcp://127.0.0.1%lo:*", false, `^tcp://127\.0\.0\.1:\d+$`, "127.0.0.1", false},
	}
	for _, tc := range cases {
		if tc.needV6 && !v6 {
			t.Logf("skipping %s ipv6=%v: no IPv6 loopback", tc.bind, tc.ipv6)
			continue
		}
		opts := &Options{IPv6: tc.ipv6}
		l := listen(t, tc.bind, opts)
		if !regexp.MustCompile(tc.pattern).MatchString(l.Endpoint()) {
			t.Errorf("bind %s ipv6=%v: Endpoint() = %q, want match %s", tc.bind, tc.ipv6, l.Endpoint(), tc.pattern)
			continue
		}
		if tc.dial != "" {
			roundTrip(t, l, "tcp://"+tc.dial+":"+portOf(t, l.Endpoint()), opts)
		}
		l.Close()
	}
}

func TestTCPDialHostname(t *testing.T) {
	l := listen(t, "tcp://127.0.0.1:*", nil)
	roundTrip(t, l, "tcp://localhost:"+portOf(t, l.Endpoint()), nil)
}

func TestTCPBindErrors(t *testing.T) {
	cases := []struct {
		bind string
		ipv6 bool
		want error
	}{
		{"tcp://no-such-host.invalid:*", false, syscall.ENODEV}, // unresolvable name
		{"tcp://nosuchhost:*", false, syscall.ENODEV},
		{"tcp://[::1]:*", false, syscall.ENODEV}, // IPv6 address with IPv6 off
		{"tcp://10.9.9.9:*", false, syscall.EADDRNOTAVAIL},
		{"tcp://*:abc", false, syscall.EINVAL},
		{"tcp://*:!", false, syscall.EINVAL},
		{"tcp://[fe80::1%]:*", true, syscall.EINVAL},
		{"tcp://[fe80::1%nosuchif0]:*", true, syscall.EINVAL},
		{"tcp://127.0.0.1;127.0.0.1:*", false, syscall.EINVAL},
	}
	for _, tc := range cases {
		ep, err := ParseEndpoint(tc.bind)
		if err == nil {
			var l Listener
			l, err = Listen(ep, &Options{IPv6: tc.ipv6})
			if err == nil {
				l.Close()
			}
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("bind %s ipv6=%v: error %v, want %v", tc.bind, tc.ipv6, err, tc.want)
		}
	}
}

func TestTCPAddressInUse(t *testing.T) {
	l := listen(t, "tcp://127.0.0.1:*", nil)
	_, err := Listen(mustParse(t, l.Endpoint()), nil)
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("second bind to %s: error %v, want EADDRINUSE", l.Endpoint(), err)
	}
}

func TestTCPDialErrors(t *testing.T) {
	ctx := context.Background()
	for _, s := range []string{"tcp://127.0.0.1:*", "tcp://[::1]:5555"} {
		_, err := Dial(ctx, mustParse(t, s), nil)
		if !errors.Is(err, syscall.EINVAL) {
			t.Errorf("Dial(%s): error %v, want EINVAL", s, err)
		}
	}
}

func TestTCPSourceAddress(t *testing.T) {
	l := listen(t, "tcp://127.0.0.1:*", nil)
	port := portOf(t, l.Endpoint())

	// Reserve a free port for the source, then release it.
	probe, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srcPort := probe.Addr().(*net.TCPAddr).Port
	probe.Close()

	cases := []struct {
		src      string
		wantPort int // 0: any
	}{
		{"127.0.0.1", 0},
		{"127.0.0.1:0", 0},
		{"127.0.0.1:*", 0},
		{"lo:*", 0},
		{"127.0.0.1:" + strconv.Itoa(srcPort), srcPort},
	}
	for _, tc := range cases {
		dialed, accepted := roundTrip(t, l, "tcp://"+tc.src+";127.0.0.1:"+port, nil)
		local := dialed.LocalAddr().(*net.TCPAddr)
		if !local.IP.Equal(net.IPv4(127, 0, 0, 1)) {
			t.Errorf("source %s: local address %v", tc.src, local)
		}
		if tc.wantPort != 0 && local.Port != tc.wantPort {
			t.Errorf("source %s: local port %d, want %d", tc.src, local.Port, tc.wantPort)
		}
		if remote := accepted.RemoteAddr().String(); remote != local.String() {
			t.Errorf("source %s: listener saw %s, dialer is %s", tc.src, remote, local)
		}
		dialed.Close()
		accepted.Close()
	}
}

func TestTCPSourceAddressNotLoopback(t *testing.T) {
	// A source address that is not on this host cannot be bound.
	l := listen(t, "tcp://127.0.0.1:*", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := Dial(ctx, mustParse(t, "tcp://10.9.9.9;127.0.0.1:"+portOf(t, l.Endpoint())), nil)
	if !errors.Is(err, syscall.EADDRNOTAVAIL) {
		t.Fatalf("dial from 10.9.9.9: error %v, want EADDRNOTAVAIL", err)
	}
}

func TestAcceptFilter(t *testing.T) {
	opts := &Options{AcceptFilters: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	l := listen(t, "tcp://127.0.0.1:*", opts)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err == nil {
			accepted <- c
		}
		close(accepted)
	}()
	c, err := Dial(ctx, mustParse(t, "tcp://127.0.0.1:"+portOf(t, l.Endpoint())), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The listener closes the refused peer at once: reading sees EOF or a reset.
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = c.Read(make([]byte, 1))
	if err == nil || errors.Is(err, syscall.ETIMEDOUT) || isTimeout(err) {
		t.Fatalf("read from refused connection: %v, want EOF or reset", err)
	}
	l.Close()
	if c, ok := <-accepted; ok {
		c.Close()
		t.Fatal("Accept returned a peer outside the filter")
	}
}

func TestAcceptFilterAllows(t *testing.T) {
	opts := &Options{AcceptFilters: []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("127.0.0.0/8"),
	}}
	l := listen(t, "tcp://127.0.0.1:*", opts)
	roundTrip(t, l, "tcp://127.0.0.1:"+portOf(t, l.Endpoint()), nil)
}

func TestPeerAddress(t *testing.T) {
	l := listen(t, "tcp://127.0.0.1:*", nil)
	dialed, accepted := roundTrip(t, l, "tcp://127.0.0.1:"+portOf(t, l.Endpoint()), nil)
	if got := PeerAddress(accepted); got != "127.0.0.1" {
		t.Errorf("PeerAddress(accepted) = %q", got)
	}
	if got := PeerAddress(dialed); got != "127.0.0.1" {
		t.Errorf("PeerAddress(dialed) = %q", got)
	}
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if got := PeerAddress(a); got != "" {
		t.Errorf("PeerAddress(pipe) = %q, want empty", got)
	}
}

func TestPeerAddressDualStack(t *testing.T) {
	if !hasIPv6Loopback() {
		t.Skip("no IPv6 loopback")
	}
	opts := &Options{IPv6: true}
	l := listen(t, "tcp://*:*", opts)
	_, accepted := roundTrip(t, l, "tcp://127.0.0.1:"+portOf(t, l.Endpoint()), opts)
	if got := PeerAddress(accepted); got != "::ffff:127.0.0.1" {
		t.Errorf("PeerAddress of IPv4 peer on dual-stack listener = %q, want ::ffff:127.0.0.1", got)
	}
	_, accepted = roundTrip(t, l, "tcp://[::1]:"+portOf(t, l.Endpoint()), opts)
	if got := PeerAddress(accepted); got != "::1" {
		t.Errorf("PeerAddress of IPv6 peer = %q, want ::1", got)
	}
}

func TestTCPLinkLocalZone(t *testing.T) {
	// A link-local address keeps its zone in the endpoint, as libzmq prints it.
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		t.Skip("no lo interface")
	}
	ifaces, _ := net.Interfaces()
	for _, ifi := range ifaces {
		if ifi.Index == lo.Index {
			continue
		}
		addrs, _ := ifi.Addrs()
		for _, a := range addrs {
			ipnet, ok := a.(*net.IPNet)
			if !ok {
				continue
			}
			ip, _ := netip.AddrFromSlice(ipnet.IP)
			if !ip.Is6() || !ip.IsLinkLocalUnicast() {
				continue
			}
			bind := "tcp://[" + ip.String() + "%" + strconv.Itoa(ifi.Index) + "]:*"
			l, err := Listen(mustParse(t, bind), &Options{IPv6: true})
			if err != nil {
				t.Logf("bind %s: %v", bind, err)
				continue
			}
			defer l.Close()
			want := "tcp://[" + ip.WithZone(ifi.Name).String() + "]:"
			if !strings.HasPrefix(l.Endpoint(), want) {
				t.Fatalf("bind %s: Endpoint() = %q, want prefix %q", bind, l.Endpoint(), want)
			}
			return
		}
	}
	t.Skip("no link-local IPv6 address to bind")
}

func TestConnectTimeout(t *testing.T) {
	l := listen(t, "tcp://127.0.0.1:*", nil)
	_, err := Dial(context.Background(), mustParse(t, "tcp://127.0.0.1:"+portOf(t, l.Endpoint())), &Options{ConnectTimeout: time.Nanosecond})
	if err == nil || !isTimeout(err) {
		t.Fatalf("Dial with an expired connect timeout: %v, want a timeout", err)
	}
}

func TestUnsupportedTransports(t *testing.T) {
	for _, s := range []string{"inproc://x", "udp://127.0.0.1:5555"} {
		ep := mustParse(t, s)
		if _, err := Listen(ep, nil); !errors.Is(err, ErrProtocolNotSupported) {
			t.Errorf("Listen(%s): %v", s, err)
		}
		if _, err := Dial(context.Background(), ep, nil); !errors.Is(err, ErrProtocolNotSupported) {
			t.Errorf("Dial(%s): %v", s, err)
		}
	}
}

// isTimeout reports whether err is a deadline expiry.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func TestAcceptAfterClose(t *testing.T) {
	dir := t.TempDir()
	for _, s := range []string{"tcp://127.0.0.1:*", "ipc://" + dir + "/c.sock"} {
		l := listen(t, s, nil)
		done := make(chan error, 1)
		go func() {
			_, err := l.Accept()
			done <- err
		}()
		if err := l.Close(); err != nil {
			t.Fatalf("%s: Close: %v", s, err)
		}
		if err := <-done; !errors.Is(err, net.ErrClosed) {
			t.Errorf("%s: Accept after Close: %v, want net.ErrClosed", s, err)
		}
		if _, err := l.Accept(); !errors.Is(err, net.ErrClosed) {
			t.Errorf("%s: second Accept after Close: %v, want net.ErrClosed", s, err)
		}
	}
}

func TestTCPBindHostName(t *testing.T) {
	l := listen(t, "tcp://localhost:*", nil)
	if !strings.HasPrefix(l.Endpoint(), "tcp://127.0.0.1:") {
		t.Fatalf("bound %s, want the address localhost resolves to", l.Endpoint())
	}
}
