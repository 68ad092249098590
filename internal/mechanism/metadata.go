package mechanism

import (
	"errors"
	"fmt"

	"github.com/purezmq/zmq4/internal/zmtp"
)

// Limits of the metadata property encoding.
const (
	maxPropertyName  = 255
	maxPropertyValue = 1<<31 - 1
)

// Property names libzmq writes and matches case-sensitively.
const (
	propSocketType = "Socket-Type"
	propIdentity   = "Identity"
)

// errIncompatiblePeer reports a peer whose Socket-Type our socket does not accept.
var errIncompatiblePeer = errors.New("mechanism: incompatible peer socket type")

// appendProperties appends our metadata as libzmq does: Socket-Type always,
// Identity when the socket type announces one, then the application
// properties.
func (s *session) appendProperties(dst []byte) []byte {
	if s.rawProperties != nil {
		return append(dst, s.rawProperties...)
	}
	dst = zmtp.AppendProperty(dst, propSocketType, s.cfg.SocketType)
	if s.cfg.SendIdentity {
		dst = zmtp.AppendProperty(dst, propIdentity, string(s.cfg.Identity))
	}
	for _, p := range s.cfg.Metadata {
		dst = zmtp.AppendProperty(dst, p.Name, p.Value)
	}
	return dst
}

// parsePeerProperties parses the peer's metadata and, like libzmq, rejects a
// Socket-Type our socket type does not accept (matched byte for byte). A
// missing Socket-Type is accepted, as libzmq accepts it.
func (s *session) parsePeerProperties(b []byte) ([]zmtp.Property, error) {
	props, err := zmtp.ParseMetadata(b)
	if err != nil {
		return nil, err
	}
	return props, s.checkSocketType(props)
}

// checkSocketType fails when props hold a Socket-Type our socket type does
// not accept. libzmq checks every Socket-Type it parses, the ZAP reply's
// included.
func (s *session) checkSocketType(props []zmtp.Property) error {
	for _, p := range props {
		if p.Name == propSocketType && s.cfg.SocketType != "" && !zmtp.Compatible(s.cfg.SocketType, p.Value) {
			return fmt.Errorf("%w: %s does not accept %q", errIncompatiblePeer, s.cfg.SocketType, p.Value)
		}
	}
	return nil
}
