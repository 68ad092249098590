// Package trie stores PUB/SUB subscription topics with reference counts and
// answers "does any topic prefix this message?" in time proportional to the
// message prefix it walks, however many topics there are.
package trie

import "bytes"

// Trie is a radix tree of subscription topics, each with a count of how many
// times it was added. The zero value is an empty Trie ready to use. A Trie is
// not safe for concurrent use.
//
// Invariant: every node other than the root either holds a topic (count > 0)
// or has at least two children, so removed topics leave no dead nodes behind.
type Trie struct {
	root   node
	topics int
}

// node is one vertex of the radix tree. The path from the root to a node,
// concatenating edges, spells the topic the node stands for.
type node struct {
	edge     []byte  // label on the edge from the parent; non-empty except at the root
	count    int     // how many times this exact topic was added
	firsts   []byte  // firsts[i] == children[i].edge[0], kept sorted
	children []*node // parallel to firsts
}

// Add counts one more subscription to topic. It reports whether this is the
// first one, that is, whether the topic was absent before.
func (t *Trie) Add(topic []byte) (first bool) {
	n := &t.root
	rest := topic
	for len(rest) > 0 {
		i, found := n.childIndex(rest[0])
		if !found {
			n.insertChild(i, &node{edge: bytes.Clone(rest)})
			n = n.children[i]
			rest = nil
			break
		}
		child := n.children[i]
		common := commonPrefixLen(child.edge, rest)
		if common < len(child.edge) {
			child = n.splitChild(i, common)
		}
		n = child
		rest = rest[common:]
	}
	n.count++
	if n.count == 1 {
		t.topics++
		return true
	}
	return false
}

// Remove takes back one subscription to topic. It reports whether that was
// the last one, that is, whether the topic is now gone. Removing a topic that
// is not present does nothing and returns false.
func (t *Trie) Remove(topic []byte) (last bool) {
	// path[k] is the parent of path[k+1]; index[k] is path[k+1]'s position.
	var pathBuf [16]*node
	var indexBuf [16]int
	path := append(pathBuf[:0], &t.root)
	index := indexBuf[:0]
	n := &t.root
	rest := topic
	for len(rest) > 0 {
		i, found := n.childIndex(rest[0])
		if !found {
			return false
		}
		child := n.children[i]
		if !bytes.HasPrefix(rest, child.edge) {
			return false
		}
		rest = rest[len(child.edge):]
		n = child
		path = append(path, n)
		index = append(index, i)
	}
	if n.count == 0 {
		return false
	}
	n.count--
	if n.count > 0 {
		return false
	}
	t.topics--
	t.prune(path, index)
	return true
}

// prune restores the invariant after the node at the end of path lost its
// last subscription: it deletes nodes left with neither a topic nor children
// and merges a topic-less node that has a single child into that child.
func (t *Trie) prune(path []*node, index []int) {
	for k := len(path) - 1; k > 0; k-- {
		n, parent, i := path[k], path[k-1], index[k-1]
		if n.count > 0 {
			return
		}
		switch len(n.children) {
		case 0:
			parent.removeChild(i)
			continue // the parent may now be dead or mergeable
		case 1:
			parent.children[i] = n.mergeWithOnlyChild()
		}
		return
	}
}

// Match reports whether some stored topic, the empty topic included, is a
// prefix of data.
func (t *Trie) Match(data []byte) bool {
	n := &t.root
	rest := data
	for {
		if n.count > 0 {
			return true
		}
		if len(rest) == 0 {
			return false
		}
		i := bytes.IndexByte(n.firsts, rest[0])
		if i < 0 {
			return false
		}
		child := n.children[i]
		if !bytes.HasPrefix(rest, child.edge) {
			return false
		}
		rest = rest[len(child.edge):]
		n = child
	}
}

// Len returns the number of distinct topics stored.
func (t *Trie) Len() int { return t.topics }

// Each calls fn once for every distinct topic, in byte-wise lexical order.
// Each topic is a fresh slice that fn may keep. fn must not modify the Trie.
func (t *Trie) Each(fn func(topic []byte)) {
	var prefix []byte
	var walk func(n *node)
	walk = func(n *node) {
		prefix = append(prefix, n.edge...)
		if n.count > 0 {
			fn(bytes.Clone(prefix))
		}
		for _, child := range n.children {
			walk(child)
		}
		prefix = prefix[:len(prefix)-len(n.edge)]
	}
	walk(&t.root)
}

// Clear removes every topic.
func (t *Trie) Clear() {
	t.root = node{}
	t.topics = 0
}

// childIndex returns the position of the child whose edge starts with b, or
// the position where such a child would be inserted.
func (n *node) childIndex(b byte) (int, bool) {
	lo, hi := 0, len(n.firsts)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if n.firsts[mid] < b {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, lo < len(n.firsts) && n.firsts[lo] == b
}

func (n *node) insertChild(i int, child *node) {
	n.firsts = append(n.firsts, 0)
	copy(n.firsts[i+1:], n.firsts[i:])
	n.firsts[i] = child.edge[0]
	n.children = append(n.children, nil)
	copy(n.children[i+1:], n.children[i:])
	n.children[i] = child
}

func (n *node) removeChild(i int) {
	n.firsts = append(n.firsts[:i], n.firsts[i+1:]...)
	copy(n.children[i:], n.children[i+1:])
	n.children[len(n.children)-1] = nil
	n.children = n.children[:len(n.children)-1]
	if len(n.children) == 0 {
		n.firsts, n.children = nil, nil
	}
}

// splitChild cuts child i's edge after at bytes, putting a new topic-less
// node in between, and returns that new node.
func (n *node) splitChild(i, at int) *node {
	child := n.children[i]
	mid := &node{
		edge:     child.edge[:at:at],
		firsts:   []byte{child.edge[at]},
		children: []*node{child},
	}
	child.edge = child.edge[at:]
	n.children[i] = mid
	return mid
}

// mergeWithOnlyChild folds n's single child into n's place, joining edges.
func (n *node) mergeWithOnlyChild() *node {
	child := n.children[0]
	edge := make([]byte, 0, len(n.edge)+len(child.edge))
	edge = append(edge, n.edge...)
	child.edge = append(edge, child.edge...)
	return child
}

func commonPrefixLen(a, b []byte) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}
