package zmq4

import (
	"net"

	"github.com/purezmq/zmq4/internal/transport"
)

// conflateApplies reports whether CONFLATE acts on the socket type; libzmq
// honours it for DEALER, PULL, PUSH, PUB and SUB only.
func conflateApplies(t Type) bool {
	switch t {
	case DEALER, PULL, PUSH, PUB, SUB:
		return true
	}
	return false
}

// hwmChangedLocked applies new HWMs to the pipes that exist. Call with s.mu
// held.
func (s *Socket) hwmChangedLocked() {
	snd, rcv := s.effectiveHWMsLocked()
	for p := range s.pipes {
		if p.inproc {
			// As libzmq: the outbound limit is this socket's SNDHWM plus
			// the peer's RCVHWM when the two met; the inbound one is the
			// peer's to set.
			p.out.setHWM(inprocHWM(snd, p.inprocBoost))
			continue
		}
		p.out.setHWM(snd)
		p.in.q.setHWM(rcv)
		p.in.setReport()
	}
}

// eventsLocked answers ZMQ_EVENTS: whether a message can be received now
// (POLLIN) and whether one can be sent now (POLLOUT). Call with s.mu held.
func (s *Socket) eventsLocked() State {
	s.drainFd()
	if s.closed {
		return 0
	}
	s.releaseReadLocked()
	s.absorbReady()
	var st State
	if len(s.recvRest) > 0 || s.pat.hasIn() {
		st |= POLLIN
	}
	if s.pat.hasOut() {
		st |= POLLOUT
	}
	return st
}

// pollEventsLocked is eventsLocked for a poller: it works out only the
// events in want, so a poller waiting for POLLIN never asks the pattern
// whether it could send. Call with s.mu held.
func (s *Socket) pollEventsLocked(want State) State {
	s.drainFd()
	if s.closed {
		return 0
	}
	s.releaseReadLocked()
	s.absorbReady()
	var st State
	if want&POLLIN != 0 && (len(s.recvRest) > 0 || s.pat.hasIn()) {
		st |= POLLIN
	}
	if want&POLLOUT != 0 && s.pat.hasOut() {
		st |= POLLOUT
	}
	return st
}

// peerAddress is the Peer-Address property of a connection.
func peerAddress(c net.Conn) string { return transport.PeerAddress(c) }
