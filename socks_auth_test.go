package zmq4

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The SOCKS credentials read back as set, "" clears them, and more than
// 255 bytes is EINVAL and leaves the stored value alone.
func TestSocksCredentialOptions(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, DEALER)
	max := strings.Repeat("k", 255)
	options := []struct {
		name string
		set  func(string) error
		get  func() (string, error)
	}{
		{"username", s.SetSocksUsername, s.GetSocksUsername},
		{"password", s.SetSocksPassword, s.GetSocksPassword},
	}
	for _, o := range options {
		if got, err := o.get(); err != nil || got != "" {
			t.Errorf("%s default %q, %v; want empty", o.name, got, err)
		}
		for _, v := range []string{"alice", max, ""} {
			must(t, o.set(v))
			if got, err := o.get(); err != nil || got != v {
				t.Errorf("%s: set %d bytes, got %d bytes, %v", o.name, len(v), len(got), err)
			}
		}
		must(t, o.set("kept"))
		if err := o.set(max + "k"); !errors.Is(err, syscall.EINVAL) {
			t.Errorf("%s: 256 bytes gave %v, want EINVAL", o.name, err)
		}
		if got, _ := o.get(); got != "kept" {
			t.Errorf("%s: %q after a rejected set, want %q", o.name, got, "kept")
		}
	}
}

// socksAuthFront is a SOCKS5 proxy on 127.0.0.1 that requires a
// username/password (RFC 1929), then hands the rest of the session (the
// CONNECT and the relay) to an inner no-auth socksTestProxy.
type socksAuthFront struct {
	ln                 net.Listener
	username, password string
	inner              *socksTestProxy
	mu                 sync.Mutex
	methods            [][]byte
	attempts           []string // "username:password" per login
	conns              []net.Conn
	wg                 sync.WaitGroup
}

func newSocksAuthFront(t *testing.T, username, password string) *socksAuthFront {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	p := &socksAuthFront{ln: ln, username: username, password: password, inner: newSocksTestProxy(t)}
	p.wg.Add(1)
	go p.acceptLoop()
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		for _, c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p
}

func (p *socksAuthFront) track(c net.Conn) {
	p.mu.Lock()
	p.conns = append(p.conns, c)
	p.mu.Unlock()
}

func (p *socksAuthFront) seen() (methods [][]byte, attempts []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([][]byte(nil), p.methods...), append([]string(nil), p.attempts...)
}

func (p *socksAuthFront) acceptLoop() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.track(c)
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer c.Close()
			p.serve(c)
		}()
	}
}

// readShortString reads a one-byte length and that many bytes.
func readShortString(r io.Reader) (string, error) {
	var n [1]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return "", err
	}
	b := make([]byte, n[0])
	_, err := io.ReadFull(r, b)
	return string(b), err
}

func (p *socksAuthFront) serve(c net.Conn) {
	var g [2]byte
	if _, err := io.ReadFull(c, g[:]); err != nil || g[0] != 5 {
		return
	}
	methods := make([]byte, g[1])
	if _, err := io.ReadFull(c, methods); err != nil {
		return
	}
	p.mu.Lock()
	p.methods = append(p.methods, methods)
	p.mu.Unlock()
	if !bytes.Contains(methods, []byte{2}) {
		c.Write([]byte{5, 0xFF})
		return
	}
	if _, err := c.Write([]byte{5, 2}); err != nil {
		return
	}
	var ver [1]byte
	if _, err := io.ReadFull(c, ver[:]); err != nil || ver[0] != 1 {
		return
	}
	user, err := readShortString(c)
	if err != nil {
		return
	}
	pass, err := readShortString(c)
	if err != nil {
		return
	}
	p.mu.Lock()
	p.attempts = append(p.attempts, user+":"+pass)
	p.mu.Unlock()
	if user != p.username || pass != p.password {
		c.Write([]byte{1, 1})
		return
	}
	up, err := net.DialTimeout("tcp4", p.inner.ln.Addr().String(), 10*time.Second)
	if err != nil {
		return
	}
	p.track(up)
	defer up.Close()
	var choice [2]byte
	if _, err := up.Write([]byte{5, 1, 0}); err != nil {
		return
	}
	if _, err := io.ReadFull(up, choice[:]); err != nil || choice != [2]byte{5, 0} {
		return
	}
	if _, err := c.Write([]byte{1, 0}); err != nil {
		return
	}
	done := make(chan struct{})
	go func() {
		io.Copy(up, c)
		up.Close()
		close(done)
	}()
	io.Copy(c, up)
	c.Close()
	<-done
}

// pullEndpoint binds a PULL on loopback and returns it with its endpoint.
func pullEndpoint(t *testing.T, ctx *Context) (*Socket, string) {
	t.Helper()
	pull := newTestSocket(t, ctx, PULL)
	must(t, pull.Bind("tcp://127.0.0.1:*"))
	return pull, pull.opt.lastEndpoint
}

// A PUSH with the right SOCKS credentials reaches its PULL through a proxy
// that requires them, offering only the username/password method.
func TestSocksProxyAuthPushPull(t *testing.T) {
	proxy := newSocksAuthFront(t, "alice", "s3cret")
	ctx := newTestContext(t)
	pull, endpoint := pullEndpoint(t, ctx)
	push := newTestSocket(t, ctx, PUSH)
	must(t, push.SetSocksProxy(proxy.ln.Addr().String()))
	must(t, push.SetSocksUsername("alice"))
	must(t, push.SetSocksPassword("s3cret"))
	must(t, push.Connect(endpoint))
	for i := 0; i < 5; i++ {
		sendParts(t, push, "authenticated", fmt.Sprint(i))
	}
	for i := 0; i < 5; i++ {
		expectParts(t, pull, "authenticated", fmt.Sprint(i))
	}
	methods, attempts := proxy.seen()
	if len(methods) != 1 || !bytes.Equal(methods[0], []byte{2}) {
		t.Errorf("methods offered %v, want only username/password", methods)
	}
	if len(attempts) != 1 || attempts[0] != "alice:s3cret" {
		t.Errorf("logins %q, want [alice:s3cret]", attempts)
	}
	if got := proxy.inner.seen(); len(got) != 1 {
		t.Errorf("CONNECT requests %q, want one", got)
	}
}

// With a wrong password the proxy refuses every attempt: the socket keeps
// reconnecting, nothing gets through, and it closes cleanly.
func TestSocksProxyAuthRefused(t *testing.T) {
	proxy := newSocksAuthFront(t, "alice", "s3cret")
	ctx := newTestContext(t)
	_, endpoint := pullEndpoint(t, ctx)
	push := newTestSocket(t, ctx, PUSH)
	must(t, push.SetReconnectIvl(5*time.Millisecond))
	must(t, push.SetSocksProxy(proxy.ln.Addr().String()))
	must(t, push.SetSocksUsername("alice"))
	must(t, push.SetSocksPassword("guess"))
	must(t, push.Connect(endpoint))
	waitUntil(t, "three refused logins", func() bool {
		_, attempts := proxy.seen()
		return len(attempts) >= 3
	})
	_, attempts := proxy.seen()
	for _, a := range attempts {
		if a != "alice:guess" {
			t.Errorf("login %q, want alice:guess", a)
		}
	}
	if got := proxy.inner.seen(); len(got) != 0 {
		t.Errorf("CONNECT went through after a refused login: %q", got)
	}
	must(t, push.Close())
}

// Without a username no credentials are offered, even with a password set,
// so a proxy that requires them refuses every attempt.
func TestSocksProxyNoUsername(t *testing.T) {
	proxy := newSocksAuthFront(t, "alice", "s3cret")
	ctx := newTestContext(t)
	_, endpoint := pullEndpoint(t, ctx)
	push := newTestSocket(t, ctx, PUSH)
	must(t, push.SetReconnectIvl(5*time.Millisecond))
	must(t, push.SetSocksProxy(proxy.ln.Addr().String()))
	must(t, push.SetSocksPassword("s3cret"))
	must(t, push.Connect(endpoint))
	waitUntil(t, "two greetings", func() bool {
		methods, _ := proxy.seen()
		return len(methods) >= 2
	})
	methods, attempts := proxy.seen()
	for _, m := range methods {
		if !bytes.Equal(m, []byte{0}) {
			t.Errorf("methods offered %v, want only no-auth", m)
		}
	}
	if len(attempts) != 0 {
		t.Errorf("logins %q without a username", attempts)
	}
}
