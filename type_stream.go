package zmq4

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net"
	"sync"
)

// streamPattern speaks raw TCP: each connection gets a routing id; received
// data arrives as [id][bytes], and [id][bytes] sends bytes to that
// connection ([id][empty] closes it). With STREAM_NOTIFY, [id][empty] is
// also received when a connection opens and when it closes.
type streamPattern struct {
	s      *Socket
	fq     fairQueue
	byID   map[string]*pipe
	nextID uint32
	msg    []frame
}

func newStreamPattern(s *Socket) *streamPattern {
	return &streamPattern{s: s, byID: map[string]*pipe{}, nextID: rand.Uint32()}
}

func (x *streamPattern) attach(p *pipe) {
	id := p.connectRid
	if len(id) == 0 {
		for {
			id = make([]byte, 5)
			binary.BigEndian.PutUint32(id[1:], x.nextID)
			x.nextID++
			if x.byID[string(id)] == nil {
				break
			}
		}
		// As libzmq's STREAM, the socket's ROUTING_ID option then reads
		// the id it gave last.
		x.s.opt.identity = string(id)
	}
	p.routingID = id
	x.byID[string(id)] = p
	x.fq.add(p)
}

func (x *streamPattern) detach(p *pipe) {
	if x.byID[string(p.routingID)] == p {
		delete(x.byID, string(p.routingID))
	}
}

func (x *streamPattern) peerReady(p *pipe) {}
func (x *streamPattern) readable(p *pipe) {
	if p.routingID != nil { // not before attach has named it
		x.fq.add(p)
	}
}
func (x *streamPattern) writable(p *pipe) {}
func (x *streamPattern) hasIn() bool      { return x.fq.hasIn() }
func (x *streamPattern) hasOut() bool     { return true }

// checkRoute fails for an unknown connection, as libzmq's STREAM does.
func (x *streamPattern) checkRoute(id []byte, flags Flag) error {
	if x.byID[string(id)] == nil {
		return EHOSTUNREACH
	}
	return nil
}

func (x *streamPattern) send(m []frame) error {
	if len(m) < 2 {
		return nil
	}
	p := x.byID[string(m[0].data)]
	if p == nil {
		return EHOSTUNREACH
	}
	data := m[1]
	data.flags = 0
	if !p.out.pushFrame(data, len(data.data) == 0) {
		return eagain
	}
	return nil
}

func (x *streamPattern) recv() ([]frame, *pipe, error) {
	m, p, ok := x.fq.recv()
	if !ok {
		return nil, nil, eagain
	}
	x.msg = append(x.msg[:0], frame{data: p.routingID, flags: frameMore}, frame{data: m[0].data})
	return x.msg, p, nil
}

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
