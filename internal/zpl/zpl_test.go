package zpl

import (
	"errors"
	"strings"
	"testing"
)

func TestParseTree(t *testing.T) {
	text := strings.Join([]string{
		"#   a header comment",
		"",
		"metadata                 # a section without a value",
		"    name = 'single quoted'",
		"    plain = unquoted value   # its comment is dropped",
		"    empty",
		"        # a comment indented deeper than anything",
		"curve\r",
		"    public-key = \"a#b\"",
		"    nested",
		"        deep = \"x\"",
		"curve",
		"    second = \"Get follows the first curve\"",
		"",
	}, "\n")
	root, err := Parse([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(root.Children) != 3 || root.Children[0].Name != "metadata" || len(root.Children[0].Children) != 3 {
		t.Fatalf("tree shape: %+v", root.Children)
	}
	for _, c := range []struct {
		path []string
		want string
		ok   bool
	}{
		{[]string{"metadata", "name"}, "single quoted", true},
		{[]string{"metadata", "plain"}, "unquoted value", true},
		{[]string{"metadata", "empty"}, "", true},
		{[]string{"curve", "public-key"}, "a#b", true},
		{[]string{"curve", "nested", "deep"}, "x", true},
		{[]string{"curve", "second"}, "", false},
		{[]string{"missing"}, "", false},
	} {
		got, ok := root.Get(c.path...)
		if got != c.want || ok != c.ok {
			t.Errorf("Get(%q) = %q, %v; want %q, %v", c.path, got, ok, c.want, c.ok)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for name, text := range map[string]string{
		"three-space indent": "curve\n   public-key = \"k\"\n",
		"tab indent":         "curve\n\tpublic-key = \"k\"\n",
		"junk after value":   "curve\n    public-key = \"k\" junk\n",
		"missing quote":      "curve\n    public-key = \"k\n",
		"too deep":           "curve\n        public-key = \"k\"\n",
		"slash at start":     "/curve\n",
		"slash at end":       "curve/\n",
		"line without name":  "= value\n",
		"junk after name":    "curve !\n",
	} {
		if _, err := Parse([]byte(text)); !errors.Is(err, ErrSyntax) {
			t.Errorf("%s: %v; want ErrSyntax", name, err)
		}
	}
}

// Text over MaxSize and nesting to MaxDepth are refused; one level less
// is read.
func TestParseBounds(t *testing.T) {
	if _, err := Parse(make([]byte, MaxSize+1)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("%d bytes: %v; want ErrTooLarge", MaxSize+1, err)
	}
	if _, err := Parse([]byte(strings.Repeat("\n", MaxSize))); err != nil {
		t.Fatalf("%d blank lines: %v", MaxSize, err)
	}
	nested := func(levels int) []byte {
		var b strings.Builder
		for i := range levels {
			b.WriteString(strings.Repeat("    ", i) + "n\n")
		}
		return []byte(b.String())
	}
	root, err := Parse(nested(MaxDepth))
	if err != nil {
		t.Fatalf("%d levels: %v", MaxDepth, err)
	}
	depth := 0
	for n := root; len(n.Children) > 0; n = n.Children[0] {
		depth++
	}
	if depth != MaxDepth {
		t.Fatalf("%d levels parsed as %d", MaxDepth, depth)
	}
	if _, err := Parse(nested(MaxDepth + 1)); !errors.Is(err, ErrSyntax) {
		t.Fatalf("%d levels: %v; want ErrSyntax", MaxDepth+1, err)
	}
}

func TestItem(t *testing.T) {
	for _, c := range []struct {
		level       int
		name, value string
		want        string
	}{
		{1, "curve", "", "curve = \"\"\n"},
		{2, "public-key", "abc", "    public-key = \"abc\"\n"},
		{2, "quote", `say "hi"`, "    quote = 'say \"hi\"'\n"},
		{3, "a$-_@.&+/b", "v", "        a$-_@.&+/b = \"v\"\n"},
	} {
		got, err := Item(c.level, c.name, c.value)
		if err != nil || got != c.want {
			t.Errorf("Item(%d, %q, %q) = %q, %v; want %q", c.level, c.name, c.value, got, err, c.want)
		}
	}
	for _, c := range [][2]string{{"", "v"}, {"/a", "v"}, {"a/", "v"}, {"sp ace", "v"}, {"n", "line\nbreak"}, {"n", "cr\r"}, {"n", `both " and '`}} {
		if got, err := Item(2, c[0], c[1]); err == nil {
			t.Errorf("Item(2, %q, %q) = %q; want an error", c[0], c[1], got)
		}
	}
}

// FuzzParse feeds Parse arbitrary text: it never fails other than with
// ErrSyntax or ErrTooLarge, keeps within MaxDepth, and every item it reads
// that Item can write reads back the same.
func FuzzParse(f *testing.F) {
	f.Add([]byte("metadata\n    name = 'x'\ncurve\n    public-key = \"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\"\n"))
	f.Add([]byte("a\n    b = c # d\n        e\n"))
	f.Add([]byte("= x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		root, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		var walk func(n *Node, level int)
		walk = func(n *Node, level int) {
			if level > MaxDepth {
				t.Fatalf("tree deeper than %d", MaxDepth)
			}
			for _, c := range n.Children {
				if line, err := Item(1, c.Name, c.Value); err == nil {
					again, err := Parse([]byte(line))
					if err != nil || len(again.Children) != 1 || again.Children[0].Name != c.Name || again.Children[0].Value != c.Value {
						t.Fatalf("item %q = %q wrote %q, read back %+v, %v", c.Name, c.Value, line, again, err)
					}
				}
				walk(c, level+1)
			}
		}
		walk(root, 0)
	})
}
