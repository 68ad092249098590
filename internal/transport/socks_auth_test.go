package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestAppendSocksAuthRequest(t *testing.T) {
	got := appendSocksAuthRequest(nil, socksCredentials{"alice", "s3cret"})
	want := append(append(append([]byte{1, 5}, "alice"...), 6), "s3cret"...)
	if !bytes.Equal(got, want) {
		t.Errorf("got % x, want % x", got, want)
	}
	// libzmq sends an empty password as a zero length.
	got = appendSocksAuthRequest(nil, socksCredentials{"bob", ""})
	if want := append(append([]byte{1, 3}, "bob"...), 0); !bytes.Equal(got, want) {
		t.Errorf("empty password: got % x, want % x", got, want)
	}
	max := strings.Repeat("u", 255)
	if err := (socksCredentials{max, max}).check(); err != nil {
		t.Errorf("255-byte credentials: %v", err)
	}
	over := strings.Repeat("u", 256)
	for _, c := range []socksCredentials{{over, "p"}, {"u", over}} {
		if c.check() == nil {
			t.Errorf("%d/%d-byte credentials accepted", len(c.username), len(c.password))
		}
	}
}

func TestSocksCredentialsMethod(t *testing.T) {
	cases := []struct {
		creds socksCredentials
		want  byte
	}{
		{socksCredentials{}, socksMethodNoAuth},
		{socksCredentials{password: "ignored without a username"}, socksMethodNoAuth},
		{socksCredentials{username: "u"}, socksMethodUserPass},
		{socksCredentials{username: "u", password: "p"}, socksMethodUserPass},
	}
	for _, c := range cases {
		if got := c.creds.method(); got != c.want {
			t.Errorf("%+v: method %#x, want %#x", c.creds, got, c.want)
		}
	}
	// Offering username/password, we accept it or "no authentication".
	for _, c := range [][2]byte{{5, 0}, {5, 2}} {
		if err := checkSocksChoice(c, socksMethodUserPass); err != nil {
			t.Errorf("choice % x: %v", c, err)
		}
	}
	for _, c := range [][2]byte{{5, 1}, {5, 0xFF}, {4, 2}} {
		if checkSocksChoice(c, socksMethodUserPass) == nil {
			t.Errorf("choice % x accepted", c)
		}
	}
}

func TestReadSocksAuthReply(t *testing.T) {
	r := bytes.NewReader([]byte{1, 0, 5, 0})
	if err := readSocksAuthReply(r); err != nil {
		t.Fatal(err)
	}
	if r.Len() != 2 {
		t.Errorf("consumed %d bytes, want 2", 4-r.Len())
	}
	bad := map[string][]byte{
		"refused": {1, 1},
		"failure": {1, 0xFF},
		"version": {5, 0},
		"short":   {1},
		"empty":   {},
	}
	for name, b := range bad {
		err := readSocksAuthReply(bytes.NewReader(b))
		if !errors.Is(err, ErrSocks) {
			t.Errorf("%s: % x gave %v, want ErrSocks", name, b, err)
		}
	}
}

// dialThrough dials an echo server through proxy with creds and checks
// that bytes come back.
func dialThrough(t *testing.T, proxy *socksServer, creds socksCredentials) error {
	t.Helper()
	echo := echoListener(t)
	ep := mustEndpoint(t, "tcp://127.0.0.1:"+strconv.Itoa(echo.Addr().(*net.TCPAddr).Port))
	ctx, cancel := context.WithTimeout(context.Background(), socksGuard)
	defer cancel()
	conn, err := Dial(ctx, ep, &Options{SocksProxy: proxy.addr(), SocksUsername: creds.username, SocksPassword: creds.password})
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(socksGuard))
	if _, err := conn.Write([]byte("authenticated")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, len("authenticated"))
	if _, err := io.ReadFull(conn, buf); err != nil || string(buf) != "authenticated" {
		t.Fatalf("echo %q, %v", buf, err)
	}
	return nil
}

func TestDialSocksAuth(t *testing.T) {
	want := socksCredentials{"alice", "s3cret"}
	t.Run("right-credentials", func(t *testing.T) {
		proxy := newSocksServer(t)
		proxy.want = want
		proxy.start()
		if err := dialThrough(t, proxy, want); err != nil {
			t.Fatal(err)
		}
		methods, targets := proxy.seen()
		if len(methods) != 1 || !bytes.Equal(methods[0], []byte{socksMethodUserPass}) {
			t.Errorf("methods offered %v, want only username/password", methods)
		}
		if auths := proxy.seenAuths(); len(auths) != 1 || auths[0] != want {
			t.Errorf("proxy got credentials %+v, want [%+v]", auths, want)
		}
		if len(targets) != 1 {
			t.Errorf("targets %v, want one", targets)
		}
	})
	t.Run("empty-password", func(t *testing.T) {
		proxy := newSocksServer(t)
		proxy.want = socksCredentials{username: "bob"}
		proxy.start()
		if err := dialThrough(t, proxy, socksCredentials{username: "bob"}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("wrong-password", func(t *testing.T) {
		proxy := newSocksServer(t)
		proxy.want = want
		proxy.start()
		err := dialThrough(t, proxy, socksCredentials{"alice", "guess"})
		if !errors.Is(err, ErrSocks) {
			t.Fatalf("got %v, want ErrSocks", err)
		}
		if _, targets := proxy.seen(); len(targets) != 0 {
			t.Errorf("proxy got a CONNECT %v after refusing the credentials", targets)
		}
		if auths := proxy.seenAuths(); len(auths) != 1 || auths[0].password != "guess" {
			t.Errorf("proxy got credentials %+v", auths)
		}
	})
	t.Run("no-credentials", func(t *testing.T) {
		proxy := newSocksServer(t)
		proxy.want = want
		proxy.start()
		err := dialThrough(t, proxy, socksCredentials{password: "no username"})
		if !errors.Is(err, ErrSocks) {
			t.Fatalf("got %v, want ErrSocks", err)
		}
		methods, _ := proxy.seen()
		if len(methods) != 1 || !bytes.Equal(methods[0], []byte{socksMethodNoAuth}) {
			t.Errorf("methods offered %v, want only no-auth", methods)
		}
		if auths := proxy.seenAuths(); len(auths) != 0 {
			t.Errorf("credentials sent without a username: %+v", auths)
		}
	})
	t.Run("unasked-auth", func(t *testing.T) {
		// A proxy choosing username/password when we offered none is refused.
		proxy := newSocksServer(t)
		proxy.choice = socksMethodUserPass
		proxy.start()
		if err := dialThrough(t, proxy, socksCredentials{}); !errors.Is(err, ErrSocks) {
			t.Fatalf("got %v, want ErrSocks", err)
		}
	})
	t.Run("no-auth-when-offered", func(t *testing.T) {
		// A proxy that needs no authentication may choose it anyway.
		proxy := newSocksServer(t).start()
		if err := dialThrough(t, proxy, want); err != nil {
			t.Fatal(err)
		}
		if auths := proxy.seenAuths(); len(auths) != 0 {
			t.Errorf("credentials sent though the proxy chose no-auth: %+v", auths)
		}
	})
	t.Run("too-long", func(t *testing.T) {
		proxy := newSocksServer(t).start()
		long := strings.Repeat("x", 256)
		ep := mustEndpoint(t, "tcp://127.0.0.1:9")
		for _, o := range []Options{
			{SocksProxy: proxy.addr(), SocksUsername: long},
			{SocksProxy: proxy.addr(), SocksUsername: "u", SocksPassword: long},
		} {
			if _, err := Dial(context.Background(), ep, &o); !errors.Is(err, ErrInvalidEndpoint) {
				t.Errorf("got %v, want ErrInvalidEndpoint", err)
			}
		}
		if methods, _ := proxy.seen(); len(methods) != 0 {
			t.Errorf("proxy contacted with over-long credentials")
		}
	})
}

// scriptedProxy replays a proxy's bytes and collects what the client sends.
type scriptedProxy struct {
	io.Reader
	sent bytes.Buffer
}

func (p *scriptedProxy) Write(b []byte) (int, error) { return p.sent.Write(b) }

// FuzzSocksNegotiate plays arbitrary proxy bytes against the client's whole
// negotiation with credentials set: method choice, RFC 1929 reply and
// CONNECT reply. It must not panic, and on success it consumed exactly the
// messages it parsed.
func FuzzSocksNegotiate(f *testing.F) {
	bound := netip.MustParseAddrPort("10.0.0.1:1080")
	withAuth := append([]byte{5, 2, 1, 0}, appendSocksReply(nil, 0, bound, "")...)
	f.Add(withAuth)
	f.Add(append([]byte{5, 0}, appendSocksReply(nil, 0, bound, "proxy.example")...))
	f.Add(append([]byte{5, 2, 1, 1}, appendSocksReply(nil, 0, bound, "")...))
	f.Add(append([]byte{5, 2, 5, 0}, appendSocksReply(nil, 0, bound, "")...))
	f.Add([]byte{5, 2, 1})
	creds := socksCredentials{"alice", "s3cret"}
	request, err := appendSocksConnect(nil, "10.1.2.3", 5555)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		proxy := &scriptedProxy{Reader: bytes.NewReader(b)}
		if err := socksNegotiate(proxy, creds, request); err != nil {
			return
		}
		used := len(b) - proxy.Reader.(*bytes.Reader).Len()
		want := 2
		sent := append([]byte{5, 1, 2}, request...)
		if b[1] == socksMethodUserPass {
			if b[2] != socksAuthVersion || b[3] != 0 {
				t.Fatalf("accepted authentication reply % x", b[2:4])
			}
			want += 2
			sent = append(appendSocksAuthRequest([]byte{5, 1, 2}, creds), request...)
		}
		reply := b[want:]
		switch reply[3] {
		case socksAtypIPv4:
			want += 4 + 4 + 2
		case socksAtypIPv6:
			want += 4 + 16 + 2
		case socksAtypDomain:
			want += 4 + 1 + int(reply[4]) + 2
		}
		if used != want || reply[1] != 0 {
			t.Fatalf("accepted % x using %d bytes, want %d", b, used, want)
		}
		if !bytes.Equal(proxy.sent.Bytes(), sent) {
			t.Fatalf("sent % x, want % x", proxy.sent.Bytes(), sent)
		}
	})
}
