package zmq4

import (
	"errors"
	"net"
)

// runRawSession serves one STREAM or ROUTER_RAW connection for sess: no
// ZMTP, raw bytes both ways, with the options snapshot of its Bind or
// Connect. rid is the CONNECT_ROUTING_ID the connection was made with, if
// any.
func runRawSession(sess session, conn net.Conn, endpoint string, so *sessionOptions, rid []byte) bool {
	if !sess.acceptsPeers() {
		conn.Close()
		return false
	}
	notify := so.rawNotify
	p := sess.newConnPipe(so.sndhwm, so.rcvhwm, endpoint)
	p.connectRid = rid
	p.raw = true
	e := newEngine(sess, conn, endpoint)
	e.own(p, false)
	p.setPeer(map[string]string{"Peer-Address": peerAddress(conn)}, "", nil)
	if notify {
		p.in.q.pushFrame(frame{}, true)
	}
	if !sess.attachPipe(p) {
		conn.Close()
		return false
	}
	e.serve(rawWire{e})
	// A connection the application closed with [id][empty] is not
	// announced; one the peer closed is.
	if notify && !e.lingering.Load() {
		p.in.q.pushFrame(frame{}, true)
	}
	e.release(false)
	return true
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
