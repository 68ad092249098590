//go:build amd64 && gc && !purego

package poly1305

import (
	"math/bits"

	//lint:ignore SA1019 CurveZMQ authenticates with one-time Poly1305 keys, as NaCl does
	"golang.org/x/crypto/poly1305"
	"golang.org/x/sys/cpu"
)

// active is the path sum takes: IFMA, which needs AVX-512 Foundation for
// the registers and shuffles and IFMA for the 52-bit multiply-accumulate,
// or else AVX2, or else x/crypto. x/sys/cpu reports these only when the
// operating system also saves the YMM and ZMM registers.
var active = fastestPath()

func fastestPath() path {
	switch {
	case supported(pathIFMA):
		return pathIFMA
	case supported(pathAVX2):
		return pathAVX2
	}
	return pathXCrypto
}

// supported reports whether p can run on this CPU.
func supported(p path) bool {
	switch p {
	case pathIFMA:
		return cpu.X86.HasAVX512F && cpu.X86.HasAVX512IFMA
	case pathAVX2:
		return cpu.X86.HasAVX2
	}
	return true
}

// chunkSize is what one pass of the assembly consumes: 16 blocks, eight
// lanes in each of two streams.
const chunkSize = 16 * 16

// vectorMin is the shortest message that goes through the vector path.
// The assembly spends about 60 ns computing r^2..r^16 before its first
// pass; on Zen4 one pass plus a scalar tail overtakes the scalar code only
// from about two passes (512 bytes: 100 ns against 150 ns).
const vectorMin = 2 * chunkSize

// blocksIFMA absorbs chunks*256 bytes of msg with the clamped
// r = r0 + r1*2^64, starting from a zero accumulator. It computes
// r^2..r^16 itself, and stores the sixteen lanes' results, added pairwise
// in radix 2^44, into acc[limb][lane]: every value is below 2^45, and the
// sum over lanes of acc[0] + acc[1]*2^44 + acc[2]*2^88 is congruent
// modulo 2^130-5 to the Horner accumulator after the last block. chunks
// must be at least 1.
//
//go:noescape
func blocksIFMA(acc *[3][8]uint64, msg *byte, chunks int, r0, r1 uint64)

// sum sends long messages to the active vector path and short ones to the
// scalar code.
func sum(out *[16]byte, msg []byte, key *[32]byte) {
	switch {
	case active == pathXCrypto:
		poly1305.Sum(out, msg, key)
	case active == pathIFMA && len(msg) >= vectorMin:
		sumIFMA(out, msg, key)
	case len(msg) >= vectorMinAVX2 && cpu.X86.HasAVX2:
		// The AVX2 path, or for the IFMA path a message too short to
		// repay the IFMA setup.
		sumAVX2(out, msg, key)
	default:
		scalarSum(out, element{}, msg, key)
	}
}

// sumIFMA runs the leading whole 256-byte chunks of a long message through
// the IFMA assembly and the rest through the scalar code.
func sumIFMA(out *[16]byte, msg []byte, key *[32]byte) {
	r0, r1 := clampedR(key)
	chunks := len(msg) / chunkSize
	var acc [3][8]uint64
	blocksIFMA(&acc, &msg[0], chunks, r0, r1)
	h := fromLimbSums(&acc)
	scalarSum(out, h, msg[chunks*chunkSize:], key)
}

// fromLimbSums adds up the lanes of acc and folds the result below 2^131,
// the form the scalar code expects.
func fromLimbSums(acc *[3][8]uint64) element {
	var l0, l1, l2 uint64
	for lane := range 8 {
		l0 += acc[0][lane]
		l1 += acc[1][lane]
		l2 += acc[2][lane]
	}
	// x = l0 + l1*2^44 + l2*2^88, each l below 2^48.
	x0, c := bits.Add64(l0, l1<<44, 0)
	x1, c := bits.Add64(l1>>20, l2<<24, c)
	x2 := l2>>40 + c
	// Fold the bits from 2^130 up: 2^130 = 5 mod p.
	top := x2 >> 2
	x0, c = bits.Add64(x0, 5*top, 0)
	x1, c = bits.Add64(x1, 0, c)
	x2 = x2&3 + c
	return element{x0, x1, x2}
}
