// Package zpl reads and writes ZPL (ZeroMQ RFC 4, the ZeroMQ Property
// Language) as CZMQ's zconfig does, for the certificate files of zmq4's
// Cert and CertStore. Certificates use a small subset of it: two sections
// ("metadata", "curve") of "name = value" items.
//
// ZPL text is untrusted input (certificate directories may hold files from
// anywhere): Parse refuses text longer than MaxSize before reading any of
// it, and stops with an error at the first item nested deeper than
// MaxDepth.
package zpl

import (
	"errors"
	"fmt"
	"strings"
)

// MaxSize is the longest text Parse reads, the size bound of a
// certificate file.
const MaxSize = 1 << 20

// MaxDepth is how deeply Parse lets items nest (certificates use 2; CZMQ
// sets no bound).
const MaxDepth = 64

// ErrSyntax reports text that is not valid ZPL; like CZMQ the whole text is
// then rejected. Parse's errors wrap it with the line number.
var ErrSyntax = errors.New("zmq4: ZPL syntax error")

// ErrTooLarge reports text longer than MaxSize.
var ErrTooLarge = fmt.Errorf("zmq4: ZPL text is larger than %d bytes", MaxSize)

// Node is one item of a ZPL tree: a name, its value ("" when the line has
// none) and the items indented below it.
type Node struct {
	Name, Value string
	Children    []*Node
}

// Child returns the first child called name, or nil.
func (n *Node) Child(name string) *Node {
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Get returns the value at the path of names below n, following the first
// child of each name.
func (n *Node) Get(path ...string) (string, bool) {
	for _, name := range path {
		if n = n.Child(name); n == nil {
			return "", false
		}
	}
	return n.Value, true
}

// Parse parses ZPL text into a tree under an unnamed root, following
// zconfig: trailing white space is trimmed, indentation is four spaces per
// level, "#" starts a comment, values may be quoted with " or ' (no escapes)
// and any other text on a line is an error.
func Parse(data []byte) (*Node, error) {
	if len(data) > MaxSize {
		return nil, ErrTooLarge
	}
	root := &Node{}
	for number, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, " \t\r\n\v\f")
		spaces := len(line) - len(strings.TrimLeft(line, " "))
		if spaces%4 != 0 {
			return nil, fmt.Errorf("%w: line %d: indent by four spaces at once", ErrSyntax, number+1)
		}
		rest := line[spaces:]
		nameEnd := 0
		for nameEnd < len(rest) && isNameChar(rest[nameEnd]) {
			nameEnd++
		}
		name := rest[:nameEnd]
		if name == "" {
			if !lineEnds(rest) {
				return nil, fmt.Errorf("%w: line %d: unexpected %q", ErrSyntax, number+1, rest)
			}
			continue
		}
		if name[0] == '/' || name[len(name)-1] == '/' {
			return nil, fmt.Errorf("%w: line %d: '/' at the start or end of a name", ErrSyntax, number+1)
		}
		value, ok := parseValue(rest[nameEnd:])
		if !ok {
			return nil, fmt.Errorf("%w: line %d: bad value", ErrSyntax, number+1)
		}
		depth := spaces / 4
		if depth >= MaxDepth {
			return nil, fmt.Errorf("%w: line %d: nested deeper than %d levels", ErrSyntax, number+1, MaxDepth)
		}
		parent := root.lastAtDepth(depth)
		if parent == nil {
			return nil, fmt.Errorf("%w: line %d: indentation", ErrSyntax, number+1)
		}
		parent.Children = append(parent.Children, &Node{Name: name, Value: value})
	}
	return root, nil
}

// lastAtDepth returns the most recent node at depth level below n (n itself
// for level 0), or nil when the tree is not that deep.
func (n *Node) lastAtDepth(level int) *Node {
	for ; level > 0; level-- {
		if len(n.Children) == 0 {
			return nil
		}
		n = n.Children[len(n.Children)-1]
	}
	return n
}

// isNameChar reports whether b may appear in a ZPL name: letters, digits
// and $-_@.&+/.
func isNameChar(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("$-_@.&+/", b) >= 0
}

// isSpace reports C isspace for ASCII.
func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\v' || b == '\f' || b == '\r'
}

// lineEnds reports whether s holds only white space and perhaps a comment.
func lineEnds(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '#' {
			return true
		}
		if !isSpace(s[i]) {
			return false
		}
	}
	return true
}

// parseValue parses what follows a name: nothing (value ""), or "=" and a
// quoted or unquoted value, then perhaps a comment.
func parseValue(s string) (string, bool) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i == len(s) || s[i] != '=' {
		return "", lineEnds(s[i:])
	}
	i++
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	s = s[i:]
	if len(s) > 0 && (s[0] == '"' || s[0] == '\'') {
		end := strings.IndexByte(s[1:], s[0])
		if end < 0 {
			return "", false
		}
		return s[1 : 1+end], lineEnds(s[2+end:])
	}
	if hash := strings.IndexByte(s, '#'); hash >= 0 {
		s = strings.TrimRight(s[:hash], " \t\r\n\v\f")
	}
	return s, true
}

// Item returns one "name = value" line at the given level (level 1 has no
// indentation), quoting the value as zconfig does; it falls back to single
// quotes for values holding a double quote, and refuses what ZPL cannot
// hold (the errors speak of metadata, the only names callers choose).
func Item(level int, name, value string) (string, error) {
	if name == "" || name[0] == '/' || name[len(name)-1] == '/' {
		return "", fmt.Errorf("zmq4: metadata name %q cannot be written as ZPL", name)
	}
	for i := 0; i < len(name); i++ {
		if !isNameChar(name[i]) {
			return "", fmt.Errorf("zmq4: metadata name %q cannot be written as ZPL", name)
		}
	}
	quote := `"`
	if strings.Contains(value, `"`) {
		quote = "'"
	}
	if strings.ContainsAny(value, "\n\r") || strings.Contains(value, quote) {
		return "", fmt.Errorf("zmq4: metadata value of %q cannot be written as ZPL", name)
	}
	return strings.Repeat("    ", level-1) + name + " = " + quote + value + quote + "\n", nil
}
