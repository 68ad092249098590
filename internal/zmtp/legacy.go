package zmtp

// ZMTP 2.0 (RFC 15) peers, such as libzmq 3.x and JeroMQ 0.3, are recognised
// during the greeting (RFC 23, "Backwards interoperability"): a ZMTP 3.x
// peer sends its 10-byte signature, then its major version once the peer's
// signature has arrived, and the rest only once the peer's version byte has
// arrived. A peer whose version byte is 1 speaks ZMTP 2.0: its greeting goes
// on with one socket-type byte, and its first frame is its identity.

// SignatureSize is the length of the greeting's signature, which every ZMTP
// version from 2.0 on starts with.
const SignatureSize = greetingMajor

// V2Revision is the version byte of a ZMTP 2.0 peer.
const V2Revision = 1

// ValidSignature reports whether b (SignatureSize bytes) is a versioned
// peer's signature: 0xFF, eight length bytes, and a last byte with bit 0 set.
// An unversioned ZMTP 1.0 peer fails it.
func ValidSignature(b []byte) bool {
	return len(b) >= SignatureSize && b[0] == 0xFF && b[greetingSignatureEnd]&1 == 1
}

// v2SocketTypes are the socket-type bytes of ZMTP 2.0, in order (libzmq's
// numbering). Later types have no ZMTP 2.0 form.
var v2SocketTypes = []string{"PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB", "XSUB"}

// V2SocketTypeName returns the socket type name of a ZMTP 2.0 socket-type
// byte.
func V2SocketTypeName(b byte) (string, bool) {
	if int(b) >= len(v2SocketTypes) {
		return "", false
	}
	return v2SocketTypes[b], true
}
