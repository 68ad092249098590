package mechanism

import "github.com/purezmq/zmq4/internal/zmtp"

// runNull runs the NULL handshake: both sides send READY with their
// properties. When a ZAP domain is set, libzmq first asks the handler (if one
// is bound; a missing one fails only with ZAPEnforceDomain) and sends READY
// only after status 200.
func (s *session) runNull() (*Result, *Error) {
	var reply *ZAPReply
	if s.cfg.ZAPDomain != "" {
		r, reached, failure := s.askZAP(Null)
		switch {
		case failure != nil:
			return nil, failure
		case !reached && s.cfg.ZAPEnforceDomain:
			return nil, noZAPHandler()
		case reached:
			if failure := s.enforceZAPStatus(r); failure != nil {
				return nil, failure
			}
			reply = r
		}
	}
	ready := s.appendProperties([]byte(readyPrefix))
	if failure := s.send(ready); failure != nil {
		return nil, failure
	}
	body, failure := s.readCommand()
	if failure != nil {
		return nil, failure
	}
	var props []zmtp.Property
	switch {
	case hasPrefix(body, readyPrefix):
		var err error
		props, err = s.parsePeerProperties(body[len(readyPrefix):])
		if err != nil {
			return nil, &Error{Kind: FailedUnreported, Err: err}
		}
	case hasPrefix(body, errorPrefix):
		return nil, peerError(body)
	default:
		return nil, protocolError(ProtocolErrorZMTPUnexpectedCommand, "NULL expected READY")
	}
	return result(props, reply, nil), nil
}
