// Package poly1305 computes the Poly1305 one-time authenticator (RFC 8439),
// the same function as golang.org/x/crypto/poly1305.Sum, with vector paths
// on amd64 for long messages: AVX-512 IFMA, 16 blocks per pass, or else
// AVX2, 4 blocks per pass. Elsewhere it calls x/crypto.
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

// path names one implementation of Sum. The package picks the fastest one
// the CPU supports; tests set active to try each.
type path int

const (
	pathXCrypto path = iota // golang.org/x/crypto/poly1305
	pathAVX2                // 4 lanes in radix 2^26 (amd64)
	pathIFMA                // 16 lanes in radix 2^44 (amd64)
)

// String names the path in test and benchmark names.
func (p path) String() string {
	switch p {
	case pathAVX2:
		return "avx2"
	case pathIFMA:
		return "ifma"
	}
	return "xcrypto"
}
