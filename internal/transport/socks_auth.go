package transport

import (
	"errors"
	"io"
)

// Username/password authentication (RFC 1929) for the SOCKS5 client, used
// when ZMQ_SOCKS_USERNAME is set. As libzmq 4.3.5 does, a client with a
// username offers only this method in its greeting; an empty username means
// no authentication, whatever the password. A password may be empty.

const (
	socksMethodUserPass   = 0x02
	socksAuthVersion      = 0x01 // version byte of the RFC 1929 sub-negotiation
	socksMaxCredentialLen = 255
)

// socksCredentials is the username and password sent to the proxy; an empty
// username means the client does not authenticate.
type socksCredentials struct {
	username, password string
}

// method returns the single method the greeting offers for c.
func (c socksCredentials) method() byte {
	if c.username != "" {
		return socksMethodUserPass
	}
	return socksMethodNoAuth
}

// check rejects a username or password longer than RFC 1929 allows.
func (c socksCredentials) check() error {
	if len(c.username) > socksMaxCredentialLen || len(c.password) > socksMaxCredentialLen {
		return errors.New("SOCKS5 username and password must be at most 255 bytes")
	}
	return nil
}

// appendSocksAuthRequest appends the RFC 1929 request carrying c, whose
// lengths check has accepted.
func appendSocksAuthRequest(dst []byte, c socksCredentials) []byte {
	dst = append(dst, socksAuthVersion, byte(len(c.username)))
	dst = append(dst, c.username...)
	dst = append(dst, byte(len(c.password)))
	return append(dst, c.password...)
}

// readSocksAuthReply reads the proxy's two-byte answer to the
// username/password request and reports whether it accepted them.
func readSocksAuthReply(r io.Reader) error {
	var reply [2]byte // VER STATUS
	if _, err := io.ReadFull(r, reply[:]); err != nil {
		return socksReadError("authentication reply", err)
	}
	if reply[0] != socksAuthVersion {
		return socksErrorf("authentication reply with version %d", reply[0])
	}
	if reply[1] != 0 {
		return socksErrorf("proxy refused the username and password (status %#x)", reply[1])
	}
	return nil
}
