//go:build amd64 && gc && !purego

package salsa20

import (
	"encoding/binary"

	"golang.org/x/crypto/salsa20/salsa"
	"golang.org/x/sys/cpu"
)

// useAVX512 selects the 16-block assembly. x/sys/cpu reports AVX-512F only
// when the operating system also saves the ZMM registers.
var useAVX512 = cpu.X86.HasAVX512F

// chunkSize is what one pass of the assembly consumes: 16 blocks of 64 bytes.
const chunkSize = 16 * 64

// xcryptoBatch is how much x/crypto's amd64 code handles in one pass (four
// blocks). Up to that length it is as fast as a whole assembly chunk here;
// past it, one zero-padded 16-block chunk wins (measured on Zen4: 245 ns for
// any remainder against 300-420 ns for 320-512 bytes).
const xcryptoBatch = 4 * 64

// xorChunksAVX512 XORs chunks*1024 bytes of in with the keystream into out.
// state is the Salsa20 input block (constants, key, nonce, counter) as 16
// little-endian words; lane j of chunk c uses block counter
// state[8]+16*c+j with state[9] unchanged, so the caller must make sure
// state[8]+16*chunks does not exceed 2^32.
//
//go:noescape
func xorChunksAVX512(out, in *byte, chunks int, state *[16]uint32)

// xorKeyStream runs whole 1 KiB chunks through the assembly whenever the
// low counter word does not wrap inside them, and everything else through
// x/crypto, which carries into the high word.
func xorKeyStream(out, in []byte, counter *[16]byte, key *[32]byte) {
	if !useAVX512 || len(in) <= xcryptoBatch {
		salsa.XORKeyStream(out, in, counter, key)
		return
	}
	ctr := *counter
	for len(in) > 0 {
		low := uint64(binary.LittleEndian.Uint32(ctr[8:12]))
		blocksBeforeWrap := 1<<32 - low
		chunksBeforeWrap := blocksBeforeWrap / 16
		switch {
		case chunksBeforeWrap == 0:
			// The low word wraps within the next 16 blocks: let x/crypto
			// cross the carry, then come back to the assembly.
			n := min(uint64(len(in)), blocksBeforeWrap*64)
			salsa.XORKeyStream(out[:n], in[:n], &ctr, key)
			advanceCounter(&ctr, blocksBeforeWrap)
			out, in = out[n:], in[n:]
		case len(in) >= chunkSize:
			chunks := min(uint64(len(in)/chunkSize), chunksBeforeWrap)
			state := initialState(&ctr, key)
			xorChunksAVX512(&out[0], &in[0], int(chunks), &state)
			advanceCounter(&ctr, chunks*16)
			n := chunks * chunkSize
			out, in = out[n:], in[n:]
		case len(in) > xcryptoBatch:
			var buf [chunkSize]byte
			copy(buf[:], in)
			state := initialState(&ctr, key)
			xorChunksAVX512(&buf[0], &buf[0], 1, &state)
			copy(out, buf[:len(in)])
			return
		default:
			salsa.XORKeyStream(out, in, &ctr, key)
			return
		}
	}
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
