//go:build !amd64 || !gc || purego

package salsa20

import "golang.org/x/crypto/salsa20/salsa"

// useAVX512 is always false without the amd64 assembly; it exists so that
// tests can name it on every platform.
var useAVX512 = false

// xorKeyStream hands the whole message to x/crypto.
func xorKeyStream(out, in []byte, counter *[16]byte, key *[32]byte) {
	salsa.XORKeyStream(out, in, counter, key)
}
