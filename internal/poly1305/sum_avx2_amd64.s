//go:build amd64 && gc && !purego

#include "textflag.h"

// Poly1305 with AVX2, four blocks per chunk in four 64-bit lanes. Each lane
// accumulates every 4th block in radix 2^26 (five limbs, one YMM register
// per limb; VPMULUDQ multiplies the low 32 bits of each lane into 64).
// Horner's rule per lane is h = (h + chunk) * r^4; two chunks A, B at a
// time it is h = (h + A) * r^8 + B * r^4, which needs one carry chain
// instead of two, and B * r^4 does not wait for h. In the last chunk each
// lane gets the power of r that its block position needs, so that the
// lane sums add up to the ordinary Horner result. The powers r^2..r^8 are
// computed here too, by prefix products across the lanes.
//
// Registers: Y0-Y4 accumulator limbs, Y5-Y9 product columns, Y10-Y13
// scratch, Y14 2^26-1, Y15 2^24 (the 2^128 bit of a block, in limb 4).
//
// Frame, from the 32-byte aligned base in BX: four multipliers of nine
// four-lane vectors each, the limbs m0..m4 and then 5*m1..5*m4 (which fold
// the products past 2^130 back, since 2^130 = 5 mod p):
//   MAIN4  r^4 in every lane
//   LAST   r^4, r^2, r^3, r^1, for the last chunk
//   STEP   the multiplier of one prefix-product step
//   MAIN8  r^8 in every lane, computed only for six chunks or more

#define MAIN4 0
#define LAST 288
#define STEP 576
#define MAIN8 864

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

// LOAD_CHUNK loads the four 16-byte blocks at off(SI): the low halves go
// to lo, the high halves to hi. Unpacking puts blocks 0, 2, 1, 3 into
// lanes 0, 1, 2, 3.
#define LOAD_CHUNK(off, lo, hi, t) \
	VMOVDQU     off(SI), lo; \
	VMOVDQU     off+32(SI), t; \
	VPUNPCKHQDQ t, lo, hi; \
	VPUNPCKLQDQ t, lo, lo

// LIMB0 .. LIMB4 set x to one radix 2^26 limb of the blocks in lo, hi;
// LIMB4 includes the 2^128 bit that ends every full block.
#define LIMB0(x) \
	VPAND MASK26, Y10, x

#define LIMB1(x) \
	VPSRLQ $26, Y10, x; \
	VPAND  MASK26, x, x

#define LIMB2(x) \
	VPSRLQ $52, Y10, x; \
	VPSLLQ $12, Y12, Y13; \
	VPOR   Y13, x, x; \
	VPAND  MASK26, x, x

#define LIMB3(x) \
	VPSRLQ $14, Y12, x; \
	VPAND  MASK26, x, x

#define LIMB4(x) \
	VPSRLQ $40, Y12, x; \
	VPOR   PADBIT, x, x

// ADD_CHUNK adds the four blocks at off(SI) to the accumulator.
#define ADD_CHUNK(off) \
	LOAD_CHUNK(off, Y10, Y12, Y11); \
	LIMB0(Y11); \
	VPADDQ Y11, H0, H0; \
	LIMB1(Y11); \
	VPADDQ Y11, H1, H1; \
	LIMB2(Y11); \
	VPADDQ Y11, H2, H2; \
	LIMB3(Y11); \
	VPADDQ Y11, H3, H3; \
	LIMB4(Y11); \
	VPADDQ Y11, H4, H4

// The product columns of x*m modulo p, for x = x0 + x1*2^26 + ... and the
// multiplier at m(BX): column k collects the products of weight 2^(26k),
// and 2^130 = 5 mod p folds the higher ones down:
//   d0 = x0*m0 + x1*5m4 + x2*5m3 + x3*5m2 + x4*5m1
//   d1 = x0*m1 + x1*m0  + x2*5m4 + x3*5m3 + x4*5m2
//   d2 = x0*m2 + x1*m1  + x2*m0  + x3*5m4 + x4*5m3
//   d3 = x0*m3 + x1*m2  + x2*m1  + x3*m0  + x4*5m4
//   d4 = x0*m4 + x1*m3  + x2*m2  + x3*m1  + x4*m0
// The offsets of m0..m4 are 0, 32, 64, 96, 128 and of 5m1..5m4 160, 192,
// 224, 256. MUL_LIMB0 sets the columns to the products with x0; MUL_LIMB
// adds the products with another limb x, whose multipliers for columns
// 0..4 are at o0..o4.
#define MUL_LIMB0(x, m) \
	VPMULUDQ m+0(BX), x, D0; \
	VPMULUDQ m+32(BX), x, D1; \
	VPMULUDQ m+64(BX), x, D2; \
	VPMULUDQ m+96(BX), x, D3; \
	VPMULUDQ m+128(BX), x, D4

#define MUL_LIMB(x, m, o0, o1, o2, o3, o4) \
	VPMULUDQ m+o0(BX), x, Y13; \
	VPADDQ   Y13, D0, D0; \
	VPMULUDQ m+o1(BX), x, Y13; \
	VPADDQ   Y13, D1, D1; \
	VPMULUDQ m+o2(BX), x, Y13; \
	VPADDQ   Y13, D2, D2; \
	VPMULUDQ m+o3(BX), x, Y13; \
	VPADDQ   Y13, D3, D3; \
	VPMULUDQ m+o4(BX), x, Y13; \
	VPADDQ   Y13, D4, D4

#define MUL_LIMB_1(x, m) MUL_LIMB(x, m, 256, 0, 32, 64, 96)
#define MUL_LIMB_2(x, m) MUL_LIMB(x, m, 224, 256, 0, 32, 64)
#define MUL_LIMB_3(x, m) MUL_LIMB(x, m, 192, 224, 256, 0, 32)
#define MUL_LIMB_4(x, m) MUL_LIMB(x, m, 160, 192, 224, 256, 0)

// MULTIPLY sets the columns to h*m.
#define MULTIPLY(m) \
	MUL_LIMB0(H0, m); \
	MUL_LIMB_1(H1, m); \
	MUL_LIMB_2(H2, m); \
	MUL_LIMB_3(H3, m); \
	MUL_LIMB_4(H4, m)

// MULTIPLY_ADD adds h*m to the columns.
#define MULTIPLY_ADD(m) \
	MUL_LIMB(H0, m, 0, 32, 64, 96, 128); \
	MUL_LIMB_1(H1, m); \
	MUL_LIMB_2(H2, m); \
	MUL_LIMB_3(H3, m); \
	MUL_LIMB_4(H4, m)

// MULTIPLY_CHUNK sets the columns to the four blocks at off(SI) times m,
// splitting each limb just before its products.
#define MULTIPLY_CHUNK(off, m) \
	LOAD_CHUNK(off, Y10, Y12, Y11); \
	LIMB0(Y11); \
	MUL_LIMB0(Y11, m); \
	LIMB1(Y11); \
	MUL_LIMB_1(Y11, m); \
	LIMB2(Y11); \
	MUL_LIMB_2(Y11, m); \
	LIMB3(Y11); \
	MUL_LIMB_3(Y11, m); \
	LIMB4(Y11); \
	MUL_LIMB_4(Y11, m)

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
TEXT ·blocksAVX2(SB), 0, $1184-40
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

	// r^4 in every lane for the single chunks, and for the last chunk
	// lanes 0-3 (blocks 0, 2, 1, 3 of the chunk) take r^4, r^2, r^3, r^1.
	PERMUTE_INTO(0xff, MAIN4)
	PERMUTE_INTO(0x27, LAST)

	MOVQ acc+0(FP), DI
	MOVQ msg+8(FP), SI
	MOVQ chunks+16(FP), CX

	// r^8 = r^4 * r^4 for the chunk pairs. They start from six chunks:
	// below that the extra setup costs about what the pairs save.
	CMPQ CX, $6
	JB   start
	MULTIPLY(MAIN4)
	CARRY
	PERMUTE_INTO(0xff, MAIN8)

start:
	VPXOR H0, H0, H0
	VPXOR H1, H1, H1
	VPXOR H2, H2, H2
	VPXOR H3, H3, H3
	VPXOR H4, H4, H4

	// Pairs of chunks while at least three are left, so that one remains
	// for the last; then single chunks.
	CMPQ CX, $6
	JB   single

pair:
	MULTIPLY_CHUNK(64, MAIN4)
	ADD_CHUNK(0)
	MULTIPLY_ADD(MAIN8)
	CARRY
	ADDQ $128, SI
	SUBQ $2, CX
	CMPQ CX, $3
	JAE  pair

single:
	CMPQ CX, $2
	JB   lastChunk
	ADD_CHUNK(0)
	MULTIPLY(MAIN4)
	CARRY
	ADDQ $64, SI
	DECQ CX
	JMP  single

lastChunk:
	ADD_CHUNK(0)
	MULTIPLY(LAST)
	CARRY

	HSUM(H0, X0, 0)
	HSUM(H1, X1, 8)
	HSUM(H2, X2, 16)
	HSUM(H3, X3, 24)
	HSUM(H4, X4, 32)

	VZEROUPPER
	RET
