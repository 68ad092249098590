package trie

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

func topics(t *Trie) []string {
	var out []string
	t.Each(func(topic []byte) { out = append(out, string(topic)) })
	return out
}

func TestAddRemoveCounts(t *testing.T) {
	var tr Trie
	if !tr.Add([]byte("A")) {
		t.Fatal("first Add of A not first")
	}
	if tr.Add([]byte("A")) {
		t.Fatal("second Add of A reported first")
	}
	if tr.Len() != 1 {
		t.Fatalf("Len = %d", tr.Len())
	}
	if tr.Remove([]byte("A")) {
		t.Fatal("first Remove of a doubly added topic reported last")
	}
	if !tr.Match([]byte("Apple")) {
		t.Fatal("A no longer matches after one of two removes")
	}
	if !tr.Remove([]byte("A")) {
		t.Fatal("second Remove not last")
	}
	if tr.Match([]byte("Apple")) || tr.Len() != 0 {
		t.Fatal("A still present")
	}
	if tr.Remove([]byte("A")) {
		t.Fatal("Remove of absent topic reported last")
	}
}

func TestRemoveAbsent(t *testing.T) {
	var tr Trie
	tr.Add([]byte("abcd"))
	tr.Add([]byte("abxy"))
	for _, absent := range []string{"", "a", "ab", "abc", "abcde", "abx", "zz", "abcz"} {
		if tr.Remove([]byte(absent)) {
			t.Errorf("Remove(%q) = true", absent)
		}
	}
	if got := topics(&tr); !slices.Equal(got, []string{"abcd", "abxy"}) {
		t.Fatalf("topics = %q", got)
	}
}

func TestMatchPrefixes(t *testing.T) {
	var tr Trie
	for _, s := range []string{"weather.", "news.sport", "news.sports.football", "x"} {
		tr.Add([]byte(s))
	}
	cases := map[string]bool{
		"weather.london":  true,
		"weather.":        true,
		"weather":         false,
		"news.sport":      true,
		"news.sports":     true,
		"news.spor":       false,
		"news.":           false,
		"xylophone":       true,
		"":                false,
		"y":               false,
		"news.sportXYZ":   true,
		"\x00weather.abc": false,
	}
	for data, want := range cases {
		if got := tr.Match([]byte(data)); got != want {
			t.Errorf("Match(%q) = %v, want %v", data, got, want)
		}
	}
}

func TestEmptyTopicMatchesEverything(t *testing.T) {
	var tr Trie
	if tr.Match(nil) || tr.Match([]byte("a")) {
		t.Fatal("empty trie matched")
	}
	if !tr.Add(nil) {
		t.Fatal("Add(empty) not first")
	}
	for _, data := range []string{"", "a", "\xff\x00"} {
		if !tr.Match([]byte(data)) {
			t.Errorf("Match(%q) = false with the empty topic", data)
		}
	}
	if got := topics(&tr); !slices.Equal(got, []string{""}) {
		t.Fatalf("topics = %q", got)
	}
	if !tr.Remove([]byte{}) || tr.Match([]byte("a")) {
		t.Fatal("empty topic not removed")
	}
}

func TestEachSortedAndCopies(t *testing.T) {
	var tr Trie
	in := []string{"b", "abc", "ab", "a", "", "abd", "\xff", "ba"}
	for _, s := range in {
		tr.Add([]byte(s))
		tr.Add([]byte(s)) // counts do not duplicate topics in Each
	}
	var kept [][]byte
	tr.Each(func(topic []byte) { kept = append(kept, topic) })
	want := slices.Clone(in)
	slices.Sort(want)
	if len(kept) != len(want) {
		t.Fatalf("Each gave %d topics, want %d", len(kept), len(want))
	}
	for i := range want {
		if string(kept[i]) != want[i] {
			t.Fatalf("topic %d = %q, want %q", i, kept[i], want[i])
		}
	}
	if len(kept[3]) > 0 {
		kept[3][0] = 'Z' // mutating a kept topic must not touch the trie
	}
	if got := topics(&tr); !slices.Equal(got, want) {
		t.Fatalf("trie changed through an Each slice: %q", got)
	}
}

func TestAddCopiesTopic(t *testing.T) {
	var tr Trie
	topic := []byte("hello")
	tr.Add(topic)
	topic[0] = 'j'
	if !tr.Match([]byte("hello")) || tr.Match([]byte("jello")) {
		t.Fatal("trie aliases the caller's topic")
	}
}

func TestClear(t *testing.T) {
	var tr Trie
	tr.Add([]byte("a"))
	tr.Add([]byte(""))
	tr.Clear()
	if tr.Len() != 0 || tr.Match([]byte("a")) || len(topics(&tr)) != 0 {
		t.Fatal("Clear left topics")
	}
	if !tr.Add([]byte("a")) {
		t.Fatal("Add after Clear not first")
	}
}

// countNodes counts the nodes below the root.
func countNodes(n *node) int {
	total := 0
	for _, c := range n.children {
		total += 1 + countNodes(c)
	}
	return total
}

// checkInvariant verifies the radix-tree shape: sorted first bytes matching
// the edges, non-empty edges, and no node without a topic and with fewer than
// two children below the root.
func checkInvariant(t *testing.T, n *node, isRoot bool) {
	t.Helper()
	if !isRoot {
		if len(n.edge) == 0 {
			t.Fatal("empty edge below root")
		}
		if n.count == 0 && len(n.children) < 2 {
			t.Fatalf("dead node %q with %d children", n.edge, len(n.children))
		}
	}
	if len(n.firsts) != len(n.children) {
		t.Fatal("firsts and children differ in length")
	}
	for i, c := range n.children {
		if n.firsts[i] != c.edge[0] {
			t.Fatal("firsts out of step with edges")
		}
		if i > 0 && n.firsts[i-1] >= n.firsts[i] {
			t.Fatal("children not sorted")
		}
		checkInvariant(t, c, false)
	}
}

func TestHundredThousandTopics(t *testing.T) {
	var tr Trie
	rng := rand.New(rand.NewPCG(1, 2))
	const count = 100000
	var all [][]byte
	seen := map[string]bool{}
	for len(all) < count {
		topic := fmt.Appendf(nil, "feed.%d.%x", rng.IntN(500), rng.Uint64())
		if seen[string(topic)] {
			continue
		}
		seen[string(topic)] = true
		all = append(all, topic)
		if !tr.Add(topic) {
			t.Fatalf("Add(%q) not first", topic)
		}
	}
	if tr.Len() != count {
		t.Fatalf("Len = %d", tr.Len())
	}
	checkInvariant(t, &tr.root, true)
	for _, topic := range all[:1000] {
		if !tr.Match(append(bytes.Clone(topic), ".payload"...)) {
			t.Fatalf("%q does not match", topic)
		}
	}
	if tr.Match([]byte("feed.1.")) || tr.Match([]byte("other")) {
		t.Fatal("unexpected match")
	}
	if n := len(topics(&tr)); n != count {
		t.Fatalf("Each gave %d topics", n)
	}

	// Remove every other topic, then the rest: nodes must be released.
	for i := 0; i < count; i += 2 {
		if !tr.Remove(all[i]) {
			t.Fatalf("Remove(%q) not last", all[i])
		}
	}
	checkInvariant(t, &tr.root, true)
	if tr.Match(all[0]) || !tr.Match(all[1]) {
		t.Fatal("wrong topics after removing half")
	}
	for i := 1; i < count; i += 2 {
		tr.Remove(all[i])
	}
	if tr.Len() != 0 || countNodes(&tr.root) != 0 {
		t.Fatalf("Len %d, %d nodes left after removing everything", tr.Len(), countNodes(&tr.root))
	}
}

func TestNodesPrunedOnRemove(t *testing.T) {
	var tr Trie
	tr.Add([]byte("abc"))
	tr.Add([]byte("abd"))
	tr.Add([]byte("ab"))
	tr.Add([]byte("a"))
	tr.Remove([]byte("ab"))
	checkInvariant(t, &tr.root, true)
	tr.Remove([]byte("abd"))
	checkInvariant(t, &tr.root, true)
	// Left: "a" -> "bc"; two nodes.
	if n := countNodes(&tr.root); n != 2 {
		t.Fatalf("%d nodes, want 2", n)
	}
	tr.Remove([]byte("a"))
	if n := countNodes(&tr.root); n != 1 || string(tr.root.children[0].edge) != "abc" {
		t.Fatalf("%d nodes, want the single edge abc", n)
	}
}
