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

func TestParseMetadataRejectsEveryTruncation(t *testing.T) {
	b := AppendProperty(nil, "Socket-Type", "PUB")
	b = AppendProperty(b, "X-A", "value")
	first := len(AppendProperty(nil, "Socket-Type", "PUB"))
	for cut := 1; cut < len(b); cut++ {
		if cut == first {
			continue // a whole first property is valid on its own
		}
		if _, err := ParseMetadata(b[:cut]); !errors.Is(err, ErrMalformed) {
			t.Errorf("cut at %d: err = %v", cut, err)
		}
	}
}

func TestParseMetadataRejectsBadLengths(t *testing.T) {
	for _, bad := range []string{
		"\x01A\xff\xff\xff\xff",     // value length far past the end
		"\x01A\x00\x00\x00\x02x",    // one byte short
		"\x01A\x00\x00\x00\x00\x00", // second property with empty name
	} {
		if _, err := ParseMetadata([]byte(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: err = %v", bad, err)
		}
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
