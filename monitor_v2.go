package zmq4

import (
	"encoding/binary"
	"net"
)

// MonitorVersioned is libzmq's zmq_socket_monitor_versioned (draft): it
// publishes the socket's events selected by events on a socket of type
// monitorType (PAIR, PUB or PUSH) bound at addr (inproc only).
//
// Version 1 is the format of Monitor; its events must fit in 16 bits.
// Version 2 sends each event as: the event number (8 bytes, native byte
// order), the number of values (8 bytes), one 8-byte part per value, the
// local endpoint and the remote endpoint (either may be empty). With a PUB
// monitor the first part is the topic, so subscribers filter on it.
//
// An empty addr stops monitoring (sending EVENT_MONITOR_STOPPED if it was
// selected); events 0 monitors nothing. Errors: EINVAL for a version other
// than 1 or 2 (libzmq accepts it and sends nothing), for version 1 with
// bits at or above 16, and for another monitorType; EPROTONOSUPPORT for
// an address that is not inproc.
//
// With version 2 the endpoint the socket knows is reported as local when it
// is one the socket bound (LISTENING, ACCEPTED and that connection's events)
// and as remote when it is one the socket connected to.
func (s *Socket) MonitorVersioned(addr string, events uint64, version int, monitorType Type) error {
	if s.isClosed() {
		return ErrorSocketClosed
	}
	if version != 1 && version != 2 {
		return einval
	}
	if version == 1 && events>>16 != 0 {
		return einval
	}
	if addr == "" {
		s.stopMonitor()
		return nil
	}
	if monitorType != PAIR && monitorType != PUB && monitorType != PUSH {
		return einval
	}
	return s.startMonitor(addr, events, version, monitorType)
}

// MonitorPipesStats is libzmq's zmq_socket_monitor_pipes_stats (draft): it
// sends one EVENT_PIPES_STATS per connected peer, with the values [messages
// queued to the peer, messages received from it and not yet read]. It
// returns EINVAL unless the running monitor selected EVENT_PIPES_STATS, and
// EAGAIN when the socket has no peers.
func (s *Socket) MonitorPipesStats() error {
	if s.isClosed() {
		return ErrorSocketClosed
	}
	s.mon.mu.Lock()
	m, events, version := s.mon.sock, s.mon.events, s.mon.version
	s.mon.mu.Unlock()
	if m == nil || events&uint64(EVENT_PIPES_STATS) == 0 {
		return einval
	}
	s.mu.Lock()
	pipes := make([]*pipe, 0, len(s.pipes))
	for p := range s.pipes {
		pipes = append(pipes, p)
	}
	s.mu.Unlock()
	if len(pipes) == 0 {
		return eagain
	}
	for _, p := range pipes {
		values := []uint64{uint64(p.out.pending()), uint64(p.in.q.pending())}
		local, remote := pipeAddresses(p)
		if version == 2 {
			sendEventV2(m, uint64(EVENT_PIPES_STATS), values, local, remote)
		}
	}
	return nil
}

// pipeAddresses names a pipe's two ends: those of its connection when an
// engine serves it, else its endpoint on the side that made it.
func pipeAddresses(p *pipe) (local, remote string) {
	if e := p.engine.Load(); e != nil {
		local, remote = addrURI(e.conn.LocalAddr()), addrURI(e.conn.RemoteAddr())
		if local != "" || remote != "" {
			return local, remote
		}
	}
	if p.connectSide {
		return "", p.endpoint
	}
	return p.endpoint, ""
}

// addrURI renders a tcp or unix socket address as a ZeroMQ endpoint.
func addrURI(a net.Addr) string {
	if a == nil {
		return ""
	}
	switch a.Network() {
	case "tcp", "tcp4", "tcp6":
		return "tcp://" + a.String()
	case "unix":
		return "ipc://" + a.String()
	}
	return ""
}

// eventAddresses places the one endpoint a v1 event carries as the local or
// remote endpoint of a v2 event, as libzmq does: listener events are local,
// connecter events remote, and connection events follow the side that made
// the connection.
func eventAddresses(e Event, endpoint string, bound bool) (local, remote string) {
	switch e {
	case EVENT_LISTENING, EVENT_BIND_FAILED, EVENT_ACCEPT_FAILED, EVENT_ACCEPTED:
		return endpoint, ""
	case EVENT_CONNECT_DELAYED, EVENT_CONNECT_RETRIED, EVENT_CONNECTED:
		return "", endpoint
	case EVENT_MONITOR_STOPPED:
		return "", ""
	}
	if bound {
		return endpoint, ""
	}
	return "", endpoint
}

// encodeEventV2 builds the parts of a version-2 event message.
func encodeEventV2(event uint64, values []uint64, local, remote string) [][]byte {
	parts := make([][]byte, 0, len(values)+4)
	parts = append(parts, binary.NativeEndian.AppendUint64(nil, event))
	parts = append(parts, binary.NativeEndian.AppendUint64(nil, uint64(len(values))))
	for _, v := range values {
		parts = append(parts, binary.NativeEndian.AppendUint64(nil, v))
	}
	return append(parts, []byte(local), []byte(remote))
}

func sendEventV2(m *Socket, event uint64, values []uint64, local, remote string) {
	parts := encodeEventV2(event, values, local, remote)
	msg := make([]interface{}, len(parts))
	for i, p := range parts {
		msg[i] = p
	}
	m.SendMessageDontwait(msg...)
}

// parseEventV2 decodes the parts of a version-2 event message.
func parseEventV2(parts [][]byte) (event uint64, values []uint64, local, remote string, err error) {
	if len(parts) < 4 || len(parts[0]) != 8 || len(parts[1]) != 8 {
		return 0, nil, "", "", einval
	}
	n := binary.NativeEndian.Uint64(parts[1])
	// The count is the peer's word: check it against the parts received
	// before trusting it.
	if n != uint64(len(parts)-4) {
		return 0, nil, "", "", einval
	}
	values = make([]uint64, 0, n)
	for _, p := range parts[2 : 2+n] {
		if len(p) != 8 {
			return 0, nil, "", "", einval
		}
		values = append(values, binary.NativeEndian.Uint64(p))
	}
	event = binary.NativeEndian.Uint64(parts[0])
	return event, values, string(parts[2+n]), string(parts[3+n]), nil
}

// RecvEventV2 receives one version-2 event from a monitor socket (see
// MonitorVersioned): the event number, its values and the local and remote
// endpoints. A message not in that format gives EINVAL.
func (s *Socket) RecvEventV2(flags Flag) (event uint64, values []uint64, local, remote string, err error) {
	parts, err := s.RecvMessageBytes(flags)
	if err != nil {
		return 0, nil, "", "", err
	}
	return parseEventV2(parts)
}
