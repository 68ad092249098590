package ws

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// acceptGUID is the value RFC 6455 appends to Sec-WebSocket-Key before
// hashing it into Sec-WebSocket-Accept.
const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// Limits on an HTTP upgrade head (request or response, up to and including
// the blank line). libzmq bounds header names to 1024 and values to 2048
// bytes; a whole head of 8 KiB is far more than any upgrade needs.
const (
	maxHeadSize    = 8 << 10
	maxHeaderLines = 64
)

// Subprotocol names (ZWS 2.0).
const (
	protocolBare   = "ZWS2.0"
	protocolPrefix = "ZWS2.0/"
)

// errHandshake is wrapped by every malformed or refused upgrade.
var errHandshake = errors.New("ws: upgrade handshake failed")

// handshakef returns an error wrapping errHandshake.
func handshakef(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errHandshake}, args...)...)
}

// acceptKey returns the Sec-WebSocket-Accept value for a client key.
func acceptKey(key string) string {
	h := sha1.New()
	h.Write([]byte(key))
	h.Write([]byte(acceptGUID))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// offeredProtocols returns the subprotocols a client with the given
// mechanism offers, in order of preference, as libzmq's client does: NULL
// offers the handshake form first and the bare one second.
func offeredProtocols(mechanism string) ([]string, error) {
	switch mechanism {
	case "NULL":
		return []string{protocolPrefix + "NULL", protocolBare}, nil
	case "PLAIN", "CURVE":
		return []string{protocolPrefix + mechanism}, nil
	}
	return nil, fmt.Errorf("ws: mechanism %q cannot run over ws", mechanism)
}

// selectProtocol picks, in the client's order, the first offered
// subprotocol that fits our mechanism, as libzmq's server does.
func selectProtocol(offers []string, mechanism string) (string, bool) {
	for _, p := range offers {
		if p == protocolPrefix+mechanism || mechanism == "NULL" && p == protocolBare {
			return p, true
		}
	}
	return "", false
}

// appendRequest appends a client's upgrade request.
func appendRequest(dst []byte, host, path, key string, protocols []string) []byte {
	dst = append(dst, "GET "...)
	dst = append(dst, path...)
	dst = append(dst, " HTTP/1.1\r\nHost: "...)
	dst = append(dst, host...)
	dst = append(dst, "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "...)
	dst = append(dst, key...)
	dst = append(dst, "\r\nSec-WebSocket-Protocol: "...)
	dst = append(dst, strings.Join(protocols, ",")...)
	return append(dst, "\r\nSec-WebSocket-Version: 13\r\n\r\n"...)
}

// appendResponse appends a server's acceptance of an upgrade. The status
// line is exactly the one libzmq's client insists on.
func appendResponse(dst []byte, accept, protocol string) []byte {
	dst = append(dst, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "...)
	dst = append(dst, accept...)
	dst = append(dst, "\r\nSec-WebSocket-Protocol: "...)
	dst = append(dst, protocol...)
	return append(dst, "\r\n\r\n"...)
}

// badRequest is the server's answer to an upgrade it refuses.
const badRequest = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"

// request is what a server needs from an upgrade request.
type request struct {
	path      string
	key       string
	protocols []string // every offered subprotocol, in order
}

// response is what a client needs from an upgrade response.
type response struct {
	accept   string
	protocol string
}

// headEnd returns the length of the HTTP head at the start of b (through
// the blank line), or -1 if b does not yet hold all of it.
func headEnd(b []byte) int {
	i := bytes.Index(b, []byte("\r\n\r\n"))
	if i < 0 {
		return -1
	}
	return i + 4
}

// headFields holds the upgrade-related header fields of a head.
type headFields struct {
	upgrade    bool // Upgrade lists websocket
	connection bool // Connection lists upgrade
	key        string
	accept     string
	protocols  []string
}

// splitHead splits a complete head into its start line and the parsed
// header fields.
func splitHead(head []byte) (string, headFields, error) {
	var f headFields
	if len(head) > maxHeadSize {
		return "", f, handshakef("head longer than %d bytes", maxHeadSize)
	}
	if !bytes.HasSuffix(head, []byte("\r\n\r\n")) {
		return "", f, handshakef("head does not end with a blank line")
	}
	lines := strings.Split(string(head[:len(head)-4]), "\r\n")
	if len(lines) > maxHeaderLines+1 {
		return "", f, handshakef("more than %d header lines", maxHeaderLines)
	}
	for _, line := range lines[1:] {
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" || !isToken(name) {
			return "", f, handshakef("malformed header line %q", clip(line))
		}
		value = strings.Trim(value, " \t")
		if strings.ContainsAny(value, "\r\n") {
			return "", f, handshakef("malformed header value")
		}
		switch {
		case strings.EqualFold(name, "Upgrade"):
			f.upgrade = f.upgrade || hasToken(value, "websocket")
		case strings.EqualFold(name, "Connection"):
			f.connection = f.connection || hasToken(value, "upgrade")
		case strings.EqualFold(name, "Sec-WebSocket-Key"):
			f.key = value
		case strings.EqualFold(name, "Sec-WebSocket-Accept"):
			f.accept = value
		case strings.EqualFold(name, "Sec-WebSocket-Protocol"):
			for _, p := range strings.Split(value, ",") {
				if p = strings.Trim(p, " \t"); p != "" {
					f.protocols = append(f.protocols, p)
				}
			}
		}
	}
	if !f.upgrade || !f.connection {
		return "", f, handshakef("not a websocket upgrade")
	}
	return lines[0], f, nil
}

// parseRequest parses a complete upgrade request head.
func parseRequest(head []byte) (request, error) {
	line, f, err := splitHead(head)
	if err != nil {
		return request{}, err
	}
	method, rest, ok1 := strings.Cut(line, " ")
	target, version, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 || method != "GET" || version != "HTTP/1.1" || !validPath(target) {
		return request{}, handshakef("bad request line %q", clip(line))
	}
	if f.key == "" {
		return request{}, handshakef("no Sec-WebSocket-Key")
	}
	return request{path: target, key: f.key, protocols: f.protocols}, nil
}

// parseResponse parses a complete upgrade response head.
func parseResponse(head []byte) (response, error) {
	line, f, err := splitHead(head)
	if err != nil {
		if !strings.HasPrefix(string(head), "HTTP/1.1 101 ") {
			return response{}, handshakef("server refused the upgrade: %q", clip(firstLine(head)))
		}
		return response{}, err
	}
	if !strings.HasPrefix(line, "HTTP/1.1 101 ") && line != "HTTP/1.1 101" {
		return response{}, handshakef("server refused the upgrade: %q", clip(line))
	}
	if len(f.protocols) != 1 {
		return response{}, handshakef("server chose %d subprotocols, want one", len(f.protocols))
	}
	if f.accept == "" {
		return response{}, handshakef("no Sec-WebSocket-Accept")
	}
	return response{accept: f.accept, protocol: f.protocols[0]}, nil
}

// validPath reports whether p can be a request target: it starts with '/'
// and holds only visible ASCII.
func validPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] <= ' ' || p[i] >= 0x7F {
			return false
		}
	}
	return true
}

// isToken reports whether s is an HTTP token (a header name).
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// hasToken reports whether the comma-separated list holds tok, ignoring case.
func hasToken(list, tok string) bool {
	for _, t := range strings.Split(list, ",") {
		if strings.EqualFold(strings.Trim(t, " \t"), tok) {
			return true
		}
	}
	return false
}

// firstLine returns the head's first line.
func firstLine(head []byte) string {
	if i := bytes.Index(head, []byte("\r\n")); i >= 0 {
		return string(head[:i])
	}
	return string(head)
}

// clip shortens s for error messages.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
