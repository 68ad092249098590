package zmq4

import (
	"errors"
	"io"
	"net"
	"os"
	"time"

	"github.com/purezmq/zmq4/internal/mechanism"
	"github.com/purezmq/zmq4/internal/transport"
	"github.com/purezmq/zmq4/internal/zmtp"
)

// The ZMTP engine: the greeting, the security handshake, then a read loop
// that decodes frames (the connection goroutine) and a writer that encodes
// them (zmtp.Writer) in the writer goroutine that serve starts
// (session.go).
//
// The reader decodes everything one read delivered and pushes the whole
// batch into the pipe's inbound queue with one lock. The writer takes all
// queued outbound messages at once, encodes them into one buffer and writes
// it with one system call.

// maxFramesPerMessage bounds the parts of one incoming message, so a peer
// that never ends a multipart message cannot make us hold frames forever.
const maxFramesPerMessage = 1 << 16

// protocolError is a violation of ZMTP after the handshake that ends the
// connection; runSession reports it as EVENT_HANDSHAKE_FAILED_PROTOCOL
// with code, before EVENT_DISCONNECTED. libzmq has no such checks, so it
// reports only the disconnection.
type protocolError struct {
	code int // a ZMQ_PROTOCOL_ERROR_* value
	msg  string
}

func (e *protocolError) Error() string { return e.msg }

// errTooManyFrames drops a peer whose message exceeds maxFramesPerMessage.
var errTooManyFrames = &protocolError{protoErrUnspecified, "zmq4: message with too many parts"}

// errStopped ends an engine that was told to stop.
var errStopped = errors.New("zmq4: engine stopped")

// handshake exchanges greetings and runs the security mechanism. On success
// it returns the peer's properties.
func (e *engine) handshake(so *sessionOptions) (map[string]string, error) {
	c := e.conn
	if so.handshakeIvl > 0 {
		c.SetDeadline(time.Now().Add(so.handshakeIvl))
	}
	mech := so.mech.Mechanism
	var src io.Reader = c
	if r := newRawReader(c); r != nil {
		src = r
	}
	e.r = zmtp.NewReader(progressReader{src, &e.hb.heard}, so.maxmsgsize)
	pg, v2, err := e.exchangeGreetings(mech, so.mech.AsServer, len(so.mech.LocalRoutingID))
	if err != nil {
		return nil, err
	}
	if v2 {
		return e.handshakeV2(so)
	}
	if pg.Mechanism != mech {
		return nil, &mechanism.Error{Kind: mechanism.FailedProtocol, Code: protoErrMechanismMismatch,
			Err: errors.New("zmq4: security mechanism mismatch")}
	}
	e.peerMin = 1
	if pg.IsV30() {
		e.peerMin = 0
	}
	cfg := so.mech
	cfg.PeerAddress = transport.PeerAddress(c)
	cfg.ZAP = e.zapWatchingPeer(e.sess.zapFunc())
	res, err := mechanism.Handshake(handshakeConn{e}, &cfg)
	if err != nil {
		return nil, err
	}
	props := peerProperties(res, cfg.PeerAddress)
	e.codec = res.Codec
	// Large frames arrive in pooled buffers that sockets can recycle.
	e.r.SetAllocator(getPooled)
	c.SetDeadline(time.Time{})
	return props, nil
}

// peerProperties gathers what a message from the peer reports through
// GetProperty, with libzmq 4.3's precedence: the first of each name wins,
// Peer-Address before the ZAP handler's User-Id and metadata, those before
// the peer's own metadata.
func peerProperties(res *mechanism.Result, peerAddress string) map[string]string {
	props := make(map[string]string, len(res.Properties)+2)
	keep := func(name, value string) {
		if _, ok := props[name]; !ok {
			props[name] = value
		}
	}
	if peerAddress != "" {
		keep("Peer-Address", peerAddress)
	}
	if res.ZAPReplied {
		keep("User-Id", res.UserID)
	}
	for _, p := range res.Properties[res.PeerProperties:] {
		keep(p.Name, p.Value)
	}
	for _, p := range res.Properties[:res.PeerProperties] {
		keep(p.Name, p.Value)
	}
	return props
}

// wholeGreeting is implemented by connections that need our greeting in
// one piece (ws, which builds its upgrade request from it and answers with
// a greeting of its own making).
type wholeGreeting interface{ WholeGreeting() bool }

// exchangeGreetings sends our ZMTP 3.1 greeting in libzmq's three steps
// (signature; major version once the peer's signature has arrived; the rest
// once the peer's version byte has), so that a ZMTP 2.0 peer is recognised
// before it is sent bytes it would misread. Its padding holds
// routingIDLen+1, as libzmq's does (zmtp.SetGreetingPadding). It returns
// the peer's greeting, or v2 true when the peer speaks ZMTP 2.0.
func (e *engine) exchangeGreetings(mech string, asServer bool, routingIDLen int) (pg zmtp.Greeting, v2 bool, err error) {
	g := zmtp.AppendGreeting(make([]byte, 0, zmtp.GreetingSize), mech, asServer)
	zmtp.SetGreetingPadding(g, routingIDLen)
	malformed := func(err error) (zmtp.Greeting, bool, error) {
		return zmtp.Greeting{}, false, &mechanism.Error{Kind: mechanism.FailedProtocol, Code: protoErrUnspecified, Err: err}
	}
	if w, ok := e.conn.(wholeGreeting); ok && w.WholeGreeting() {
		if _, err := e.conn.Write(g); err != nil {
			return zmtp.Greeting{}, false, err
		}
		raw, err := e.r.ReadGreeting()
		if err != nil {
			return zmtp.Greeting{}, false, err
		}
		if pg, err = zmtp.ParseGreeting(raw); err != nil {
			return malformed(err)
		}
		return pg, false, nil
	}
	peer := make([]byte, 0, zmtp.GreetingSize)
	steps := [][]byte{g[:zmtp.SignatureSize], g[zmtp.SignatureSize : zmtp.SignatureSize+1], g[zmtp.SignatureSize+1:]}
	for i, step := range steps {
		if _, err := e.conn.Write(step); err != nil {
			return zmtp.Greeting{}, false, err
		}
		got, err := e.r.ReadExact(len(step))
		if err != nil {
			return zmtp.Greeting{}, false, err
		}
		peer = append(peer, got...)
		switch {
		case i == 0 && !zmtp.ValidSignature(got):
			return malformed(errors.New("zmq4: unversioned (ZMTP 1.0) peers are not supported"))
		case i == 1 && got[0] == zmtp.V2Revision:
			return zmtp.Greeting{}, true, nil
		}
	}
	if pg, err = zmtp.ParseGreeting(peer); err != nil {
		return malformed(err)
	}
	return pg, false, nil
}

// handshakeV2 completes the handshake with a ZMTP 2.0 peer as libzmq 4.3
// does: only without security (no mechanism, no ZAP domain), the socket
// type as one byte each way, then each side's identity as its first frame.
// Like libzmq it checks neither the peer's socket type nor the identity
// frame's flags. The engine then talks ZMTP 3.0 without commands:
// subscriptions as data frames and no heartbeats.
func (e *engine) handshakeV2(so *sessionOptions) (map[string]string, error) {
	if so.mech.Mechanism != mechanism.Null || so.mech.ZAPDomain != "" {
		return nil, &mechanism.Error{Kind: mechanism.FailedProtocol, Code: protoErrMechanismMismatch,
			Err: errors.New("zmq4: ZMTP 2.0 peer refused because security is enabled")}
	}
	// libzmq writes its type's number, which has no meaning in ZMTP 2.0
	// for the types that came later.
	if _, err := e.conn.Write([]byte{byte(so.typ)}); err != nil {
		return nil, err
	}
	b, err := e.r.ReadExact(1)
	if err != nil {
		return nil, err
	}
	if err := e.writeRawFrame(0, []byte(so.mech.LocalRoutingID)); err != nil {
		return nil, err
	}
	f, err := e.r.ReadFrame()
	if err != nil {
		return nil, err
	}
	props := map[string]string{}
	if peerType, ok := zmtp.V2SocketTypeName(b[0]); ok {
		props["Socket-Type"] = peerType
	}
	if len(f.Body) > 0 {
		props["Identity"] = string(f.Body)
	}
	if addr := transport.PeerAddress(e.conn); addr != "" {
		props["Peer-Address"] = addr
	}
	e.v2 = true
	e.peerMin = 0
	e.r.SetAllocator(getPooled)
	e.conn.SetDeadline(time.Time{})
	return props, nil
}

// handshakeConn gives the mechanism framed access to the connection.
type handshakeConn struct{ e *engine }

func (h handshakeConn) ReadFrame() (zmtp.Frame, error) { return h.e.r.ReadFrame() }
func (h handshakeConn) WriteFrame(flags byte, body []byte) error {
	return h.e.writeRawFrame(flags, body)
}

func (e *engine) writeRawFrame(flags byte, body []byte) error {
	_, err := e.conn.Write(zmtp.AppendFrame(nil, flags, body))
	return err
}

// ZMTP protocol error codes reported with HANDSHAKE_FAILED_PROTOCOL.
const (
	protoErrUnspecified       = 0x10000000
	protoErrMechanismMismatch = 0x11000002
)

// runSession runs a ZMTP connection for sess until it ends, with the
// options snapshot of the Bind or Connect it belongs to. p is the
// connecter's persistent pipe, or nil to make a pipe for this connection
// alone. It reports whether the handshake succeeded.
func runSession(sess session, conn net.Conn, p *pipe, endpoint string, snapshot *sessionOptions, onStart func(*engine)) bool {
	if p == nil && !sess.acceptsPeers() {
		// A closed socket accepts no new peers; a lingering connecter's
		// persistent pipe (p != nil) still gets its queue delivered.
		conn.Close()
		return false
	}
	so := *snapshot // the handshake may fill in per-connection fields

	e := newEngine(sess, conn, endpoint)
	if hc, ok := conn.(interface{ HeartbeatsInClear() bool }); ok {
		e.clearHeartbeats = hc.HeartbeatsInClear()
	}
	if onStart != nil {
		onStart(e)
	}
	fd := fdOf(conn)
	props, err := e.handshake(&so)
	if err != nil {
		e.handshakeErr = err
		conn.Close()
		handshakeFailed(sess, endpoint, err)
		sess.event(EVENT_DISCONNECTED, endpoint, fd)
		return false
	}
	persistent := p != nil
	if p == nil {
		p = sess.newConnPipe(so.sndhwm, so.rcvhwm, endpoint)
		p.order = so.order
		p.connectRid = e.connectRid
		p.connectSide = e.connectRid != nil || onStart != nil
	}
	e.props = &connProps{m: props}
	p.setPeer(props, props["Socket-Type"], []byte(props["Identity"]))
	e.own(p, persistent)
	if !persistent && !sess.attachPipe(p) {
		conn.Close()
		return true
	}
	sess.event(EVENT_HANDSHAKE_SUCCEEDED, endpoint, 0)
	sess.peerReady(p)

	e.typ = so.typ
	e.startWriter(so.typ)
	e.enableInPlace(so.typ)
	e.enableDirectRead(so.typ)
	e.enableFanoutWrites(so.typ)
	e.startHeartbeat(&so)
	var pe *protocolError
	if err := e.serve(zmtpWire{e}); errors.As(err, &pe) {
		sess.event(EVENT_HANDSHAKE_FAILED_PROTOCOL, endpoint, pe.code)
	}
	e.stopHeartbeat()
	e.release(persistent)
	if !e.lingering.Load() {
		sess.event(EVENT_DISCONNECTED, endpoint, fd)
	}
	return true
}

// zmtpWire is the ZMTP engine's engineWire.
type zmtpWire struct{ e *engine }

func (w zmtpWire) readLoop() error        { return w.e.readLoop() }
func (w zmtpWire) write(fs []frame) error { return w.e.writeFrames(fs) }

// readLoop decodes frames until the connection fails. On a connection the
// application may read itself (engine_direct.go), it lends the connection
// when asked and carries on once it is given back.
func (e *engine) readLoop() error {
	if e.direct != nil {
		defer e.direct.reclaim.Stop()
	}
	for {
		err := e.readFrames(false)
		if e.direct == nil || !errors.Is(err, os.ErrDeadlineExceeded) {
			return e.endRead(err)
		}
		// Only takeRead sets a read deadline on the connection goroutine.
		if err := e.lendRead(); err != nil {
			return e.endRead(err)
		}
	}
}

// endRead delivers the whole messages decoded before err, the error that
// ends the connection, and returns err. A frame that breaks the protocol
// (a frame over MAXMSGSIZE, a REQ's reply without its delimiter) may come
// in the same read as whole messages before it; libzmq 4.3 delivers those
// too. The parts of an unfinished message are dropped.
func (e *engine) endRead(err error) error {
	if e.inComplete > 0 {
		e.deliverDecoded(false) // fails only when the engine was stopped meanwhile
	}
	return err
}

// readFrames decodes frames and delivers whole messages to the inbound
// queue. On the connection goroutine (forApp false) it returns only with
// the error that ends the connection, or with the read deadline takeRead
// set. On the application's goroutine (readForApp) it returns once it has
// delivered at least one message, without waiting for room; errAppFull
// when the queue had no room for any.
func (e *engine) readFrames(forApp bool) error {
	if e.inComplete > 0 {
		// Messages decoded before the connection changed hands.
		if err := e.deliverDecoded(forApp); err != nil || forApp {
			return err
		}
	}
	for {
		f, err := e.r.ReadFrame()
		if err != nil {
			return err
		}
		e.hb.heard.Add(1)
		if e.codec != nil && e.clearHeartbeats && f.IsCommand() {
			if !isHeartbeat(f.Body) {
				return errors.New("zmq4: unencrypted command other than PING or PONG")
			}
		} else if e.codec != nil {
			if f, err = e.open(f); err != nil {
				e.sess.event(EVENT_HANDSHAKE_FAILED_PROTOCOL, e.endpoint, protocolCode(err))
				return err
			}
		}
		n := len(f.Body)
		body := f.Body[:n:n]
		var pooled uint8
		if f.Own {
			// A buffer of its own from the pool: the socket may give it
			// back once the application has copied the data out.
			body, pooled = f.Body, framePooled
		}
		part, isPart := frame{data: body, flags: pooled}, true
		if f.IsCommand() {
			part, isPart = e.command(body)
		}
		if isPart {
			if e.typ == REQ && !e.replies.next(len(part.data), f.More()) {
				return errMalformedReply
			}
			if f.More() {
				part.flags |= frameMore
			}
			e.inPending = append(e.inPending, part)
			if !f.More() {
				e.inComplete = len(e.inPending)
			} else if len(e.inPending)-e.inComplete > maxFramesPerMessage {
				return errTooManyFrames
			}
		}
		if e.inComplete > 0 && (e.inComplete >= 4096 || !e.r.Buffered()) {
			if err := e.deliverDecoded(forApp); err != nil || forApp {
				return err
			}
		}
	}
}

// deliverDecoded pushes the whole messages decoded so far into the inbound
// queue. The connection goroutine (forApp false) waits for room until all
// are in; the application's goroutine pushes what fits and keeps the rest
// for later, and gets errAppFull when nothing fitted.
func (e *engine) deliverDecoded(forApp bool) error {
	var n int
	if forApp {
		// The application's own push signals the socket: it must not
		// be taken for a kick.
		e.settleRead()
		n = e.p.in.q.pushBatch(e.inPending[:e.inComplete], e.props)
		if n == 0 {
			return errAppFull
		}
	} else {
		if err := e.deliver(e.inPending[:e.inComplete]); err != nil {
			return err
		}
		n = e.inComplete
	}
	rest := copy(e.inPending, e.inPending[n:])
	clear(e.inPending[rest:])
	e.inPending = e.inPending[:rest]
	e.inComplete -= n
	return nil
}

// isHeartbeat reports whether a command body is a PING or a PONG.
func isHeartbeat(body []byte) bool {
	name, _, err := zmtp.ParseCommand(body)
	return err == nil && (name == zmtp.CmdPing || name == zmtp.CmdPong)
}

// open decrypts a frame. A box in a pooled buffer of its own is opened into
// another pooled buffer and given back at once, so large encrypted messages
// recycle both; any other box is opened in place.
func (e *engine) open(f zmtp.Frame) (zmtp.Frame, error) {
	if !f.Own {
		flags, payload, err := e.codec.Open(f.Body)
		return zmtp.Frame{Flags: flags, Body: payload}, err
	}
	flags, payload, err := e.codec.OpenInto(f.Body, allocPooled)
	putPooled(f.Body)
	return zmtp.Frame{Flags: flags, Body: payload, Own: true}, err
}

// deliver pushes whole messages into the inbound queue, waiting for room.
func (e *engine) deliver(fs []frame) error {
	q := e.p.in.q
	for len(fs) > 0 {
		n := q.pushBatch(fs, e.props)
		fs = fs[n:]
		if len(fs) == 0 {
			return nil
		}
		select {
		case <-e.wakeIn:
		case <-e.done:
			return errStopped
		}
	}
	return nil
}

// command handles a command frame received after the handshake as libzmq
// 4.3.4 does, and returns the part it adds to the message being read, if
// any. A PING is answered with a PONG (one too short to hold its TTL gets
// one with no context). SUBSCRIBE and CANCEL are subscriptions to a PUB or
// XPUB; a REQ drops them; any other socket gets the whole command body as
// a part ("\tSUBSCRIBEtopic"). JOIN and LEAVE are groups to a RADIO.
// Every other command is dropped: PONG, ERROR, READY, a name it does not
// know, a body too short for its name, and JOIN or LEAVE to a socket that
// is not a RADIO. A command may come between the parts of a multipart
// message (libzmq's heartbeat timer can put its PING there); its part then
// takes the frame's MORE flag like any other (readFrames).
func (e *engine) command(body []byte) (frame, bool) {
	name, data, err := zmtp.ParseCommand(body)
	if err != nil {
		return frame{}, false
	}
	switch name {
	case zmtp.CmdPing:
		ttl, ctx, err := zmtp.ParsePing(data)
		if err != nil {
			ttl, ctx = 0, nil
		}
		e.p.out.pushFrame(frame{data: zmtp.AppendPong(nil, ctx), flags: frameCommand}, true)
		e.armPeerTTL(time.Duration(ttl) * 100 * time.Millisecond)
	case zmtp.CmdSubscribe, zmtp.CmdCancel:
		if e.typ == REQ {
			return frame{}, false // libzmq's REQ session drops every command
		}
		if e.typ != PUB && e.typ != XPUB {
			return frame{data: body}, true
		}
		if name == zmtp.CmdSubscribe {
			return frame{data: data, flags: frameSubscribe}, true
		}
		return frame{data: data, flags: frameCancel}, true
	case zmtp.CmdJoin, zmtp.CmdLeave:
		if e.typ != RADIO {
			return frame{}, false
		}
		if name == zmtp.CmdJoin {
			return frame{data: data, flags: frameJoin}, true
		}
		return frame{data: data, flags: frameLeave}, true
	}
	return frame{}, false
}

// largeFrame is the size from which a frame's data is written in place
// (writev) rather than copied into the write buffer.
const largeFrame = 16 << 10

// rawWriteMax is the largest batch the writer goroutine writes with a raw
// system call (when it has a rawWriter): a raw call keeps its processor
// for the whole write, and a large one is long and comes with a load at
// which the runtime's monitor thread is awake anyway (engine_rawio_linux.go).
const rawWriteMax = 4 << 10

// writeFlushSize bounds how many bytes one write copies into its buffer,
// so a batch of large messages never builds one huge buffer. Large frames
// written in place (writev) do not count against it; 1024 segments do.
const writeFlushSize = 256 << 10

// writeFrames encodes a batch and writes it with as few system calls as
// the flush size allows: small frames are copied into one buffer, large
// ones are written in place (writev).
func (e *engine) writeFrames(fs []frame) error {
	w := &e.zw
	for _, f := range fs {
		if err := e.encode(f); err != nil {
			return encodeError{err}
		}
		if w.Buffered() >= writeFlushSize || w.NumSegments() >= 1024 {
			if err := e.flush(); err != nil {
				return err
			}
		}
	}
	err := e.flush()
	w.Trim(4 * writeFlushSize)
	return err
}

// encode adds one frame to the writer. A pooled buffer goes back to the
// pool once its data is no longer needed: at once when it was sealed, after
// the write when it is written in place.
func (e *engine) encode(f frame) error {
	w := &e.zw
	var pl zmtp.Placement
	var err error
	switch {
	case f.flags&frameCommand != 0:
		pl, err = w.Command(f.data)
	case f.flags&(frameSubscribe|frameCancel) != 0:
		pl, err = w.Subscribe(f.data, f.flags&frameSubscribe != 0)
	case f.flags&(frameJoin|frameLeave) != 0:
		pl, err = w.Join(f.data, f.flags&frameJoin != 0)
	default:
		pl, err = w.Message(f.data, f.more())
	}
	if err != nil {
		return err
	}
	if f.flags&framePooled != 0 {
		switch pl {
		case zmtp.Sealed:
			putPooled(f.data)
		case zmtp.Referenced:
			e.sentPooled = append(e.sentPooled, f.data)
		}
	}
	return nil
}

// flush writes what the writer gathered: one buffer with one write (raw
// when e.rawW is set and the buffer is small), or with frames written in
// place, all segments with one vectored write.
func (e *engine) flush() error {
	w := &e.zw
	if w.Len() == 0 {
		return nil
	}
	var err error
	switch {
	case w.NumSegments() == 0 && e.rawW != nil && w.Len() <= rawWriteMax:
		_, err = e.rawW.Write(w.Bytes())
	case w.NumSegments() == 0:
		_, err = e.conn.Write(w.Bytes())
	default:
		e.bufs = w.Segments()
		_, err = e.bufs.WriteTo(e.conn)
		e.bufs = nil
		for _, b := range e.sentPooled {
			putPooled(b)
		}
		clear(e.sentPooled)
		e.sentPooled = e.sentPooled[:0]
	}
	w.Reset()
	return err
}

// startWriter sets the writer up for the peer the handshake found, on a
// socket of type typ: the writer goroutine writes with raw system calls
// where it can, except for the types whose senders write in place
// (engine_rawio_linux.go says why).
func (e *engine) startWriter(typ Type) {
	if !writesInPlace(typ) {
		e.rawW = newRawWriter(e.conn)
	}
	e.zw.Minor = e.peerMin
	e.zw.LargeFrame = largeFrame
	e.zw.ClearCommands = e.clearHeartbeats
	if e.codec != nil {
		e.zw.SetSealer(e.codec, mechanism.MessageOverhead)
	}
}

// protocolCode returns the ZMTP error code inside err, or the unspecified one.
func protocolCode(err error) int {
	var me *mechanism.Error
	if errors.As(err, &me) {
		return me.Code
	}
	return protoErrUnspecified
}

// handshakeFailed raises the monitor event that fits err.
func handshakeFailed(s session, endpoint string, err error) {
	var me *mechanism.Error
	if errors.As(err, &me) {
		switch me.Kind {
		case mechanism.FailedAuth:
			s.event(EVENT_HANDSHAKE_FAILED_AUTH, endpoint, me.Code)
		case mechanism.FailedProtocol:
			s.event(EVENT_HANDSHAKE_FAILED_PROTOCOL, endpoint, me.Code)
		case mechanism.FailedUnreported:
		default:
			s.event(EVENT_HANDSHAKE_FAILED_NO_DETAIL, endpoint, me.Code)
		}
		return
	}
	s.event(EVENT_HANDSHAKE_FAILED_NO_DETAIL, endpoint, handshakeErrno(err))
}
