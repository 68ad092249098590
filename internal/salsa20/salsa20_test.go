package salsa20

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	//lint:ignore SA1019 CurveZMQ is built on the XSalsa20 core itself, as NaCl and libsodium are
	"golang.org/x/crypto/salsa20/salsa"
)

// reference is x/crypto's keystream XOR, which this package replaces.
func reference(in []byte, counter *[16]byte, key *[32]byte) []byte {
	out := make([]byte, len(in))
	ctr := *counter
	salsa.XORKeyStream(out, in, &ctr, key)
	return out
}

func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func randomKeyAndCounter(r *rand.Rand) (key [32]byte, counter [16]byte) {
	copy(key[:], randomBytes(r, 32))
	copy(counter[:], randomBytes(r, 16))
	return key, counter
}

// checkBothWays compares out-of-place and in-place results with x/crypto and
// checks that the caller's counter is left alone.
func checkBothWays(t *testing.T, in []byte, counter *[16]byte, key *[32]byte) {
	t.Helper()
	want := reference(in, counter, key)
	saved := *counter

	out := make([]byte, len(in)+7)
	for i := range out {
		out[i] = 0xa5
	}
	XORKeyStream(out, in, counter, key)
	if !bytes.Equal(out[:len(in)], want) {
		t.Fatalf("len %d counter %x: out-of-place result differs from x/crypto at byte %d",
			len(in), counter[:], firstDifference(out, want))
	}
	for i, b := range out[len(in):] {
		if b != 0xa5 {
			t.Fatalf("len %d: wrote past len(in) at %d", len(in), len(in)+i)
		}
	}

	buf := append([]byte(nil), in...)
	XORKeyStream(buf, buf, counter, key)
	if !bytes.Equal(buf, want) {
		t.Fatalf("len %d counter %x: in-place result differs from x/crypto at byte %d",
			len(in), counter[:], firstDifference(buf, want))
	}
	if *counter != saved {
		t.Fatalf("counter changed from %x to %x", saved, *counter)
	}
}

func firstDifference(a, b []byte) int {
	for i := range b {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// allPaths lists every implementation, whether or not this CPU runs it.
var allPaths = []path{pathXCrypto, pathAVX2, pathAVX512}

// withPath sets active to p for the rest of the test, or skips the test
// when the CPU cannot run p.
func withPath(t testing.TB, p path) {
	t.Helper()
	if !supported(p) {
		t.Skipf("this CPU cannot run the %v path", p)
	}
	saved := active
	active = p
	t.Cleanup(func() { active = saved })
}

// forEachPath runs f as a subtest once for every path.
func forEachPath(t *testing.T, f func(t *testing.T)) {
	for _, p := range allPaths {
		t.Run(p.String(), func(t *testing.T) {
			withPath(t, p)
			f(t)
		})
	}
}

func TestMatchesXCryptoAllLengths(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		for n := 0; n <= 5000; n++ {
			key, counter := randomKeyAndCounter(r)
			if n%2 == 0 {
				// Small counters are the common case (XSalsa20 starts at 0 or 1).
				binary.LittleEndian.PutUint64(counter[8:], uint64(r.IntN(4)))
			}
			checkBothWays(t, randomBytes(r, n), &counter, &key)
		}
	})
}

func TestMatchesXCryptoLongMessages(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		for _, n := range []int{64 << 10, 64<<10 + 37, 200<<10 + 1} {
			for range 4 {
				key, counter := randomKeyAndCounter(r)
				checkBothWays(t, randomBytes(r, n), &counter, &key)
			}
		}
	})
}

func TestMatchesXCryptoUnalignedSlices(t *testing.T) {
	forEachPath(t, testUnalignedSlices)
}

func testUnalignedSlices(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	key, counter := randomKeyAndCounter(r)
	for inOff := range 8 {
		for outOff := range 8 {
			for _, n := range []int{255, 256, 1023, 1024, 1025, 4096 + 100} {
				in := randomBytes(r, n+inOff)[inOff:]
				want := reference(in, &counter, &key)
				out := make([]byte, n+outOff)[outOff:]
				XORKeyStream(out, in, &counter, &key)
				if !bytes.Equal(out, want) {
					t.Fatalf("in offset %d out offset %d len %d: differs", inOff, outOff, n)
				}
				XORKeyStream(in, in, &counter, &key)
				if !bytes.Equal(in, want) {
					t.Fatalf("in place offset %d len %d: differs", inOff, n)
				}
			}
		}
	}
}

// TestLowCounterWordWraps covers block counters whose low word carries into
// the high word inside, just before, or just after an 8- or 16-block chunk.
func TestLowCounterWordWraps(t *testing.T) {
	forEachPath(t, testLowCounterWordWraps)
}

func testLowCounterWordWraps(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, high := range []uint32{0, 1, 0xffffffff} {
		for distance := uint32(0); distance <= 40; distance++ {
			for _, n := range []int{300, 1024, 3000, 64<<10 + 37} {
				key, counter := randomKeyAndCounter(r)
				binary.LittleEndian.PutUint32(counter[8:], 0xffffffff-distance)
				binary.LittleEndian.PutUint32(counter[12:], high)
				checkBothWays(t, randomBytes(r, n), &counter, &key)
			}
		}
	}
}

func TestShortOutputPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic with len(out) < len(in)")
		}
	}()
	var key [32]byte
	var counter [16]byte
	XORKeyStream(make([]byte, 2047), make([]byte, 2048), &counter, &key)
}

func FuzzXORKeyStream(f *testing.F) {
	f.Add(make([]byte, 32), uint64(0), uint64(0), []byte("hello"), uint16(0), false)
	f.Add([]byte("0123456789abcdef0123456789abcdef"), uint64(42), uint64(1), make([]byte, 300), uint16(2000), true)
	f.Add([]byte("key"), uint64(7), uint64(0xfffffffa), []byte{1, 2, 3}, uint16(5000), false)
	f.Add([]byte{9}, ^uint64(0), ^uint64(0)-20, []byte{}, uint16(1100), true)
	f.Fuzz(func(t *testing.T, keyBytes []byte, nonce, block uint64, data []byte, extra uint16, inPlace bool) {
		var key [32]byte
		copy(key[:], keyBytes)
		var counter [16]byte
		binary.LittleEndian.PutUint64(counter[:8], nonce)
		binary.LittleEndian.PutUint64(counter[8:], block)
		in := append(append([]byte(nil), data...), make([]byte, int(extra)%8192)...)
		want := reference(in, &counter, &key)
		saved := active
		defer func() { active = saved }()
		for _, p := range allPaths {
			if !supported(p) {
				continue
			}
			active = p
			var got []byte
			if inPlace {
				got = append([]byte(nil), in...)
				XORKeyStream(got, got, &counter, &key)
			} else {
				got = make([]byte, len(in))
				XORKeyStream(got, in, &counter, &key)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%v path, len %d counter %x: differs from x/crypto at byte %d",
					p, len(in), counter[8:], firstDifference(got, want))
			}
		}
	})
}

func BenchmarkXORKeyStream(b *testing.B) {
	var key [32]byte
	var counter [16]byte
	for _, n := range []int{64, 256, 384, 512, 1024, 1024 + 384, 64 << 10} {
		buf := make([]byte, n)
		for _, p := range allPaths {
			b.Run(fmt.Sprintf("%v/%d", p, n), func(b *testing.B) {
				withPath(b, p)
				b.SetBytes(int64(n))
				b.ReportAllocs()
				for b.Loop() {
					XORKeyStream(buf, buf, &counter, &key)
				}
			})
		}
	}
}
