package ws

import (
	"errors"
	"strings"
)

// DefaultPath is the request path of an endpoint that names none.
const DefaultPath = "/"

// errBadPath reports a ws endpoint path that cannot go in a request line.
var errBadPath = errors.New("ws: path must start with '/' and hold only visible ASCII")

// SplitAddress splits the address part of a ws endpoint, "host:port" or
// "host:port/path", into the host and port part and the path, which
// defaults to "/". A host never holds '/', so the path starts at the first
// one. The host and port part is returned as given, for the caller's tcp
// rules to check; the path must be usable in a request line.
func SplitAddress(addr string) (hostPort, path string, err error) {
	hostPort, path = addr, DefaultPath
	if i := strings.IndexByte(addr, '/'); i >= 0 {
		hostPort, path = addr[:i], addr[i:]
	}
	if !validPath(path) {
		return "", "", errBadPath
	}
	return hostPort, path, nil
}
