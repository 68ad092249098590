package zmq4

import (
	"encoding/binary"
	"strings"
	"sync"
)

// monitorState is a socket's event monitor: a PAIR socket bound to an inproc
// endpoint that receives one two-part message per event.
type monitorState struct {
	mu     sync.Mutex
	sock   *Socket
	events Event
}

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
	if !strings.HasPrefix(addr, "inproc://") {
		return EPROTONOSUPPORT
	}
	s.stopMonitor()
	m, err := s.ctx.NewSocket(PAIR)
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
	s.mon.mu.Unlock()
	return nil
}

// stopMonitor sends MONITOR_STOPPED and closes the monitor socket.
func (s *Socket) stopMonitor() {
	s.mon.mu.Lock()
	m, events := s.mon.sock, s.mon.events
	s.mon.sock = nil
	s.mon.events = 0
	s.mon.mu.Unlock()
	if m == nil {
		return
	}
	if events&EVENT_MONITOR_STOPPED != 0 {
		sendEvent(m, EVENT_MONITOR_STOPPED, "", 0)
	}
	m.Close()
}

// event reports an event to the monitor, if one wants it. It never blocks:
// an event that finds the monitor's queue full is dropped.
func (s *Socket) event(e Event, endpoint string, value int) {
	s.mon.mu.Lock()
	m, events := s.mon.sock, s.mon.events
	s.mon.mu.Unlock()
	if m == nil || events&e == 0 {
		return
	}
	sendEvent(m, e, endpoint, value)
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
