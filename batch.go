package zmq4

// Batched access for the C API (capi/): receiving many queued parts in
// one call, and knowing how many messages a send would take.

// PartSource names the connection a part taken by RecvBatch came over, so
// that a caller still holding the part can tell whether a later
// Disconnect dropped that connection's unread messages.
type PartSource struct {
	p     *pipe
	props *connProps // the connection's properties, when known
}

// SameProperties reports whether the part came over the same connection,
// with the same properties, as the part other names: their PartInfo's
// Metadata then have the same contents. It is false when either part's
// properties are not known for certain, which says nothing.
func (src PartSource) SameProperties(other PartSource) bool {
	return src.p != nil && src.props != nil && src == other
}

// DroppedBy reports whether the part's connection belongs to endpoint
// and is no longer attached to the socket: what Disconnect(endpoint) does
// to a connection whose unread messages it drops. It is false for a part
// with no connection.
func (src PartSource) DroppedBy(endpoint string) bool {
	p := src.p
	if p == nil || p.endpoint != endpoint {
		return false
	}
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	return !p.attached
}

// RecvBatch takes, without waiting, the message parts already queued for
// the socket, in order, and hands each to deliver with what RecvPart would
// return for it and its connection. deliver runs under the socket's lock,
// must copy what it keeps (the slice is recycled) and returns whether it
// takes another part; RecvBatch also stops when no part is left. It
// returns how many parts it took, or EAGAIN when none was ready, or the
// error a receive gives (ETERM, a closed socket, EFSM, ...). It exists for
// the C API (capi/), which moves many parts into C memory per call.
func (s *Socket) RecvBatch(deliver func(data []byte, info PartInfo, src PartSource) bool) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	// Parts of one connection share its description: it is worked out
	// again only when the connection, or its properties, change.
	var info PartInfo
	var infoPipe *pipe
	var infoProps *connProps
	_, dish := s.pat.(*dishPattern)
	for {
		f, err := s.recvFrameLocked(DONTWAIT)
		if err != nil {
			if n > 0 {
				// The error, if it lasts, comes with the next call.
				return n, nil
			}
			return 0, err
		}
		n++
		if dish || s.recvProps == nil || s.recvPipe != infoPipe || s.recvProps != infoProps {
			info = s.partInfoLocked()
			infoPipe, infoProps = s.recvPipe, s.recvProps
		} else {
			info.More = s.rcvmore
		}
		more := deliver(f.data, info, PartSource{p: s.recvPipe, props: s.recvProps})
		releaseFrame(f)
		if !more {
			return n, nil
		}
	}
}

// SendRoom reports how many more whole messages a PUSH socket takes now
// without blocking: the free places under the high-water marks of the
// pipes its load balancer can send to, less one for a message whose first
// parts were sent with SNDMORE. It is -1 when one of those pipes has no
// limit (SNDHWM 0, CONFLATE), and 0 for the other socket types or when the
// socket cannot send. inproc reports whether one of the socket's pipes is
// an inproc one, whose peer sees a message as soon as it is sent. It
// exists for the C API (capi/), which accepts that many messages into C
// memory before handing them to the socket in one call.
func (s *Socket) SendRoom() (room int, inproc bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.checkUsable() != nil {
		return 0, false
	}
	x, ok := s.pat.(*pushPattern)
	if !ok {
		return 0, false
	}
	s.absorbReady()
	for _, p := range x.lb.pipes {
		if p.inproc {
			inproc = true
		}
	}
	for _, p := range x.lb.pipes[:x.lb.active] {
		q := p.out
		q.mu.Lock()
		unlimited := q.closed || q.conflate || q.hwm <= 0
		free := q.hwm - q.unread
		q.mu.Unlock()
		if unlimited {
			return -1, inproc
		}
		if free > 0 {
			room += free
		}
	}
	if len(s.sendParts) > 0 && room > 0 {
		room--
	}
	return room, inproc
}

// SendBatch sends each of msgs as a one-part message, in order, as that
// many SendBytes(msg, DONTWAIT) calls would, and returns how many it sent
// before the first that failed, with that one's error (nil when all were
// sent). A PUSH socket with no message begun by SNDMORE sends them all
// under one taking of its lock, and into its one writable pipe, if it
// has only one, in one step; other sockets send them one by one. It
// exists for the C API (capi/), which hands a PUSH socket the messages
// it accepted into C memory in batches.
func (s *Socket) SendBatch(msgs [][]byte) (int, error) {
	s.mu.Lock()
	x, ok := s.pat.(*pushPattern)
	if !ok || len(s.sendParts) > 0 || s.sendOpts != (sendOptions{}) || s.checkUsable() != nil {
		s.mu.Unlock()
		for i, m := range msgs {
			if _, err := s.SendBytes(m, DONTWAIT); err != nil {
				return i, err
			}
		}
		return len(msgs), nil
	}
	defer s.mu.Unlock()
	if s.watching.Load() > 0 {
		// As sendMessageLocked: a poller elsewhere looks again.
		defer s.signal()
	}
	s.absorbReady()
	fs := s.batchFrames[:0]
	for _, m := range msgs {
		fs = append(fs, frame{data: copyOwned(s, m)})
	}
	n := x.lb.sendOnes(fs)
	for i := range n {
		s.countSent(fs[i:i+1], nil)
	}
	clear(fs)
	s.batchFrames = fs[:0]
	if n < len(msgs) {
		return n, eagain
	}
	return n, nil
}

// sendOnes pushes the one-part messages fs to the writable pipes as that
// many sends would, each to the next pipe with room, and returns how many
// it pushed before no pipe had room. With one writable pipe they go to it
// in one pushBatch.
func (l *loadBalancer) sendOnes(fs []frame) int {
	done := 0
	for done < len(fs) {
		if l.active != 1 {
			if _, err := l.send(fs[done : done+1]); err != nil {
				break
			}
			done++
			continue
		}
		l.cur = 0
		done += l.pipes[0].out.pushBatch(fs[done:], nil)
		if done < len(fs) {
			l.active = 0 // its queue is full; pushBatch marked it blocked
			break
		}
		l.cur = 1
	}
	return done
}
