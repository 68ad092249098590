package ws

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func TestHeaderRoundTrip(t *testing.T) {
	key := [4]byte{1, 2, 3, 4}
	for _, op := range []byte{opBinary, opPing, opPong, opClose} {
		for _, n := range []uint64{0, 1, 125, 126, 65535, 65536, 1 << 40} {
			if op != opBinary && n > maxControlPayload || op == opBinary && n == 0 {
				continue
			}
			for _, masked := range []bool{false, true} {
				b := appendHeader(nil, op, n, masked, key)
				for cut := 0; cut < len(b); cut++ {
					if _, ok, err := parseHeader(b[:cut], masked); ok || err != nil {
						t.Fatalf("op %x len %d: partial header of %d bytes gave ok=%v err=%v", op, n, cut, ok, err)
					}
				}
				h, ok, err := parseHeader(append(b, 0xEE), masked)
				if !ok || err != nil || h.opcode != op || h.length != n || h.masked != masked || h.size != len(b) ||
					masked && h.mask != key {
					t.Fatalf("op %x len %d masked %v: parsed %+v ok=%v err=%v", op, n, masked, h, ok, err)
				}
			}
		}
	}
}

func TestHeaderRejects(t *testing.T) {
	cases := map[string]struct {
		b          []byte
		wantMasked bool
		want       error
	}{
		"not final":          {[]byte{0x02, 0x01}, false, errFragmented},
		"continuation":       {[]byte{0x80, 0x01}, false, errBadOpcode},
		"text":               {[]byte{0x81, 0x01}, false, errBadOpcode},
		"reserved opcode":    {[]byte{0x83, 0x01}, false, errBadOpcode},
		"rsv1":               {[]byte{0xC2, 0x01}, false, errReservedBits},
		"unmasked to server": {[]byte{0x82, 0x01}, true, errMasking},
		"masked to client":   {[]byte{0x82, 0x81, 0, 0, 0, 0}, false, errMasking},
		"long ping":          {[]byte{0x89, 126, 0, 126}, false, errControlTooLong},
		"top bit":            {[]byte{0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1}, false, errLengthTooLarge},
		"empty binary":       {[]byte{0x82, 0x00}, false, errEmptyBinary},
	}
	for name, c := range cases {
		if _, _, err := parseHeader(c.b, c.wantMasked); err != c.want {
			t.Errorf("%s: error %v, want %v", name, err, c.want)
		}
	}
}

func TestMaskBytesMatchesBytewiseXOR(t *testing.T) {
	key := [4]byte{0xA1, 0xB2, 0xC3, 0xD4}
	for n := 0; n < 70; n++ {
		for pos := 0; pos < 4; pos++ {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(rand.IntN(256))
			}
			want := bytes.Clone(b)
			for i := range want {
				want[i] ^= key[(pos+i)%4]
			}
			end := maskBytes(b, key, pos)
			if !bytes.Equal(b, want) || end != (pos+n)%4 {
				t.Fatalf("n=%d pos=%d: masked %x (end %d), want %x (end %d)", n, pos, b, end, want, (pos+n)%4)
			}
		}
	}
}
