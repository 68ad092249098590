//go:build amd64 && gc && !purego

package poly1305

import (
	"encoding/binary"
	"math/bits"
)

// The scalar code keeps the accumulator h as three 64-bit words,
// h = h0 + h1*2^64 + h2*2^128, reduced only partly: h2 (field w2) stays below 8, so h
// is less than 2^131 and less than twice p = 2^130 - 5. It handles short
// messages, the blocks after the vector path, and the final reduction.

// element is a number modulo p in three 64-bit words, least significant
// first, not necessarily fully reduced.
type element struct{ w0, w1, w2 uint64 }

// clampedR reads r from the first half of the key and clears the bits
// that Poly1305 requires to be zero, so that r < 2^124 and r1 is a
// multiple of 4.
func clampedR(key *[32]byte) (r0, r1 uint64) {
	r0 = binary.LittleEndian.Uint64(key[0:8]) & 0x0ffffffc0fffffff
	r1 = binary.LittleEndian.Uint64(key[8:16]) & 0x0ffffffc0ffffffc
	return r0, r1
}

// mulR returns h*r modulo p, partly reduced. It needs h.w2 < 8 and a
// clamped r; the result has w2 <= 4.
func mulR(h element, r0, r1 uint64) element {
	// h*r as four words t0..t3. r0, r1 < 2^60 keeps every high half
	// below 2^60, and h2*r0, h2*r1 below 2^63.
	hi00, t0 := bits.Mul64(h.w0, r0)
	hi10, lo10 := bits.Mul64(h.w1, r0)
	hi01, lo01 := bits.Mul64(h.w0, r1)
	hi11, lo11 := bits.Mul64(h.w1, r1)

	t1, c := bits.Add64(hi00, lo10, 0)
	t2, _ := bits.Add64(hi10, h.w2*r0, c)
	t1, c = bits.Add64(t1, lo01, 0)
	t2, c2 := bits.Add64(t2, hi01, c)
	t3 := hi11 + h.w2*r1 + c2
	t2, c = bits.Add64(t2, lo11, 0)
	t3 += c

	// With t = low + 2^130*x, low = (t0, t1, t2&3) and 2^130 = 5 mod p,
	// t = low + 4x + x mod p, and 4x is (t2 &^ 3, t3).
	x4lo, x4hi := t2&^3, t3
	xlo, xhi := x4lo>>2|x4hi<<62, x4hi>>2

	h0, c := bits.Add64(t0, x4lo, 0)
	h1, c := bits.Add64(t1, x4hi, c)
	h2 := t2&3 + c
	h0, c = bits.Add64(h0, xlo, 0)
	h1, c = bits.Add64(h1, xhi, c)
	h2 += c
	return element{h0, h1, h2}
}

// scalarBlocks absorbs msg, whose length is a multiple of 16, into h.
func scalarBlocks(h element, msg []byte, r0, r1 uint64) element {
	for len(msg) >= 16 {
		var c uint64
		h.w0, c = bits.Add64(h.w0, binary.LittleEndian.Uint64(msg[0:8]), 0)
		h.w1, c = bits.Add64(h.w1, binary.LittleEndian.Uint64(msg[8:16]), c)
		h.w2 += c + 1 // the 2^128 bit that ends every full block
		h = mulR(h, r0, r1)
		msg = msg[16:]
	}
	return h
}

// scalarLastBlock absorbs a final partial block of 1 to 15 bytes, which
// is padded with a single 1 byte instead of the 2^128 bit.
func scalarLastBlock(h element, msg []byte, r0, r1 uint64) element {
	var block [16]byte
	copy(block[:], msg)
	block[len(msg)] = 1
	var c uint64
	h.w0, c = bits.Add64(h.w0, binary.LittleEndian.Uint64(block[0:8]), 0)
	h.w1, c = bits.Add64(h.w1, binary.LittleEndian.Uint64(block[8:16]), c)
	h.w2 += c
	return mulR(h, r0, r1)
}

// reduce returns h modulo p exactly, in constant time, for h < 2p.
func reduce(h element) element {
	// g = h + 5 - 2^130 is h - p; it is the answer when h + 5 reaches 2^130.
	g0, c := bits.Add64(h.w0, 5, 0)
	g1, c := bits.Add64(h.w1, 0, c)
	g2 := h.w2 + c
	useG := -(g2 >> 2) // all ones when h >= p, since h < 2p
	return element{
		h.w0 ^ (h.w0^g0)&useG,
		h.w1 ^ (h.w1^g1)&useG,
		h.w2 ^ (h.w2^(g2&3))&useG,
	}
}

// finish reduces h, adds s (the second half of the key) modulo 2^128 and
// writes the tag.
func finish(out *[16]byte, h element, key *[32]byte) {
	h = reduce(h)
	s0 := binary.LittleEndian.Uint64(key[16:24])
	s1 := binary.LittleEndian.Uint64(key[24:32])
	t0, c := bits.Add64(h.w0, s0, 0)
	t1, _ := bits.Add64(h.w1, s1, c)
	binary.LittleEndian.PutUint64(out[0:8], t0)
	binary.LittleEndian.PutUint64(out[8:16], t1)
}

// scalarSum is the whole authenticator in scalar code, starting from h.
func scalarSum(out *[16]byte, h element, msg []byte, key *[32]byte) {
	r0, r1 := clampedR(key)
	full := len(msg) &^ 15
	h = scalarBlocks(h, msg[:full], r0, r1)
	if full < len(msg) {
		h = scalarLastBlock(h, msg[full:], r0, r1)
	}
	finish(out, h, key)
}
