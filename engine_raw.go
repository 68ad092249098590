package zmq4

import (
	"errors"
	"net"
	"sync"
)

// runRawSession serves one STREAM or ROUTER_RAW connection: no ZMTP, raw
// bytes both ways, with the options snapshot of its Bind or Connect. rid is
// the CONNECT_ROUTING_ID the connection was made with, if any.
func (s *Socket) runRawSession(conn net.Conn, endpoint string, so *sessionOptions, rid []byte) bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		conn.Close()
		return false
	}
	s.mu.Unlock()
	notify := so.rawNotify
	p := newNetPipe(s, so.sndhwm, so.rcvhwm, endpoint)
	p.connectRid = rid
	p.raw = true
	e := &engine{s: s, conn: conn, endpoint: endpoint, p: p,
		wakeOut: make(chan struct{}, 1), wakeIn: make(chan struct{}, 1), done: make(chan struct{})}
	p.engine.Store(e)
	p.setStop(e.stop)
	p.setPeer(map[string]string{"Peer-Address": peerAddress(conn)}, "", nil)
	if notify {
		p.in.q.pushFrame(frame{}, true)
	}
	if !s.attachPipe(p) {
		conn.Close()
		return false
	}
	e.outR = newQueueReader(p.out)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		e.writeLoop(e.writeRaw)
	}()
	e.rawReadLoop()
	e.stop(false)
	wg.Wait()
	// A connection the application closed with [id][empty] is not
	// announced; one the peer closed is.
	if notify && !e.lingering.Load() {
		p.in.q.pushFrame(frame{}, true)
	}
	p.in.q.close()
	s.detachPipe(p)
	return true
}

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
