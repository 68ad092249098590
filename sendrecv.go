package zmq4

import "time"

// Send sends one message part; with SNDMORE more parts follow.
// As in libzmq, on PAIR, DEALER and PUSH the first part of a message waits
// for a peer that can take it (EAGAIN under DONTWAIT); the later parts then
// go to that peer without waiting, unless it leaves meanwhile. Draft
// socket types take OptRoutingId (SERVER, PEER) or OptGroup (RADIO)
// options.
func (s *Socket) Send(data string, flags Flag, options ...interface{}) (int, error) {
	return sendPart(s, data, flags, options)
}

// SendBytes sends one message part; with SNDMORE more parts follow.
// As in libzmq, on PAIR, DEALER and PUSH the first part of a message waits
// for a peer that can take it (EAGAIN under DONTWAIT); the later parts then
// go to that peer without waiting, unless it leaves meanwhile. Draft
// socket types take OptRoutingId (SERVER, PEER) or OptGroup (RADIO)
// options.
func (s *Socket) SendBytes(data []byte, flags Flag, options ...interface{}) (int, error) {
	return sendPart(s, data, flags, options)
}

// sendPart adds one part to the message being built and sends the message
// when the part is the last one.
func sendPart[T ~string | ~[]byte](s *Socket, data T, flags Flag, options []interface{}) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkUsable(); err != nil {
		return -1, err
	}
	if len(options) > 0 || s.sendOpts != (sendOptions{}) {
		o, err := parseSendOptions(options)
		if err != nil {
			return -1, err
		}
		s.sendOpts = o
	}
	if flags&SNDMORE != 0 && !multipartAllowed(s.typ) {
		return -1, einval
	}
	if s.typ == STREAM && len(s.sendParts) == 1 {
		// STREAM's message is [id][data]: the data part ends it, with
		// SNDMORE or without, as in libzmq.
		flags &^= SNDMORE
	}
	var owned []byte
	var pooled uint8
	if b, ok := any(data).([]byte); ok && flags&SNDMORE == 0 && lendsLastPart(s.typ) && len(b) <= slabSize/4 {
		owned, pooled = b, frameLent
	} else {
		owned, pooled = copyPart(s, data)
	}
	if flags&SNDMORE != 0 {
		if len(s.sendParts) == 0 {
			// ROUTER and STREAM judge the routing id as libzmq does: at
			// the first part, not when the message is complete.
			if r, ok := s.pat.(router); ok {
				if err := r.checkRoute(owned, flags); err != nil {
					return -1, err
				}
			}
			if firstPartWaits(s.typ) {
				if err := s.waitOutLocked(flags); err != nil {
					return -1, err
				}
			}
		}
		s.sendParts = append(s.sendParts, frame{data: owned, flags: frameMore | pooled})
		return len(data), nil
	}
	s.sendParts = append(s.sendParts, frame{data: owned, flags: pooled})
	err := s.sendMessageLocked(s.sendParts, flags)
	if err == eagain || err == ETERM || err == ErrorSocketClosed {
		// An unsent message stays whole for a retry, as libzmq keeps it.
		s.sendParts = s.sendParts[:len(s.sendParts)-1]
		return -1, err
	}
	// Let go of the parts' data one store at a time: while the collector
	// marks, clear's bulk write barrier costs far more for a slice this
	// short.
	for i := range s.sendParts {
		s.sendParts[i].data = nil
	}
	s.sendParts = s.sendParts[:0]
	if err != nil {
		return -1, err
	}
	return len(data), nil
}

// copyPart copies one outgoing part into library memory: a large part into
// a pooled buffer (and says so with framePooled), a small one into the slab.
func copyPart[T ~string | ~[]byte](s *Socket, data T) ([]byte, uint8) {
	if len(data) >= largeFrame {
		if b := getPooled(len(data)); b != nil {
			copy(b, data)
			return b, framePooled
		}
	}
	return copyOwned(s, data), 0
}

// lendsLastPart reports whether the socket type's send takes the last
// (or only) small part of a message without a copy (frameLent), copying
// it only where it keeps it: PUB and XPUB, whose log copies the part
// into memory it reuses (pubLog), and only for the subscribers that take
// the message.
func lendsLastPart(t Type) bool {
	return t == PUB || t == XPUB
}

// firstPartWaits reports whether the first part of a multipart message
// waits for a peer with room, as libzmq's load-balancing and PAIR sockets
// do: libzmq picks the pipe at the first part and refuses that part with
// EAGAIN when none can take a message, then takes the later parts without
// refusing them. So a caller that retries a whole message after EAGAIN
// never sends a first part twice.
func firstPartWaits(t Type) bool {
	return t == PAIR || t == DEALER || t == PUSH
}

// waitOutLocked waits, as flags and SNDTIMEO say, until the pattern can
// send a message. Call with s.mu held; it is released while waiting.
func (s *Socket) waitOutLocked(flags Flag) error {
	s.absorbReady()
	if s.pat.hasOut() {
		return nil
	}
	timeout := s.opt.sndtimeo
	if flags&DONTWAIT != 0 || timeout == 0 {
		return eagain
	}
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	for {
		ch := s.changedChan()
		s.absorbReady()
		if s.pat.hasOut() {
			return nil
		}
		s.mu.Unlock()
		werr := s.waitFor(ch, deadline, timeout > 0)
		s.mu.Lock()
		if s.closed {
			return ErrorSocketClosed
		}
		if werr != nil {
			return werr
		}
	}
}

// router is a pattern whose first message part names the peer.
type router interface {
	checkRoute(id []byte, flags Flag) error
}

// multipartAllowed reports whether the type sends multipart messages.
func multipartAllowed(t Type) bool {
	switch t {
	case SERVER, CLIENT, RADIO, DISH, GATHER, SCATTER, PEER, CHANNEL:
		return false
	}
	return true
}

// SendMessage sends a multipart message. Parts may be strings, []byte,
// []string or [][]byte (each element a part), or other values formatted
// with fmt.Sprint. It returns the total number of bytes sent.
func (s *Socket) SendMessage(parts ...interface{}) (int, error) {
	return s.sendMessage(0, parts...)
}

// SendMessageDontwait is SendMessage with DONTWAIT.
func (s *Socket) SendMessageDontwait(parts ...interface{}) (int, error) {
	return s.sendMessage(DONTWAIT, parts...)
}

func (s *Socket) sendMessage(flags Flag, parts ...interface{}) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkUsable(); err != nil {
		return -1, err
	}
	s.sendOpts = sendOptions{}
	// The parts are built apart from s.sendParts so that concurrent
	// SendMessage calls never share state.
	msg, total := s.ownedFramesLocked(parts)
	if len(msg) == 0 {
		return 0, nil
	}
	if len(msg) > 1 && !multipartAllowed(s.typ) {
		return -1, einval
	}
	if err := s.sendMessageLocked(msg, flags); err != nil {
		return -1, err
	}
	return total, nil
}

// recvFrameLocked returns the next part of the current message, receiving a
// new message when none is in progress.
func (s *Socket) recvFrameLocked(flags Flag) (frame, error) {
	if err := s.checkUsable(); err != nil {
		return frame{}, err
	}
	if len(s.recvRest) == 0 {
		m, p, err := s.recvMessageLocked(flags)
		if err != nil {
			return frame{}, err
		}
		s.setRecvLocked(m, p)
	}
	f := s.recvRest[0]
	s.recvRest = s.recvRest[1:]
	s.rcvmore = len(s.recvRest) > 0
	return f, nil
}

// setRecvLocked makes m, received from p, the message in progress. p's
// reader knows the connection m arrived on: m was the last message taken
// from it.
func (s *Socket) setRecvLocked(m []frame, p *pipe) {
	s.recvRest = m
	s.recvPipe = p
	s.recvProps = nil
	if p != nil {
		s.recvProps = p.in.props
	}
}

// recvPartLocked is recvFrameLocked for callers that hand the data to the
// application, which then owns it: see ownFrame.
func (s *Socket) recvPartLocked(flags Flag) ([]byte, error) {
	f, err := s.recvFrameLocked(flags)
	if err != nil {
		return nil, err
	}
	return ownFrame(f), nil
}

// recvStringLocked receives the next part as a string; the part's buffer
// can be recycled since the string is a copy.
func (s *Socket) recvStringLocked(flags Flag) (string, error) {
	f, err := s.recvFrameLocked(flags)
	if err != nil {
		return "", err
	}
	str := string(f.data)
	releaseFrame(f)
	return str, nil
}

// RecvBytes receives one message part, in a slice the caller keeps: the
// library never writes to it again. A part that arrived in one of the
// library's recycled buffers (large parts do) is copied into a slice of
// its own, and the buffer is recycled.
func (s *Socket) RecvBytes(flags Flag) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.recvPartLocked(flags)
	if err != nil {
		return nil, err
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}

// RecvInto receives one message part into buf, as zmq_recv does: it
// returns the part's full size, and when that is more than len(buf) only the
// first len(buf) bytes were stored and the rest is lost. GetRcvmore says
// whether more parts follow. Large parts arrive in library buffers that
// RecvInto recycles, so a loop that receives into one buffer allocates
// nothing per message, whatever the message size.
func (s *Socket) RecvInto(buf []byte, flags Flag) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.recvFrameLocked(flags)
	if err != nil {
		return -1, err
	}
	copy(buf, f.data)
	releaseFrame(f)
	return len(f.data), nil
}

// Recv receives one message part as a string.
func (s *Socket) Recv(flags Flag) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recvStringLocked(flags)
}

// RecvMessageBytes receives every part of a message (the rest of the
// current one, if a part was already received).
func (s *Socket) RecvMessageBytes(flags Flag) ([][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recvMessageBytesLocked(flags)
}

func (s *Socket) recvMessageBytesLocked(flags Flag) ([][]byte, error) {
	first, err := s.recvPartLocked(flags)
	if err != nil {
		return nil, err
	}
	msg := make([][]byte, 1, 1+len(s.recvRest))
	msg[0] = nonNil(first)
	for len(s.recvRest) > 0 {
		b, _ := s.recvPartLocked(0)
		msg = append(msg, nonNil(b))
	}
	return msg, nil
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// RecvMessage receives every part of a message as strings.
func (s *Socket) RecvMessage(flags Flag) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recvMessageStringsLocked(flags)
}

func (s *Socket) recvMessageStringsLocked(flags Flag) ([]string, error) {
	first, err := s.recvStringLocked(flags)
	if err != nil {
		return nil, err
	}
	msg := make([]string, 1, 1+len(s.recvRest))
	msg[0] = first
	for len(s.recvRest) > 0 {
		str, _ := s.recvStringLocked(0)
		msg = append(msg, str)
	}
	return msg, nil
}

// metadataLocked returns the requested properties of the current message:
// those of the connection it arrived on, as its engine queued it (see
// queue.pushBatch), so a message still queued when its connection was
// replaced keeps its own peer's properties. Messages no engine queued
// (inproc, STREAM, udp) have their pipe's, which are set once.
func (s *Socket) metadataLocked(properties []string) map[string]string {
	out := make(map[string]string, len(properties))
	var props map[string]string
	switch {
	case s.recvProps != nil:
		props = s.recvProps.m
	case s.recvPipe != nil:
		props = s.recvPipe.metadata()
	default:
		return out
	}
	for _, name := range properties {
		if v, ok := lookupProperty(props, name); ok {
			out[name] = v
		}
	}
	return out
}

// lookupProperty finds a property by name; libzmq's "Routing-Id" is an
// alias of "Identity".
func lookupProperty(props map[string]string, name string) (string, bool) {
	if v, ok := props[name]; ok {
		return v, true
	}
	if name == "Routing-Id" {
		v, ok := props["Identity"]
		return v, ok
	}
	for k, v := range props {
		if equalFoldASCII(k, name) {
			return v, true
		}
	}
	return "", false
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// RecvWithMetadata receives a part and the named properties of the
// connection its message came over (Socket-Type, Identity, User-Id,
// Peer-Address, and any property the peer or the ZAP handler supplied).
// They are that connection's even when it has since been replaced by
// another, as a connecting socket's reconnection does with messages still
// queued.
func (s *Socket) RecvWithMetadata(flags Flag, properties ...string) (string, map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	str, err := s.recvStringLocked(flags)
	if err != nil {
		return "", nil, err
	}
	return str, s.metadataLocked(properties), nil
}

// RecvBytesWithMetadata is RecvBytes that also returns properties.
func (s *Socket) RecvBytesWithMetadata(flags Flag, properties ...string) ([]byte, map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.recvPartLocked(flags)
	if err != nil {
		return nil, nil, err
	}
	return nonNil(b), s.metadataLocked(properties), nil
}

// RecvMessageWithMetadata is RecvMessage that also returns properties.
func (s *Socket) RecvMessageWithMetadata(flags Flag, properties ...string) ([]string, map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	parts, err := s.recvMessageStringsLocked(flags)
	if err != nil {
		return nil, nil, err
	}
	return parts, s.metadataLocked(properties), nil
}

// RecvMessageBytesWithMetadata is RecvMessageBytes that also returns properties.
func (s *Socket) RecvMessageBytesWithMetadata(flags Flag, properties ...string) ([][]byte, map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	parts, err := s.recvMessageBytesLocked(flags)
	if err != nil {
		return nil, nil, err
	}
	return parts, s.metadataLocked(properties), nil
}
