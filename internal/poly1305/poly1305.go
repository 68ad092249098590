// Package poly1305 computes the Poly1305 one-time authenticator (RFC 8439),
// the same function as golang.org/x/crypto/poly1305.Sum, with an AVX-512
// IFMA path on amd64 that authenticates 16 blocks per pass for long
// messages. Elsewhere it calls x/crypto.
package poly1305

import "crypto/subtle"

// TagSize is the length in bytes of a Poly1305 tag.
const TagSize = 16

// Sum computes the Poly1305 tag of msg with the one-time key. A key must
// never authenticate two different messages.
func Sum(out *[16]byte, msg []byte, key *[32]byte) {
	sum(out, msg, key)
}

// Verify reports whether mac is the tag of msg under key, in constant time.
func Verify(mac *[16]byte, msg []byte, key *[32]byte) bool {
	var tag [16]byte
	sum(&tag, msg, key)
	return subtle.ConstantTimeCompare(tag[:], mac[:]) == 1
}
