package mechanism

// runPlainClient runs C:HELLO, S:WELCOME, C:INITIATE, S:READY (RFC 24).
// An ERROR from the server is accepted while waiting for WELCOME or READY,
// in the RFC form and in libzmq's (see plainErrorPrefix).
func (s *session) runPlainClient() (*Result, *Error) {
	hello := make([]byte, 0, len(helloPrefix)+2+len(s.cfg.Username)+len(s.cfg.Password))
	hello = append(hello, helloPrefix...)
	hello = append(hello, byte(len(s.cfg.Username)))
	hello = append(hello, s.cfg.Username...)
	hello = append(hello, byte(len(s.cfg.Password)))
	hello = append(hello, s.cfg.Password...)
	if failure := s.send(hello); failure != nil {
		return nil, failure
	}

	body, failure := s.readCommand()
	if failure != nil {
		return nil, failure
	}
	switch {
	case hasPrefix(body, welcomePrefix):
		if len(body) != len(welcomePrefix) {
			return nil, protocolError(ProtocolErrorZMTPMalformedCommandWelcome, "PLAIN WELCOME carries %d extra bytes", len(body)-len(welcomePrefix))
		}
	case hasPrefix(body, errorPrefix):
		return nil, peerError(body)
	case hasPrefix(body, plainErrorPrefix):
		return nil, peerErrorAfter(body, len(plainErrorPrefix))
	default:
		return nil, protocolError(ProtocolErrorZMTPUnexpectedCommand, "PLAIN client expected WELCOME")
	}

	initiate := s.appendProperties([]byte(initiatePrefix))
	if failure := s.send(initiate); failure != nil {
		return nil, failure
	}

	body, failure = s.readCommand()
	if failure != nil {
		return nil, failure
	}
	switch {
	case hasPrefix(body, readyPrefix):
		props, err := s.parsePeerProperties(body[len(readyPrefix):])
		if err != nil {
			return nil, &Error{Kind: FailedProtocol, Code: ProtocolErrorZMTPInvalidMetadata, Err: err}
		}
		return result(props, nil, nil), nil
	case hasPrefix(body, errorPrefix):
		return nil, peerError(body)
	case hasPrefix(body, plainErrorPrefix):
		return nil, peerErrorAfter(body, len(plainErrorPrefix))
	default:
		return nil, protocolError(ProtocolErrorZMTPUnexpectedCommand, "PLAIN client expected READY")
	}
}

// runPlainServer waits for HELLO, asks ZAP (mandatory for PLAIN), answers
// WELCOME or ERROR, then waits for INITIATE and answers READY.
func (s *session) runPlainServer() (*Result, *Error) {
	body, failure := s.readCommand()
	if failure != nil {
		return nil, failure
	}
	username, password, failure := parsePlainHello(body)
	if failure != nil {
		return nil, failure
	}

	reply, reached, failure := s.askZAP(Plain, username, password)
	if failure != nil {
		return nil, failure
	}
	if !reached {
		return nil, noZAPHandler()
	}
	// ERROR goes out in libzmq's PLAIN form, the only one a libzmq PLAIN
	// client recognises (it reports any other as an unexpected command).
	if failure := s.enforceZAPStatusWith(reply, plainErrorPrefix); failure != nil {
		return nil, failure
	}
	if failure := s.send([]byte(welcomePrefix)); failure != nil {
		return nil, failure
	}

	body, failure = s.readCommand()
	if failure != nil {
		return nil, failure
	}
	if !hasPrefix(body, initiatePrefix) {
		return nil, protocolError(ProtocolErrorZMTPUnexpectedCommand, "PLAIN server expected INITIATE")
	}
	props, err := s.parsePeerProperties(body[len(initiatePrefix):])
	if err != nil {
		return nil, &Error{Kind: FailedUnreported, Err: err}
	}

	ready := s.appendProperties([]byte(readyPrefix))
	if failure := s.send(ready); failure != nil {
		return nil, failure
	}
	return result(props, reply, nil), nil
}

// parsePlainHello decodes "\x05HELLO" ulen username plen password, which
// must fill the body exactly. The returned slices are copies.
func parsePlainHello(body []byte) (username, password []byte, failure *Error) {
	if failure := wellFormed(body); failure != nil {
		return nil, nil, failure
	}
	if !hasPrefix(body, helloPrefix) {
		return nil, nil, protocolError(ProtocolErrorZMTPUnexpectedCommand, "PLAIN server expected HELLO")
	}
	rest := body[len(helloPrefix):]
	malformed := protocolError(ProtocolErrorZMTPMalformedCommandHello, "malformed PLAIN HELLO")
	if len(rest) < 1 || len(rest) < 1+int(rest[0]) {
		return nil, nil, malformed
	}
	username = rest[1 : 1+int(rest[0])]
	rest = rest[1+int(rest[0]):]
	if len(rest) < 1 || len(rest) != 1+int(rest[0]) {
		return nil, nil, malformed
	}
	password = rest[1:]
	return append([]byte{}, username...), append([]byte{}, password...), nil
}
