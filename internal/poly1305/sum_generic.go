//go:build !amd64 || !gc || purego

package poly1305

import "golang.org/x/crypto/poly1305"

// active is always x/crypto without the amd64 assembly; it exists so that
// tests can name it on every platform.
var active = pathXCrypto

// supported reports whether p can run here: only x/crypto can.
func supported(p path) bool { return p == pathXCrypto }

// sum hands the whole message to x/crypto.
func sum(out *[16]byte, msg []byte, key *[32]byte) {
	poly1305.Sum(out, msg, key)
}
