package zmq4

import (
	"errors"
	"time"

	"github.com/purezmq/zmq4/internal/mechanism"
	"github.com/purezmq/zmq4/internal/zmtp"
)

// zapEndpoint is where a ZAP handler binds (RFC 27).
const zapEndpoint = "inproc://zeromq.zap.01"

// zapFunc returns the function engines use to ask the context's ZAP
// handler, or nil when no handler is bound.
func (c *Context) zapFunc() mechanism.ZAPFunc {
	if c.inproc.lookup("zeromq.zap.01") == nil {
		return nil
	}
	return c.zapRequest
}

// errZAPUnreachable means the handler went away or never answered.
var errZAPUnreachable = errors.New("zmq4: ZAP handler unreachable")

// zapRequest sends one ZAP request over a private DEALER connection to the
// handler and waits for the reply.
func (c *Context) zapRequest(req mechanism.ZAPRequest) (mechanism.ZAPReply, error) {
	s, err := c.newInternalSocket(DEALER)
	if err != nil {
		return mechanism.ZAPReply{}, errZAPUnreachable
	}
	defer s.Close()
	s.SetLinger(0)
	s.SetRcvtimeo(30 * time.Second)
	s.SetSndtimeo(30 * time.Second)
	if err := s.Connect(zapEndpoint); err != nil {
		return mechanism.ZAPReply{}, errZAPUnreachable
	}
	parts := [][]byte{nil, []byte("1.0"), []byte("1"), []byte(req.Domain), []byte(req.Address),
		[]byte(req.Identity), []byte(req.Mechanism)}
	parts = append(parts, req.Credentials...)
	if _, err := s.SendMessage(parts); err != nil {
		return mechanism.ZAPReply{}, errZAPUnreachable
	}
	reply, err := s.RecvMessageBytes(0)
	if err != nil {
		return mechanism.ZAPReply{}, errZAPUnreachable
	}
	return parseZAPReply(reply)
}

// parseZAPReply checks a reply as libzmq does: exactly seven parts with
// the empty delimiter, version "1.0", request id "1", a 3-digit status
// from 200 to 500, and well-formed metadata.
func parseZAPReply(m [][]byte) (mechanism.ZAPReply, error) {
	bad := func(code int) (mechanism.ZAPReply, error) {
		return mechanism.ZAPReply{}, &mechanism.Error{Kind: mechanism.FailedProtocol, Code: code,
			Err: errors.New("zmq4: malformed ZAP reply")}
	}
	if len(m) != 7 || len(m[0]) != 0 {
		return bad(0x20000001)
	}
	if string(m[1]) != "1.0" {
		return bad(0x20000003)
	}
	if string(m[2]) != "1" {
		return bad(0x20000002)
	}
	st := m[3]
	if len(st) != 3 || st[0] < '2' || st[0] > '5' || st[1] != '0' || st[2] != '0' {
		return bad(0x20000004)
	}
	props, err := zmtp.ParseMetadata(m[6])
	if err != nil {
		return bad(0x20000005)
	}
	return mechanism.ZAPReply{Status: string(st), StatusText: string(m[4]), UserID: string(m[5]), Metadata: props}, nil
}

// newInternalSocket makes a socket the library uses itself; it does not
// count against MAX_SOCKETS.
func (c *Context) newInternalSocket(t Type) (*Socket, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.isTerm {
		return nil, ETERM
	}
	s, err := newSocket(c, t)
	if err != nil {
		return nil, err
	}
	c.sockets[s] = struct{}{}
	return s, nil
}
