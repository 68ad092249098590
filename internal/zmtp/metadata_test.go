package zmtp

import (
	"errors"
	"strings"
	"testing"
)

func TestMetadataRoundTrip(t *testing.T) {
	want := []Property{
		{"Socket-Type", "ROUTER"},
		{"Identity", ""},
		{"X-Long", strings.Repeat("v", 70000)},
		{strings.Repeat("n", 255), "\x00\xff"},
	}
	var b []byte
	for _, p := range want {
		b = AppendProperty(b, p.Name, p.Value)
	}
	got, err := ParseMetadata(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d properties", len(got))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("property %d: %q", i, got[i].Name)
		}
	}
	b[1] = 'Z' // parsed strings are copies
	if got[0].Name != "Socket-Type" {
		t.Fatal("ParseMetadata aliases its input")
	}
}

func TestParseMetadataEmpty(t *testing.T) {
	props, err := ParseMetadata(nil)
	if err != nil || len(props) != 0 {
		t.Fatalf("%v %v", props, err)
	}
}

// libzmq 4.3 stops at a property cut short and fails only if bytes are
// left: a last property cut right after its name or its value length is
// dropped, every other cut fails.
func TestParseMetadataTruncationsAsLibzmq(t *testing.T) {
	b := AppendProperty(nil, "Socket-Type", "PUB")
	first := len(b)
	b = AppendProperty(b, "X-A", "value")
	// The cuts that parse, and how many whole properties they keep.
	kept := map[int]int{
		1 + 11:            0, // after the first's name
		1 + 11 + 4:        0, // after its value length
		first:             1, // the first property whole
		first + 1 + 3:     1, // after the second's name
		first + 1 + 3 + 4: 1, // after its value length
	}
	for cut := 1; cut < len(b); cut++ {
		props, err := ParseMetadata(b[:cut])
		n, ok := kept[cut]
		switch {
		case ok && (err != nil || len(props) != n || n == 1 && props[0] != (Property{"Socket-Type", "PUB"})):
			t.Errorf("cut at %d: %q, %v; want %d whole properties", cut, props, err, n)
		case !ok && !errors.Is(err, ErrMalformed):
			t.Errorf("cut at %d: err = %v, want ErrMalformed", cut, err)
		}
	}
}

func TestParseMetadataRejectsBadLengths(t *testing.T) {
	for _, bad := range []string{
		"\x01A\x00\x00\x00\x02x",    // one byte short
		"\x01A\x00\x00\x00\x00\x00", // one byte after the last property
		"\x05A",                     // a name past the end
	} {
		if _, err := ParseMetadata([]byte(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: err = %v", bad, err)
		}
	}
	// A value length past the end with nothing after it is dropped.
	if props, err := ParseMetadata([]byte("\x01A\xff\xff\xff\xff")); err != nil || len(props) != 0 {
		t.Errorf("value length past the end: %q, %v", props, err)
	}
}

// libzmq 4.3 takes a property with an empty name.
func TestParseMetadataTakesEmptyName(t *testing.T) {
	props, err := ParseMetadata([]byte("\x00\x00\x00\x00\x01v\x01A\x00\x00\x00\x00"))
	if err != nil {
		t.Fatal(err)
	}
	if len(props) != 2 || props[0] != (Property{"", "v"}) || props[1] != (Property{"A", ""}) {
		t.Fatalf("%q", props)
	}
}

func TestAppendPropertyPanicsOnBadName(t *testing.T) {
	for _, name := range []string{"", strings.Repeat("x", 256)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("no panic for name of %d bytes", len(name))
				}
			}()
			AppendProperty(nil, name, "v")
		}()
	}
}
