package poly1305

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"testing"

	//lint:ignore SA1019 CurveZMQ authenticates with one-time Poly1305 keys, as NaCl does
	"golang.org/x/crypto/poly1305"
)

func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func filled(n int, v byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = v
	}
	return b
}

// testKeys are random keys plus the ones whose bits matter most: all
// zeros, all ones (every bit that clamping clears is set), r all ones
// with s zero, and s all ones with r zero.
func testKeys(r *rand.Rand, random int) [][32]byte {
	var keys [][32]byte
	var zero, ones, rOnes, sOnes [32]byte
	for i := range 32 {
		ones[i] = 0xff
	}
	for i := range 16 {
		rOnes[i] = 0xff
		sOnes[16+i] = 0xff
	}
	keys = append(keys, zero, ones, rOnes, sOnes)
	for range random {
		var k [32]byte
		copy(k[:], randomBytes(r, 32))
		keys = append(keys, k)
	}
	return keys
}

// check compares Sum with x/crypto and Verify with the right tag and a
// tag with one bit flipped.
func check(t *testing.T, msg []byte, key *[32]byte) {
	t.Helper()
	var want, got [16]byte
	poly1305.Sum(&want, msg, key)
	Sum(&got, msg, key)
	if got != want {
		t.Fatalf("len %d key %x: tag %x, x/crypto %x", len(msg), key[:], got, want)
	}
	if !Verify(&want, msg, key) {
		t.Fatalf("len %d key %x: Verify rejects the right tag", len(msg), key[:])
	}
	bad := want
	bad[len(msg)%16] ^= 1 << (len(msg) % 8)
	if Verify(&bad, msg, key) {
		t.Fatalf("len %d key %x: Verify accepts a wrong tag", len(msg), key[:])
	}
}

// allPaths lists every implementation, whether or not this CPU runs it.
var allPaths = []path{pathXCrypto, pathAVX2, pathIFMA}

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

func TestRFC8439Vector(t *testing.T) {
	forEachPath(t, testRFC8439Vector)
}

func testRFC8439Vector(t *testing.T) {
	// RFC 8439 section 2.5.2.
	keyBytes, _ := hex.DecodeString("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b")
	wantBytes, _ := hex.DecodeString("a8061dc1305136c6c22b8baf0c0127a9")
	var key [32]byte
	copy(key[:], keyBytes)
	var tag, want [16]byte
	copy(want[:], wantBytes)
	Sum(&tag, []byte("Cryptographic Forum Research Group"), &key)
	if tag != want {
		t.Fatalf("tag %x, want %x", tag, want)
	}
}

func TestMatchesXCryptoAllLengths(t *testing.T) {
	forEachPath(t, testMatchesXCryptoAllLengths)
}

func testMatchesXCryptoAllLengths(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	keys := testKeys(r, 2)
	for n := 0; n <= 3000; n++ {
		msg := randomBytes(r, n)
		ones := filled(n, 0xff)
		for i := range keys {
			check(t, msg, &keys[i])
			check(t, ones, &keys[i])
		}
	}
}

func TestMatchesXCryptoLongMessages(t *testing.T) {
	forEachPath(t, testMatchesXCryptoLongMessages)
}

func testMatchesXCryptoLongMessages(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	keys := testKeys(r, 4)
	for _, n := range []int{64 << 10, 64<<10 + 33, 1<<20 + 7} {
		msg := randomBytes(r, n)
		ones := filled(n, 0xff)
		for i := range keys {
			check(t, msg, &keys[i])
			check(t, ones, &keys[i])
		}
	}
}

func TestUnalignedMessages(t *testing.T) {
	forEachPath(t, testUnalignedMessages)
}

func testUnalignedMessages(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	keys := testKeys(r, 1)
	buf := randomBytes(r, 8192)
	for off := range 16 {
		for _, n := range []int{1024, 1025, 4096 + 100} {
			check(t, buf[off:off+n], &keys[4])
		}
	}
}

func TestSumDoesNotTouchMessage(t *testing.T) {
	forEachPath(t, testSumDoesNotTouchMessage)
}

func testSumDoesNotTouchMessage(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	msg := randomBytes(r, 4096+7)
	saved := bytes.Clone(msg)
	var key [32]byte
	var tag [16]byte
	Sum(&tag, msg, &key)
	if !bytes.Equal(msg, saved) {
		t.Fatal("Sum modified the message")
	}
}

func FuzzSum(f *testing.F) {
	f.Add(make([]byte, 32), []byte("hello"), uint16(0), byte(0))
	f.Add(bytes.Repeat([]byte{0xff}, 32), []byte{}, uint16(3000), byte(0xff))
	f.Add([]byte("0123456789abcdef0123456789abcdef"), make([]byte, 300), uint16(1024), byte(7))
	f.Add([]byte{1}, []byte{1, 2, 3}, uint16(5000), byte(0x80))
	f.Fuzz(func(t *testing.T, keyBytes, data []byte, extra uint16, fill byte) {
		var key [32]byte
		copy(key[:], keyBytes)
		msg := append(bytes.Clone(data), filled(int(extra)%8192, fill)...)
		saved := active
		defer func() { active = saved }()
		for _, p := range allPaths {
			if supported(p) {
				active = p
				check(t, msg, &key)
			}
		}
	})
}

func BenchmarkSum(b *testing.B) {
	var key [32]byte
	for i := range key {
		key[i] = byte(i * 7)
	}
	var tag [16]byte
	for _, n := range []int{64, 128, 256, 384, 512, 768, 1024, 2048, 64 << 10} {
		msg := make([]byte, n)
		for _, p := range allPaths {
			b.Run(fmt.Sprintf("%v/%d", p, n), func(b *testing.B) {
				withPath(b, p)
				b.SetBytes(int64(n))
				b.ReportAllocs()
				for b.Loop() {
					Sum(&tag, msg, &key)
				}
			})
		}
	}
}
