// Package faultproxy is a TCP relay for tests that breaks connections on
// command: it cuts them (a clean close or a reset), stalls them, throttles
// them, splits every write into single bytes, and refuses new ones. There
// is no netem in the test machines' kernels, so faults are injected here,
// in user space, between two sockets on loopback.
//
// A Proxy listens on 127.0.0.1 and relays each accepted connection to one
// target address. Every control method acts on the connections that exist
// and on those accepted later, until changed again.
package faultproxy

import (
	"errors"
	"net"
	"sync"
	"time"
)

// Proxy relays connections from Addr to a target and injects faults.
type Proxy struct {
	ln     net.Listener
	target string

	mu       sync.Mutex
	cond     *sync.Cond // signalled when stalled or closed changes
	conns    map[*link]struct{}
	stalled  bool
	refusing bool
	split    bool
	rate     int // bytes per second each direction may carry; 0: no limit
	closed   bool
	accepted int
	wg       sync.WaitGroup
}

// link is one relayed connection: the client side and the target side.
type link struct {
	client, server net.Conn
}

// New starts a proxy on a free loopback port that relays to target.
func New(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, conns: map[*link]struct{}{}}
	p.cond = sync.NewCond(&p.mu)
	p.wg.Add(1)
	go p.acceptLoop()
	return p, nil
}

// Addr is the proxy's listening address, host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Accepted returns how many connections the proxy has accepted and relayed.
func (p *Proxy) Accepted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted
}

// Live returns how many relayed connections are open.
func (p *Proxy) Live() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

func (p *Proxy) acceptLoop() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		refuse := p.refusing || p.closed
		p.mu.Unlock()
		if refuse {
			resetConn(c)
			continue
		}
		s, err := net.DialTimeout("tcp", p.target, 5*time.Second)
		if err != nil {
			resetConn(c)
			continue
		}
		l := &link{client: c, server: s}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			c.Close()
			s.Close()
			return
		}
		p.conns[l] = struct{}{}
		p.accepted++
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pump(l, c, s)
		go p.pump(l, s, c)
	}
}

// pump copies one direction of a link, obeying stall, split and rate.
func (p *Proxy) pump(l *link, from, to net.Conn) {
	defer p.wg.Done()
	defer p.drop(l)
	buf := make([]byte, 32<<10)
	for {
		n, err := from.Read(buf)
		if n > 0 {
			if !p.waitUnstalled() {
				return
			}
			if werr := p.write(to, buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// write sends b to c in the way the proxy's settings say.
func (p *Proxy) write(c net.Conn, b []byte) error {
	p.mu.Lock()
	split, rate := p.split, p.rate
	p.mu.Unlock()
	chunk := len(b)
	if split {
		chunk = 1
	}
	if rate > 0 && chunk > rate/10+1 {
		chunk = rate/10 + 1
	}
	for len(b) > 0 {
		n := min(chunk, len(b))
		if _, err := c.Write(b[:n]); err != nil {
			return err
		}
		b = b[n:]
		if rate > 0 {
			time.Sleep(time.Duration(n) * time.Second / time.Duration(rate))
		}
	}
	return nil
}

// waitUnstalled blocks while the proxy is stalled; false means closed.
func (p *Proxy) waitUnstalled() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.stalled && !p.closed {
		p.cond.Wait()
	}
	return !p.closed
}

// drop closes both sides of a link and forgets it.
func (p *Proxy) drop(l *link) {
	l.client.Close()
	l.server.Close()
	p.mu.Lock()
	delete(p.conns, l)
	p.mu.Unlock()
}

// Cut closes every relayed connection cleanly (FIN to both ends). It
// returns how many there were.
func (p *Proxy) Cut() int { return p.cutAll(false) }

// Reset aborts every relayed connection with a TCP reset to both ends. It
// returns how many there were.
func (p *Proxy) Reset() int { return p.cutAll(true) }

func (p *Proxy) cutAll(reset bool) int {
	p.mu.Lock()
	links := make([]*link, 0, len(p.conns))
	for l := range p.conns {
		links = append(links, l)
	}
	p.mu.Unlock()
	for _, l := range links {
		if reset {
			resetConn(l.client)
			resetConn(l.server)
		}
		p.drop(l)
	}
	return len(links)
}

// Stall stops (true) or resumes (false) the relaying of bytes in both
// directions; connections stay open and bytes wait in the proxy and in the
// kernel's buffers.
func (p *Proxy) Stall(on bool) {
	p.mu.Lock()
	p.stalled = on
	p.cond.Broadcast()
	p.mu.Unlock()
}

// Refuse makes the proxy reset (true) or relay (false) connections it
// accepts from now on; existing ones are untouched.
func (p *Proxy) Refuse(on bool) {
	p.mu.Lock()
	p.refusing = on
	p.mu.Unlock()
}

// SplitWrites makes the proxy pass bytes on one at a time (true), so the
// peer sees every frame arrive in pieces.
func (p *Proxy) SplitWrites(on bool) {
	p.mu.Lock()
	p.split = on
	p.mu.Unlock()
}

// Throttle limits each direction of each connection to bytesPerSecond; 0
// removes the limit.
func (p *Proxy) Throttle(bytesPerSecond int) {
	p.mu.Lock()
	p.rate = bytesPerSecond
	p.mu.Unlock()
}

// Close stops the proxy and closes every connection.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return errors.New("faultproxy: closed twice")
	}
	p.closed = true
	p.cond.Broadcast()
	p.mu.Unlock()
	err := p.ln.Close()
	p.cutAll(false)
	p.wg.Wait()
	return err
}

// resetConn closes c so that the peer gets a TCP reset, not a FIN.
func resetConn(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}
