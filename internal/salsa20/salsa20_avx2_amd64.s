//go:build amd64 && gc && !purego

#include "textflag.h"

// Eight Salsa20 blocks at a time in YMM registers. Word i of the eight
// blocks (lane j = block counter + j) is in Yi, except that sixteen words
// and two scratch registers do not fit in sixteen registers: words 2 and 6
// take turns with words 8 and 12 in Y8 and Y12, and Y2 and Y6 are scratch.
// Each round runs as two halves of two quarter-rounds. Words 8 and 12 are
// not needed by the second half of the column round nor by the first half
// of the row round, and words 2 and 6 not by the second half of the row
// round nor by the first half of the column round, so the pair that is not
// needed waits in the frame, and the swaps between halves are off the
// critical path.
//
// Frame, from the 32-byte aligned base in BX:
//   0-511     the input block, each word broadcast to eight lanes; word 8
//             holds the counters of the current chunk
//   512-1023  the working words 0-15 (2 and 6 or 8 and 12 during the
//             rounds, 8-15 while the first half of the output is written)

#define T0 Y2
#define T1 Y6

// laneOffsets8<> is added to the broadcast counter word: lane j gets +j.
DATA laneOffsets8<>+0x00(SB)/4, $0
DATA laneOffsets8<>+0x04(SB)/4, $1
DATA laneOffsets8<>+0x08(SB)/4, $2
DATA laneOffsets8<>+0x0c(SB)/4, $3
DATA laneOffsets8<>+0x10(SB)/4, $4
DATA laneOffsets8<>+0x14(SB)/4, $5
DATA laneOffsets8<>+0x18(SB)/4, $6
DATA laneOffsets8<>+0x1c(SB)/4, $7
GLOBL laneOffsets8<>(SB), RODATA|NOPTR, $32

// counterStep8<> advances the counters of every lane by one chunk.
DATA counterStep8<>+0x00(SB)/4, $8
DATA counterStep8<>+0x04(SB)/4, $8
DATA counterStep8<>+0x08(SB)/4, $8
DATA counterStep8<>+0x0c(SB)/4, $8
DATA counterStep8<>+0x10(SB)/4, $8
DATA counterStep8<>+0x14(SB)/4, $8
DATA counterStep8<>+0x18(SB)/4, $8
DATA counterStep8<>+0x1c(SB)/4, $8
GLOBL counterStep8<>(SB), RODATA|NOPTR, $32

// STEP sets t ^= rotl(p+q, r). There is no 32-bit rotate in AVX2, so it is
// two shifts.
#define STEP(t, p, q, r) \
	VPADDD p, q, T0; \
	VPSLLD $r, T0, T1; \
	VPSRLD $(32-r), T0, T0; \
	VPXOR  T1, t, t; \
	VPXOR  T0, t, t

// HALF runs two independent quarter-rounds on (a, b, c, d):
// b ^= rotl(a+d, 7); c ^= rotl(b+a, 9); d ^= rotl(c+b, 13);
// a ^= rotl(d+c, 18).
#define HALF(a0, b0, c0, d0, a1, b1, c1, d1) \
	STEP(b0, a0, d0, 7); \
	STEP(b1, a1, d1, 7); \
	STEP(c0, b0, a0, 9); \
	STEP(c1, b1, a1, 9); \
	STEP(d0, c0, b0, 13); \
	STEP(d1, c1, b1, 13); \
	STEP(a0, d0, c0, 18); \
	STEP(a1, d1, c1, 18)

// SWAP stores Y8 and Y12 to the frame slots out8 and out12 and loads them
// from in8 and in12.
#define SWAP(out8, out12, in8, in12) \
	VMOVDQU Y8, out8(BX); \
	VMOVDQU Y12, out12(BX); \
	VMOVDQU in8(BX), Y8; \
	VMOVDQU in12(BX), Y12

// TRANSPOSE4 transposes the 4x4 dword matrices inside each 128-bit lane of
// x0..x3: afterwards the low lane of xk holds words x0..x3 of block k and
// the high lane those of block k+4.
#define TRANSPOSE4(x0, x1, x2, x3, t0, t1, t2, t3) \
	VPUNPCKLDQ  x1, x0, t0; \
	VPUNPCKHDQ  x1, x0, t1; \
	VPUNPCKLDQ  x3, x2, t2; \
	VPUNPCKHDQ  x3, x2, t3; \
	VPUNPCKLQDQ t2, t0, x0; \
	VPUNPCKHQDQ t2, t0, x1; \
	VPUNPCKLQDQ t3, t1, x2; \
	VPUNPCKHQDQ t3, t1, x3

// OUTPUT joins the low lanes of lo and hi (eight words of block k) and their
// high lanes (the same words of block k+4), XORs them with the input at off
// and off+256 and stores them to the output there.
#define OUTPUT(lo, hi, off, t0, t1) \
	VPERM2I128 $0x20, hi, lo, t0; \
	VPERM2I128 $0x31, hi, lo, t1; \
	VPXOR      off(SI), t0, t0; \
	VPXOR      off+256(SI), t1, t1; \
	VMOVDQU    t0, off(DI); \
	VMOVDQU    t1, off+256(DI)

// func xorChunksAVX2(out, in *byte, chunks int, state *[16]uint32)
TEXT ·xorChunksAVX2(SB), 0, $1056-32
	MOVQ out+0(FP), DI
	MOVQ in+8(FP), SI
	MOVQ chunks+16(FP), CX
	MOVQ state+24(FP), AX

	MOVQ SP, BX
	ADDQ $31, BX
	ANDQ $-32, BX

	// Broadcast the input block; lane j of word 8 gets counter + j.
	VPBROADCASTD 0(AX), Y0
	VMOVDQU      Y0, 0(BX)
	VPBROADCASTD 4(AX), Y0
	VMOVDQU      Y0, 32(BX)
	VPBROADCASTD 8(AX), Y0
	VMOVDQU      Y0, 64(BX)
	VPBROADCASTD 12(AX), Y0
	VMOVDQU      Y0, 96(BX)
	VPBROADCASTD 16(AX), Y0
	VMOVDQU      Y0, 128(BX)
	VPBROADCASTD 20(AX), Y0
	VMOVDQU      Y0, 160(BX)
	VPBROADCASTD 24(AX), Y0
	VMOVDQU      Y0, 192(BX)
	VPBROADCASTD 28(AX), Y0
	VMOVDQU      Y0, 224(BX)
	VPBROADCASTD 32(AX), Y0
	VPADDD       laneOffsets8<>(SB), Y0, Y0
	VMOVDQU      Y0, 256(BX)
	VPBROADCASTD 36(AX), Y0
	VMOVDQU      Y0, 288(BX)
	VPBROADCASTD 40(AX), Y0
	VMOVDQU      Y0, 320(BX)
	VPBROADCASTD 44(AX), Y0
	VMOVDQU      Y0, 352(BX)
	VPBROADCASTD 48(AX), Y0
	VMOVDQU      Y0, 384(BX)
	VPBROADCASTD 52(AX), Y0
	VMOVDQU      Y0, 416(BX)
	VPBROADCASTD 56(AX), Y0
	VMOVDQU      Y0, 448(BX)
	VPBROADCASTD 60(AX), Y0
	VMOVDQU      Y0, 480(BX)

chunk:
	VMOVDQU 0(BX), Y0
	VMOVDQU 32(BX), Y1
	VMOVDQU 64(BX), T0
	VMOVDQU T0, 576(BX)
	VMOVDQU 96(BX), Y3
	VMOVDQU 128(BX), Y4
	VMOVDQU 160(BX), Y5
	VMOVDQU 192(BX), T0
	VMOVDQU T0, 704(BX)
	VMOVDQU 224(BX), Y7
	VMOVDQU 256(BX), Y8
	VMOVDQU 288(BX), Y9
	VMOVDQU 320(BX), Y10
	VMOVDQU 352(BX), Y11
	VMOVDQU 384(BX), Y12
	VMOVDQU 416(BX), Y13
	VMOVDQU 448(BX), Y14
	VMOVDQU 480(BX), Y15

	MOVQ $10, DX

doubleRound:
	// Column round: quarter-rounds on (0, 4, 8, 12) and (5, 9, 13, 1), then
	// on (10, 14, 2, 6) and (15, 3, 7, 11).
	HALF(Y0, Y4, Y8, Y12, Y5, Y9, Y13, Y1)
	SWAP(768, 896, 576, 704)
	HALF(Y10, Y14, Y8, Y12, Y15, Y3, Y7, Y11)

	// Row round: quarter-rounds on (0, 1, 2, 3) and (5, 6, 7, 4), then on
	// (10, 11, 8, 9) and (15, 12, 13, 14).
	HALF(Y0, Y1, Y8, Y3, Y5, Y12, Y7, Y4)
	SWAP(576, 704, 768, 896)
	HALF(Y10, Y11, Y8, Y9, Y15, Y12, Y13, Y14)

	DECQ DX
	JNZ  doubleRound

	// First half of every block: words 0-7. Words 8-15 wait in the frame.
	VMOVDQU Y8, 768(BX)
	VMOVDQU Y9, 800(BX)
	VMOVDQU Y10, 832(BX)
	VMOVDQU Y11, 864(BX)
	VMOVDQU Y12, 896(BX)
	VMOVDQU Y13, 928(BX)
	VMOVDQU Y14, 960(BX)
	VMOVDQU Y15, 992(BX)
	VMOVDQU 576(BX), Y2
	VMOVDQU 704(BX), Y6
	VPADDD  0(BX), Y0, Y0
	VPADDD  32(BX), Y1, Y1
	VPADDD  64(BX), Y2, Y2
	VPADDD  96(BX), Y3, Y3
	VPADDD  128(BX), Y4, Y4
	VPADDD  160(BX), Y5, Y5
	VPADDD  192(BX), Y6, Y6
	VPADDD  224(BX), Y7, Y7
	TRANSPOSE4(Y0, Y1, Y2, Y3, Y8, Y9, Y10, Y11)
	TRANSPOSE4(Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11)
	OUTPUT(Y0, Y4, 0, Y8, Y9)
	OUTPUT(Y1, Y5, 64, Y10, Y11)
	OUTPUT(Y2, Y6, 128, Y12, Y13)
	OUTPUT(Y3, Y7, 192, Y14, Y15)

	// Second half: words 8-15.
	VMOVDQU 768(BX), Y8
	VMOVDQU 800(BX), Y9
	VMOVDQU 832(BX), Y10
	VMOVDQU 864(BX), Y11
	VMOVDQU 896(BX), Y12
	VMOVDQU 928(BX), Y13
	VMOVDQU 960(BX), Y14
	VMOVDQU 992(BX), Y15
	VPADDD  256(BX), Y8, Y8
	VPADDD  288(BX), Y9, Y9
	VPADDD  320(BX), Y10, Y10
	VPADDD  352(BX), Y11, Y11
	VPADDD  384(BX), Y12, Y12
	VPADDD  416(BX), Y13, Y13
	VPADDD  448(BX), Y14, Y14
	VPADDD  480(BX), Y15, Y15
	TRANSPOSE4(Y8, Y9, Y10, Y11, Y0, Y1, Y2, Y3)
	TRANSPOSE4(Y12, Y13, Y14, Y15, Y0, Y1, Y2, Y3)
	OUTPUT(Y8, Y12, 32, Y0, Y1)
	OUTPUT(Y9, Y13, 96, Y2, Y3)
	OUTPUT(Y10, Y14, 160, Y4, Y5)
	OUTPUT(Y11, Y15, 224, Y6, Y7)

	VMOVDQU 256(BX), Y0
	VPADDD  counterStep8<>(SB), Y0, Y0
	VMOVDQU Y0, 256(BX)

	ADDQ $512, SI
	ADDQ $512, DI
	DECQ CX
	JNZ  chunk

	VZEROUPPER
	RET
