package mechanism

import (
	"errors"

	"github.com/purezmq/zmq4/internal/zmtp"
)

// ZAPFunc asks the ZAP handler. An error means the handler could not be
// reached, which is treated exactly like an unbound handler; an *Error is
// instead returned from the handshake as is (use it for malformed replies,
// see ParseZAPReply).
type ZAPFunc func(ZAPRequest) (ZAPReply, error)

// ZAPRequest is one ZAP request (RFC 27) as libzmq fills it in.
type ZAPRequest struct {
	Domain      string   // ZMQ_ZAP_DOMAIN
	Address     string   // peer IP as text, no port
	Identity    string   // the local socket's routing id (what libzmq sends)
	Mechanism   string   // "NULL", "PLAIN" or "CURVE"
	Credentials [][]byte // PLAIN: username, password; CURVE: 32-byte client public key
}

// ZAPReply is the handler's answer.
type ZAPReply struct {
	Status     string // "200", "300", "400" or "500"
	StatusText string
	UserID     string
	Metadata   []zmtp.Property
}

// ZAP protocol constants.
const (
	zapVersion   = "1.0"
	zapRequestID = "1" // libzmq always uses request id "1"
	zapFrames    = 7   // reply frames, counting the empty delimiter
)

// Frames returns the request message libzmq sends to the handler: an empty
// delimiter, "1.0", request id "1", domain, address, identity, mechanism,
// then one frame per credential.
func (r ZAPRequest) Frames() [][]byte {
	frames := [][]byte{
		{},
		[]byte(zapVersion),
		[]byte(zapRequestID),
		[]byte(r.Domain),
		[]byte(r.Address),
		[]byte(r.Identity),
		[]byte(r.Mechanism),
	}
	for _, c := range r.Credentials {
		frames = append(frames, append([]byte(nil), c...))
	}
	return frames
}

// ParseZAPReply checks a reply message as libzmq does and decodes it. frames
// is the whole reply including the leading empty delimiter (7 frames). A
// reply libzmq rejects yields an *Error of kind FailedProtocol with the
// matching ZMQ_PROTOCOL_ERROR_ZAP_* code.
func ParseZAPReply(frames [][]byte) (ZAPReply, error) {
	switch {
	case len(frames) != zapFrames:
		return ZAPReply{}, protocolError(ProtocolErrorZAPMalformedReply, "ZAP reply has %d frames, want %d", len(frames), zapFrames)
	case len(frames[0]) != 0:
		return ZAPReply{}, protocolError(ProtocolErrorZAPUnspecified, "ZAP reply delimiter not empty")
	case string(frames[1]) != zapVersion:
		return ZAPReply{}, protocolError(ProtocolErrorZAPBadVersion, "ZAP reply version %q", frames[1])
	case string(frames[2]) != zapRequestID:
		return ZAPReply{}, protocolError(ProtocolErrorZAPBadRequestID, "ZAP reply request id %q", frames[2])
	}
	if _, ok := zapStatusCode(string(frames[3])); !ok {
		return ZAPReply{}, protocolError(ProtocolErrorZAPInvalidStatusCode, "ZAP status %q", frames[3])
	}
	meta, err := zmtp.ParseMetadata(frames[6])
	if err != nil {
		return ZAPReply{}, &Error{Kind: FailedProtocol, Code: ProtocolErrorZAPInvalidMetadata, Err: err}
	}
	return ZAPReply{
		Status:     string(frames[3]),
		StatusText: string(frames[4]),
		UserID:     string(frames[5]),
		Metadata:   meta,
	}, nil
}

// zapStatusCode accepts what libzmq accepts: three characters, a first digit
// from 2 to 5, then "00".
func zapStatusCode(status string) (int, bool) {
	if len(status) != 3 || status[0] < '2' || status[0] > '5' || status[1] != '0' || status[2] != '0' {
		return 0, false
	}
	return int(status[0]-'0') * 100, true
}

// askZAP sends one request to the handler. reached is false when no handler
// is bound or it could not be reached. Like libzmq it fails the handshake
// on a reply whose status code it does not know, or whose metadata holds
// a Socket-Type our socket does not accept.
func (s *session) askZAP(mechanism string, credentials ...[]byte) (reply *ZAPReply, reached bool, failure *Error) {
	if s.cfg.ZAP == nil {
		return nil, false, nil
	}
	r, err := s.cfg.ZAP(ZAPRequest{
		Domain:      s.cfg.ZAPDomain,
		Address:     s.cfg.PeerAddress,
		Identity:    s.cfg.LocalRoutingID,
		Mechanism:   mechanism,
		Credentials: credentials,
	})
	if err != nil {
		var me *Error
		if errors.As(err, &me) {
			return nil, true, me
		}
		return nil, false, nil
	}
	if _, ok := zapStatusCode(r.Status); !ok {
		return nil, true, protocolError(ProtocolErrorZAPInvalidStatusCode, "ZAP status %q", r.Status)
	}
	if err := s.checkSocketType(r.Metadata); err != nil {
		return nil, true, &Error{Kind: FailedProtocol, Code: ProtocolErrorZAPInvalidMetadata, Err: err}
	}
	return &r, true, nil
}

// enforceZAPStatus acts on a ZAP status as libzmq does: 200 passes, 300 fails
// silently, 400 and 500 send ERROR with the status as reason first.
func (s *session) enforceZAPStatus(reply *ZAPReply) *Error {
	return s.enforceZAPStatusWith(reply, errorPrefix)
}

// enforceZAPStatusWith is enforceZAPStatus sending ERROR under the given
// command prefix (see plainErrorPrefix).
func (s *session) enforceZAPStatusWith(reply *ZAPReply, prefix string) *Error {
	code, _ := zapStatusCode(reply.Status)
	switch code {
	case 200:
		return nil
	case 300:
		return authError(code, "ZAP handler answered 300 "+reply.StatusText)
	}
	errorCommand := append([]byte(prefix), byte(len(reply.Status)))
	errorCommand = append(errorCommand, reply.Status...)
	if err := s.send(errorCommand); err != nil {
		return err
	}
	return authError(code, "ZAP handler answered "+reply.Status+" "+reply.StatusText)
}
