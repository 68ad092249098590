package trie

import (
	"strings"
	"testing"
)

// FuzzTrie replays a script of operations against a Trie and a naive
// map-based model and requires identical answers. Each op is one byte: the
// low two bits pick Add, Remove, Match or a full comparison; the rest picks
// a topic length; the topic bytes follow.
func FuzzTrie(f *testing.F) {
	f.Add([]byte{0x0C, 'a', 'b', 'c', 0x08, 'a', 'b', 0x06, 'a', 'b', 'c', 'd', 0x01 | 0x0C, 'a', 'b', 'c', 0x03})
	f.Add([]byte{0x00, 0x02, 0x04, 'x', 0x05, 'x', 0x01, 0x03})
	f.Add([]byte(strings.Repeat("\x10ab\x14abc\x11ab\x07", 5)))
	f.Fuzz(func(t *testing.T, script []byte) {
		var tr Trie
		model := map[string]int{}
		for len(script) > 0 {
			op := script[0] & 3
			n := min(int(script[0]>>2), len(script)-1)
			arg := script[1 : 1+n]
			script = script[1+n:]
			switch op {
			case 0:
				first := tr.Add(arg)
				model[string(arg)]++
				if first != (model[string(arg)] == 1) {
					t.Fatalf("Add(%q) = %v", arg, first)
				}
			case 1:
				last := tr.Remove(arg)
				want := model[string(arg)] == 1
				if model[string(arg)] > 0 {
					model[string(arg)]--
					if model[string(arg)] == 0 {
						delete(model, string(arg))
					}
				}
				if last != want {
					t.Fatalf("Remove(%q) = %v", arg, last)
				}
			case 2:
				want := false
				for topic := range model {
					if strings.HasPrefix(string(arg), topic) {
						want = true
					}
				}
				if got := tr.Match(arg); got != want {
					t.Fatalf("Match(%q) = %v, want %v", arg, got, want)
				}
			case 3:
				compare(t, &tr, model)
			}
		}
		compare(t, &tr, model)
		checkInvariant(t, &tr.root, true)
	})
}

func compare(t *testing.T, tr *Trie, model map[string]int) {
	t.Helper()
	if tr.Len() != len(model) {
		t.Fatalf("Len = %d, model has %d", tr.Len(), len(model))
	}
	seen := 0
	tr.Each(func(topic []byte) {
		if model[string(topic)] == 0 {
			t.Fatalf("Each gave %q, not in the model", topic)
		}
		seen++
	})
	if seen != len(model) {
		t.Fatalf("Each gave %d topics, model has %d", seen, len(model))
	}
}
