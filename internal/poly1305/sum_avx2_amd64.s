//go:build amd64 && gc && !purego

#include "textflag.h"

// Poly1305 with AVX2, four blocks per pass in four 64-bit lanes. Each lane
// accumulates every 4th block in radix 2^26 (five limbs, one YMM register
// per limb; VPMULUDQ multiplies the low 32 bits of each lane into 64).
// Between passes every lane is multiplied by r^4; in the last pass each
// lane gets the power of r that its block position needs, so that the lane
// sums add up to the ordinary Horner result. The powers r^2..r^4 are
// computed here too, by prefix products across the lanes.
//
// Registers: Y0-Y4 accumulator limbs, Y5-Y9 product columns, Y10-Y13
// scratch, Y14 2^26-1, Y15 2^24 (the 2^128 bit of a block, in limb 4).
//
// Frame, from the 32-byte aligned base in BX: three multipliers of nine
// four-lane vectors each, the limbs m0..m4 and then 5*m1..5*m4 (which fold
// the products past 2^130 back, since 2^130 = 5 mod p):
//   MAIN  r^4 in every lane, for every pass but the last
//   LAST  r^4, r^2, r^3, r^1, for the last pass
//   STEP  the multiplier of one prefix-product step

#define MAIN 0
#define LAST 288
#define STEP 576

#define H0 Y0
#define H1 Y1
#define H2 Y2
#define H3 Y3
#define H4 Y4
#define D0 Y5
#define D1 Y6
#define D2 Y7
#define D3 Y8
#define D4 Y9
#define MASK26 Y14
#define PADBIT Y15

// ADD_BLOCKS loads four 16-byte blocks at 0(SI), splits them into limbs
// and adds them to the accumulator. Unpacking puts blocks 0, 2, 1, 3 into
// lanes 0, 1, 2, 3.
#define ADD_BLOCKS \
	VMOVDQU     0(SI), Y10; \
	VMOVDQU     32(SI), Y11; \
	VPUNPCKHQDQ Y11, Y10, Y12; \
	VPUNPCKLQDQ Y11, Y10, Y10; \
	VPAND       MASK26, Y10, Y11; \
	VPADDQ      Y11, H0, H0; \
	VPSRLQ      $26, Y10, Y11; \
	VPAND       MASK26, Y11, Y11; \
	VPADDQ      Y11, H1, H1; \
	VPSRLQ      $52, Y10, Y11; \
	VPSLLQ      $12, Y12, Y13; \
	VPOR        Y13, Y11, Y11; \
	VPAND       MASK26, Y11, Y11; \
	VPADDQ      Y11, H2, H2; \
	VPSRLQ      $14, Y12, Y11; \
	VPAND       MASK26, Y11, Y11; \
	VPADDQ      Y11, H3, H3; \
	VPSRLQ      $40, Y12, Y12; \
	VPOR        PADBIT, Y12, Y12; \
	VPADDQ      Y12, H4, H4

// MULTIPLY forms the product columns of h*r modulo p with the multiplier
// at m(BX). Column k collects the products of weight 2^(26k), and
// 2^130 = 5 mod p folds the higher ones down:
//   d0 = h0*r0 + h1*5r4 + h2*5r3 + h3*5r2 + h4*5r1
//   d1 = h0*r1 + h1*r0  + h2*5r4 + h3*5r3 + h4*5r2
//   d2 = h0*r2 + h1*r1  + h2*r0  + h3*5r4 + h4*5r3
//   d3 = h0*r3 + h1*r2  + h2*r1  + h3*r0  + h4*5r4
//   d4 = h0*r4 + h1*r3  + h2*r2  + h3*r1  + h4*r0
#define MULTIPLY(m) \
	VPMULUDQ m+0(BX), H0, D0; \
	VPMULUDQ m+32(BX), H0, D1; \
	VPMULUDQ m+64(BX), H0, D2; \
	VPMULUDQ m+96(BX), H0, D3; \
	VPMULUDQ m+128(BX), H0, D4; \
	VPMULUDQ m+256(BX), H1, Y10; \
	VPMULUDQ m+0(BX), H1, Y11; \
	VPMULUDQ m+32(BX), H1, Y12; \
	VPMULUDQ m+64(BX), H1, Y13; \
	VPADDQ   Y10, D0, D0; \
	VPADDQ   Y11, D1, D1; \
	VPADDQ   Y12, D2, D2; \
	VPADDQ   Y13, D3, D3; \
	VPMULUDQ m+96(BX), H1, Y10; \
	VPMULUDQ m+224(BX), H2, Y11; \
	VPMULUDQ m+256(BX), H2, Y12; \
	VPMULUDQ m+0(BX), H2, Y13; \
	VPADDQ   Y10, D4, D4; \
	VPADDQ   Y11, D0, D0; \
	VPADDQ   Y12, D1, D1; \
	VPADDQ   Y13, D2, D2; \
	VPMULUDQ m+32(BX), H2, Y10; \
	VPMULUDQ m+64(BX), H2, Y11; \
	VPMULUDQ m+192(BX), H3, Y12; \
	VPMULUDQ m+224(BX), H3, Y13; \
	VPADDQ   Y10, D3, D3; \
	VPADDQ   Y11, D4, D4; \
	VPADDQ   Y12, D0, D0; \
	VPADDQ   Y13, D1, D1; \
	VPMULUDQ m+256(BX), H3, Y10; \
	VPMULUDQ m+0(BX), H3, Y11; \
	VPMULUDQ m+32(BX), H3, Y12; \
	VPMULUDQ m+160(BX), H4, Y13; \
	VPADDQ   Y10, D2, D2; \
	VPADDQ   Y11, D3, D3; \
	VPADDQ   Y12, D4, D4; \
	VPADDQ   Y13, D0, D0; \
	VPMULUDQ m+192(BX), H4, Y10; \
	VPMULUDQ m+224(BX), H4, Y11; \
	VPMULUDQ m+256(BX), H4, Y12; \
	VPMULUDQ m+0(BX), H4, Y13; \
	VPADDQ   Y10, D1, D1; \
	VPADDQ   Y11, D2, D2; \
	VPADDQ   Y12, D3, D3; \
	VPADDQ   Y13, D4, D4

// CARRY turns the product columns back into limbs: h0, h2, h3 below 2^26,
// h1 and h4 below 2^26+2^11. Two chains run side by side, d0 -> d1 -> d2
// -> h3 -> h4 and d3 -> d4 -> h0 -> h1, where the carry out of d4 weighs
// 2^130 and comes back into h0 times 5.
#define CARRY \
	VPSRLQ $26, D0, Y10; \
	VPSRLQ $26, D3, Y11; \
	VPAND  MASK26, D0, H0; \
	VPAND  MASK26, D3, H3; \
	VPADDQ Y10, D1, D1; \
	VPADDQ Y11, D4, D4; \
	VPSRLQ $26, D1, Y10; \
	VPSRLQ $26, D4, Y11; \
	VPAND  MASK26, D1, H1; \
	VPAND  MASK26, D4, H4; \
	VPADDQ Y10, D2, D2; \
	VPADDQ Y11, H0, H0; \
	VPSLLQ $2, Y11, Y11; \
	VPADDQ Y11, H0, H0; \
	VPSRLQ $26, D2, Y10; \
	VPSRLQ $26, H0, Y11; \
	VPAND  MASK26, D2, H2; \
	VPAND  MASK26, H0, H0; \
	VPADDQ Y10, H3, H3; \
	VPADDQ Y11, H1, H1; \
	VPSRLQ $26, H3, Y10; \
	VPAND  MASK26, H3, H3; \
	VPADDQ Y10, H4, H4

// STORE_LIMB0 stores x as limb 0 of the multiplier at m(BX).
#define STORE_LIMB0(x, m) \
	VMOVDQU x, m(BX)

// STORE_LIMB stores x as limb i (1 to 4) of the multiplier at m(BX), and
// 5*x beside it.
#define STORE_LIMB(x, m, i) \
	VMOVDQU x, m+32*i(BX); \
	VPSLLQ  $2, x, Y13; \
	VPADDQ  x, Y13, Y13; \
	VMOVDQU Y13, m+128+32*i(BX)

// PERMUTE_INTO stores the lanes of the accumulator, rearranged by the
// VPERMQ selector sel, as the multiplier at m(BX).
#define PERMUTE_INTO(sel, m) \
	VPERMQ $sel, H0, Y10; \
	STORE_LIMB0(Y10, m); \
	VPERMQ $sel, H1, Y10; \
	STORE_LIMB(Y10, m, 1); \
	VPERMQ $sel, H2, Y10; \
	STORE_LIMB(Y10, m, 2); \
	VPERMQ $sel, H3, Y10; \
	STORE_LIMB(Y10, m, 3); \
	VPERMQ $sel, H4, Y10; \
	STORE_LIMB(Y10, m, 4)

// BROADCAST_LIMB sets h to the limb in AX in every lane.
#define BROADCAST_LIMB(h) \
	VMOVQ        AX, X10; \
	VPBROADCASTQ X10, h

// HSUM stores the sum of the four lanes of h to off(DI).
#define HSUM(h, x, off) \
	VEXTRACTI128 $1, h, X10; \
	VPADDQ       X10, x, X10; \
	VPSHUFD      $0x4e, X10, X11; \
	VPADDQ       X11, X10, X10; \
	VMOVQ        X10, off(DI)

// func blocksAVX2(acc *[5]uint64, msg *byte, chunks int, r0, r1 uint64)
TEXT ·blocksAVX2(SB), 0, $896-40
	MOVQ SP, BX
	ADDQ $31, BX
	ANDQ $-32, BX

	MOVQ         $0x3ffffff, AX
	VMOVQ        AX, X14
	VPBROADCASTQ X14, MASK26
	MOVQ         $0x1000000, AX
	VMOVQ        AX, X15
	VPBROADCASTQ X15, PADBIT

	// Split the clamped r into limbs and put it in every lane.
	MOVQ r0+24(FP), CX
	MOVQ r1+32(FP), DX
	MOVQ CX, AX
	ANDQ $0x3ffffff, AX
	BROADCAST_LIMB(H0)
	MOVQ CX, AX
	SHRQ $26, AX
	ANDQ $0x3ffffff, AX
	BROADCAST_LIMB(H1)
	MOVQ CX, AX
	SHRQ $52, AX
	MOVQ DX, SI
	SHLQ $12, SI
	ORQ  SI, AX
	ANDQ $0x3ffffff, AX
	BROADCAST_LIMB(H2)
	MOVQ DX, AX
	SHRQ $14, AX
	ANDQ $0x3ffffff, AX
	BROADCAST_LIMB(H3)
	MOVQ DX, AX
	SHRQ $40, AX
	BROADCAST_LIMB(H4)

	// Prefix products: (r, r, r, r) times (1, r, r, r) is (r, r^2, r^2,
	// r^2), and that times (1, 1, r, r^2) is (r, r^2, r^3, r^4). The
	// blends put one = (1, 0, 0, 0, 0) into lane 0, then lanes 0 and 1.
	MOVQ         $1, AX
	VMOVQ        AX, X12
	VPBROADCASTQ X12, Y12
	VPXOR        Y11, Y11, Y11
	VPBLENDD     $0x03, Y12, H0, Y10
	STORE_LIMB0(Y10, STEP)
	VPBLENDD     $0x03, Y11, H1, Y10
	STORE_LIMB(Y10, STEP, 1)
	VPBLENDD     $0x03, Y11, H2, Y10
	STORE_LIMB(Y10, STEP, 2)
	VPBLENDD     $0x03, Y11, H3, Y10
	STORE_LIMB(Y10, STEP, 3)
	VPBLENDD     $0x03, Y11, H4, Y10
	STORE_LIMB(Y10, STEP, 4)
	MULTIPLY(STEP)
	CARRY

	MOVQ         $1, AX
	VMOVQ        AX, X12
	VPBROADCASTQ X12, Y12
	VPXOR        Y11, Y11, Y11
	VPERMQ       $0x40, H0, Y10
	VPBLENDD     $0x0f, Y12, Y10, Y10
	STORE_LIMB0(Y10, STEP)
	VPERMQ       $0x40, H1, Y10
	VPBLENDD     $0x0f, Y11, Y10, Y10
	STORE_LIMB(Y10, STEP, 1)
	VPERMQ       $0x40, H2, Y10
	VPBLENDD     $0x0f, Y11, Y10, Y10
	STORE_LIMB(Y10, STEP, 2)
	VPERMQ       $0x40, H3, Y10
	VPBLENDD     $0x0f, Y11, Y10, Y10
	STORE_LIMB(Y10, STEP, 3)
	VPERMQ       $0x40, H4, Y10
	VPBLENDD     $0x0f, Y11, Y10, Y10
	STORE_LIMB(Y10, STEP, 4)
	MULTIPLY(STEP)
	CARRY

	// r^4 in every lane for the passes between, and for the last pass
	// lanes 0-3 (blocks 0, 2, 1, 3 of the chunk) take r^4, r^2, r^3, r^1.
	PERMUTE_INTO(0xff, MAIN)
	PERMUTE_INTO(0x27, LAST)

	MOVQ acc+0(FP), DI
	MOVQ msg+8(FP), SI
	MOVQ chunks+16(FP), CX

	VPXOR H0, H0, H0
	VPXOR H1, H1, H1
	VPXOR H2, H2, H2
	VPXOR H3, H3, H3
	VPXOR H4, H4, H4

	DECQ CX
	JZ   lastChunk

chunk:
	ADD_BLOCKS
	MULTIPLY(MAIN)
	CARRY
	ADDQ $64, SI
	DECQ CX
	JNZ  chunk

lastChunk:
	ADD_BLOCKS
	MULTIPLY(LAST)
	CARRY

	HSUM(H0, X0, 0)
	HSUM(H1, X1, 8)
	HSUM(H2, X2, 16)
	HSUM(H3, X3, 24)
	HSUM(H4, X4, 32)

	VZEROUPPER
	RET
