package zmtp

import (
	"bytes"
	"errors"
	"testing"
)

func TestAppendGreetingMatchesLibzmq(t *testing.T) {
	// What libzmq 4.3.5 sends for NULL without a routing id (PROTOCOL.md 1.1).
	want := []byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 3, 1, 'N', 'U', 'L', 'L'}
	want = append(want, make([]byte, 16)...) // rest of the mechanism field
	want = append(want, 0)                   // as-server
	want = append(want, make([]byte, 31)...) // filler
	got := AppendGreeting(nil, "NULL", false)
	if !bytes.Equal(got, want) {
		t.Fatalf("greeting\n got % x\nwant % x", got, want)
	}
	if len(got) != GreetingSize {
		t.Fatalf("len = %d", len(got))
	}
}

func TestAppendGreetingAppends(t *testing.T) {
	got := AppendGreeting([]byte("xy"), "CURVE", true)
	if len(got) != 2+GreetingSize || string(got[:2]) != "xy" {
		t.Fatalf("prefix lost: % x", got)
	}
	g, err := ParseGreeting(got[2:])
	if err != nil {
		t.Fatal(err)
	}
	if g != (Greeting{Major: 3, Minor: 1, Mechanism: "CURVE", AsServer: true}) {
		t.Fatalf("round trip: %+v", g)
	}
}

func TestAppendGreetingCutsLongMechanism(t *testing.T) {
	got := AppendGreeting(nil, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", false)
	if len(got) != GreetingSize {
		t.Fatalf("len = %d", len(got))
	}
	g, err := ParseGreeting(got)
	if err != nil {
		t.Fatal(err)
	}
	if g.Mechanism != "ABCDEFGHIJKLMNOPQRST" || g.AsServer {
		t.Fatalf("%+v", g)
	}
}

func TestParseGreetingAcceptsOtherPadding(t *testing.T) {
	b := AppendGreeting(nil, "PLAIN", false)
	for i := 1; i <= 8; i++ {
		b[i] = 0xAB
	}
	b[9] = 0x01 // only bit 0 matters
	b[11] = 0   // ZMTP 3.0
	b[40] = 0x55
	g, err := ParseGreeting(b)
	if err != nil {
		t.Fatal(err)
	}
	if g.Minor != 0 || g.Mechanism != "PLAIN" {
		t.Fatalf("%+v", g)
	}
}

func TestParseGreetingRejects(t *testing.T) {
	good := AppendGreeting(nil, "NULL", false)
	cases := map[string]func([]byte) []byte{
		"short":        func(b []byte) []byte { return b[:63] },
		"empty":        func(b []byte) []byte { return nil },
		"first byte":   func(b []byte) []byte { b[0] = 0xFE; return b },
		"bit 0 of b9":  func(b []byte) []byte { b[9] = 0x7E; return b },
		"major 1 (v2)": func(b []byte) []byte { b[10] = 1; return b },
	}
	for name, mutate := range cases {
		b := mutate(bytes.Clone(good))
		if _, err := ParseGreeting(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", name, err)
		}
	}
}

// libzmq 4.3 takes every version but 0 and 1 as ZMTP 3.x, and speaks 3.0
// only to a greeting of version 3.0 exactly.
func TestParseGreetingVersionsAsLibzmq(t *testing.T) {
	for _, c := range []struct {
		major, minor byte
		v30          bool
	}{{3, 0, true}, {3, 1, false}, {3, 0xff, false}, {2, 0, false}, {2, 1, false}, {4, 0, false}, {0xff, 0, false}} {
		b := AppendGreeting(nil, "NULL", false)
		b[10], b[11] = c.major, c.minor
		g, err := ParseGreeting(b)
		if err != nil {
			t.Fatalf("version %d.%d: %v", c.major, c.minor, err)
		}
		if g.IsV30() != c.v30 {
			t.Errorf("version %d.%d: IsV30 = %v, want %v", c.major, c.minor, g.IsV30(), c.v30)
		}
	}
}

func TestParseGreetingKeepsInnerNUL(t *testing.T) {
	b := AppendGreeting(nil, "NULL", false)
	b[17] = 'X' // "NULL\0X..." must not compare equal to "NULL"
	g, err := ParseGreeting(b)
	if err != nil {
		t.Fatal(err)
	}
	if g.Mechanism != "NULL\x00X" {
		t.Fatalf("mechanism = %q", g.Mechanism)
	}
}

func TestSetGreetingPadding(t *testing.T) {
	g := AppendGreeting(nil, "NULL", false)
	if !bytes.Equal(g[1:9], []byte{0, 0, 0, 0, 0, 0, 0, 1}) {
		t.Fatalf("default padding %x", g[1:9])
	}
	SetGreetingPadding(g, 255)
	if !bytes.Equal(g[1:9], []byte{0, 0, 0, 0, 0, 0, 1, 0}) || g[0] != 0xFF || g[9] != 0x7F {
		t.Fatalf("padding for 255 bytes: %x", g[:10])
	}
}
