package transport

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"testing"
	"time"
)

// socksGuard bounds blocking steps in these tests (a hang guard only).
const socksGuard = 10 * time.Second

// appendSocksReply encodes a proxy reply: the test server's encoder and the
// fuzz target's seeds.
func appendSocksReply(dst []byte, code byte, bound netip.AddrPort, domain string) []byte {
	dst = append(dst, socksVersion, code, 0)
	switch {
	case domain != "":
		dst = append(dst, socksAtypDomain, byte(len(domain)))
		dst = append(dst, domain...)
	case bound.Addr().Is4():
		a := bound.Addr().As4()
		dst = append(dst, socksAtypIPv4)
		dst = append(dst, a[:]...)
	default:
		a := bound.Addr().As16()
		dst = append(dst, socksAtypIPv6)
		dst = append(dst, a[:]...)
	}
	return binary.BigEndian.AppendUint16(dst, bound.Port())
}

// socksTarget is what a CONNECT request asked for.
type socksTarget struct {
	atyp byte
	host string // dotted or colon form for addresses, the name for domains
	port uint16
}

func (t socksTarget) String() string {
	return net.JoinHostPort(t.host, strconv.Itoa(int(t.port)))
}

// readSocksGreeting is the test server's side of the greeting: it returns
// the methods the client offers.
func readSocksGreeting(r io.Reader) ([]byte, error) {
	var g [2]byte
	if _, err := io.ReadFull(r, g[:]); err != nil {
		return nil, err
	}
	if g[0] != socksVersion {
		return nil, errors.New("bad greeting version")
	}
	methods := make([]byte, g[1])
	if _, err := io.ReadFull(r, methods); err != nil {
		return nil, err
	}
	return methods, nil
}

// readSocksConnect is the test server's side of the CONNECT request.
func readSocksConnect(r io.Reader) (socksTarget, error) {
	var t socksTarget
	var h [4]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return t, err
	}
	if h[0] != socksVersion || h[1] != socksCmdConnect || h[2] != 0 {
		return t, errors.New("bad request header")
	}
	t.atyp = h[3]
	switch h[3] {
	case socksAtypIPv4, socksAtypIPv6:
		b := make([]byte, 4)
		if h[3] == socksAtypIPv6 {
			b = make([]byte, 16)
		}
		if _, err := io.ReadFull(r, b); err != nil {
			return t, err
		}
		ip, _ := netip.AddrFromSlice(b)
		t.host = ip.String()
	case socksAtypDomain:
		var n [1]byte
		if _, err := io.ReadFull(r, n[:]); err != nil {
			return t, err
		}
		b := make([]byte, n[0])
		if _, err := io.ReadFull(r, b); err != nil {
			return t, err
		}
		t.host = string(b)
	default:
		return t, errors.New("bad address type")
	}
	var p [2]byte
	if _, err := io.ReadFull(r, p[:]); err != nil {
		return t, err
	}
	t.port = binary.BigEndian.Uint16(p[:])
	return t, nil
}

// readSocksAuthRequest is the test server's side of the RFC 1929 request.
func readSocksAuthRequest(r io.Reader) (socksCredentials, error) {
	var c socksCredentials
	var field [2]string
	var ver [1]byte
	if _, err := io.ReadFull(r, ver[:]); err != nil {
		return c, err
	}
	if ver[0] != socksAuthVersion {
		return c, errors.New("bad authentication version")
	}
	for i := range field {
		var n [1]byte
		if _, err := io.ReadFull(r, n[:]); err != nil {
			return c, err
		}
		b := make([]byte, n[0])
		if _, err := io.ReadFull(r, b); err != nil {
			return c, err
		}
		field[i] = string(b)
	}
	return socksCredentials{username: field[0], password: field[1]}, nil
}

// socksServer is a minimal SOCKS5 proxy on 127.0.0.1 that records the
// targets asked for and relays bytes. choice and replyCode let a test make
// it misbehave; a non-empty want.username makes it require those
// credentials (RFC 1929).
type socksServer struct {
	ln        net.Listener
	choice    byte // method it selects without want (0 = no auth)
	replyCode byte // 0 = success
	silent    bool // never answer the greeting
	want      socksCredentials

	mu      sync.Mutex
	methods [][]byte
	auths   []socksCredentials
	targets []socksTarget
	wg      sync.WaitGroup
	conns   []net.Conn
}

func newSocksServer(t *testing.T) *socksServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &socksServer{ln: ln}
	t.Cleanup(s.close)
	return s
}

func (s *socksServer) start() *socksServer {
	s.wg.Add(1)
	go s.acceptLoop()
	return s
}

func (s *socksServer) addr() string { return s.ln.Addr().String() }

func (s *socksServer) close() {
	s.ln.Close()
	s.mu.Lock()
	for _, c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *socksServer) track(c net.Conn) {
	s.mu.Lock()
	s.conns = append(s.conns, c)
	s.mu.Unlock()
}

func (s *socksServer) seen() ([][]byte, []socksTarget) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.methods...), append([]socksTarget(nil), s.targets...)
}

func (s *socksServer) seenAuths() []socksCredentials {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]socksCredentials(nil), s.auths...)
}

// authenticate runs the server's side of the method choice. Without want
// it selects s.choice; with want it needs the username/password method
// offered and the right credentials, and reports whether to go on.
func (s *socksServer) authenticate(c net.Conn, methods []byte) bool {
	if s.want.username == "" {
		_, err := c.Write([]byte{socksVersion, s.choice})
		return err == nil && s.choice == socksMethodNoAuth
	}
	if !bytes.Contains(methods, []byte{socksMethodUserPass}) {
		c.Write([]byte{socksVersion, 0xFF})
		return false
	}
	if _, err := c.Write([]byte{socksVersion, socksMethodUserPass}); err != nil {
		return false
	}
	got, err := readSocksAuthRequest(c)
	if err != nil {
		return false
	}
	s.mu.Lock()
	s.auths = append(s.auths, got)
	s.mu.Unlock()
	if got != s.want {
		c.Write([]byte{socksAuthVersion, 0x01})
		return false
	}
	_, err = c.Write([]byte{socksAuthVersion, 0x00})
	return err == nil
}

func (s *socksServer) acceptLoop() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.track(c)
		s.wg.Add(1)
		go s.serve(c)
	}
}

func (s *socksServer) serve(c net.Conn) {
	defer s.wg.Done()
	methods, err := readSocksGreeting(c)
	if err != nil {
		c.Close()
		return
	}
	s.mu.Lock()
	s.methods = append(s.methods, methods)
	s.mu.Unlock()
	if s.silent {
		io.Copy(io.Discard, c)
		return
	}
	if !s.authenticate(c, methods) {
		c.Close()
		return
	}
	target, err := readSocksConnect(c)
	if err != nil {
		c.Close()
		return
	}
	s.mu.Lock()
	s.targets = append(s.targets, target)
	s.mu.Unlock()
	if s.replyCode != 0 {
		c.Write(appendSocksReply(nil, s.replyCode, netip.AddrPortFrom(netip.IPv4Unspecified(), 0), ""))
		c.Close()
		return
	}
	up, err := net.DialTimeout("tcp4", target.String(), socksGuard)
	if err != nil {
		c.Write(appendSocksReply(nil, 0x05, netip.AddrPortFrom(netip.IPv4Unspecified(), 0), ""))
		c.Close()
		return
	}
	s.track(up)
	bound := up.LocalAddr().(*net.TCPAddr).AddrPort()
	if _, err := c.Write(appendSocksReply(nil, 0, bound, "")); err != nil {
		c.Close()
		up.Close()
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		io.Copy(up, c)
		up.Close()
	}()
	io.Copy(c, up)
	c.Close()
}

// echoListener accepts connections on 127.0.0.1 and echoes what it reads.
func echoListener(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				c.SetDeadline(time.Now().Add(socksGuard))
				io.Copy(c, c)
			}()
		}
	}()
	return ln
}

func mustEndpoint(t *testing.T, s string) Endpoint {
	t.Helper()
	ep, err := ParseEndpoint(s)
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

func TestAppendSocksConnect(t *testing.T) {
	long := string(bytes.Repeat([]byte("a"), 256))
	cases := []struct {
		host string
		port uint16
		want []byte
	}{
		{"10.1.2.3", 5555, []byte{5, 1, 0, 1, 10, 1, 2, 3, 0x15, 0xb3}},
		{"::1", 80, append(append([]byte{5, 1, 0, 4}, netip.IPv6Loopback().AsSlice()...), 0, 80)},
		{"example.org", 1, append(append([]byte{5, 1, 0, 3, 11}, "example.org"...), 0, 1)},
		// Not a numeric address: the proxy resolves it.
		{"1.2.3", 2, append(append([]byte{5, 1, 0, 3, 5}, "1.2.3"...), 0, 2)},
	}
	for _, c := range cases {
		got, err := appendSocksConnect(nil, c.host, c.port)
		if err != nil || !bytes.Equal(got, c.want) {
			t.Errorf("%s:%d: got % x, %v; want % x", c.host, c.port, got, err, c.want)
		}
	}
	if _, err := appendSocksConnect(nil, long, 1); err == nil {
		t.Error("256-byte host name accepted")
	}
}

func TestDialSocksRelays(t *testing.T) {
	echo := echoListener(t)
	port := echo.Addr().(*net.TCPAddr).Port
	for _, c := range []struct {
		endpoint string
		want     socksTarget
	}{
		{"tcp://127.0.0.1:" + strconv.Itoa(port), socksTarget{socksAtypIPv4, "127.0.0.1", uint16(port)}},
		{"tcp://localhost:" + strconv.Itoa(port), socksTarget{socksAtypDomain, "localhost", uint16(port)}},
	} {
		t.Run(c.want.host, func(t *testing.T) {
			proxy := newSocksServer(t).start()
			ctx, cancel := context.WithTimeout(context.Background(), socksGuard)
			defer cancel()
			conn, err := Dial(ctx, mustEndpoint(t, c.endpoint), &Options{SocksProxy: proxy.addr()})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if got := conn.RemoteAddr().String(); got != proxy.addr() {
				t.Errorf("connected to %s, want the proxy %s", got, proxy.addr())
			}
			conn.SetDeadline(time.Now().Add(socksGuard))
			if _, err := conn.Write([]byte("through the proxy")); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, len("through the proxy"))
			if _, err := io.ReadFull(conn, buf); err != nil || string(buf) != "through the proxy" {
				t.Fatalf("echo %q, %v", buf, err)
			}
			methods, targets := proxy.seen()
			if len(methods) != 1 || !bytes.Equal(methods[0], []byte{socksMethodNoAuth}) {
				t.Errorf("methods offered %v, want only no-auth", methods)
			}
			if len(targets) != 1 || targets[0] != c.want {
				t.Errorf("targets %v, want %v", targets, c.want)
			}
		})
	}
}

func TestDialSocksFailures(t *testing.T) {
	ep := mustEndpoint(t, "tcp://127.0.0.1:9")
	t.Run("refused", func(t *testing.T) {
		proxy := newSocksServer(t)
		proxy.replyCode = 0x05
		proxy.start()
		_, err := Dial(context.Background(), ep, &Options{SocksProxy: proxy.addr(), ConnectTimeout: socksGuard})
		if !errors.Is(err, ErrSocks) {
			t.Fatalf("got %v, want ErrSocks", err)
		}
	})
	t.Run("wants-auth", func(t *testing.T) {
		proxy := newSocksServer(t)
		proxy.choice = 0xFF
		proxy.start()
		_, err := Dial(context.Background(), ep, &Options{SocksProxy: proxy.addr(), ConnectTimeout: socksGuard})
		if !errors.Is(err, ErrSocks) {
			t.Fatalf("got %v, want ErrSocks", err)
		}
	})
	t.Run("silent-proxy-timeout", func(t *testing.T) {
		proxy := newSocksServer(t)
		proxy.silent = true
		proxy.start()
		_, err := Dial(context.Background(), ep, &Options{SocksProxy: proxy.addr(), ConnectTimeout: 100 * time.Millisecond})
		if err == nil {
			t.Fatal("dial through a silent proxy succeeded")
		}
	})
	t.Run("silent-proxy-cancel", func(t *testing.T) {
		proxy := newSocksServer(t)
		proxy.silent = true
		proxy.start()
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			for {
				if methods, _ := proxy.seen(); len(methods) > 0 {
					cancel()
					return
				}
				time.Sleep(time.Millisecond)
			}
		}()
		_, err := Dial(ctx, ep, &Options{SocksProxy: proxy.addr(), ConnectTimeout: socksGuard})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	})
	t.Run("bad-proxy-address", func(t *testing.T) {
		_, err := Dial(context.Background(), ep, &Options{SocksProxy: "no-port"})
		if !errors.Is(err, ErrInvalidEndpoint) {
			t.Fatalf("got %v, want ErrInvalidEndpoint", err)
		}
	})
}

func TestReadSocksReply(t *testing.T) {
	v4 := netip.MustParseAddrPort("10.0.0.1:1080")
	v6 := netip.MustParseAddrPort("[2001:db8::1]:1080")
	good := [][]byte{
		appendSocksReply(nil, 0, v4, ""),
		appendSocksReply(nil, 0, v6, ""),
		appendSocksReply(nil, 0, v4, "proxy.example"),
		appendSocksReply(nil, 0, v4, string(bytes.Repeat([]byte("x"), 255))),
	}
	for _, b := range good {
		r := bytes.NewReader(append(append([]byte(nil), b...), "ZMTP"...))
		if err := readSocksReply(r); err != nil {
			t.Errorf("% x: %v", b, err)
		}
		if rest, _ := io.ReadAll(r); string(rest) != "ZMTP" {
			t.Errorf("% x: left %q after the reply, want the stream untouched", b, rest)
		}
	}
	bad := map[string][]byte{
		"refused":      appendSocksReply(nil, 0x05, v4, ""),
		"unknown-code": appendSocksReply(nil, 0x09, v4, ""),
		"version":      append([]byte{4}, appendSocksReply(nil, 0, v4, "")[1:]...),
		"reserved":     {5, 0, 1, 1, 10, 0, 0, 1, 4, 56},
		"atyp":         {5, 0, 0, 2, 10, 0, 0, 1, 4, 56},
		"short":        appendSocksReply(nil, 0, v6, "")[:12],
		"empty":        {},
	}
	for name, b := range bad {
		if err := readSocksReply(bytes.NewReader(b)); err == nil {
			t.Errorf("%s: % x accepted", name, b)
		}
	}
	if err := checkSocksChoice([2]byte{5, 0}, socksMethodNoAuth); err != nil {
		t.Error(err)
	}
	for _, c := range [][2]byte{{4, 0}, {5, 2}, {5, 0xFF}} {
		if checkSocksChoice(c, socksMethodNoAuth) == nil {
			t.Errorf("choice % x accepted", c)
		}
	}
}

// FuzzReadSocksReply feeds arbitrary proxy replies to the parser: it must
// not panic, and an accepted reply is consumed exactly.
func FuzzReadSocksReply(f *testing.F) {
	f.Add(appendSocksReply(nil, 0, netip.MustParseAddrPort("10.0.0.1:1080"), ""))
	f.Add(appendSocksReply(nil, 0, netip.MustParseAddrPort("[::1]:1"), ""))
	f.Add(appendSocksReply(nil, 0, netip.AddrPort{}, "name"))
	f.Add(appendSocksReply(nil, 3, netip.MustParseAddrPort("10.0.0.1:1080"), ""))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		if err := readSocksReply(r); err != nil {
			return
		}
		used := len(b) - r.Len()
		want := 0
		switch b[3] {
		case socksAtypIPv4:
			want = 4 + 4 + 2
		case socksAtypIPv6:
			want = 4 + 16 + 2
		case socksAtypDomain:
			want = 4 + 1 + int(b[4]) + 2
		}
		if used != want || b[0] != socksVersion || b[1] != 0 {
			t.Fatalf("accepted % x using %d bytes, want %d", b, used, want)
		}
	})
}
