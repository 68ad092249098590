package zmq4

// PartInfo describes a message part received by RecvPart.
type PartInfo struct {
	// More says whether more parts of the message follow (ZMQ_RCVMORE).
	More bool
	// RoutingID is the sending peer's routing id on SERVER and PEER
	// sockets, and 0 on the others.
	RoutingID uint32
	// Group is the part's group on DISH sockets, and "" on the others.
	Group string
	// Metadata holds the properties of the connection the part came over.
	// The map is shared with the library and must not be modified.
	Metadata map[string]string
	// SrcFD is the file descriptor of the connection the part came over
	// (libzmq's ZMQ_SRCFD), or -1: inproc, or that connection has ended.
	SrcFD int
}

// Property looks a connection property up as zmq_msg_gets does: names are
// matched without regard to ASCII case, and "Routing-Id" is an alias of
// "Identity".
func (p PartInfo) Property(name string) (string, bool) {
	if p.Metadata == nil {
		return "", false
	}
	return lookupProperty(p.Metadata, name)
}

// RecvPart receives one message part and hands its bytes to deliver, which
// runs before RecvPart returns and must copy what it keeps: the slice is
// recycled afterwards. It exists for the C API (capi/), which builds
// zmq_recv and zmq_msg_recv on it so that a part is copied once, straight
// into C memory, and its routing id, group and connection properties come
// with it in the same call.
func (s *Socket) RecvPart(flags Flag, deliver func(data []byte)) (PartInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.recvFrameLocked(flags)
	if err != nil {
		return PartInfo{}, err
	}
	deliver(f.data)
	releaseFrame(f)
	return s.partInfoLocked(), nil
}

// partInfoLocked describes the part the socket received last: its more
// flag, the properties of the connection it arrived on, that connection's
// descriptor, and its routing id or group where the type has one. Call
// with s.mu held.
func (s *Socket) partInfoLocked() PartInfo {
	info := PartInfo{More: s.rcvmore, SrcFD: -1}
	if s.recvProps != nil {
		info.Metadata = s.recvProps.m
	}
	if s.recvPipe != nil {
		if info.Metadata == nil {
			info.Metadata = s.recvPipe.metadata()
		}
		info.SrcFD = s.recvPipe.srcFD()
		if s.typ == SERVER || s.typ == PEER {
			info.RoutingID = s.recvPipe.routeKey
		}
	}
	if x, ok := s.pat.(*dishPattern); ok {
		info.Group = x.lastGroup
	}
	return info
}
