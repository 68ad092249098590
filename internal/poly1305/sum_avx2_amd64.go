//go:build amd64 && gc && !purego

package poly1305

import "math/bits"

// chunkSizeAVX2 is what one pass of the AVX2 assembly consumes: four
// blocks, one in each lane.
const chunkSizeAVX2 = 4 * 16

// vectorMinAVX2 is the shortest message that goes through the AVX2 path.
// Computing r^2..r^4 and adding up the lanes cost about 45 ns, so on Zen4
// the assembly overtakes the scalar code only from about four passes (256
// bytes: 77 ns against 83 ns; 192 bytes: 67 against 63).
const vectorMinAVX2 = 4 * chunkSizeAVX2

// blocksAVX2 absorbs chunks*64 bytes of msg with the clamped
// r = r0 + r1*2^64, starting from a zero accumulator. It computes
// r^2..r^4 itself, and stores the four lanes' results, added up limb by
// limb in radix 2^26, into acc: every value is below 2^29, and
// acc[0] + acc[1]*2^26 + ... + acc[4]*2^104 is congruent modulo 2^130-5
// to the Horner accumulator after the last block. chunks must be at
// least 1.
//
//go:noescape
func blocksAVX2(acc *[5]uint64, msg *byte, chunks int, r0, r1 uint64)

// sumAVX2 runs the leading whole 64-byte chunks of msg through the AVX2
// assembly and the rest through the scalar code.
func sumAVX2(out *[16]byte, msg []byte, key *[32]byte) {
	r0, r1 := clampedR(key)
	chunks := len(msg) / chunkSizeAVX2
	var acc [5]uint64
	blocksAVX2(&acc, &msg[0], chunks, r0, r1)
	h := fromLimbs26(&acc)
	scalarSum(out, h, msg[chunks*chunkSizeAVX2:], key)
}

// fromLimbs26 adds up the radix 2^26 limbs l and folds the result below
// 2^131, the form the scalar code expects.
func fromLimbs26(l *[5]uint64) element {
	// x = l0 + l1*2^26 + l2*2^52 + l3*2^78 + l4*2^104, each l below 2^29.
	x0, c := bits.Add64(l[0]+l[1]<<26, l[2]<<52, 0)
	x1, c := bits.Add64(l[2]>>12+l[3]<<14, l[4]<<40, c)
	x2 := l[4]>>24 + c
	// Fold the bits from 2^130 up: 2^130 = 5 mod p.
	top := x2 >> 2
	x0, c = bits.Add64(x0, 5*top, 0)
	x1, c = bits.Add64(x1, 0, c)
	x2 = x2&3 + c
	return element{x0, x1, x2}
}
