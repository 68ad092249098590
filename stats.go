package zmq4

import (
	"math/bits"
	"sync/atomic"
)

// SocketStats is a snapshot of a socket's counters, from Stats. The
// counters start at zero when the socket is made and only grow; the
// queue depths are the values at the moment of the snapshot.
type SocketStats struct {
	// Whole messages (a multipart message counts once) the application
	// sent and received on the socket, and their bytes.
	MsgsSent, BytesSent         uint64
	MsgsReceived, BytesReceived uint64
	// Messages waiting now in the queues to and from all peers. A reader
	// reports what it took in batches (of up to half the HWM), so a depth
	// can include messages taken moments ago.
	QueuedOut, QueuedIn int
	// Messages the socket dropped, by cause.
	Drops DropStats
	// Connection events, counted whether or not a monitor is running.
	Connections ConnectionStats
	// One entry per peer the socket has now.
	Peers []PeerStats
}

// DropStats counts the messages a socket dropped, by cause.
type DropStats struct {
	// HWM: a peer's queue was full, and the socket type drops rather than
	// blocks (PUB, XPUB, RADIO, and ROUTER without ROUTER_MANDATORY).
	HWM uint64
	// Unroutable: a ROUTER without ROUTER_MANDATORY, or a REP, had no peer
	// with the message's routing id.
	Unroutable uint64
	// NoSubscriber: no peer of a PUB, XPUB or RADIO wanted the message.
	NoSubscriber uint64
	// Conflated: CONFLATE replaced a message before it was read or sent.
	Conflated uint64
}

// ConnectionStats counts connection events, as the monitor events of the
// same names report them.
type ConnectionStats struct {
	Connected, Accepted, Disconnected uint64
	ConnectRetried, AcceptFailed      uint64
	HandshakesSucceeded               uint64
	// Handshake failures by cause: no detail (the connection ended), a
	// protocol error, and authentication refused.
	HandshakesFailedNoDetail, HandshakesFailedProtocol, HandshakesFailedAuth uint64
}

// PeerStats are the counters of one peer (one pipe) of a socket.
type PeerStats struct {
	Endpoint    string // the Bind or Connect endpoint the peer came through
	PeerAddress string // the peer's IP address, for tcp; "" otherwise
	RoutingID   []byte // the id a ROUTER knows the peer by; nil elsewhere
	// Messages and bytes queued to the peer (out) and from it (in) since
	// the pipe was made; ZMTP commands such as heartbeats do not count.
	MsgsOut, BytesOut, MsgsIn, BytesIn uint64
	// Messages waiting now, and the high-water marks they count against
	// (0: no limit).
	QueuedOut, QueuedIn int
	SndHWM, RcvHWM      int
}

// socketCounters are the counters behind Stats. Those the application's
// calls change are guarded by the socket's mutex; event counters are
// atomic, since engines and connecters report events from their own
// goroutines.
type socketCounters struct {
	msgsSent, bytesSent uint64
	msgsRecv, bytesRecv uint64
	drops               DropStats
	// conflated counts CONFLATE drops of pipes that have gone.
	goneConflated uint64
	events        [32]atomic.Uint64 // by the bit number of the Event
}

// countEvent counts one event for Stats.
func (c *socketCounters) countEvent(e Event) {
	if e != 0 && uint64(e)&(uint64(e)-1) == 0 && uint64(e) < 1<<32 {
		c.events[bits.TrailingZeros64(uint64(e))].Add(1)
	}
}

// eventCount returns how many events e were counted.
func (c *socketCounters) eventCount(e Event) uint64 {
	return c.events[bits.TrailingZeros64(uint64(e))].Load()
}

// countSent counts a message the application sent, if err says it went.
// Call with s.mu held.
func (s *Socket) countSent(m []frame, err error) {
	if err == nil {
		s.stats.msgsSent++
		s.stats.bytesSent += messageBytes(m)
	}
}

// countReceived counts a message the application received, if err says it
// came. Call with s.mu held.
func (s *Socket) countReceived(m []frame, err error) {
	if err == nil {
		s.stats.msgsRecv++
		s.stats.bytesRecv += messageBytes(m)
	}
}

// messageBytes returns the size of a message's parts.
func messageBytes(m []frame) uint64 {
	n := 0
	for _, f := range m {
		n += len(f.data)
	}
	return uint64(n)
}

// Stats returns a snapshot of the socket's counters. It costs a walk over
// the socket's peers; the counting itself is a few additions per message,
// made under locks the data path takes anyway.
func (s *Socket) Stats() (SocketStats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return SocketStats{}, ErrorSocketClosed
	}
	c := &s.stats
	st := SocketStats{
		MsgsSent: c.msgsSent, BytesSent: c.bytesSent,
		MsgsReceived: c.msgsRecv, BytesReceived: c.bytesRecv,
		Drops: c.drops,
		Connections: ConnectionStats{
			Connected:                c.eventCount(EVENT_CONNECTED),
			Accepted:                 c.eventCount(EVENT_ACCEPTED),
			Disconnected:             c.eventCount(EVENT_DISCONNECTED),
			ConnectRetried:           c.eventCount(EVENT_CONNECT_RETRIED),
			AcceptFailed:             c.eventCount(EVENT_ACCEPT_FAILED),
			HandshakesSucceeded:      c.eventCount(EVENT_HANDSHAKE_SUCCEEDED),
			HandshakesFailedNoDetail: c.eventCount(EVENT_HANDSHAKE_FAILED_NO_DETAIL),
			HandshakesFailedProtocol: c.eventCount(EVENT_HANDSHAKE_FAILED_PROTOCOL),
			HandshakesFailedAuth:     c.eventCount(EVENT_HANDSHAKE_FAILED_AUTH),
		},
	}
	st.Drops.Conflated = c.goneConflated
	if pp, ok := s.pat.(*pubPattern); ok && pp.log != nil {
		st.Drops.HWM += pp.log.unsettled()
	}
	for p := range s.pipes {
		out, in := p.out.counts(), p.in.q.counts()
		st.Drops.Conflated += out.conflated + in.conflated
		ps := PeerStats{
			Endpoint:  p.endpoint,
			RoutingID: append([]byte(nil), p.routingID...),
			MsgsOut:   out.msgs, BytesOut: out.bytes,
			MsgsIn: in.msgs, BytesIn: in.bytes,
			QueuedOut: out.pending, QueuedIn: in.pending,
			SndHWM: out.hwm, RcvHWM: in.hwm,
		}
		if len(ps.RoutingID) == 0 {
			ps.RoutingID = nil
		}
		p.propsMu.Lock()
		ps.PeerAddress = p.props["Peer-Address"]
		p.propsMu.Unlock()
		st.QueuedOut += out.pending
		st.QueuedIn += in.pending
		st.Peers = append(st.Peers, ps)
	}
	return st, nil
}

// queueCounts is a snapshot of one queue's counters.
type queueCounts struct {
	msgs, bytes, conflated uint64
	pending, hwm           int
}

// counts returns the queue's counters.
func (q *queue) counts() queueCounts {
	q.mu.Lock()
	wake := q.pullFeedLocked()
	c := queueCounts{msgs: q.msgs, bytes: q.bytes, conflated: q.conflated, pending: q.unread, hwm: q.hwm}
	q.mu.Unlock()
	if wake && q.onReadable != nil {
		q.onReadable()
	}
	return c
}
