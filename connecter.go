package zmq4

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/purezmq/zmq4/internal/mechanism"
	"github.com/purezmq/zmq4/internal/transport"
)

// connecter keeps one connected endpoint alive, reconnecting with backoff.
type connecter struct {
	s        *Socket
	ep       transport.Endpoint
	endpoint string
	p        *pipe          // kept across reconnections; nil for id-keyed patterns
	rid      []byte         // CONNECT_ROUTING_ID for this connect
	so       sessionOptions // options snapshot taken by Connect
	turn     *dialTurn      // the first dial's place among Connect calls (dial_turn.go)

	mu      sync.Mutex
	ctx     context.Context
	cancel  context.CancelFunc
	closing bool
	eng     *engine
	done    chan struct{} // closed when run returns
}

// Connect connects the socket to endpoint. It returns at once: connecting,
// reconnecting and queueing meanwhile happen in the background. Connect
// calls start their first tcp, ws and wss connections to numeric
// addresses in the order of the calls, across the sockets of the process
// (dial_turn.go), so a peer on the same host accepts them in that order.
func (s *Socket) Connect(endpoint string) error {
	return s.openEndpoint(endpoint, endpointHandlers{s.connectInprocLocked, s.connectUDPLocked, s.dialLocked})
}

// dialLocked starts a connecter for a tcp, ipc, ws or wss endpoint. Call with
// s.mu held.
func (s *Socket) dialLocked(ep transport.Endpoint, endpoint string) error {
	c := &connecter{s: s, ep: ep, endpoint: endpoint, rid: s.opt.connectRid, done: make(chan struct{})}
	s.opt.connectRid = nil
	c.so = s.sessionOptionsLocked()
	c.so.order = nextPipeOrder()
	c.turn = newDialTurn()
	c.ctx, c.cancel = context.WithCancel(context.Background())
	// A persistent pipe, made at Connect as libzmq's session makes it
	// unless IMMEDIATE, queues messages while the connection is down and
	// outlives each connection. A ROUTER can address one only when
	// CONNECT_ROUTING_ID names it; ROUTER_RAW makes its pipe per
	// connection. A STREAM's is named at once (CONNECT_ROUTING_ID or an
	// id of its own) and keeps its name across reconnections.
	if !s.opt.immediate && (s.typ != ROUTER || c.rid != nil && !c.so.raw) {
		c.p = newNetPipe(s, c.so.sndhwm, c.so.rcvhwm, endpoint)
		c.p.connectSide = true
		c.p.connectRid = c.rid
		c.p.raw = c.so.raw
		c.p.order = c.so.order
		c.p.setStop(c.stopPipe)
		s.attachPipeLocked(c.p)
		s.lastConnected = c.p
	}
	s.connects[endpoint] = append(s.connects[endpoint], c)
	s.opt.lastEndpoint = endpoint
	s.goTracked(c.run)
	return nil
}

func (c *connecter) run() {
	defer close(c.done)
	defer c.turn.end()
	s := c.s
	ivl, ivlMax, stopOn := c.so.reconnectIvl, c.so.reconnectIvlMax, c.so.reconnectStop
	// The first dial starts its connection in its turn among Connect
	// calls (dial_turn.go); later ones at once.
	var first transport.Options
	if c.so.transport != nil {
		first = *c.so.transport
	}
	first.ConnectTurn = func(connect func()) { c.turn.take(c.ctx, connect) }
	topts := &first
	next := ivl
	for {
		if c.finished() {
			return
		}
		// Dialing is synchronous here; the events follow libzmq's
		// asynchronous connect: DELAYED, then CONNECTED or CLOSED.
		s.event(EVENT_CONNECT_DELAYED, c.endpoint, int(EINPROGRESS))
		conn, err := transport.Dial(c.ctx, c.ep, topts)
		if topts == &first {
			c.turn.end()
			topts = c.so.transport
		}
		if err != nil {
			if c.ctx.Err() != nil {
				return
			}
			s.event(EVENT_CLOSED, c.endpoint, 0)
			if stopOn&ReconnectStopConnRefused != 0 && errors.Is(err, syscall.ECONNREFUSED) {
				return
			}
		} else {
			next = ivl
			s.event(EVENT_CONNECTED, c.endpoint, fdOf(conn))
			handshaken := s.serveConnectedPipe(c, conn)
			if c.finished() {
				return
			}
			if !handshaken && stopOn&ReconnectStopHandshakeFailed != 0 ||
				handshaken && stopOn&ReconnectStopAfterDisconnect != 0 {
				return
			}
			if ivl < 0 {
				s.connectEnded(c)
				return
			}
		}
		if ivl < 0 {
			return
		}
		// As libzmq: the wait is the current interval plus a random part
		// of RECONNECT_IVL; with RECONNECT_IVL_MAX the interval doubles.
		wait := next
		if ivl > 0 {
			wait += time.Duration(rand.Int64N(int64(ivl/time.Millisecond)+1)) * time.Millisecond
		}
		if ivlMax > ivl {
			next *= 2
			if next > ivlMax {
				next = ivlMax
			}
		}
		s.event(EVENT_CONNECT_RETRIED, c.endpoint, int(wait/time.Millisecond))
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-c.ctx.Done():
			t.Stop()
			return
		}
	}
}

// serveConnectedPipe runs one connection of the connecter. A handshake
// the peer refused ends the Connect (handshakeRefused). A raw
// connection the application closed ([id][empty]) on the persistent pipe
// ends the Connect, as libzmq's session ends when its raw pipe is
// terminated: no reconnection, and the id is unknown from then on.
func (s *Socket) serveConnectedPipe(c *connecter, conn net.Conn) bool {
	if c.so.raw {
		served, closedByApp := serveRaw(s, conn, c.p, c.endpoint, &c.so, c.rid, c.started)
		if closedByApp && c.p != nil && !c.finished() {
			s.connectEnded(c)
		}
		return served
	}
	var eng *engine
	handshaken := runSession(s, conn, c.p, c.endpoint, &c.so, func(e *engine) {
		eng = e
		c.started(e)
	})
	if !handshaken && eng != nil && handshakeRefused(eng.handshakeErr) && !c.finished() {
		s.connectEnded(c)
	}
	return handshaken
}

// handshakeRefused reports whether a handshake failed on a protocol
// matter: the peer's ERROR (a ZAP refusal among them), a malformed
// greeting or command, an incompatible peer. libzmq's session takes such a
// failure as the end of its endpoint and does not reconnect; a connection
// that broke or timed out during the handshake (HANDSHAKE_FAILED_NO_DETAIL)
// is tried again.
func handshakeRefused(err error) bool {
	var me *mechanism.Error
	if errors.As(err, &me) {
		return me.Kind != mechanism.FailedNoDetail
	}
	var pe *protocolError
	return errors.As(err, &pe)
}

// started records e as the engine of c's connection, so that stop can end
// it; e is closed at once when c was stopped meanwhile.
func (c *connecter) started(e *engine) {
	e.connectRid = c.rid
	c.mu.Lock()
	c.eng = e
	stopNow := c.ctx.Err() != nil
	c.mu.Unlock()
	if stopNow {
		e.conn.Close()
	}
}

// finished reports whether the connecter should stop: it was stopped, or
// it is closing and has nothing left to send.
func (c *connecter) finished() bool {
	if c.ctx.Err() != nil {
		return true
	}
	c.mu.Lock()
	closing := c.closing
	c.mu.Unlock()
	if !closing {
		return false
	}
	return c.p == nil || c.p.out.pending() == 0
}

// stop ends the connecter. With linger, it keeps trying to deliver what is
// queued until the socket's LINGER passes.
func (c *connecter) stop(linger bool) {
	c.mu.Lock()
	c.closing = true
	e := c.eng
	c.mu.Unlock()
	if !linger || c.p == nil || e == nil && c.p.out.pending() == 0 {
		c.cancel()
		if e != nil {
			e.stop(false)
		}
		return
	}
	c.p.out.close()
	d := c.s.lingerDuration()
	if d > 0 {
		time.AfterFunc(d, func() {
			c.cancel()
			c.mu.Lock()
			e := c.eng
			c.mu.Unlock()
			if e != nil {
				e.stop(false)
			}
		})
	}
}

// stopPipe is the persistent pipe's stop function.
func (c *connecter) stopPipe(linger bool) { c.stop(linger) }

// Disconnect undoes one Connect to endpoint.
func (s *Socket) Disconnect(endpoint string) error {
	s.mu.Lock()
	if err := s.checkUsable(); err != nil {
		s.mu.Unlock()
		return err
	}
	cs := s.connects[endpoint]
	if len(cs) == 0 {
		if s.disconnectInprocLocked(endpoint) {
			s.mu.Unlock()
			return nil
		}
		s.mu.Unlock()
		return ENOENT
	}
	delete(s.connects, endpoint)
	var pipes []*pipe
	for p := range s.pipes {
		if p.connectSide && p.endpoint == endpoint {
			pipes = append(pipes, p)
		}
	}
	s.mu.Unlock()
	for _, c := range cs {
		c.stop(false)
	}
	for _, p := range pipes {
		s.disconnectPipe(p)
	}
	return nil
}

// connectEnded undoes c's Connect once c's connection ended and there is
// to be no other (RECONNECT_IVL forbids it, or the application closed a
// raw connection): libzmq's session then ends the endpoint, so the socket
// can take a new peer (PAIR) and a later Connect to the same endpoint
// starts afresh. Unlike Disconnect, it keeps what the persistent pipe
// received and the application has not read yet, as libzmq's pipe delivers
// its messages before it ends.
func (s *Socket) connectEnded(c *connecter) {
	c.cancel() // c's goroutine makes no other connection
	s.mu.Lock()
	cs := s.connects[c.endpoint]
	for i, x := range cs {
		if x == c {
			cs = append(cs[:i:i], cs[i+1:]...)
			break
		}
	}
	if len(cs) == 0 {
		delete(s.connects, c.endpoint)
	} else {
		s.connects[c.endpoint] = cs
	}
	s.mu.Unlock()
	if c.p != nil {
		s.endPipe(c.p, false)
		c.p.in.q.close()
		s.detachPipe(c.p)
	}
}

// pipeDisconnected is called when the connection behind a persistent pipe
// ends; the pipe stays and keeps queueing. With HICCUP_MSG the application
// receives that message, as if from the peer.
func (s *Socket) pipeDisconnected(p *pipe) {
	s.mu.Lock()
	hiccup := s.opt.hiccupMsg
	s.mu.Unlock()
	if len(hiccup) > 0 {
		p.in.q.pushFrame(frame{data: hiccup}, true)
	}
	s.signal()
}
