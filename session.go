package zmq4

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/purezmq/zmq4/internal/mechanism"
	"github.com/purezmq/zmq4/internal/transport"
	"github.com/purezmq/zmq4/internal/zmtp"
)

// The session layer: what a connection engine needs from its socket, and
// the life of an engine that the three kinds share. The ZMTP engine
// (engine.go), the raw engine of STREAM and ROUTER_RAW (engine_raw.go) and
// the udp engine (engine_udp.go) each supply only what differs: the
// handshake, the read loop and the encoding of a batch (an engineWire).
// Everything else is here: newEngine makes the engine, own hands it a pipe,
// serve runs the writer goroutine and the read loop, stop ends it (at once
// or after LINGER), release gives the pipe back.

// session is what an engine needs from the socket it serves. *Socket
// implements it; the engine's unit tests use a fake. Each method is called
// a few times per connection, never per message: messages go through the
// pipe's queues.
type session interface {
	// newConnPipe makes a pipe for a connection, with the engine wake-ups
	// wired (newNetPipe).
	newConnPipe(sndhwm, rcvhwm int, endpoint string) *pipe
	// attachPipe hands a handshaken connection's pipe to the pattern; false
	// when the socket is closed.
	attachPipe(p *pipe) bool
	// pipeGone takes a pipe whose connection ended away from the pattern
	// (Socket.pipeGone).
	pipeGone(p *pipe)
	// peerReady tells the pattern that p's peer finished its handshake.
	peerReady(p *pipe)
	// pipeDisconnected reports that the connection behind a connecter's
	// persistent pipe ended.
	pipeDisconnected(p *pipe)
	// event raises a monitor event.
	event(ev Event, endpoint string, value int)
	// zapFunc returns the function that asks the ZAP handler, or nil when
	// there is none.
	zapFunc() mechanism.ZAPFunc
	// lingerDuration returns the socket's LINGER.
	lingerDuration() time.Duration
	// acceptsPeers reports whether the socket takes new connections (it is
	// not closed).
	acceptsPeers() bool
	// fanoutWorker returns the worker that writes the socket's connections
	// (engine_fanout.go), or nil when each engine's writer goroutine does.
	fanoutWorker() *fanoutWorker
}

var _ session = (*Socket)(nil)

func (s *Socket) newConnPipe(sndhwm, rcvhwm int, endpoint string) *pipe {
	return newNetPipe(s, sndhwm, rcvhwm, endpoint)
}

func (s *Socket) zapFunc() mechanism.ZAPFunc { return s.ctx.zapFunc() }

func (s *Socket) acceptsPeers() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.closed
}

// sessionOptions is the snapshot of socket options that the connections of
// one Bind or Connect work with. As libzmq copies a socket's options into
// each endpoint at zmq_bind and zmq_connect, Bind and Connect take this
// snapshot once (sessionOptionsLocked), and every connection accepted or
// (re)made for that endpoint uses it: a later setter changes only endpoints
// opened afterwards. The HWMs here size the pipes of new connections;
// SetSndhwm and SetRcvhwm also resize the pipes that exist (libzmq 4.2+).
type sessionOptions struct {
	typ           Type
	maxmsgsize    int64
	handshakeIvl  time.Duration
	sndhwm        int
	rcvhwm        int
	mech          mechanism.Config
	heartbeatIvl  time.Duration
	heartbeatTTL  time.Duration
	heartbeatTout time.Duration
	raw           bool // STREAM, or ROUTER with ROUTER_RAW: no ZMTP
	rawNotify     bool // a raw connection announces itself

	// The order of the pipe (nextPipeOrder): per Connect, or per accepted
	// connection.
	order uint64

	// Used by a connecter between connections.
	reconnectIvl    time.Duration
	reconnectIvlMax time.Duration
	reconnectStop   int
	transport       *transport.Options
}

// sessionOptionsLocked takes the snapshot for a new endpoint. Call with
// s.mu held.
func (s *Socket) sessionOptionsLocked() sessionOptions {
	o := &s.opt
	so := sessionOptions{
		typ:           s.typ,
		maxmsgsize:    o.maxmsgsize,
		handshakeIvl:  o.handshakeIvl,
		sndhwm:        o.sndhwm,
		rcvhwm:        o.rcvhwm,
		heartbeatIvl:  o.heartbeatIvl,
		heartbeatTTL:  o.heartbeatTTL,
		heartbeatTout: o.heartbeatTimeout,
		raw:           s.typ == STREAM || s.typ == ROUTER && o.routerRaw,
		// A raw ROUTER always announces connections, as libzmq's does (its
		// notification flag can be set only on STREAM).
		rawNotify:       o.streamNotify || s.typ == ROUTER,
		reconnectIvl:    o.reconnectIvl,
		reconnectIvlMax: o.reconnectIvlMax,
		reconnectStop:   o.reconnectStop,
		transport:       s.transportOptionsLocked(),
	}
	if o.conflate && conflateApplies(s.typ) {
		so.sndhwm, so.rcvhwm = 1, 1
	}
	if so.heartbeatTout < 0 {
		so.heartbeatTout = so.heartbeatIvl
	}
	m := &so.mech
	m.Mechanism = o.mechanism.String()
	m.SocketType = s.typ.String()
	m.Identity = []byte(o.identity)
	m.SendIdentity = s.typ == REQ || s.typ == DEALER || s.typ == ROUTER
	for _, kv := range o.metadata {
		m.Metadata = append(m.Metadata, zmtp.Property{Name: kv[0], Value: kv[1]})
	}
	switch o.mechanism {
	case PLAIN:
		m.AsServer = o.plainServer
		m.Username, m.Password = o.plainUsername, o.plainPassword
	case CURVE:
		m.AsServer = o.curveServer
		m.PublicKey, m.SecretKey, m.ServerKey = o.curvePublicKey, o.curveSecretKey, o.curveServerKey
	}
	m.ZAPDomain = o.zapDomain
	m.ZAPEnforceDomain = o.zapEnforceDomain
	m.LocalRoutingID = o.identity
	return so
}

// engineWire is what differs between the kinds of engine once the
// handshake is done.
type engineWire interface {
	// readLoop reads from the connection into the pipe's inbound queue
	// until the connection fails or the engine stops. It runs in the
	// connection goroutine; its error says why it ended.
	readLoop() error
	// write encodes and writes one batch taken from the outbound queue. It
	// runs in the writer goroutine, once per batch.
	write(fs []frame) error
}

// engine serves one connection for one pipe: the connection goroutine (the
// accept loop's goroutine for the connection, the connecter's goroutine,
// or udp's reader) runs the handshake and then the read loop; serve starts
// one writer goroutine beside it. The fields say who owns them, as
// x/net/http2's serverConn does.
type engine struct {
	// Set by newEngine; read-only afterwards.
	sess session
	// conn is read by the connection goroutine; written by it during the
	// handshake and by the holder of the write token (wmu) afterwards;
	// closed by stop.
	conn     net.Conn
	endpoint string
	wakeOut  chan struct{} // outbound queue got a message; the writer receives
	wakeIn   chan struct{} // inbound queue got room; the reader receives
	done     chan struct{} // closed by stop; everyone may receive

	// Set by the connection goroutine before serve starts the writer
	// goroutine (the go statement orders them); read-only afterwards.
	p          *pipe
	props      *connProps // the peer's properties, which every message it sends carries
	connectRid []byte     // CONNECT_ROUTING_ID of the connect that made this engine
	peerMin    byte       // peer's ZMTP minor version: 0 means 3.0
	typ        Type       // the local socket's type: which commands it takes (command)
	v2         bool       // the peer speaks ZMTP 2.0: no commands at all
	// clearHeartbeats: the transport carries PING and PONG outside the
	// security mechanism (ws turns them into WebSocket ping and pong), so
	// they are neither sealed nor opened by the codec.
	clearHeartbeats bool
	// codec boxes and opens CURVE MESSAGEs: Open belongs to the connection
	// goroutine, Seal to the writer goroutine (MessageCodec keeps their
	// states apart).
	codec mechanism.MessageCodec

	// Owned by the connection goroutine, or after the handshake by the
	// holder of the read token: the connection goroutine, or an
	// application's Recv it lent the connection to (engine_direct.go).
	r          *zmtp.Reader // decodes the handshake's and then the data phase's frames
	inPending  []frame      // frames decoded and not yet delivered
	inComplete int          // frames in inPending that form whole messages
	replies    replyCheck   // where a REQ's peer is in its reply (engine_replycheck.go)
	// handshakeErr is why the handshake failed, for the connecter, whose
	// goroutine is the connection goroutine, after runSession returns.
	handshakeErr error

	// Owned by whoever holds wmu, the write token: the writer goroutine
	// around each batch, or a goroutine that queued a message and writes
	// it in place (engine_inplace.go). serve sets outR before anyone can.
	wmu         sync.Mutex
	outR        queueReader // reads p.out
	zw          zmtp.Writer // encodes outbound frames; the codec's Seal with it
	bufs        net.Buffers // the segments of one vectored write
	sentPooled  [][]byte    // pooled buffers to give back once written
	inPlaceSent int         // bytes of zw written by an in-place write that did not finish
	inPlaceRun  int         // writes in place since the connection was last quiet

	// Set by the connection goroutine before serve (startWriter), then
	// used by the holder of wmu; nil when the writer goroutine writes with
	// conn.Write.
	rawW *rawWriter

	// Set by the connection goroutine before serve (enableInPlace for
	// REQ and REP, enableFanoutWrites for PUB and XPUB), and read-only
	// once serve has set inPlaceOn; nil when no one writes in place.
	inPlace       *inPlaceWriter
	inPlaceOn     atomic.Bool   // set by serve once in-place writes may start
	lastWriteAt   atomic.Int64  // when the last write ended (markWrite)
	inPlaceWrites atomic.Uint64 // write calls made in place (for tests)

	// Set by the connection goroutine before serve (enableFanoutWrites),
	// and read-only once serve has set inPlaceOn: the socket's fan-out
	// worker, nil when the writer goroutine writes. fanoutQueued is set
	// while the engine waits in the worker's list.
	fanout         *fanoutWorker
	fanoutQueued   atomic.Bool
	fanoutHandOffs atomic.Uint64 // turns the worker left to the writer goroutine (for tests)

	// Set by the connection goroutine before serve (enableDirectRead for
	// REQ and REP), and read-only once serve has set directOn; nil when
	// only the connection goroutine reads.
	direct   *directRead
	directOn atomic.Bool // set by serve once a Recv may read in place

	// Any goroutine.
	stopped      sync.Once      // stop's closing of done and conn
	outputFailed atomic.Bool    // a write to the connection failed: nothing more is written (writeFailed)
	lingering    atomic.Bool    // stopped by the socket with linger, or closed by the application (raw)
	hb           heartbeatState // its own lock; the reader counts in hb.heard
}

// newEngine makes an engine for conn. It serves no pipe until own.
func newEngine(sess session, conn net.Conn, endpoint string) *engine {
	return &engine{sess: sess, conn: conn, endpoint: endpoint,
		wakeOut: make(chan struct{}, 1), wakeIn: make(chan struct{}, 1), done: make(chan struct{})}
}

// own makes e the engine serving p: the wake-ups of p's queues go to e.
// Unless p outlives its connections (a connecter's persistent pipe),
// ending p stops e.
func (e *engine) own(p *pipe, persistent bool) {
	e.p = p
	p.engine.Store(e)
	if !persistent {
		p.setStop(e.stop)
	}
}

// serve runs the engine on its pipe until the connection ends: the writer
// goroutine sends with w.write, this goroutine reads with w.readLoop; then
// it stops the engine and waits for the writer. It returns the read
// loop's error.
func (e *engine) serve(w engineWire) error {
	e.outR = newQueueReader(e.p.out)
	if e.inPlace != nil {
		e.inPlaceOn.Store(true)
	}
	if e.direct != nil {
		e.directOn.Store(true)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		e.writeLoop(w)
	}()
	err := w.readLoop()
	e.stop(false)
	wg.Wait()
	// A sender or the fan-out worker may be writing in place: once it lets go
	// of the write token, the next finds the engine stopped and leaves
	// the queue alone (a persistent pipe's next engine reads it).
	e.wmu.Lock()
	//lint:ignore SA2001 the critical section is empty on purpose: it waits for the holder
	e.wmu.Unlock()
	return err
}

// writeLoop sends queued messages with w.write until the engine stops or
// a write fails. When the socket closed the queue (linger), it ends once
// everything is sent. It holds the write token around each batch; first
// it writes what an in-place write left unwritten. On an engine the
// fan-out worker writes, it writes only that, and gives the queue back to
// the worker.
func (e *engine) writeLoop(w engineWire) {
	for {
		e.wmu.Lock()
		err := e.finishPending()
		var fs []frame
		ok, closed := false, false
		switch {
		case err != nil:
		case e.fanout != nil:
			ok, closed = e.outR.hasMessage()
		default:
			fs, ok, closed = e.outR.takeAll()
			if ok {
				err = w.write(fs)
				e.markWrite()
			}
		}
		e.wmu.Unlock()
		if err != nil {
			e.writeFailed(err)
			return
		}
		if closed {
			e.stop(false)
			return
		}
		if ok && e.fanout != nil {
			e.fanout.addEngine(e)
			ok = false
		}
		if !ok {
			select {
			case <-e.wakeOut:
			case <-e.done:
				return
			}
		}
	}
}

// writeFailed ends the writer goroutine after a write returned err. A
// write the connection refused stops output only: nothing more is written
// or taken from the queue, and the engine ends when the reader does, once
// it has delivered what the peer sent before it went away. So a
// subscription or a message that arrived just before a reset is not lost
// with the connection, as in libzmq, whose engine stops writing on an error
// and ends on the next read error. An encoder's error leaves the
// connection readable for ever, and a socket that is closing (lingering:
// also a STREAM application closing its connection) has no one to deliver
// to: those stop the engine at once. A connection closed here fails its
// reads too, so its engine ends without a case of its own.
func (e *engine) writeFailed(err error) {
	var ee encodeError
	if errors.As(err, &ee) {
		e.stop(false)
		return
	}
	// Stored before lingering is loaded, as stop stores lingering before
	// it loads outputFailed: whichever comes second sees the other.
	e.outputFailed.Store(true)
	if e.lingering.Load() {
		e.stop(false)
		return
	}
	<-e.done
}

// encodeError is an error of the encoder (a CURVE box it could not seal),
// which writeFrames returns as this type so that writeFailed can tell it
// from the connection's.
type encodeError struct{ err error }

func (e encodeError) Error() string { return e.err.Error() }
func (e encodeError) Unwrap() error { return e.err }

// stop ends the engine. With linger, the writer first sends what is queued;
// the socket's LINGER bounds how long that may take. An engine whose
// output failed has nothing more to send and stops at once.
func (e *engine) stop(linger bool) {
	if linger {
		e.lingering.Store(true)
		if e.outputFailed.Load() {
			e.stop(false)
			return
		}
		e.p.out.close()
		if d := e.sess.lingerDuration(); d >= 0 {
			time.AfterFunc(d, func() { e.stop(false) })
		}
		return
	}
	e.stopped.Do(func() {
		close(e.done)
		e.conn.Close()
	})
}

// release gives the pipe back after serve. A connecter's persistent pipe
// stays with the socket for the next connection (messages handed to this
// engine's writer and not yet sent are lost, as in libzmq); any other
// pipe is closed for input and detached.
func (e *engine) release(persistent bool) {
	p := e.p
	p.engine.CompareAndSwap(e, nil)
	if persistent {
		e.sess.pipeDisconnected(p)
		return
	}
	p.in.q.close()
	e.sess.pipeGone(p)
}
