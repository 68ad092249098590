package mechanism

import (
	"crypto/rand"
	"encoding/binary"
)

// Nonce prefixes of the CURVE handshake boxes (RFC 26).
const (
	helloNoncePrefix    = "CurveZMQHELLO---"
	welcomeNoncePrefix  = "WELCOME-"
	cookieNoncePrefix   = "COOKIE--"
	initiateNoncePrefix = "CurveZMQINITIATE"
	vouchNoncePrefix    = "VOUCH---"
	readyNoncePrefix    = "CurveZMQREADY---"
)

// Sizes and offsets of the CURVE commands as libzmq lays them out.
const (
	curveHelloSize       = 200 // \x05HELLO, version, 72 zero bytes, C', nonce, 80-byte box
	curveHelloPadding    = 72
	curveHelloKeyOffset  = 80
	curveHelloNonce      = 112
	curveHelloBox        = 120
	curveWelcomeSize     = 168 // \x07WELCOME, 16-byte nonce, 144-byte box
	curveWelcomeNonce    = 8
	curveWelcomeBox      = 24
	cookieSize           = 96 // 16-byte nonce + 80-byte secretbox
	curveInitiateCookie  = 9
	curveInitiateNonce   = 105
	curveInitiateBox     = 113
	curveInitiateMinSize = 257 // box holds at least C, vouch nonce and vouch
	vouchBoxSize         = 80
	curveReadyNonce      = 6
	curveReadyBox        = 14
	curveReadyMinSize    = 30
)

// First short nonces (libzmq counts from 1): the client's HELLO uses 1 and
// INITIATE 2, so its first MESSAGE uses 3; the server's READY uses 1, so its
// first MESSAGE uses 2.
const (
	clientHelloNonce    = 1
	clientInitiateNonce = 2
	clientFirstMessage  = 3
	serverReadyNonce    = 1
	serverFirstMessage  = 2
)

// shortNonce builds a 24-byte nonce from a 16-byte prefix and a counter.
func shortNonce(prefix string, counter uint64) [24]byte {
	var n [24]byte
	copy(n[:], prefix)
	binary.BigEndian.PutUint64(n[16:], counter)
	return n
}

// nonceFromWire builds a 24-byte nonce from a prefix and the bytes that
// complete it (8 for short nonces, 16 for long ones).
func nonceFromWire(prefix string, tail []byte) [24]byte {
	var n [24]byte
	copy(n[:], prefix)
	copy(n[len(prefix):], tail)
	return n
}

// randomNonce builds a 24-byte nonce from an 8-byte prefix and 16 random bytes.
func randomNonce(prefix string) ([24]byte, error) {
	var n [24]byte
	copy(n[:], prefix)
	_, err := rand.Read(n[len(prefix):])
	return n, err
}

// cryptoError is the failure libzmq reports for any box that cannot be made
// or opened.
func cryptoError(what string) *Error {
	return protocolError(ProtocolErrorZMTPCryptographic, "CURVE: %s", what)
}

// randomFailure reports that crypto/rand failed (it does not in practice).
func randomFailure(err error) *Error {
	return &Error{Kind: FailedNoDetail, Err: err}
}

// binaryAppendUint64 appends v as 8 big-endian bytes.
func binaryAppendUint64(dst []byte, v uint64) []byte {
	return binary.BigEndian.AppendUint64(dst, v)
}

// binaryUint64 reads 8 big-endian bytes.
func binaryUint64(b []byte) uint64 {
	return binary.BigEndian.Uint64(b)
}
