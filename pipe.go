package zmq4

import (
	"sync"
	"sync/atomic"

	"github.com/purezmq/zmq4/internal/trie"
)

// pipe is a socket's link to one peer: a queue of messages from the peer (in)
// and a queue of messages to it (out). The far ends belong to a connection
// engine (tcp, ipc) or to the peer socket itself (inproc).
//
// Fields under "socket-owned" are touched only with the socket's mutex held.
type pipe struct {
	s   *Socket
	in  queueReader
	out *queue

	// Set before the pipe is attached and read-only afterwards, except
	// props, which changes under propsMu on each (re)connection.
	endpoint    string // endpoint that made the pipe (bind or connect string)
	connectSide bool
	inproc      bool
	udp         bool // served by datagrams: no handshake, no JOIN/LEAVE
	// inprocBoost is the peer's RCVHWM, which an inproc pipe's outbound
	// HWM adds to this socket's SNDHWM (as libzmq's inproc pipes do).
	inprocBoost int
	raw         bool // served by a raw engine (STREAM, ROUTER_RAW): no ZMTP

	order uint64 // when its connection began (nextPipeOrder); set before attach

	propsMu     sync.Mutex
	props       map[string]string // peer metadata: Socket-Type, Identity, User-Id, Peer-Address, ...
	peerType    string
	peerID      []byte // the Identity the peer announced
	ready       bool   // the peer finished its handshake at least once
	connections int    // handshakes completed so far

	// Socket-owned.
	attached   bool
	inActive   bool // listed in the fair queue
	routingID  []byte
	connectRid []byte    // the id CONNECT_ROUTING_ID gave this connection
	subs       trie.Trie // topics this peer subscribed to (XPUB, PUB)
	manualSubs trie.Trie // XPUB_MANUAL: topics the peer asked for, as it asked
	groups     map[string]bool
	routeKey   uint32   // numeric routing id (SERVER, PEER)
	logSlot    *logSlot // PUB, XPUB: the pipe's place in the socket's log

	stop   func(linger bool)      // ends the far side (engine or inproc peer); nil when none
	engine atomic.Pointer[engine] // the connection serving the pipe, if any

	// Socket-owned: srcFD's answer for the engine fdEngine.
	fdEngine *engine
	fd       int
}

// srcFD returns the file descriptor of the connection serving p, or -1.
// Call with the socket's mutex held.
func (p *pipe) srcFD() int {
	e := p.engine.Load()
	if e == nil {
		return -1
	}
	if e != p.fdEngine {
		p.fdEngine = e
		p.fd = fdOf(e.conn)
		if p.fd <= 0 {
			p.fd = -1
		}
	}
	return p.fd
}

func newPipe(s *Socket, in, out *queue, endpoint string) *pipe {
	p := &pipe{s: s, in: newQueueReader(in), out: out, endpoint: endpoint}
	in.onReadable = func() { s.pipeReadable(p) }
	out.onWritable = func() { s.pipeWritable(p) }
	return p
}

// newNetPipe makes a pipe served by connection engines: the far-side
// callbacks wake whichever engine currently serves it.
func newNetPipe(s *Socket, sndhwm, rcvhwm int, endpoint string) *pipe {
	p := newPipe(s, newQueue(rcvhwm), newQueue(sndhwm), endpoint)
	p.out.onReadable = func() {
		if e := p.engine.Load(); e != nil {
			e.outboundReady()
		}
	}
	p.in.q.onWritable = func() {
		if e := p.engine.Load(); e != nil {
			signalChan(e.wakeIn)
		}
	}
	return p
}

// signalChan does a non-blocking send on a one-slot wake-up channel.
func signalChan(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// setStop sets the function that ends the pipe's far side.
func (p *pipe) setStop(f func(linger bool)) {
	p.propsMu.Lock()
	p.stop = f
	p.propsMu.Unlock()
}

// stopFunc returns the function that ends the pipe's far side, or nil.
func (p *pipe) stopFunc() func(linger bool) {
	p.propsMu.Lock()
	defer p.propsMu.Unlock()
	return p.stop
}

// handshaken reports whether the peer finished its handshake at least once.
func (p *pipe) handshaken() bool {
	p.propsMu.Lock()
	defer p.propsMu.Unlock()
	return p.ready
}

// metadata returns a copy-free view of the peer's properties.
func (p *pipe) metadata() map[string]string {
	p.propsMu.Lock()
	defer p.propsMu.Unlock()
	return p.props
}

func (p *pipe) setPeer(props map[string]string, peerType string, peerID []byte) {
	p.propsMu.Lock()
	p.props = props
	p.peerType = peerType
	p.peerID = peerID
	p.ready = true
	p.connections++
	p.propsMu.Unlock()
}
