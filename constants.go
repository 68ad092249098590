package zmq4

import "fmt"

// Type is a socket type, with libzmq's numeric values.
type Type int

// Socket types. The first twelve are the classic types; the rest are
// libzmq's draft types.
const (
	PAIR    = Type(0)
	PUB     = Type(1)
	SUB     = Type(2)
	REQ     = Type(3)
	REP     = Type(4)
	DEALER  = Type(5)
	ROUTER  = Type(6)
	PULL    = Type(7)
	PUSH    = Type(8)
	XPUB    = Type(9)
	XSUB    = Type(10)
	STREAM  = Type(11)
	SERVER  = Type(12)
	CLIENT  = Type(13)
	RADIO   = Type(14)
	DISH    = Type(15)
	GATHER  = Type(16)
	SCATTER = Type(17)
	DGRAM   = Type(18)
	PEER    = Type(19)
	CHANNEL = Type(20)

	// XREQ and XREP are the old names of DEALER and ROUTER.
	XREQ = DEALER
	XREP = ROUTER
)

var typeNames = [...]string{"PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER",
	"PULL", "PUSH", "XPUB", "XSUB", "STREAM", "SERVER", "CLIENT", "RADIO", "DISH",
	"GATHER", "SCATTER", "DGRAM", "PEER", "CHANNEL"}

// String returns the type's name as sent in the ZMTP Socket-Type property.
func (t Type) String() string {
	if t >= 0 && int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("<INVALID Type %d>", int(t))
}

// Flag modifies a send or receive call.
type Flag int

// Send and receive flags.
const (
	DONTWAIT = Flag(1)
	SNDMORE  = Flag(2)
)

// String lists the flags that are set.
func (f Flag) String() string {
	switch f {
	case 0:
		return "0"
	case DONTWAIT:
		return "DONTWAIT"
	case SNDMORE:
		return "SNDMORE"
	case DONTWAIT | SNDMORE:
		return "DONTWAIT|SNDMORE"
	}
	return fmt.Sprintf("Flag(%d)", int(f))
}

// State is a set of readiness conditions for polling.
type State int

// Poll states. As libzmq's zmq_poll, a Poller reports POLLERR only for raw
// descriptors (Poller.AddFd), whether asked for or not, and never for a
// socket: a socket is ready for POLLIN, POLLOUT or neither, and a closed
// socket or terminated context is an error returned by Poll.
const (
	POLLIN  = State(1)
	POLLOUT = State(2)
	POLLERR = State(4) // a raw descriptor's error or hang-up (ZMQ_POLLERR)
)

// String lists the states that are set.
func (s State) String() string {
	switch s {
	case 0:
		return "0"
	case POLLIN:
		return "POLLIN"
	case POLLOUT:
		return "POLLOUT"
	case POLLIN | POLLOUT:
		return "POLLIN|POLLOUT"
	case POLLERR:
		return "POLLERR"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Event is a socket monitor event, with libzmq's bit values.
type Event int

// Monitor events.
const (
	EVENT_CONNECTED                  = Event(0x0001)
	EVENT_CONNECT_DELAYED            = Event(0x0002)
	EVENT_CONNECT_RETRIED            = Event(0x0004)
	EVENT_LISTENING                  = Event(0x0008)
	EVENT_BIND_FAILED                = Event(0x0010)
	EVENT_ACCEPTED                   = Event(0x0020)
	EVENT_ACCEPT_FAILED              = Event(0x0040) // accepting a connection failed; the value is the errno (EMFILE, ...)
	EVENT_CLOSED                     = Event(0x0080)
	EVENT_CLOSE_FAILED               = Event(0x0100) // an ipc listener closed but its file or ipc://*'s directory stayed; the value is the errno, and no EVENT_CLOSED follows
	EVENT_DISCONNECTED               = Event(0x0200)
	EVENT_MONITOR_STOPPED            = Event(0x0400)
	EVENT_HANDSHAKE_FAILED_NO_DETAIL = Event(0x0800)
	EVENT_HANDSHAKE_SUCCEEDED        = Event(0x1000)
	EVENT_HANDSHAKE_FAILED_PROTOCOL  = Event(0x2000)
	EVENT_HANDSHAKE_FAILED_AUTH      = Event(0x4000)
	EVENT_ALL                        = Event(0xFFFF)
)

// Event version 2 (libzmq draft) constants, for MonitorVersioned.
const (
	// EVENT_PIPES_STATS reports a peer's queued messages; see MonitorPipesStats.
	EVENT_PIPES_STATS = Event(0x10000)
	// EVENT_ALL_V1 selects every version-1 event.
	EVENT_ALL_V1 = EVENT_ALL
	// EVENT_ALL_V2 selects every version-2 event.
	EVENT_ALL_V2 = EVENT_ALL_V1 | EVENT_PIPES_STATS
)

var eventNames = []struct {
	e    Event
	name string
}{
	{EVENT_CONNECTED, "EVENT_CONNECTED"},
	{EVENT_CONNECT_DELAYED, "EVENT_CONNECT_DELAYED"},
	{EVENT_CONNECT_RETRIED, "EVENT_CONNECT_RETRIED"},
	{EVENT_LISTENING, "EVENT_LISTENING"},
	{EVENT_BIND_FAILED, "EVENT_BIND_FAILED"},
	{EVENT_ACCEPTED, "EVENT_ACCEPTED"},
	{EVENT_ACCEPT_FAILED, "EVENT_ACCEPT_FAILED"},
	{EVENT_CLOSED, "EVENT_CLOSED"},
	{EVENT_CLOSE_FAILED, "EVENT_CLOSE_FAILED"},
	{EVENT_DISCONNECTED, "EVENT_DISCONNECTED"},
	{EVENT_MONITOR_STOPPED, "EVENT_MONITOR_STOPPED"},
	{EVENT_HANDSHAKE_FAILED_NO_DETAIL, "EVENT_HANDSHAKE_FAILED_NO_DETAIL"},
	{EVENT_HANDSHAKE_SUCCEEDED, "EVENT_HANDSHAKE_SUCCEEDED"},
	{EVENT_HANDSHAKE_FAILED_PROTOCOL, "EVENT_HANDSHAKE_FAILED_PROTOCOL"},
	{EVENT_HANDSHAKE_FAILED_AUTH, "EVENT_HANDSHAKE_FAILED_AUTH"},
}

// String lists the events that are set, joined by "|".
func (e Event) String() string {
	if e == EVENT_ALL {
		return "EVENT_ALL"
	}
	s := ""
	for _, n := range eventNames {
		if e&n.e != 0 {
			if s != "" {
				s += "|"
			}
			s += n.name
			e &^= n.e
		}
	}
	if e != 0 {
		if s != "" {
			s += "|"
		}
		s += fmt.Sprintf("Event(%#x)", int(e))
	}
	if s == "" {
		return "0"
	}
	return s
}

// Mechanism is a ZMTP security mechanism.
type Mechanism int

// Security mechanisms.
const (
	NULL   = Mechanism(0)
	PLAIN  = Mechanism(1)
	CURVE  = Mechanism(2)
	GSSAPI = Mechanism(3)
)

// String returns the mechanism's name as sent in the ZMTP greeting.
func (m Mechanism) String() string {
	switch m {
	case NULL:
		return "NULL"
	case PLAIN:
		return "PLAIN"
	case CURVE:
		return "CURVE"
	case GSSAPI:
		return "GSSAPI"
	}
	return fmt.Sprintf("<INVALID Mechanism %d>", int(m))
}

// Package limits and defaults, as in libzmq.
const (
	MaxSocketsDflt  = 1023
	IoThreadsDflt   = 1
	CURVE_ALLOW_ANY = "*"
)

// Version returns the libzmq version whose behaviour this package matches.
func Version() (major, minor, patch int) { return 4, 3, 5 }
