package mechanism

import (
	//lint:ignore SA1019 CurveZMQ is built on the XSalsa20 core itself, as NaCl and libsodium are
	"golang.org/x/crypto/salsa20/salsa"

	"github.com/purezmq/zmq4/internal/poly1305"
	"github.com/purezmq/zmq4/internal/salsa20"
)

// boxOverhead is the Poly1305 tag that precedes every box's ciphertext.
const boxOverhead = poly1305.TagSize

// The functions below are crypto_secretbox (XSalsa20-Poly1305), the same
// construction as golang.org/x/crypto/nacl/secretbox, but working in place:
// the data path must neither allocate nor copy each frame twice, and
// nacl/secretbox forbids its output to overlap its input. With a
// crypto_box_beforenm key they are crypto_box_afternm.

// xsalsaSetup derives the per-message subkey and the Salsa20 counter block
// from a 24-byte nonce, and the first keystream block, whose first half is
// the Poly1305 key and whose second half encrypts the first 32 bytes.
func xsalsaSetup(nonce *[24]byte, key *[32]byte) (subKey [32]byte, counter [16]byte, firstBlock [64]byte) {
	var hNonce [16]byte
	copy(hNonce[:], nonce[:16])
	salsa.HSalsa20(&subKey, &hNonce, key, &salsa.Sigma)
	copy(counter[:], nonce[16:])
	salsa20.XORKeyStream(firstBlock[:], firstBlock[:], &counter, &subKey)
	return subKey, counter, firstBlock
}

// xorStream encrypts or decrypts msg in place with the XSalsa20 keystream
// that follows the Poly1305 key.
func xorStream(msg []byte, subKey *[32]byte, counter *[16]byte, firstBlock *[64]byte) {
	first := len(msg)
	if first > 32 {
		first = 32
	}
	for i := 0; i < first; i++ {
		msg[i] ^= firstBlock[32+i]
	}
	rest := msg[first:]
	if len(rest) > 0 {
		counter[8] = 1
		salsa20.XORKeyStream(rest, rest, counter, subKey)
	}
}

// sealInPlace encrypts box[boxOverhead:] in place and writes the Poly1305
// tag into box[:boxOverhead]. The result is byte for byte what
// secretbox.Seal returns for the same plaintext.
func sealInPlace(box []byte, nonce *[24]byte, key *[32]byte) {
	subKey, counter, firstBlock := xsalsaSetup(nonce, key)
	var polyKey [32]byte
	copy(polyKey[:], firstBlock[:32])
	msg := box[boxOverhead:]
	xorStream(msg, &subKey, &counter, &firstBlock)
	var tag [poly1305.TagSize]byte
	poly1305.Sum(&tag, msg, &polyKey)
	copy(box[:boxOverhead], tag[:])
}

// openTo authenticates box (tag, then ciphertext of one flags byte and the
// payload) and, if it is genuine, writes the payload's plaintext to dst,
// which must be len(box)-boxOverhead-1 bytes long, and returns the flags
// byte. box is left unchanged. Because the payload starts one byte into the
// keystream, its first 31 bytes use the end of the first keystream block and
// the rest the stream from block 1 on.
func openTo(dst, box []byte, nonce *[24]byte, key *[32]byte) (inner byte, ok bool) {
	if len(box) < boxOverhead+1 || len(dst) != len(box)-boxOverhead-1 {
		return 0, false
	}
	subKey, counter, firstBlock, ok := verifyBox(box, nonce, key)
	if !ok {
		return 0, false
	}
	msg := box[boxOverhead:]
	inner = msg[0] ^ firstBlock[32]
	head := min(len(dst), 31)
	for i := 0; i < head; i++ {
		dst[i] = msg[1+i] ^ firstBlock[33+i]
	}
	if len(dst) > head {
		counter[8] = 1
		salsa20.XORKeyStream(dst[head:], msg[1+head:], &counter, &subKey)
	}
	return inner, true
}

// openInPlace authenticates box (tag then ciphertext) and, if it is
// genuine, decrypts box[boxOverhead:] in place. It returns false and leaves
// box unchanged when the tag does not verify.
func openInPlace(box []byte, nonce *[24]byte, key *[32]byte) bool {
	if len(box) < boxOverhead {
		return false
	}
	subKey, counter, firstBlock, ok := verifyBox(box, nonce, key)
	if !ok {
		return false
	}
	xorStream(box[boxOverhead:], &subKey, &counter, &firstBlock)
	return true
}

// verifyBox checks box's Poly1305 tag and, if it is genuine, returns the
// XSalsa20 state that decrypts it.
func verifyBox(box []byte, nonce *[24]byte, key *[32]byte) (subKey [32]byte, counter [16]byte, firstBlock [64]byte, ok bool) {
	subKey, counter, firstBlock = xsalsaSetup(nonce, key)
	var polyKey [32]byte
	copy(polyKey[:], firstBlock[:32])
	var tag [poly1305.TagSize]byte
	copy(tag[:], box[:boxOverhead])
	ok = poly1305.Verify(&tag, box[boxOverhead:], &polyKey)
	return subKey, counter, firstBlock, ok
}
