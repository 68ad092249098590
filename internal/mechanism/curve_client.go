package mechanism

import (
	"golang.org/x/crypto/nacl/secretbox"
)

// runCurveClient runs C:HELLO, S:WELCOME, C:INITIATE, S:READY (RFC 26).
func (s *session) runCurveClient() (*Result, *Error) {
	serverKey := s.cfg.ServerKey
	transientPublic, transientSecret, err := NewKeyPair()
	if err != nil {
		return nil, randomFailure(err)
	}

	// HELLO: C' and Box[64 zero bytes](C'->S), padded to 200 bytes.
	helloKey, err := sharedKey(serverKey, transientSecret[:])
	if err != nil {
		return nil, cryptoError("cannot make HELLO box for the server key")
	}
	hello := make([]byte, 0, curveHelloSize)
	hello = append(hello, helloPrefix...)
	hello = append(hello, 1, 0)
	hello = append(hello, make([]byte, curveHelloPadding)...)
	hello = append(hello, transientPublic[:]...)
	hello = binaryAppendUint64(hello, clientHelloNonce)
	helloNonce := shortNonce(helloNoncePrefix, clientHelloNonce)
	hello = secretbox.Seal(hello, make([]byte, 64), &helloNonce, &helloKey)
	if failure := s.send(hello); failure != nil {
		return nil, failure
	}

	// WELCOME: Box[S' + cookie](S->C').
	body, failure := s.readCommand()
	if failure != nil {
		return nil, failure
	}
	switch {
	case hasPrefix(body, welcomePrefix):
	case hasPrefix(body, errorPrefix):
		return nil, peerError(body)
	default:
		return nil, protocolError(ProtocolErrorZMTPUnexpectedCommand, "CURVE client expected WELCOME")
	}
	if len(body) != curveWelcomeSize {
		return nil, cryptoError("WELCOME has the wrong size")
	}
	welcomeNonce := nonceFromWire(welcomeNoncePrefix, body[curveWelcomeNonce:curveWelcomeBox])
	welcome, ok := secretbox.Open(nil, body[curveWelcomeBox:], &welcomeNonce, &helloKey)
	if !ok {
		return nil, cryptoError("cannot open WELCOME")
	}
	serverTransient := welcome[:keySize]
	cookie := welcome[keySize : keySize+cookieSize]

	messageKey, err := sharedKey(serverTransient, transientSecret[:])
	if err != nil {
		return nil, cryptoError("server transient key is weak")
	}

	// INITIATE: cookie, then Box[C + vouch + metadata](C'->S'), where
	// vouch = Box[C' + S](C->S').
	vouchKey, err := sharedKey(serverTransient, s.cfg.SecretKey)
	if err != nil {
		return nil, cryptoError("cannot make vouch")
	}
	vouchNonce, err := randomNonce(vouchNoncePrefix)
	if err != nil {
		return nil, randomFailure(err)
	}
	vouchPlain := make([]byte, 0, 2*keySize)
	vouchPlain = append(vouchPlain, transientPublic[:]...)
	vouchPlain = append(vouchPlain, serverKey...)

	plain := make([]byte, 0, 256)
	plain = append(plain, s.cfg.PublicKey...)
	plain = append(plain, vouchNonce[len(vouchNoncePrefix):]...)
	plain = secretbox.Seal(plain, vouchPlain, &vouchNonce, &vouchKey)
	plain = s.appendProperties(plain)

	initiate := make([]byte, 0, curveInitiateBox+boxOverhead+len(plain))
	initiate = append(initiate, initiatePrefix...)
	initiate = append(initiate, cookie...)
	initiate = binaryAppendUint64(initiate, clientInitiateNonce)
	initiateNonce := shortNonce(initiateNoncePrefix, clientInitiateNonce)
	initiate = secretbox.Seal(initiate, plain, &initiateNonce, &messageKey)
	if failure := s.send(initiate); failure != nil {
		return nil, failure
	}

	// READY: Box[metadata](S'->C').
	body, failure = s.readCommand()
	if failure != nil {
		return nil, failure
	}
	switch {
	case hasPrefix(body, readyPrefix):
	case hasPrefix(body, errorPrefix):
		return nil, peerError(body)
	default:
		return nil, protocolError(ProtocolErrorZMTPUnexpectedCommand, "CURVE client expected READY")
	}
	if len(body) < curveReadyMinSize {
		return nil, protocolError(ProtocolErrorZMTPMalformedCommandReady, "READY of %d bytes", len(body))
	}
	readyNonceValue := binaryUint64(body[curveReadyNonce:curveReadyBox])
	readyNonce := nonceFromWire(readyNoncePrefix, body[curveReadyNonce:curveReadyBox])
	metadata, ok := secretbox.Open(nil, body[curveReadyBox:], &readyNonce, &messageKey)
	if !ok {
		return nil, cryptoError("cannot open READY")
	}
	props, err := s.parsePeerProperties(metadata)
	if err != nil {
		return nil, &Error{Kind: FailedProtocol, Code: ProtocolErrorZMTPInvalidMetadata, Err: err}
	}
	codec := &curveCodec{
		key:        messageKey,
		sendPrefix: messageNonceClient,
		recvPrefix: messageNonceServer,
		sendNonce:  clientFirstMessage,
		peerNonce:  readyNonceValue,
	}
	return result(props, nil, codec), nil
}
