package transport

import (
	"strconv"
	"strings"
)

// Endpoint is a parsed ZeroMQ endpoint "scheme://address".
type Endpoint struct {
	Scheme string // "tcp", "ipc", "ws", "wss", "inproc" or "udp"
	Addr   string // the part after "scheme://"; for tcp without the source part ("src;dst" gives dst); for ws and wss "host:port[/path]"
	Source string // tcp source address part, "" if none
	Raw    string // the endpoint as given
}

// String returns the endpoint as it was given.
func (e Endpoint) String() string { return e.Raw }

// ParseEndpoint splits s into scheme and address and checks the address
// syntax for the scheme. It does not resolve anything.
//
// An unknown scheme gives ErrProtocolNotSupported; anything malformed gives
// an error wrapping ErrInvalidEndpoint. Scheme names are case-sensitive, as
// in libzmq.
func ParseEndpoint(s string) (Endpoint, error) {
	sep := strings.Index(s, "://")
	if sep <= 0 {
		return Endpoint{}, invalidf("%q: want scheme://address", s)
	}
	scheme, rest := s[:sep], s[sep+len("://"):]
	if rest == "" {
		return Endpoint{}, invalidf("%q: empty address", s)
	}
	ep := Endpoint{Scheme: scheme, Addr: rest, Raw: s}
	switch scheme {
	case "tcp":
		src, dst, err := splitTCPSource(rest)
		if err != nil {
			return Endpoint{}, invalidf("%q: %v", s, err)
		}
		ep.Addr, ep.Source = dst, src
	case "ipc":
		if rest == "@" {
			return Endpoint{}, invalidf("%q: empty abstract socket name", s)
		}
	case "ws", "wss":
		if err := checkWSAddress(rest); err != nil {
			return Endpoint{}, invalidf("%q: %v", s, err)
		}
	case "inproc", "udp":
		// The name (inproc) or address (udp) is taken as given.
	default:
		return Endpoint{}, ErrProtocolNotSupported
	}
	return ep, nil
}

// splitTCPSource separates "src;dst" (the source is optional) and checks
// the syntax of both parts.
func splitTCPSource(rest string) (src, dst string, err error) {
	for i := 0; i < len(rest); i++ {
		if !isTCPAddrChar(rest[i]) {
			return "", "", errorString("unexpected character " + strconv.QuoteRune(rune(rest[i])))
		}
	}
	dst = rest
	if i := strings.LastIndexByte(rest, ';'); i >= 0 {
		src, dst = rest[:i], rest[i+1:]
		if src == "" {
			return "", "", errorString("empty source address")
		}
		if strings.IndexByte(src, ';') >= 0 {
			return "", "", errorString("more than one source address")
		}
		if _, _, err := splitSourceHostPort(src); err != nil {
			return "", "", err
		}
	}
	if _, _, err := splitHostPort(dst); err != nil {
		return "", "", err
	}
	return src, dst, nil
}

// isTCPAddrChar reports whether c may appear in a tcp address: host names,
// IPv4 and IPv6 literals with zones, interface names, '*' wildcards and the
// ';' source separator.
func isTCPAddrChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte(".-:%;[]_*", c) >= 0
}

// splitHostPort splits "host:port" at the last colon. The host may be an
// IPv6 literal in brackets (the brackets are removed) or, as libzmq allows,
// without them. The port must be "*" or a decimal number up to 65535.
func splitHostPort(hp string) (host, port string, err error) {
	i := strings.LastIndexByte(hp, ':')
	if i < 0 {
		return "", "", errorString("missing port")
	}
	host, port = hp[:i], hp[i+1:]
	if err := checkPort(port); err != nil {
		return "", "", err
	}
	host, err = checkHost(host)
	if err != nil {
		return "", "", err
	}
	return host, port, nil
}

// splitSourceHostPort splits a tcp source address, whose port is optional
// ("" when absent). Without a port, an IPv6 literal must be in brackets.
func splitSourceHostPort(src string) (host, port string, err error) {
	bracketed := strings.HasPrefix(src, "[") && strings.HasSuffix(src, "]")
	if bracketed || strings.IndexByte(src, ':') < 0 {
		host, err = checkHost(src)
		return host, "", err
	}
	return splitHostPort(src)
}

// checkHost validates the host part of a tcp address and strips the
// brackets around an IPv6 literal.
func checkHost(host string) (string, error) {
	if strings.HasPrefix(host, "[") {
		if !strings.HasSuffix(host, "]") || len(host) < 2 {
			return "", errorString("unbalanced brackets")
		}
		host = host[1 : len(host)-1]
	}
	if strings.ContainsAny(host, "[];") {
		return "", errorString("misplaced bracket or separator")
	}
	if host == "" {
		return "", errorString("empty host")
	}
	if i := strings.IndexByte(host, '%'); i >= 0 && i == len(host)-1 {
		return "", errorString("empty zone")
	}
	return host, nil
}

// checkPort accepts "*" or a decimal port number in 0..65535.
func checkPort(port string) error {
	if port == "*" {
		return nil
	}
	if _, err := parsePortNumber(port); err != nil {
		return err
	}
	return nil
}

// parsePortNumber parses a decimal port in 0..65535. Unlike libzmq's atoi,
// trailing garbage and out-of-range values are rejected rather than
// truncated.
func parsePortNumber(port string) (uint16, error) {
	if port == "" {
		return 0, errorString("empty port")
	}
	n := 0
	for i := 0; i < len(port); i++ {
		c := port[i]
		if c < '0' || c > '9' {
			return 0, errorString("port " + strconv.Quote(port) + " is not a number")
		}
		n = n*10 + int(c-'0')
		if n > 65535 {
			return 0, errorString("port " + strconv.Quote(port) + " out of range")
		}
	}
	return uint16(n), nil
}

// errorString is a plain error used inside parse errors.
type errorString string

func (e errorString) Error() string { return string(e) }
