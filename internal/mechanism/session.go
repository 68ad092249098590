package mechanism

import (
	"github.com/purezmq/zmq4/internal/zmtp"
)

// Command prefixes as they start a command body: name length, then name.
const (
	helloPrefix    = "\x05HELLO"
	welcomePrefix  = "\x07WELCOME"
	initiatePrefix = "\x08INITIATE"
	readyPrefix    = "\x05READY"
	errorPrefix    = "\x05ERROR"

	// plainErrorPrefix is how libzmq's PLAIN mechanism writes and matches
	// ERROR: its C literal "\x05ERROR" parses as the hex escape \x05E, so the
	// command goes out as 0x5E "RROR", the reason length, the reason (libzmq
	// 4.3.4 on the wire; same source in 4.3.5 and master). NULL and CURVE use
	// the correct "\x05ERROR".
	plainErrorPrefix = "\x5eRROR"
	messagePrefix    = "\x07MESSAGE"
)

// session is one handshake in progress.
type session struct {
	conn Conn
	cfg  *Config
	// rawProperties, when not nil, is sent instead of our metadata (tests only).
	rawProperties []byte
}

// send writes one command frame.
func (s *session) send(body []byte) *Error {
	if err := s.conn.WriteFrame(zmtp.FlagCommand, body); err != nil {
		return transportError(err)
	}
	return nil
}

// readCommand reads the next frame, which must be a command. libzmq sends
// every handshake step as a command frame.
func (s *session) readCommand() ([]byte, *Error) {
	f, err := s.conn.ReadFrame()
	if err != nil {
		return nil, transportError(err)
	}
	if !f.IsCommand() {
		return nil, protocolError(ProtocolErrorZMTPUnexpectedCommand, "message frame during the handshake")
	}
	return f.Body, nil
}

// hasPrefix reports whether a command body starts with the given prefix.
func hasPrefix(body []byte, prefix string) bool {
	return len(body) >= len(prefix) && string(body[:len(prefix)]) == prefix
}

// wellFormed applies libzmq's basic command structure check: the body holds
// more than its name-length byte and more than the name it announces.
func wellFormed(body []byte) *Error {
	if len(body) <= 1 || len(body) <= int(body[0]) {
		return protocolError(ProtocolErrorZMTPMalformedCommandUnspecified, "command shorter than its name")
	}
	return nil
}

// peerError turns a received ERROR command into the failure libzmq reports:
// FailedAuth when the reason is a ZAP status 300/400/500, no event otherwise.
func peerError(body []byte) *Error {
	return peerErrorAfter(body, len(errorPrefix))
}

// peerErrorAfter is peerError for an ERROR whose reason starts at offset.
func peerErrorAfter(body []byte, offset int) *Error {
	reason, err := zmtp.ParseError(body[offset:])
	if err != nil {
		return protocolError(ProtocolErrorZMTPMalformedCommandError, "malformed ERROR command")
	}
	if code, ok := errorReasonStatus(reason); ok {
		return authError(code, "peer sent ERROR "+reason)
	}
	return unreported("peer sent ERROR %q", reason)
}

// errorReasonStatus recognises an ERROR reason that is a ZAP failure status.
func errorReasonStatus(reason string) (int, bool) {
	if len(reason) != 3 || reason[1] != '0' || reason[2] != '0' || reason[0] < '3' || reason[0] > '5' {
		return 0, false
	}
	return int(reason[0]-'0') * 100, true
}

// result assembles the handshake result from the peer's properties, the ZAP
// reply (nil without ZAP) and the codec.
func result(peer []zmtp.Property, reply *ZAPReply, codec MessageCodec) *Result {
	res := &Result{Properties: peer, PeerProperties: len(peer), Codec: codec}
	if reply != nil {
		res.UserID = reply.UserID
		res.ZAPReplied = true
		res.Properties = append(res.Properties, reply.Metadata...)
	}
	return res
}
