package zmq4

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// socksTestProxy is a minimal SOCKS5 proxy (no authentication, CONNECT
// only) on 127.0.0.1 that records each requested target as "atyp host:port"
// and relays bytes.
type socksTestProxy struct {
	ln      net.Listener
	mu      sync.Mutex
	targets []string
	conns   []net.Conn
	wg      sync.WaitGroup
}

func newSocksTestProxy(t *testing.T) *socksTestProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	p := &socksTestProxy{ln: ln}
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

func (p *socksTestProxy) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.targets...)
}

func (p *socksTestProxy) track(c net.Conn) {
	p.mu.Lock()
	p.conns = append(p.conns, c)
	p.mu.Unlock()
}

func (p *socksTestProxy) acceptLoop() {
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
			p.serve(c)
		}()
	}
}

// serve answers the greeting, reads CONNECT, dials the target and relays.
func (p *socksTestProxy) serve(c net.Conn) {
	defer c.Close()
	var g [2]byte
	if _, err := io.ReadFull(c, g[:]); err != nil || g[0] != 5 {
		return
	}
	methods := make([]byte, g[1])
	if _, err := io.ReadFull(c, methods); err != nil || !strings.Contains(string(methods), "\x00") {
		return
	}
	if _, err := c.Write([]byte{5, 0}); err != nil {
		return
	}
	var h [4]byte
	if _, err := io.ReadFull(c, h[:]); err != nil || h[0] != 5 || h[1] != 1 {
		return
	}
	var host, kind string
	switch h[3] {
	case 1, 4:
		b := make([]byte, 4)
		kind = "ipv4"
		if h[3] == 4 {
			b, kind = make([]byte, 16), "ipv6"
		}
		if _, err := io.ReadFull(c, b); err != nil {
			return
		}
		ip, _ := netip.AddrFromSlice(b)
		host = ip.String()
	case 3:
		var n [1]byte
		if _, err := io.ReadFull(c, n[:]); err != nil {
			return
		}
		b := make([]byte, n[0])
		if _, err := io.ReadFull(c, b); err != nil {
			return
		}
		host, kind = string(b), "domain"
	default:
		return
	}
	var port [2]byte
	if _, err := io.ReadFull(c, port[:]); err != nil {
		return
	}
	target := net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(port[:]))))
	p.mu.Lock()
	p.targets = append(p.targets, kind+" "+target)
	p.mu.Unlock()
	up, err := net.DialTimeout("tcp4", target, 10*time.Second)
	if err != nil {
		c.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0})
		return
	}
	p.track(up)
	defer up.Close()
	bound := up.LocalAddr().(*net.TCPAddr).AddrPort()
	reply := append([]byte{5, 0, 0, 1}, bound.Addr().AsSlice()...)
	reply = binary.BigEndian.AppendUint16(reply, bound.Port())
	if _, err := c.Write(reply); err != nil {
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

// A PUSH with SOCKS_PROXY reaches its PULL through the proxy, which is
// asked for the target as an address or, for a host name, as a domain.
func TestSocksProxyPushPull(t *testing.T) {
	for _, host := range []string{"127.0.0.1", "localhost"} {
		t.Run(host, func(t *testing.T) {
			proxy := newSocksTestProxy(t)
			ctx := newTestContext(t)
			pull := newTestSocket(t, ctx, PULL)
			must(t, pull.Bind("tcp://127.0.0.1:*"))
			_, port, err := net.SplitHostPort(strings.TrimPrefix(pull.opt.lastEndpoint, "tcp://"))
			must(t, err)
			push := newTestSocket(t, ctx, PUSH)
			must(t, push.SetSocksProxy(proxy.ln.Addr().String()))
			must(t, push.Connect("tcp://"+host+":"+port))

			for i := 0; i < 5; i++ {
				sendParts(t, push, "via socks", fmt.Sprint(i))
			}
			for i := 0; i < 5; i++ {
				expectParts(t, pull, "via socks", fmt.Sprint(i))
			}
			kind := "ipv4"
			if host == "localhost" {
				kind = "domain"
			}
			want := kind + " " + net.JoinHostPort(host, port)
			if got := proxy.seen(); len(got) != 1 || got[0] != want {
				t.Fatalf("proxy saw %q, want [%q]", got, want)
			}
		})
	}
}

// A SOCKS proxy address may name the source to connect to the proxy from,
// "source;proxy", as libzmq reads it (test_socks_bind_before_connect).
func TestSocksProxyWithSource(t *testing.T) {
	proxy := newSocksTestProxy(t)
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	must(t, pull.Bind("tcp://127.0.0.1:*"))
	push := newTestSocket(t, ctx, PUSH)
	must(t, push.SetSocksProxy("127.0.0.1:0;"+proxy.ln.Addr().String()))
	must(t, push.Connect(pull.opt.lastEndpoint))
	sendParts(t, push, "via socks")
	expectParts(t, pull, "via socks")
	if got := proxy.seen(); len(got) != 1 {
		t.Fatalf("proxy saw %q, want one connection", got)
	}
}
