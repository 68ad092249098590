// Package salsa20 computes the Salsa20/20 keystream XOR, the same function
// as golang.org/x/crypto/salsa20/salsa.XORKeyStream, with a 16-block
// AVX-512 path and an 8-block AVX2 path on amd64 for long messages.
package salsa20

import "encoding/binary"

// XORKeyStream sets out to in XOR the Salsa20/20 keystream for key,
// starting at the 64-bit little-endian block counter in counter[8:16] with
// the nonce in counter[0:8]. out and in must overlap exactly or not at all,
// and len(out) must be at least len(in). The caller's counter is not
// modified.
func XORKeyStream(out, in []byte, counter *[16]byte, key *[32]byte) {
	if len(in) == 0 {
		return
	}
	out = out[:len(in)]
	xorKeyStream(out, in, counter, key)
}

// advanceCounter adds blocks to the 64-bit little-endian block counter in
// counter[8:16], wrapping modulo 2^64 as Salsa20 does.
func advanceCounter(counter *[16]byte, blocks uint64) {
	n := binary.LittleEndian.Uint64(counter[8:16])
	binary.LittleEndian.PutUint64(counter[8:16], n+blocks)
}

// path names one implementation of the keystream XOR. The package picks
// the fastest one the CPU supports; tests set active to try each.
type path int

const (
	pathXCrypto path = iota // golang.org/x/crypto/salsa20/salsa
	pathAVX2                // 8 blocks per assembly pass (amd64)
	pathAVX512              // 16 blocks per assembly pass (amd64)
)

// String names the path in test and benchmark names.
func (p path) String() string {
	switch p {
	case pathAVX2:
		return "avx2"
	case pathAVX512:
		return "avx512"
	}
	return "xcrypto"
}
