//go:build amd64 && gc && !purego

#include "textflag.h"

// Poly1305 with AVX-512 IFMA, 16 blocks per pass in two streams of eight
// lanes. Each lane accumulates every 16th block in radix 2^44 (limbs of 44,
// 44 and 42 bits, one ZMM register per limb). Between passes every lane is
// multiplied by r^16; in the last pass each lane gets the power of r that
// its block position needs, so that the lane sums add up to the ordinary
// Horner result. The powers r^2..r^16 are computed here too, by prefix
// products across the lanes, which costs far less than doing it in Go.
//
// Registers in the main loop:
//   stream A: Z0-Z2 accumulator, Z3-Z8 product columns, Z9-Z11 scratch
//   stream B: Z12-Z14 accumulator, Z15-Z20 product columns, Z21-Z23 scratch
//   Z24-Z28 r^16 as r0, r1, r2, 20*r1, 20*r2 in every lane
//   Z29 2^44-1, Z30 2^42-1, Z31 2^40 (the 2^128 bit of a block, in limb 2)

#define MASK44 Z29
#define MASK42 Z30
#define PADBIT Z31

// ADD_BLOCKS loads eight 16-byte blocks at off(SI), splits them into
// limbs and adds them to (h0, h1, h2). Unpacking 128-bit lanes puts blocks
// k and k+4 of the eight into lanes 2k and 2k+1.
#define ADD_BLOCKS(off, h0, h1, h2, lo, hi, t) \
	VMOVDQU64   off(SI), lo; \
	VPUNPCKHQDQ off+64(SI), lo, hi; \
	VPUNPCKLQDQ off+64(SI), lo, lo; \
	VPSRLQ      $44, lo, t; \
	VPANDQ      MASK44, lo, lo; \
	VPADDQ      lo, h0, h0; \
	VPSLLQ      $20, hi, lo; \
	VPTERNLOGQ  $0xa8, MASK44, lo, t; \
	VPADDQ      t, h1, h1; \
	VPSRLQ      $24, hi, hi; \
	VPORQ       PADBIT, hi, hi; \
	VPADDQ      hi, h2, h2

// MULTIPLY forms the product columns of h*r modulo p. Column k collects the
// products of weight 2^(44k), where 2^132 = 20 mod p folds the high ones
// down: d0 = h0*r0 + h1*20r2 + h2*20r1, d1 = h0*r1 + h1*r0 + h2*20r2,
// d2 = h0*r2 + h1*r1 + h2*r0. Each column is kept as the sum of the low
// 52 bits of its products (dkl) and the sum of their high parts (dkh),
// which weigh 2^52 more.
#define MULTIPLY(h0, h1, h2, r0, r1, r2, s1, s2, d0l, d1l, d2l, d0h, d1h, d2h) \
	VPXORQ      d0l, d0l, d0l; \
	VPXORQ      d1l, d1l, d1l; \
	VPXORQ      d2l, d2l, d2l; \
	VPXORQ      d0h, d0h, d0h; \
	VPXORQ      d1h, d1h, d1h; \
	VPXORQ      d2h, d2h, d2h; \
	VPMADD52LUQ r0, h0, d0l; \
	VPMADD52HUQ r0, h0, d0h; \
	VPMADD52LUQ r1, h0, d1l; \
	VPMADD52HUQ r1, h0, d1h; \
	VPMADD52LUQ r2, h0, d2l; \
	VPMADD52HUQ r2, h0, d2h; \
	VPMADD52LUQ s2, h1, d0l; \
	VPMADD52HUQ s2, h1, d0h; \
	VPMADD52LUQ r0, h1, d1l; \
	VPMADD52HUQ r0, h1, d1h; \
	VPMADD52LUQ r1, h1, d2l; \
	VPMADD52HUQ r1, h1, d2h; \
	VPMADD52LUQ s1, h2, d0l; \
	VPMADD52HUQ s1, h2, d0h; \
	VPMADD52LUQ s2, h2, d1l; \
	VPMADD52HUQ s2, h2, d1h; \
	VPMADD52LUQ r0, h2, d2l; \
	VPMADD52HUQ r0, h2, d2h

// CARRY turns the product columns back into limbs (h0, h1, h2) below
// 2^44, 2^44+2^8 and 2^42. A high part weighs 2^8 times the next column,
// except d2h, which weighs 2^140 = 2^10 * 2^130 and so joins the carry out
// of limb 2 that comes back into limb 0 times 5.
#define CARRY(h0, h1, h2, d0l, d1l, d2l, d0h, d1h, d2h, t) \
	VPSLLQ $8, d0h, d0h; \
	VPADDQ d0h, d1l, d1l; \
	VPSLLQ $8, d1h, d1h; \
	VPADDQ d1h, d2l, d2l; \
	VPSLLQ $10, d2h, d2h; \
	VPSRLQ $44, d0l, t; \
	VPANDQ MASK44, d0l, d0l; \
	VPADDQ t, d1l, d1l; \
	VPSRLQ $44, d1l, t; \
	VPANDQ MASK44, d1l, d1l; \
	VPADDQ t, d2l, d2l; \
	VPSRLQ $42, d2l, t; \
	VPANDQ MASK42, d2l, h2; \
	VPADDQ t, d2h, d2h; \
	VPADDQ d2h, d0l, d0l; \
	VPSLLQ $2, d2h, d2h; \
	VPADDQ d2h, d0l, d0l; \
	VPSRLQ $44, d0l, t; \
	VPANDQ MASK44, d0l, h0; \
	VPADDQ t, d1l, h1


// TIMES20 sets dst to 20*x, for the multiplier limbs that wrap past 2^130.
#define TIMES20(x, dst, t) \
	VPSLLQ $2, x, t; \
	VPSLLQ $4, x, dst; \
	VPADDQ t, dst, dst

// POWERS_STEP multiplies lane j of the powers (Z0, Z1, Z2) by lane j-d,
// and lanes j < d by one, shifting in one = (1, 0, 0) from Z10 and Z11.
#define POWERS_STEP(d) \
	VALIGNQ $(8-d), Z10, Z0, Z12; \
	VALIGNQ $(8-d), Z11, Z1, Z13; \
	VALIGNQ $(8-d), Z11, Z2, Z14; \
	TIMES20(Z13, Z15, Z9); \
	TIMES20(Z14, Z16, Z9); \
	MULTIPLY(Z0, Z1, Z2, Z12, Z13, Z14, Z15, Z16, Z3, Z4, Z5, Z6, Z7, Z8); \
	CARRY(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9)

// lastPassOrder<> permutes r^9..r^16 (or r^1..r^8) into the lanes of a
// stream's last pass: lanes 2k and 2k+1 hold blocks k and k+4 of the
// stream's eight, and the block at chunk position q needs r^(16-q).
DATA lastPassOrder<>+0x00(SB)/8, $7
DATA lastPassOrder<>+0x08(SB)/8, $3
DATA lastPassOrder<>+0x10(SB)/8, $6
DATA lastPassOrder<>+0x18(SB)/8, $2
DATA lastPassOrder<>+0x20(SB)/8, $5
DATA lastPassOrder<>+0x28(SB)/8, $1
DATA lastPassOrder<>+0x30(SB)/8, $4
DATA lastPassOrder<>+0x38(SB)/8, $0
GLOBL lastPassOrder<>(SB), RODATA|NOPTR, $64

// func blocksIFMA(acc *[3][8]uint64, msg *byte, chunks int, r0, r1 uint64)
//
// The frame holds the last-pass multipliers: stream A's r0, r1, r2, 20r1,
// 20r2 at 0-319(SP), stream B's at 320-639(SP).
TEXT ·blocksIFMA(SB), 0, $640-40
	MOVQ         $0xfffffffffff, AX
	VPBROADCASTQ AX, MASK44
	MOVQ         $0x3ffffffffff, AX
	VPBROADCASTQ AX, MASK42
	MOVQ         $0x10000000000, AX
	VPBROADCASTQ AX, PADBIT

	// Split the clamped r into limbs and put it in every lane.
	MOVQ         r0+24(FP), AX
	MOVQ         r1+32(FP), BX
	MOVQ         $0xfffffffffff, DX
	MOVQ         AX, CX
	ANDQ         DX, CX
	VPBROADCASTQ CX, Z0
	MOVQ         BX, CX
	SHLQ         $20, CX
	SHRQ         $44, AX
	ORQ          AX, CX
	ANDQ         DX, CX
	VPBROADCASTQ CX, Z1
	SHRQ         $24, BX
	VPBROADCASTQ BX, Z2

	// Prefix products turn r in every lane into r^1..r^8 in lanes 0-7.
	MOVQ         $1, AX
	VPBROADCASTQ AX, Z10
	VPXORQ       Z11, Z11, Z11
	POWERS_STEP(1)
	POWERS_STEP(2)
	POWERS_STEP(4)

	// r^9..r^16 = r^1..r^8 times r^8, into Z18-Z20.
	MOVQ         $7, AX
	VPBROADCASTQ AX, Z17
	VPERMQ       Z0, Z17, Z12
	VPERMQ       Z1, Z17, Z13
	VPERMQ       Z2, Z17, Z14
	TIMES20(Z13, Z15, Z9)
	TIMES20(Z14, Z16, Z9)
	MULTIPLY(Z0, Z1, Z2, Z12, Z13, Z14, Z15, Z16, Z3, Z4, Z5, Z6, Z7, Z8)
	CARRY(Z18, Z19, Z20, Z3, Z4, Z5, Z6, Z7, Z8, Z9)

	// r^16 in every lane multiplies the accumulators between passes.
	VPERMQ  Z18, Z17, Z24
	VPERMQ  Z19, Z17, Z25
	VPERMQ  Z20, Z17, Z26
	TIMES20(Z25, Z27, Z9)
	TIMES20(Z26, Z28, Z9)

	// Last-pass multipliers: stream A takes r^16..r^9, stream B r^8..r^1.
	VMOVDQU64 lastPassOrder<>(SB), Z17
	VPERMQ    Z18, Z17, Z12
	VPERMQ    Z19, Z17, Z13
	VPERMQ    Z20, Z17, Z14
	TIMES20(Z13, Z15, Z9)
	TIMES20(Z14, Z16, Z9)
	VMOVDQU64 Z12, 0(SP)
	VMOVDQU64 Z13, 64(SP)
	VMOVDQU64 Z14, 128(SP)
	VMOVDQU64 Z15, 192(SP)
	VMOVDQU64 Z16, 256(SP)
	VPERMQ    Z0, Z17, Z12
	VPERMQ    Z1, Z17, Z13
	VPERMQ    Z2, Z17, Z14
	TIMES20(Z13, Z15, Z9)
	TIMES20(Z14, Z16, Z9)
	VMOVDQU64 Z12, 320(SP)
	VMOVDQU64 Z13, 384(SP)
	VMOVDQU64 Z14, 448(SP)
	VMOVDQU64 Z15, 512(SP)
	VMOVDQU64 Z16, 576(SP)

	MOVQ acc+0(FP), DI
	MOVQ msg+8(FP), SI
	MOVQ chunks+16(FP), CX

	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z12, Z12, Z12
	VPXORQ Z13, Z13, Z13
	VPXORQ Z14, Z14, Z14

	DECQ CX
	JZ   lastChunk

chunk:
	ADD_BLOCKS(0, Z0, Z1, Z2, Z9, Z10, Z11)
	ADD_BLOCKS(128, Z12, Z13, Z14, Z21, Z22, Z23)
	MULTIPLY(Z0, Z1, Z2, Z24, Z25, Z26, Z27, Z28, Z3, Z4, Z5, Z6, Z7, Z8)
	MULTIPLY(Z12, Z13, Z14, Z24, Z25, Z26, Z27, Z28, Z15, Z16, Z17, Z18, Z19, Z20)
	CARRY(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9)
	CARRY(Z12, Z13, Z14, Z15, Z16, Z17, Z18, Z19, Z20, Z21)
	ADDQ $256, SI
	DECQ CX
	JNZ  chunk

lastChunk:
	ADD_BLOCKS(0, Z0, Z1, Z2, Z9, Z10, Z11)
	ADD_BLOCKS(128, Z12, Z13, Z14, Z21, Z22, Z23)
	MULTIPLY(Z0, Z1, Z2, 0(SP), 64(SP), 128(SP), 192(SP), 256(SP), Z3, Z4, Z5, Z6, Z7, Z8)
	MULTIPLY(Z12, Z13, Z14, 320(SP), 384(SP), 448(SP), 512(SP), 576(SP), Z15, Z16, Z17, Z18, Z19, Z20)
	CARRY(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9)
	CARRY(Z12, Z13, Z14, Z15, Z16, Z17, Z18, Z19, Z20, Z21)

	VPADDQ    Z12, Z0, Z0
	VPADDQ    Z13, Z1, Z1
	VPADDQ    Z14, Z2, Z2
	VMOVDQU64 Z0, 0(DI)
	VMOVDQU64 Z1, 64(DI)
	VMOVDQU64 Z2, 128(DI)

	VZEROUPPER
	RET
