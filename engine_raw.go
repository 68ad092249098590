package zmq4

import (
	"errors"
	"net"
)

// runRawSession serves one STREAM or ROUTER_RAW connection for sess on a
// pipe of its own: no ZMTP, raw bytes both ways, with the options snapshot
// of its Bind or Connect. rid is the CONNECT_ROUTING_ID the connection was
// made with, if any.
func runRawSession(sess session, conn net.Conn, endpoint string, so *sessionOptions, rid []byte) bool {
	served, _ := serveRaw(sess, conn, nil, endpoint, so, rid, nil)
	return served
}

// serveRaw serves one raw connection. p is a connecter's persistent pipe,
// which outlives the connection; when p is nil the connection gets a pipe
// of its own, named rid if rid is not nil. onStart, when not nil, sees the
// engine before it serves. With notification on, the application receives
// an empty message when the connection opens and when it ends, unless the
// application ended it itself ([id][empty]) or the socket's Close ended
// it with LINGER. serveRaw reports whether the connection was served, and
// whether it ended unannounced; for a persistent pipe, which Close never
// ends through its engine, that means the application closed it.
func serveRaw(sess session, conn net.Conn, p *pipe, endpoint string, so *sessionOptions, rid []byte, onStart func(*engine)) (served, closedByApp bool) {
	persistent := p != nil
	if !persistent && !sess.acceptsPeers() {
		// A closed socket takes no new peers; a lingering connecter's
		// persistent pipe still gets its queue delivered.
		conn.Close()
		return false, false
	}
	notify := so.rawNotify
	e := newEngine(sess, conn, endpoint)
	if onStart != nil {
		onStart(e)
	}
	if !persistent {
		p = sess.newConnPipe(so.sndhwm, so.rcvhwm, endpoint)
		p.connectRid = rid
		p.raw = true
	}
	e.own(p, persistent)
	p.setPeer(map[string]string{"Peer-Address": peerAddress(conn)}, "", nil)
	if notify {
		p.in.q.pushFrame(frame{}, true)
	}
	if !persistent && !sess.attachPipe(p) {
		conn.Close()
		return false, false
	}
	e.serve(rawWire{e})
	// An engine lingers when the application closed its connection with
	// [id][empty], or when the socket's Close stopped it with LINGER (a
	// pipe of its own only: a connecter drains its persistent pipe
	// itself). Neither is announced; a close by the peer is.
	closedByApp = e.lingering.Load()
	if notify && !closedByApp {
		p.in.q.pushFrame(frame{}, true)
	}
	e.release(persistent)
	return true, closedByApp
}

// rawWire is the raw engine's engineWire: bytes as they come, both ways.
type rawWire struct{ e *engine }

func (w rawWire) readLoop() error        { w.e.rawReadLoop(); return nil }
func (w rawWire) write(fs []frame) error { return w.e.writeRaw(fs) }

func (e *engine) rawReadLoop() {
	q := e.p.in.q
	var chunk []byte
	for {
		if len(chunk) < 4096 {
			chunk = make([]byte, 64<<10)
		}
		n, err := e.conn.Read(chunk)
		if n > 0 {
			data := chunk[:n:n]
			chunk = chunk[n:]
			for !q.push([]frame{{data: data}}, false) {
				select {
				case <-e.wakeIn:
				case <-e.done:
					return
				}
			}
		}
		if err != nil {
			return
		}
	}
}

// writeRaw writes data as it is; an empty part closes the connection.
func (e *engine) writeRaw(fs []frame) error {
	for _, f := range fs {
		if len(f.data) == 0 {
			e.lingering.Store(true) // closed by us: no notification
			return errClosedByApp
		}
		if _, err := e.conn.Write(f.data); err != nil {
			return err
		}
	}
	return nil
}

// errClosedByApp ends a STREAM connection the application closed.
var errClosedByApp = errors.New("zmq4: STREAM connection closed by the application")
