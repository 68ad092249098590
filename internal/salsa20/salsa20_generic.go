//go:build !amd64 || !gc || purego

package salsa20

import "golang.org/x/crypto/salsa20/salsa"

// active is always x/crypto without the amd64 assembly; it exists so that
// tests can name it on every platform.
var active = pathXCrypto

// supported reports whether p can run here: only x/crypto can.
func supported(p path) bool { return p == pathXCrypto }

// xorKeyStream hands the whole message to x/crypto.
func xorKeyStream(out, in []byte, counter *[16]byte, key *[32]byte) {
	salsa.XORKeyStream(out, in, counter, key)
}
