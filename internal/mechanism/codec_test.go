package mechanism

import (
	"bytes"
	"crypto/rand"
	"testing"

	"golang.org/x/crypto/nacl/secretbox"

	"github.com/purezmq/zmq4/internal/zmtp"
)

// codecPair returns a client and a server codec sharing a random key, with
// nonce counters as after a handshake.
func codecPair(t testing.TB) (client, server *curveCodec) {
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		t.Fatal(err)
	}
	client = &curveCodec{key: key, sendPrefix: messageNonceClient, recvPrefix: messageNonceServer, sendNonce: clientFirstMessage, peerNonce: serverReadyNonce}
	server = &curveCodec{key: key, sendPrefix: messageNonceServer, recvPrefix: messageNonceClient, sendNonce: serverFirstMessage, peerNonce: clientInitiateNonce}
	return client, server
}

func TestSecretboxInPlaceMatchesNaCl(t *testing.T) {
	var key [32]byte
	var nonce [24]byte
	rand.Read(key[:])
	rand.Read(nonce[:])
	for _, n := range []int{0, 1, 31, 32, 33, 63, 64, 65, 100, 255, 1000, 4096, 65537} {
		plain := make([]byte, n)
		rand.Read(plain)
		want := secretbox.Seal(nil, plain, &nonce, &key)
		buf := append(make([]byte, boxOverhead), plain...)
		sealInPlace(buf, &nonce, &key)
		if !bytes.Equal(buf, want) {
			t.Fatalf("size %d: in-place seal differs from secretbox.Seal", n)
		}
		if !openInPlace(buf, &nonce, &key) || !bytes.Equal(buf[boxOverhead:], plain) {
			t.Fatalf("size %d: in-place open failed", n)
		}
	}
}

func TestSecretboxOpenRejectsTamperingAndKeepsInput(t *testing.T) {
	var key [32]byte
	var nonce [24]byte
	rand.Read(key[:])
	box := secretbox.Seal(nil, []byte("attack at dawn"), &nonce, &key)
	for i := range box {
		forged := append([]byte(nil), box...)
		forged[i] ^= 0x80
		keep := append([]byte(nil), forged...)
		if openInPlace(forged, &nonce, &key) {
			t.Fatalf("forged byte %d accepted", i)
		}
		if !bytes.Equal(forged, keep) {
			t.Fatalf("failed open changed the box at byte %d", i)
		}
	}
	if openInPlace(box[:15], &nonce, &key) {
		t.Fatal("box shorter than its tag accepted")
	}
}

func TestCodecRejects(t *testing.T) {
	client, server := codecPair(t)
	good, _ := client.Seal(nil, zmtp.FlagMore, []byte("payload"))
	later, _ := client.Seal(nil, 0, []byte("later"))

	forged := append([]byte(nil), good...)
	forged[len(forged)-1] ^= 1
	cases := []struct {
		name string
		body []byte
		code int
	}{
		{"empty", nil, ProtocolErrorZMTPMalformedCommandUnspecified},
		{"truncated name", []byte("\x07MESS"), ProtocolErrorZMTPMalformedCommandUnspecified},
		{"other command", []byte("\x05READY\x00\x00"), ProtocolErrorZMTPUnexpectedCommand},
		{"short", good[:32], ProtocolErrorZMTPMalformedCommandMessage},
		{"forged", forged, ProtocolErrorZMTPCryptographic},
	}
	for _, tc := range cases {
		_, _, err := server.Open(append([]byte(nil), tc.body...))
		wantFailure(t, tc.name, outcome{err: err}, FailedProtocol, tc.code)
	}

	// A forged MESSAGE does not consume its nonce: the genuine one still opens.
	if flags, payload, err := server.Open(append([]byte(nil), good...)); err != nil || flags != zmtp.FlagMore || string(payload) != "payload" {
		t.Fatalf("genuine Open = %#x %q %v", flags, payload, err)
	}
	// Replay is refused.
	_, _, err := server.Open(append([]byte(nil), good...))
	wantFailure(t, "replay", outcome{err: err}, FailedProtocol, ProtocolErrorZMTPInvalidSequence)
	// Gaps are allowed, going back is not.
	skipped, _ := client.Seal(nil, 0, []byte("skipped"))
	_ = skipped
	newest, _ := client.Seal(nil, 0, []byte("newest"))
	if _, p, err := server.Open(newest); err != nil || string(p) != "newest" {
		t.Fatalf("Open after gap = %q %v", p, err)
	}
	_, _, err = server.Open(later)
	wantFailure(t, "older", outcome{err: err}, FailedProtocol, ProtocolErrorZMTPInvalidSequence)
}

func TestCodecDirectionsDoNotMix(t *testing.T) {
	client, _ := codecPair(t)
	// A client's own MESSAGE reflected back at it uses the wrong nonce prefix.
	body, _ := client.Seal(nil, 0, []byte("echo"))
	body[8+7] = 200 // above the last peer nonce
	_, _, err := client.Open(body)
	wantFailure(t, "reflected", outcome{err: err}, FailedProtocol, ProtocolErrorZMTPCryptographic)
}

func TestCodecFirstPeerNonceMustExceedHandshake(t *testing.T) {
	client, server := codecPair(t)
	// A MESSAGE carrying the INITIATE nonce (2) is refused by the server.
	client.sendNonce = clientInitiateNonce
	body, _ := client.Seal(nil, 0, []byte("x"))
	_, _, err := server.Open(body)
	wantFailure(t, "nonce 2", outcome{err: err}, FailedProtocol, ProtocolErrorZMTPInvalidSequence)
}

func TestCodecSealAppendsWithoutAllocating(t *testing.T) {
	client, server := codecPair(t)
	payload := make([]byte, 1024)
	buf := make([]byte, 0, 4096)
	allocs := testing.AllocsPerRun(100, func() {
		out, err := client.Seal(buf[:0], zmtp.FlagMore, payload)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := server.Open(out); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("Seal+Open allocated %.1f times per frame", allocs)
	}
	// Seal appends after existing content.
	out, _ := client.Seal([]byte("prefix"), 0, []byte("data"))
	if string(out[:6]) != "prefix" || !hasPrefix(out[6:], messagePrefix) {
		t.Fatalf("Seal did not append: %q", out)
	}
}

func TestCodecEmptyPayload(t *testing.T) {
	client, server := codecPair(t)
	body, _ := client.Seal(nil, 0, nil)
	if len(body) != messageMinSize {
		t.Fatalf("empty MESSAGE is %d bytes, want %d", len(body), messageMinSize)
	}
	flags, payload, err := server.Open(body)
	if err != nil || flags != 0 || len(payload) != 0 {
		t.Fatalf("Open = %#x %q %v", flags, payload, err)
	}
}

func TestSecretboxOpenToMatchesNaCl(t *testing.T) {
	var key [32]byte
	var nonce [24]byte
	rand.Read(key[:])
	rand.Read(nonce[:])
	for _, n := range []int{1, 2, 31, 32, 33, 34, 63, 64, 65, 100, 1000, 1025, 4096, 65537} {
		plain := make([]byte, n)
		rand.Read(plain)
		box := secretbox.Seal(nil, plain, &nonce, &key)
		keep := append([]byte(nil), box...)
		dst := make([]byte, n-1)
		inner, ok := openTo(dst, box, &nonce, &key)
		if !ok || inner != plain[0] || !bytes.Equal(dst, plain[1:]) {
			t.Fatalf("size %d: openTo = %v, flags %#x want %#x, payload equal %v", n, ok, inner, plain[0], bytes.Equal(dst, plain[1:]))
		}
		if !bytes.Equal(box, keep) {
			t.Fatalf("size %d: openTo changed the box", n)
		}
		box[len(box)-1] ^= 1
		if _, ok := openTo(dst, box, &nonce, &key); ok {
			t.Fatalf("size %d: forged box opened", n)
		}
	}
}

// OpenInto gives what Open gives, into the caller's buffer, and asks for
// no buffer for a MESSAGE that fails before its box is opened.
func TestCodecOpenIntoMatchesOpen(t *testing.T) {
	for _, n := range []int{0, 1, 30, 31, 32, 100, 70000} {
		client, server := codecPair(t)
		_, intoServer := codecPair(t)
		intoServer.key = server.key
		payload := make([]byte, n)
		rand.Read(payload)
		body, _ := client.Seal(nil, zmtp.FlagMore, payload)
		keep := append([]byte(nil), body...)
		asked := -1
		flags, got, err := intoServer.OpenInto(body, func(size int) []byte {
			asked = size
			return make([]byte, size, size+100)
		})
		if err != nil || flags != zmtp.FlagMore || !bytes.Equal(got, payload) || asked != n {
			t.Fatalf("size %d: OpenInto = %#x, equal %v, %v (asked %d)", n, flags, bytes.Equal(got, payload), err, asked)
		}
		if !bytes.Equal(body, keep) {
			t.Fatalf("size %d: OpenInto changed the body", n)
		}
		wantFlags, want, err := server.Open(body)
		if err != nil || wantFlags != flags || !bytes.Equal(want, got) {
			t.Fatalf("size %d: Open disagrees: %v", n, err)
		}
	}

	client, server := codecPair(t)
	good, _ := client.Seal(nil, 0, []byte("payload"))
	forged := append([]byte(nil), good...)
	forged[len(forged)-1] ^= 1
	noAlloc := func(int) []byte { t.Fatal("alloc called for a rejected MESSAGE"); return nil }
	for _, tc := range []struct {
		name string
		body []byte
		code int
	}{
		{"empty", nil, ProtocolErrorZMTPMalformedCommandUnspecified},
		{"other command", []byte("\x05READY\x00\x00"), ProtocolErrorZMTPUnexpectedCommand},
		{"short", good[:32], ProtocolErrorZMTPMalformedCommandMessage},
	} {
		_, _, err := server.OpenInto(tc.body, noAlloc)
		wantFailure(t, tc.name, outcome{err: err}, FailedProtocol, tc.code)
	}
	_, _, err := server.OpenInto(forged, func(size int) []byte { return make([]byte, size) })
	wantFailure(t, "forged", outcome{err: err}, FailedProtocol, ProtocolErrorZMTPCryptographic)
	if _, p, err := server.OpenInto(good, func(size int) []byte { return make([]byte, size) }); err != nil || string(p) != "payload" {
		t.Fatalf("genuine OpenInto after a forged one = %q %v", p, err)
	}
	_, _, err = server.OpenInto(good, noAlloc)
	wantFailure(t, "replay", outcome{err: err}, FailedProtocol, ProtocolErrorZMTPInvalidSequence)
}
