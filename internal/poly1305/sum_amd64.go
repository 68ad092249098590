//go:build amd64 && gc && !purego

package poly1305

import (
	"math/bits"

	"golang.org/x/sys/cpu"
)

// useIFMA selects the vector path: AVX-512 Foundation for the registers and
// shuffles, IFMA for the 52-bit multiply-accumulate. x/sys/cpu reports them
// only when the operating system also saves the ZMM registers.
var useIFMA = cpu.X86.HasAVX512F && cpu.X86.HasAVX512IFMA

// chunkSize is what one pass of the assembly consumes: 16 blocks, eight
// lanes in each of two streams.
const chunkSize = 16 * 16

// vectorMin is the shortest message that goes through the vector path.
// Below it, computing r^2..r^16 costs more than the scalar blocks it saves.
const vectorMin = 1024

// The vector path keeps each lane's accumulator in radix 2^44: three limbs
// of 44, 44 and 42 bits, each in its own 64-bit lane of a ZMM register.
// Multiplying by r uses r's limbs and, for the products that wrap past
// 2^130 (2^132 = 20 mod p), the same limbs times 20.
const (
	limbBits = 44
	limbMask = 1<<limbBits - 1
)

// ifmaPowers is the assembly's table of multipliers, each as five
// limb values: r0, r1, r2, 20*r1, 20*r2.
type ifmaPowers struct {
	// last holds the multipliers of the final pass, per stream and lane:
	// the block at chunk position q (0..15) is multiplied by r^(16-q).
	last [2][5][8]uint64
	// step is r^16, by which every lane is multiplied between passes.
	step [5]uint64
}

// blocksIFMA absorbs chunks*256 bytes of msg, starting from a zero
// accumulator, and stores the sixteen lanes' partial results added
// pairwise into acc: acc[limb][lane]. Every value is below 2^45, and the
// sum over lanes of acc[0] + acc[1]*2^44 + acc[2]*2^88 is congruent to
// the accumulator after the last block. chunks must be at least 1.
//
//go:noescape
func blocksIFMA(acc *[3][8]uint64, msg *byte, chunks int, powers *ifmaPowers)

// sum runs the leading whole 256-byte chunks of a long message through the
// assembly and the rest through the scalar code.
func sum(out *[16]byte, msg []byte, key *[32]byte) {
	if !useIFMA || len(msg) < vectorMin {
		scalarSum(out, element{}, msg, key)
		return
	}
	r0, r1 := clampedR(key)
	var powers ifmaPowers
	fillPowers(&powers, r0, r1)
	chunks := len(msg) / chunkSize
	var acc [3][8]uint64
	blocksIFMA(&acc, &msg[0], chunks, &powers)
	h := fromLimbSums(&acc)
	scalarSum(out, h, msg[chunks*chunkSize:], key)
}

// fillPowers computes r^1..r^16 and lays them out for the assembly.
func fillPowers(p *ifmaPowers, r0, r1 uint64) {
	var pow [17]limbs
	pow[1] = limbs{r0 & limbMask, (r0>>44 | r1<<20) & limbMask, r1 >> 24}
	// A tree of products rather than a chain of multiplications by r, so
	// that the multiplications within each level can overlap.
	pow[2] = mulLimbs(pow[1], pow[1])
	pow[3] = mulLimbs(pow[2], pow[1])
	pow[4] = mulLimbs(pow[2], pow[2])
	for k := 5; k <= 8; k++ {
		pow[k] = mulLimbs(pow[4], pow[k-4])
	}
	for k := 9; k <= 16; k++ {
		pow[k] = mulLimbs(pow[8], pow[k-8])
	}
	// Within a stream, lanes 2k and 2k+1 hold blocks k and k+4 of the
	// stream's eight (the order the assembly's unpack instructions give);
	// the block at chunk position q needs r^(16-q).
	for lane := range 8 {
		k, half := lane/2, lane%2
		for stream := range 2 {
			x := pow[16-(8*stream+4*half+k)]
			t := &p.last[stream]
			t[0][lane] = x.l0
			t[1][lane] = x.l1
			t[2][lane] = x.l2
			t[3][lane] = 20 * x.l1
			t[4][lane] = 20 * x.l2
		}
	}
	x := pow[16]
	p.step = [5]uint64{x.l0, x.l1, x.l2, 20 * x.l1, 20 * x.l2}
}

// limbs is a number modulo p in radix 2^44, like one lane of the vector
// accumulator: l0 < 2^44, l1 < 2^45 and l2 < 2^42.
type limbs struct{ l0, l1, l2 uint64 }

// mulLimbs returns a*b modulo p with the limbs bounded as limbs requires.
// It computes the same columns as the assembly, in 128-bit integers.
func mulLimbs(a, b limbs) limbs {
	s1, s2 := 20*b.l1, 20*b.l2
	d0 := mulAdd3(a.l0, b.l0, a.l1, s2, a.l2, s1)
	d1 := mulAdd3(a.l0, b.l1, a.l1, b.l0, a.l2, s2)
	d2 := mulAdd3(a.l0, b.l2, a.l1, b.l1, a.l2, b.l0)

	// Every column is below 2^98, so each carry fits in 64 bits.
	d1 = d1.add(d0.shr(44))
	l0 := d0.lo & limbMask
	d2 = d2.add(d1.shr(44))
	l1 := d1.lo & limbMask
	top := d2.shr(42) // the part from 2^130 up, worth 5 times as much at 2^0
	l2 := d2.lo & (1<<42 - 1)
	l0 += 5 * top
	l1 += l0 >> 44
	l0 &= limbMask
	return limbs{l0, l1, l2}
}

// uint128 is an unsigned 128-bit integer.
type uint128 struct{ lo, hi uint64 }

// mulAdd3 returns a*b + c*d + e*f, which must fit in 128 bits.
func mulAdd3(a, b, c, d, e, f uint64) uint128 {
	hi, lo := bits.Mul64(a, b)
	h2, l2 := bits.Mul64(c, d)
	h3, l3 := bits.Mul64(e, f)
	var k uint64
	lo, k = bits.Add64(lo, l2, 0)
	hi += h2 + k
	lo, k = bits.Add64(lo, l3, 0)
	hi += h3 + k
	return uint128{lo, hi}
}

// add returns x + y.
func (x uint128) add(y uint64) uint128 {
	lo, k := bits.Add64(x.lo, y, 0)
	return uint128{lo, x.hi + k}
}

// shr returns x >> n for 0 < n < 64, when the result fits in 64 bits.
func (x uint128) shr(n uint) uint64 {
	return x.lo>>n | x.hi<<(64-n)
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
