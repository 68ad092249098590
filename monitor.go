package zmq4

import (
	"encoding/binary"
	"strings"
	"sync"
)

// monitorState is a socket's event monitor: a socket bound to an inproc
// endpoint that receives one message per event, in the format of the
// event version chosen when monitoring started.
type monitorState struct {
	mu      sync.Mutex
	sock    *Socket
	events  uint64
	version int // 1 or 2

	// bound holds the endpoints this socket listened on or accepted from,
	// so that connection events can tell a bound local endpoint from a
	// connected remote one in version-2 events.
	bound map[string]struct{}
}

// maxBoundEndpoints bounds monitorState.bound; past it the set restarts.
const maxBoundEndpoints = 1024

// Monitor publishes the socket's events selected by events on a PAIR socket
// bound at addr (inproc only), in libzmq's version-1 format: a 6-byte part
// holding the event number (16 bits) and value (32 bits) in host (little
// endian) order, then the endpoint. Monitor("", 0) or events 0 stops
// monitoring with EVENT_MONITOR_STOPPED.
func (s *Socket) Monitor(addr string, events Event) error {
	if s.isClosed() {
		return ErrorSocketClosed
	}
	if addr == "" || events == 0 {
		s.stopMonitor()
		return nil
	}
	return s.startMonitor(addr, uint64(events), 1, PAIR)
}

// startMonitor replaces any running monitor with a socket of type typ bound
// at addr that reports events in the given format version.
func (s *Socket) startMonitor(addr string, events uint64, version int, typ Type) error {
	if !strings.HasPrefix(addr, "inproc://") {
		return EPROTONOSUPPORT
	}
	s.stopMonitor()
	m, err := s.ctx.NewSocket(typ)
	if err != nil {
		return err
	}
	m.SetLinger(0)
	if err := m.Bind(addr); err != nil {
		m.Close()
		return err
	}
	s.mon.mu.Lock()
	s.mon.sock = m
	s.mon.events = events
	s.mon.version = version
	s.mon.mu.Unlock()
	return nil
}

// stopMonitor sends MONITOR_STOPPED and closes the monitor socket.
func (s *Socket) stopMonitor() {
	s.mon.mu.Lock()
	m, events, version := s.mon.sock, s.mon.events, s.mon.version
	s.mon.sock = nil
	s.mon.events = 0
	s.mon.mu.Unlock()
	if m == nil {
		return
	}
	if events&uint64(EVENT_MONITOR_STOPPED) != 0 {
		if version == 2 {
			sendEventV2(m, uint64(EVENT_MONITOR_STOPPED), []uint64{0}, "", "")
		} else {
			sendEvent(m, EVENT_MONITOR_STOPPED, "", 0)
		}
	}
	m.Close()
}

// event reports an event to the monitor, if one wants it. It never blocks:
// an event that finds the monitor's queue full is dropped.
func (s *Socket) event(e Event, endpoint string, value int) {
	s.stats.countEvent(e)
	s.mon.mu.Lock()
	if e == EVENT_LISTENING || e == EVENT_ACCEPTED {
		s.mon.rememberBound(endpoint)
	}
	_, bound := s.mon.bound[endpoint]
	m, events, version := s.mon.sock, s.mon.events, s.mon.version
	s.mon.mu.Unlock()
	if m == nil || events&uint64(e) == 0 {
		return
	}
	if version == 2 {
		local, remote := eventAddresses(e, endpoint, bound)
		sendEventV2(m, uint64(e), []uint64{uint64(value)}, local, remote)
		return
	}
	sendEvent(m, e, endpoint, value)
}

// rememberBound records a bound endpoint; call with mu held.
func (ms *monitorState) rememberBound(endpoint string) {
	if ms.bound == nil || len(ms.bound) >= maxBoundEndpoints {
		ms.bound = map[string]struct{}{}
	}
	ms.bound[endpoint] = struct{}{}
}

func sendEvent(m *Socket, e Event, endpoint string, value int) {
	var hdr [6]byte
	binary.LittleEndian.PutUint16(hdr[0:], uint16(e))
	binary.LittleEndian.PutUint32(hdr[2:], uint32(value))
	m.SendMessageDontwait(hdr[:], endpoint)
}

// RecvEvent receives one event from a monitor socket: the event, the
// endpoint it concerns and its value.
func (s *Socket) RecvEvent(flags Flag) (event Event, addr string, value int, err error) {
	parts, err := s.RecvMessageBytes(flags)
	if err != nil {
		return 0, "", 0, err
	}
	if len(parts) != 2 || len(parts[0]) != 6 {
		return 0, "", 0, einval
	}
	event = Event(binary.LittleEndian.Uint16(parts[0]))
	value = int(binary.LittleEndian.Uint32(parts[0][2:]))
	return event, string(parts[1]), value, nil
}
