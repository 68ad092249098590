//go:build amd64 && gc && !purego

package salsa20

import (
	"encoding/binary"

	//lint:ignore SA1019 CurveZMQ is built on the XSalsa20 core itself, as NaCl and libsodium are
	"golang.org/x/crypto/salsa20/salsa"
	"golang.org/x/sys/cpu"
)

// active is the path xorKeyStream takes: the widest assembly the CPU
// supports. x/sys/cpu reports AVX2 and AVX-512F only when the operating
// system also saves the YMM and ZMM registers.
var active = fastestPath()

func fastestPath() path {
	switch {
	case cpu.X86.HasAVX512F:
		return pathAVX512
	case cpu.X86.HasAVX2:
		return pathAVX2
	}
	return pathXCrypto
}

// supported reports whether p can run on this CPU.
func supported(p path) bool {
	switch p {
	case pathAVX512:
		return cpu.X86.HasAVX512F
	case pathAVX2:
		return cpu.X86.HasAVX2
	}
	return true
}

// xcryptoBatch is how much x/crypto's amd64 code handles in one pass (four
// blocks). Up to that length it is as fast as a whole assembly chunk here;
// past it, one zero-padded chunk wins (measured on Zen4 for the 16-block
// pass: 245 ns for any remainder against 300-420 ns for 320-512 bytes).
const xcryptoBatch = 4 * 64

// xorChunksAVX512 XORs chunks*1024 bytes of in with the keystream into out.
// state is the Salsa20 input block (constants, key, nonce, counter) as 16
// little-endian words; lane j of chunk c uses block counter
// state[8]+16*c+j with state[9] unchanged, so the caller must make sure
// state[8]+16*chunks does not exceed 2^32.
//
//go:noescape
func xorChunksAVX512(out, in *byte, chunks int, state *[16]uint32)

// xorChunksAVX2 is xorChunksAVX512 for 8 blocks per pass: it XORs
// chunks*512 bytes, lane j of chunk c using block counter state[8]+8*c+j,
// so state[8]+8*chunks must not exceed 2^32.
//
//go:noescape
func xorChunksAVX2(out, in *byte, chunks int, state *[16]uint32)

// blocksPerPass is how many 64-byte blocks one pass of p's assembly
// handles.
func (p path) blocksPerPass() uint64 {
	if p == pathAVX512 {
		return 16
	}
	return 8
}

// xorChunks runs p's assembly for chunks passes.
func (p path) xorChunks(out, in *byte, chunks int, state *[16]uint32) {
	if p == pathAVX512 {
		xorChunksAVX512(out, in, chunks, state)
	} else {
		xorChunksAVX2(out, in, chunks, state)
	}
}

// xorKeyStream runs whole chunks through the active assembly whenever the
// low counter word does not wrap inside them, and everything else through
// x/crypto, which carries into the high word.
func xorKeyStream(out, in []byte, counter *[16]byte, key *[32]byte) {
	p := active
	if p == pathXCrypto || len(in) <= xcryptoBatch {
		salsa.XORKeyStream(out, in, counter, key)
		return
	}
	blocks := p.blocksPerPass()
	chunkSize := int(blocks * 64)
	ctr := *counter
	for len(in) > 0 {
		low := uint64(binary.LittleEndian.Uint32(ctr[8:12]))
		blocksBeforeWrap := 1<<32 - low
		chunksBeforeWrap := blocksBeforeWrap / blocks
		switch {
		case chunksBeforeWrap == 0:
			// The low word wraps within the next chunk: let x/crypto
			// cross the carry, then come back to the assembly.
			n := min(uint64(len(in)), blocksBeforeWrap*64)
			salsa.XORKeyStream(out[:n], in[:n], &ctr, key)
			advanceCounter(&ctr, blocksBeforeWrap)
			out, in = out[n:], in[n:]
		case len(in) >= chunkSize:
			chunks := min(uint64(len(in)/chunkSize), chunksBeforeWrap)
			state := initialState(&ctr, key)
			p.xorChunks(&out[0], &in[0], int(chunks), &state)
			advanceCounter(&ctr, chunks*blocks)
			n := chunks * uint64(chunkSize)
			out, in = out[n:], in[n:]
		case len(in) > xcryptoBatch:
			state := initialState(&ctr, key)
			xorPadded(tailPath(p, len(in)), out, in, &state)
			return
		default:
			salsa.XORKeyStream(out, in, &ctr, key)
			return
		}
	}
}

// xorPadded runs one pass of p's assembly over a zero-padded copy of in,
// which is shorter than the pass, and copies the result to out.
func xorPadded(p path, out, in []byte, state *[16]uint32) {
	if p == pathAVX2 {
		var buf [8 * 64]byte
		copy(buf[:], in)
		xorChunksAVX2(&buf[0], &buf[0], 1, state)
		copy(out, buf[:len(in)])
		return
	}
	var buf [16 * 64]byte
	copy(buf[:], in)
	xorChunksAVX512(&buf[0], &buf[0], 1, state)
	copy(out, buf[:len(in)])
}

// tailPath picks the assembly for a last, zero-padded chunk of n bytes:
// the AVX2 pass when one fits it, since it costs less than a 16-block
// pass (on Zen4 about 195 ns against 245 ns), otherwise p.
func tailPath(p path, n int) path {
	if p == pathAVX512 && n <= 8*64 && cpu.X86.HasAVX2 {
		return pathAVX2
	}
	return p
}

// initialState lays out the Salsa20 input block: the "expand 32-byte k"
// constants on the diagonal, the key halves, the nonce and the counter.
func initialState(counter *[16]byte, key *[32]byte) [16]uint32 {
	le := binary.LittleEndian
	return [16]uint32{
		0x61707865, le.Uint32(key[0:]), le.Uint32(key[4:]), le.Uint32(key[8:]),
		le.Uint32(key[12:]), 0x3320646e, le.Uint32(counter[0:]), le.Uint32(counter[4:]),
		le.Uint32(counter[8:]), le.Uint32(counter[12:]), 0x79622d32, le.Uint32(key[16:]),
		le.Uint32(key[20:]), le.Uint32(key[24:]), le.Uint32(key[28:]), 0x6b206574,
	}
}
