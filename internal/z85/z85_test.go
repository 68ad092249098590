package z85

import (
	"bytes"
	"errors"
	"testing"
)

func TestHelloWorldVector(t *testing.T) {
	raw := []byte{0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B}
	text, err := Encode(raw)
	if err != nil || text != "HelloWorld" {
		t.Fatalf("Encode = %q, %v; want HelloWorld", text, err)
	}
	back, err := Decode("HelloWorld")
	if err != nil || !bytes.Equal(back, raw) {
		t.Fatalf("Decode = %x, %v; want %x", back, err, raw)
	}
}

func TestCurveKeyLength(t *testing.T) {
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i * 7)
	}
	text, err := Encode(key)
	if err != nil || len(text) != 40 {
		t.Fatalf("Encode(32 bytes) = %q (%d chars), %v", text, len(text), err)
	}
	back, err := Decode(text)
	if err != nil || !bytes.Equal(back, key) {
		t.Fatalf("round trip = %x, %v", back, err)
	}
}

func TestExtremes(t *testing.T) {
	text, err := Encode([]byte{0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF})
	if err != nil || text != "00000%nSc0" {
		t.Fatalf("Encode extremes = %q, %v", text, err)
	}
	back, err := Decode("%nSc0")
	if err != nil || !bytes.Equal(back, []byte{0xFF, 0xFF, 0xFF, 0xFF}) {
		t.Fatalf("Decode max = %x, %v", back, err)
	}
}

func TestEncodeRejectsBadLength(t *testing.T) {
	for _, n := range []int{1, 2, 3, 5, 31} {
		if _, err := Encode(make([]byte, n)); !errors.Is(err, ErrLength) {
			t.Errorf("Encode(%d bytes) error = %v, want ErrLength", n, err)
		}
	}
	if text, err := Encode(nil); err != nil || text != "" {
		t.Errorf("Encode(nil) = %q, %v", text, err)
	}
}

func TestDecodeRejects(t *testing.T) {
	cases := []struct {
		in   string
		want error
	}{
		{"", ErrLength},
		{"abcd", ErrLength},
		{"HelloWorl", ErrLength},
		{"Hello World", ErrLength},
		{"Hell\"", ErrCharacter},
		{"Hell o", ErrLength},
		{"abcd ", ErrCharacter},
		{"abc\x00e", ErrCharacter},
		{"%nSc1", ErrOverflow}, // 0xFFFFFFFF + 1
		{"#####", ErrOverflow},
		{"HelloWorld#####", ErrOverflow},
	}
	for _, c := range cases {
		if _, err := Decode(c.in); !errors.Is(err, c.want) {
			t.Errorf("Decode(%q) error = %v, want %v", c.in, err, c.want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add("HelloWorld")
	f.Add("%nSc0")
	f.Add("#####")
	f.Add("abc")
	f.Fuzz(func(t *testing.T, s string) {
		raw, err := Decode(s)
		if err != nil {
			return
		}
		if len(raw) != DecodedLen(len(s)) {
			t.Fatalf("decoded %d bytes from %d chars", len(raw), len(s))
		}
		again, err := Encode(raw)
		if err != nil || again != s {
			t.Fatalf("re-encode = %q, %v; want %q", again, err, s)
		}
	})
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte{0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B})
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0xFF})
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, raw []byte) {
		text, err := Encode(raw)
		if len(raw)%4 != 0 {
			if err == nil {
				t.Fatal("Encode accepted a length that is not a multiple of 4")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(raw) == 0 {
			return
		}
		back, err := Decode(text)
		if err != nil || !bytes.Equal(back, raw) {
			t.Fatalf("round trip %x -> %q -> %x, %v", raw, text, back, err)
		}
	})
}
