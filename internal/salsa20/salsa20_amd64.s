//go:build amd64 && gc && !purego

#include "textflag.h"

// Sixteen Salsa20 blocks at a time. During the rounds, Zi holds state word
// i of 16 consecutive blocks (lane j = block counter + j). Z16-Z19 are
// scratch, Z20-Z23 hold finished output blocks, Z30 holds the counter words
// of the current chunk and Z31 the per-chunk counter step of 16.

// laneOffsets<> is added to the broadcast counter word: lane j gets +j.
DATA laneOffsets<>+0x00(SB)/4, $0
DATA laneOffsets<>+0x04(SB)/4, $1
DATA laneOffsets<>+0x08(SB)/4, $2
DATA laneOffsets<>+0x0c(SB)/4, $3
DATA laneOffsets<>+0x10(SB)/4, $4
DATA laneOffsets<>+0x14(SB)/4, $5
DATA laneOffsets<>+0x18(SB)/4, $6
DATA laneOffsets<>+0x1c(SB)/4, $7
DATA laneOffsets<>+0x20(SB)/4, $8
DATA laneOffsets<>+0x24(SB)/4, $9
DATA laneOffsets<>+0x28(SB)/4, $10
DATA laneOffsets<>+0x2c(SB)/4, $11
DATA laneOffsets<>+0x30(SB)/4, $12
DATA laneOffsets<>+0x34(SB)/4, $13
DATA laneOffsets<>+0x38(SB)/4, $14
DATA laneOffsets<>+0x3c(SB)/4, $15
GLOBL laneOffsets<>(SB), RODATA|NOPTR, $64

// STEP4 performs t ^= rotl(p+q, r) for four independent (t, p, q) triples.
#define STEP4(t0, p0, q0, t1, p1, q1, t2, p2, q2, t3, p3, q3, r) \
	VPADDD p0, q0, Z16; \
	VPADDD p1, q1, Z17; \
	VPADDD p2, q2, Z18; \
	VPADDD p3, q3, Z19; \
	VPROLD r, Z16, Z16; \
	VPROLD r, Z17, Z17; \
	VPROLD r, Z18, Z18; \
	VPROLD r, Z19, Z19; \
	VPXORD Z16, t0, t0; \
	VPXORD Z17, t1, t1; \
	VPXORD Z18, t2, t2; \
	VPXORD Z19, t3, t3

// QUARTER4 runs four independent Salsa20 quarter-rounds on (y0, y1, y2, y3):
// y1 ^= rotl(y0+y3, 7); y2 ^= rotl(y1+y0, 9); y3 ^= rotl(y2+y1, 13);
// y0 ^= rotl(y3+y2, 18).
#define QUARTER4(a0, a1, a2, a3, b0, b1, b2, b3, c0, c1, c2, c3, d0, d1, d2, d3) \
	STEP4(a1, a0, a3, b1, b0, b3, c1, c0, c3, d1, d0, d3, $7); \
	STEP4(a2, a1, a0, b2, b1, b0, c2, c1, c0, d2, d1, d0, $9); \
	STEP4(a3, a2, a1, b3, b2, b1, c3, c2, c1, d3, d2, d1, $13); \
	STEP4(a0, a3, a2, b0, b3, b2, c0, c3, c2, d0, d3, d2, $18)

// TRANSPOSE4 transposes the 4x4 dword matrices inside each 128-bit lane of
// x0..x3: afterwards lane L of xk holds words x0..x3 of block 4L+k.
#define TRANSPOSE4(x0, x1, x2, x3) \
	VPUNPCKLDQ x1, x0, Z16; \
	VPUNPCKHDQ x1, x0, Z17; \
	VPUNPCKLDQ x3, x2, Z18; \
	VPUNPCKHDQ x3, x2, Z19; \
	VPUNPCKLQDQ Z18, Z16, x0; \
	VPUNPCKHQDQ Z18, Z16, x1; \
	VPUNPCKLQDQ Z19, Z17, x2; \
	VPUNPCKHQDQ Z19, Z17, x3

// OUTPUT4 gathers lane L of a, b, c, d (words 0-3, 4-7, 8-11, 12-15 of one
// block) into one register per block, XORs it with the input at the given
// offsets and stores it to the output at the same offsets.
#define OUTPUT4(a, b, c, d, off0, off1, off2, off3) \
	VSHUFI32X4 $0x44, b, a, Z16; \
	VSHUFI32X4 $0xee, b, a, Z17; \
	VSHUFI32X4 $0x44, d, c, Z18; \
	VSHUFI32X4 $0xee, d, c, Z19; \
	VSHUFI32X4 $0x88, Z18, Z16, Z20; \
	VSHUFI32X4 $0xdd, Z18, Z16, Z21; \
	VSHUFI32X4 $0x88, Z19, Z17, Z22; \
	VSHUFI32X4 $0xdd, Z19, Z17, Z23; \
	VPXORD off0(SI), Z20, Z20; \
	VPXORD off1(SI), Z21, Z21; \
	VPXORD off2(SI), Z22, Z22; \
	VPXORD off3(SI), Z23, Z23; \
	VMOVDQU32 Z20, off0(DI); \
	VMOVDQU32 Z21, off1(DI); \
	VMOVDQU32 Z22, off2(DI); \
	VMOVDQU32 Z23, off3(DI)

// func xorChunksAVX512(out, in *byte, chunks int, state *[16]uint32)
TEXT ·xorChunksAVX512(SB), NOSPLIT, $0-32
	MOVQ out+0(FP), DI
	MOVQ in+8(FP), SI
	MOVQ chunks+16(FP), CX
	MOVQ state+24(FP), AX

	VPBROADCASTD 32(AX), Z30
	VPADDD       laneOffsets<>(SB), Z30, Z30
	MOVL         $16, DX
	VPBROADCASTD DX, Z31

chunk:
	VPBROADCASTD 0(AX), Z0
	VPBROADCASTD 4(AX), Z1
	VPBROADCASTD 8(AX), Z2
	VPBROADCASTD 12(AX), Z3
	VPBROADCASTD 16(AX), Z4
	VPBROADCASTD 20(AX), Z5
	VPBROADCASTD 24(AX), Z6
	VPBROADCASTD 28(AX), Z7
	VMOVDQA32    Z30, Z8
	VPBROADCASTD 36(AX), Z9
	VPBROADCASTD 40(AX), Z10
	VPBROADCASTD 44(AX), Z11
	VPBROADCASTD 48(AX), Z12
	VPBROADCASTD 52(AX), Z13
	VPBROADCASTD 56(AX), Z14
	VPBROADCASTD 60(AX), Z15

	MOVQ $10, DX

doubleRound:
	// Column round.
	QUARTER4(Z0, Z4, Z8, Z12, Z5, Z9, Z13, Z1, Z10, Z14, Z2, Z6, Z15, Z3, Z7, Z11)

	// Row round.
	QUARTER4(Z0, Z1, Z2, Z3, Z5, Z6, Z7, Z4, Z10, Z11, Z8, Z9, Z15, Z12, Z13, Z14)

	DECQ DX
	JNZ  doubleRound

	// Add the input block back in.
	VPADDD.BCST 0(AX), Z0, Z0
	VPADDD.BCST 4(AX), Z1, Z1
	VPADDD.BCST 8(AX), Z2, Z2
	VPADDD.BCST 12(AX), Z3, Z3
	VPADDD.BCST 16(AX), Z4, Z4
	VPADDD.BCST 20(AX), Z5, Z5
	VPADDD.BCST 24(AX), Z6, Z6
	VPADDD.BCST 28(AX), Z7, Z7
	VPADDD      Z30, Z8, Z8
	VPADDD.BCST 36(AX), Z9, Z9
	VPADDD.BCST 40(AX), Z10, Z10
	VPADDD.BCST 44(AX), Z11, Z11
	VPADDD.BCST 48(AX), Z12, Z12
	VPADDD.BCST 52(AX), Z13, Z13
	VPADDD.BCST 56(AX), Z14, Z14
	VPADDD.BCST 60(AX), Z15, Z15

	// Turn 16 registers of one word per block into 16 blocks.
	TRANSPOSE4(Z0, Z1, Z2, Z3)
	TRANSPOSE4(Z4, Z5, Z6, Z7)
	TRANSPOSE4(Z8, Z9, Z10, Z11)
	TRANSPOSE4(Z12, Z13, Z14, Z15)

	OUTPUT4(Z0, Z4, Z8, Z12, 0, 256, 512, 768)
	OUTPUT4(Z1, Z5, Z9, Z13, 64, 320, 576, 832)
	OUTPUT4(Z2, Z6, Z10, Z14, 128, 384, 640, 896)
	OUTPUT4(Z3, Z7, Z11, Z15, 192, 448, 704, 960)

	VPADDD Z31, Z30, Z30
	ADDQ   $1024, SI
	ADDQ   $1024, DI
	DECQ   CX
	JNZ    chunk

	VZEROUPPER
	RET
