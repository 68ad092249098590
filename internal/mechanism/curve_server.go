package mechanism

import (
	"crypto/rand"
	"crypto/subtle"

	"golang.org/x/crypto/nacl/secretbox"
)

// runCurveServer answers HELLO with WELCOME (carrying a cookie sealed under a
// key that lives only as long as this connection, as in libzmq), checks
// INITIATE and its vouch, asks ZAP when libzmq would, and sends READY.
func (s *session) runCurveServer() (*Result, *Error) {
	// HELLO
	body, failure := s.readCommand()
	if failure != nil {
		return nil, failure
	}
	if failure := wellFormed(body); failure != nil {
		return nil, failure
	}
	if !hasPrefix(body, helloPrefix) {
		return nil, protocolError(ProtocolErrorZMTPUnexpectedCommand, "CURVE server expected HELLO")
	}
	if len(body) != curveHelloSize {
		return nil, protocolError(ProtocolErrorZMTPMalformedCommandHello, "HELLO of %d bytes", len(body))
	}
	if body[6] != 1 || body[7] != 0 {
		return nil, protocolError(ProtocolErrorZMTPMalformedCommandHello, "HELLO version %d.%d", body[6], body[7])
	}
	clientTransient := append([]byte(nil), body[curveHelloKeyOffset:curveHelloKeyOffset+keySize]...)
	helloKey, err := sharedKey(clientTransient, s.cfg.SecretKey)
	if err != nil {
		return nil, cryptoError("client transient key is weak")
	}
	helloNonce := nonceFromWire(helloNoncePrefix, body[curveHelloNonce:curveHelloBox])
	if _, ok := secretbox.Open(nil, body[curveHelloBox:], &helloNonce, &helloKey); !ok {
		return nil, cryptoError("cannot open HELLO (wrong server key?)")
	}

	// WELCOME: Box[S' + cookie](S->C'), cookie = nonce + SecretBox[C' + s'](K).
	transientPublic, transientSecret, err := NewKeyPair()
	if err != nil {
		return nil, randomFailure(err)
	}
	var cookieKey [32]byte
	if _, err := rand.Read(cookieKey[:]); err != nil {
		return nil, randomFailure(err)
	}
	cookieNonce, err := randomNonce(cookieNoncePrefix)
	if err != nil {
		return nil, randomFailure(err)
	}
	cookiePlain := make([]byte, 0, 2*keySize)
	cookiePlain = append(cookiePlain, clientTransient...)
	cookiePlain = append(cookiePlain, transientSecret[:]...)

	welcomePlain := make([]byte, 0, keySize+cookieSize)
	welcomePlain = append(welcomePlain, transientPublic[:]...)
	welcomePlain = append(welcomePlain, cookieNonce[len(cookieNoncePrefix):]...)
	welcomePlain = secretbox.Seal(welcomePlain, cookiePlain, &cookieNonce, &cookieKey)

	welcomeNonce, err := randomNonce(welcomeNoncePrefix)
	if err != nil {
		return nil, randomFailure(err)
	}
	welcome := make([]byte, 0, curveWelcomeSize)
	welcome = append(welcome, welcomePrefix...)
	welcome = append(welcome, welcomeNonce[len(welcomeNoncePrefix):]...)
	welcome = secretbox.Seal(welcome, welcomePlain, &welcomeNonce, &helloKey)
	if failure := s.send(welcome); failure != nil {
		return nil, failure
	}

	// INITIATE
	body, failure = s.readCommand()
	if failure != nil {
		return nil, failure
	}
	if failure := wellFormed(body); failure != nil {
		return nil, failure
	}
	if !hasPrefix(body, initiatePrefix) {
		return nil, protocolError(ProtocolErrorZMTPUnexpectedCommand, "CURVE server expected INITIATE")
	}
	if len(body) < curveInitiateMinSize {
		return nil, protocolError(ProtocolErrorZMTPMalformedCommandInitiate, "INITIATE of %d bytes", len(body))
	}
	cookie := body[curveInitiateCookie : curveInitiateCookie+cookieSize]
	openedCookieNonce := nonceFromWire(cookieNoncePrefix, cookie[:16])
	cookieContent, ok := secretbox.Open(nil, cookie[16:], &openedCookieNonce, &cookieKey)
	if !ok {
		return nil, cryptoError("cannot open INITIATE cookie")
	}
	if subtle.ConstantTimeCompare(cookieContent[:keySize], clientTransient) != 1 ||
		subtle.ConstantTimeCompare(cookieContent[keySize:], transientSecret[:]) != 1 {
		return nil, cryptoError("INITIATE cookie does not match this connection")
	}
	messageKey, err := sharedKey(clientTransient, transientSecret[:])
	if err != nil {
		return nil, cryptoError("client transient key is weak")
	}
	initiateNonceValue := binaryUint64(body[curveInitiateNonce:curveInitiateBox])
	initiateNonce := nonceFromWire(initiateNoncePrefix, body[curveInitiateNonce:curveInitiateBox])
	plain, ok := secretbox.Open(nil, body[curveInitiateBox:], &initiateNonce, &messageKey)
	if !ok {
		return nil, cryptoError("cannot open INITIATE")
	}
	clientKey := plain[:keySize]
	vouchNonce := nonceFromWire(vouchNoncePrefix, plain[keySize:keySize+16])
	vouchBox := plain[keySize+16 : keySize+16+vouchBoxSize]
	vouchKey, err := sharedKey(clientKey, transientSecret[:])
	if err != nil {
		return nil, cryptoError("client permanent key is weak")
	}
	vouch, ok := secretbox.Open(nil, vouchBox, &vouchNonce, &vouchKey)
	if !ok {
		return nil, cryptoError("cannot open INITIATE vouch")
	}
	if subtle.ConstantTimeCompare(vouch[:keySize], clientTransient) != 1 {
		return nil, protocolError(ProtocolErrorZMTPKeyExchange, "vouch does not name the client transient key")
	}

	// ZAP: asked whenever a handler is bound, unless ZAPEnforceDomain is on
	// and the domain is empty. Without a handler the client is let in
	// (Stonehouse) unless ZAPEnforceDomain demands one.
	var reply *ZAPReply
	if s.cfg.ZAPDomain != "" || !s.cfg.ZAPEnforceDomain {
		r, reached, failure := s.askZAP(Curve, append([]byte(nil), clientKey...))
		switch {
		case failure != nil:
			return nil, failure
		case reached:
			reply = r
		case s.cfg.ZAPEnforceDomain:
			return nil, noZAPHandler()
		}
	}

	props, err := s.parsePeerProperties(plain[keySize+16+vouchBoxSize:])
	if err != nil {
		if reply != nil {
			if code, _ := zapStatusCode(reply.Status); code != 200 {
				return nil, authError(code, "ZAP handler answered "+reply.Status)
			}
		}
		return nil, &Error{Kind: FailedUnreported, Err: err}
	}
	if reply != nil {
		if failure := s.enforceZAPStatus(reply); failure != nil {
			return nil, failure
		}
	}

	// READY: Box[metadata](S'->C').
	ready := make([]byte, 0, 64)
	ready = append(ready, readyPrefix...)
	ready = binaryAppendUint64(ready, serverReadyNonce)
	readyNonce := shortNonce(readyNoncePrefix, serverReadyNonce)
	ready = secretbox.Seal(ready, s.appendProperties(nil), &readyNonce, &messageKey)
	if failure := s.send(ready); failure != nil {
		return nil, failure
	}
	codec := &curveCodec{
		key:        messageKey,
		sendPrefix: messageNonceServer,
		recvPrefix: messageNonceClient,
		sendNonce:  serverFirstMessage,
		peerNonce:  initiateNonceValue,
	}
	return result(props, reply, codec), nil
}
