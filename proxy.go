package zmq4

import (
	"encoding/binary"
)

// proxyBurst is how many messages one direction forwards before the proxy
// looks at the other direction and the control socket again.
const proxyBurst = 1000

// proxyCounters are one socket's traffic through a proxy. A multipart
// message counts once, with the bytes of all its parts, as libzmq 4.3.4's
// proxy counts (its test_proxy checks the totals that way; later libzmq
// releases count each part).
type proxyCounters struct {
	recvMsgs, recvBytes uint64
	sentMsgs, sentBytes uint64
}

// stall says why one direction of a proxy stopped forwarding.
type stall int

const (
	stallNone stall = iota // the burst ran out; more may be waiting
	stallIn                // the source has nothing to receive
	stallOut               // the destination cannot take a message now
)

// proxy is the state of one Proxy or ProxySteerable call.
type proxy struct {
	frontend, backend, capture, control *Socket

	frontStats, backStats proxyCounters
	paused                bool

	msg    []frame // the message being forwarded
	poller *Poller
	wants  []State // events to wait for, by poller item id
}

// Proxy connects a frontend and a backend socket, as zmq_proxy does: it
// moves whole multipart messages from each to the other until the context
// is terminated, and then returns ETERM. When capture is not nil, every
// message forwarded in either direction is also sent to it. Typical pairs
// are ROUTER-DEALER (shared queue), XSUB-XPUB (forwarder; subscriptions flow
// upstream) and PULL-PUSH (streamer). The proxy waits on a Poller and uses
// no CPU while nothing moves.
func Proxy(frontend, backend, capture *Socket) error {
	return ProxySteerable(frontend, backend, capture, nil)
}

// ProxySteerable is Proxy with a control socket, as zmq_proxy_steerable:
// a single-part message "PAUSE" stops forwarding, "RESUME" restarts it,
// "TERMINATE" makes ProxySteerable return nil, and "STATISTICS" is answered
// with eight parts, each a uint64 in host byte order: the frontend's
// messages received, bytes received, messages sent and bytes sent, then
// the same four for the backend; a multipart message counts once, with the
// bytes of all its parts (libzmq 4.3.4's counting). When control is a REP socket, the other commands are
// answered with an empty message; unknown commands are ignored. A nil
// control makes it the same as Proxy.
func ProxySteerable(frontend, backend, capture, control *Socket) error {
	if frontend == nil || backend == nil {
		return einval
	}
	x := &proxy{frontend: frontend, backend: backend, capture: capture, control: control}
	x.poller = NewPoller()
	for _, s := range []*Socket{frontend, backend, control} {
		if s != nil && x.itemOf(s) < 0 {
			x.poller.Add(s, 0)
			x.wants = append(x.wants, 0)
		}
	}
	return x.run()
}

// itemOf returns the poller item id of s, or -1.
func (x *proxy) itemOf(s *Socket) int {
	for id, it := range x.poller.items {
		if it.soc == s {
			return id
		}
	}
	return -1
}

// want adds events to wait for on s.
func (x *proxy) want(s *Socket, ev State) {
	x.wants[x.itemOf(s)] |= ev
}

func (x *proxy) run() error {
	for {
		if x.control != nil {
			for {
				handled, terminate, err := x.handleControl()
				if err != nil {
					return err
				}
				if terminate {
					return nil
				}
				if !handled {
					break
				}
			}
		}
		clear(x.wants)
		if x.control != nil {
			x.want(x.control, POLLIN)
		}
		if !x.paused {
			moved, why, err := x.forward(x.frontend, x.backend, &x.frontStats, &x.backStats)
			if err != nil {
				return err
			}
			x.noteStall(x.frontend, x.backend, why)
			if x.backend != x.frontend {
				n, why, err := x.forward(x.backend, x.frontend, &x.backStats, &x.frontStats)
				if err != nil {
					return err
				}
				moved += n
				x.noteStall(x.backend, x.frontend, why)
			}
			if moved > 0 {
				continue
			}
		}
		for id, ev := range x.wants {
			x.poller.Update(id, ev)
		}
		if _, err := x.poller.Poll(-1); err != nil {
			return err
		}
	}
}

// noteStall records what the direction from→to waits for.
func (x *proxy) noteStall(from, to *Socket, why stall) {
	switch why {
	case stallIn:
		x.want(from, POLLIN)
	case stallOut:
		x.want(to, POLLOUT)
	}
}

// forward moves up to proxyBurst whole messages from one socket to the
// other, copying each to the capture socket, and says why it stopped.
func (x *proxy) forward(from, to *Socket, fromStats, toStats *proxyCounters) (int, stall, error) {
	for n := 0; n < proxyBurst; n++ {
		if from != to {
			ev, err := socketEvents(to)
			if err != nil {
				return n, stallNone, err
			}
			if ev&POLLOUT == 0 {
				return n, stallOut, nil
			}
		}
		m, err := x.receive(from)
		if err == eagain || err == ENOTSUP {
			return n, stallIn, nil
		}
		if err != nil {
			return n, stallNone, err
		}
		var size uint64
		for _, f := range m {
			size += uint64(len(f.data))
		}
		fromStats.recvMsgs++
		fromStats.recvBytes += size
		if x.capture != nil {
			if err := sendFrames(x.capture, m, 0); err != nil {
				return n, stallNone, err
			}
		}
		if err := sendFrames(to, m, 0); err != nil {
			return n, stallNone, err
		}
		toStats.sentMsgs++
		toStats.sentBytes += size
	}
	return proxyBurst, stallNone, nil
}

// receive takes one whole message from s without waiting. The frames are
// copied into x.msg, with only the more flag kept, so they can be sent on.
func (x *proxy) receive(s *Socket) ([]frame, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkUsable(); err != nil {
		return nil, err
	}
	m, _, err := s.recvMessageLocked(DONTWAIT)
	if err != nil {
		return nil, err
	}
	x.msg = x.msg[:0]
	for i, f := range m {
		g := frame{data: f.data}
		if i < len(m)-1 {
			g.flags = frameMore
		}
		x.msg = append(x.msg, g)
	}
	return x.msg, nil
}

// sendFrames sends one whole message whose data the library owns, waiting
// as flags and SNDTIMEO say.
func sendFrames(s *Socket, m []frame, flags Flag) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkUsable(); err != nil {
		return err
	}
	return s.sendMessageLocked(m, flags)
}

// handleControl runs one command from the control socket if one is waiting.
func (x *proxy) handleControl() (handled, terminate bool, err error) {
	m, err := x.receive(x.control)
	if err == eagain {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	command := ""
	if len(m) == 1 {
		command = string(m[0].data)
	}
	switch command {
	case "STATISTICS":
		return true, false, x.sendStatistics()
	case "PAUSE":
		x.paused = true
	case "RESUME":
		x.paused = false
	case "TERMINATE":
		terminate = true
	}
	if x.control.typ == REP {
		if err := sendFrames(x.control, []frame{{}}, 0); err != nil {
			return true, false, err
		}
	}
	return true, terminate, nil
}

// sendStatistics answers STATISTICS with the eight counters.
func (x *proxy) sendStatistics() error {
	values := []uint64{
		x.frontStats.recvMsgs, x.frontStats.recvBytes,
		x.frontStats.sentMsgs, x.frontStats.sentBytes,
		x.backStats.recvMsgs, x.backStats.recvBytes,
		x.backStats.sentMsgs, x.backStats.sentBytes,
	}
	m := make([]frame, len(values))
	for i, v := range values {
		b := make([]byte, 8)
		binary.NativeEndian.PutUint64(b, v)
		m[i].data = b
		if i < len(values)-1 {
			m[i].flags = frameMore
		}
	}
	return sendFrames(x.control, m, 0)
}
