package zmtp

import (
	"bytes"
	"encoding/binary"
)

// GreetingSize is the length of a ZMTP 3.x greeting in bytes.
const GreetingSize = 64

// Greeting field offsets and sizes (ZMTP 3.x, RFC 23/37).
const (
	greetingSignatureEnd = 9
	greetingMajor        = 10
	greetingMinor        = 11
	greetingMechanism    = 12
	mechanismSize        = 20
	greetingAsServer     = 32
)

// Greeting is the decoded form of a peer's 64-byte greeting.
type Greeting struct {
	Major, Minor byte
	// Mechanism is the mechanism name with its trailing NUL padding removed.
	Mechanism string
	AsServer  bool
}

// AppendGreeting appends our 64-byte ZMTP 3.1 greeting to dst: 0xFF, eight
// padding bytes forming a big-endian uint64 of 1 (as libzmq sends without a
// routing id; see SetGreetingPadding), 0x7F, version 3.1, the mechanism name NUL-padded to 20 bytes
// (longer names are cut to 20), the as-server byte and 31 zero bytes.
func AppendGreeting(dst []byte, mechanism string, asServer bool) []byte {
	dst = append(dst, 0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 3, 1)
	if len(mechanism) > mechanismSize {
		mechanism = mechanism[:mechanismSize]
	}
	dst = append(dst, mechanism...)
	for i := len(mechanism); i < mechanismSize; i++ {
		dst = append(dst, 0)
	}
	var server byte
	if asServer {
		server = 1
	}
	dst = append(dst, server)
	for i := greetingAsServer + 1; i < GreetingSize; i++ {
		dst = append(dst, 0)
	}
	return dst
}

// SetGreetingPadding writes into the padding of greeting g (bytes 1 to 8)
// what libzmq 4.3 writes there: a big-endian uint64 of the socket's
// routing id length plus one, so that a ZMTP 1.0 peer reads the signature
// as the header of the identity frame that libzmq then sends it.
func SetGreetingPadding(g []byte, routingIDLen int) {
	binary.BigEndian.PutUint64(g[1:9], uint64(routingIDLen)+1)
}

// ParseGreeting decodes a peer's 64-byte greeting. It requires the signature
// bytes (b[0] == 0xFF, bit 0 of b[9] set) and a major version of at least 2:
// libzmq 4.3 takes every version but 0 (ZMTP 1.0) and 1 (ZMTP 2.0) as ZMTP
// 3.x. It does not validate the padding or the filler, as the RFC asks.
func ParseGreeting(b []byte) (Greeting, error) {
	if len(b) < GreetingSize || b[0] != 0xFF || b[greetingSignatureEnd]&1 != 1 || b[greetingMajor] < 2 {
		return Greeting{}, ErrMalformed
	}
	mechanism := b[greetingMechanism : greetingMechanism+mechanismSize]
	mechanism = bytes.TrimRight(mechanism, "\x00")
	return Greeting{
		Major:     b[greetingMajor],
		Minor:     b[greetingMinor],
		Mechanism: string(mechanism),
		AsServer:  b[greetingAsServer] == 1,
	}, nil
}

// IsV30 reports whether the peer is to be spoken to in ZMTP 3.0
// (subscriptions as messages): as libzmq 4.3 decides, only when its
// greeting says version 3.0 exactly. Every other version taken as 3.x
// (2, 3.1 and later, 4 and later) gets ZMTP 3.1.
func (g Greeting) IsV30() bool { return g.Major == 3 && g.Minor == 0 }
