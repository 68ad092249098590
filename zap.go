package zmq4

import (
	"errors"
	"time"

	"github.com/purezmq/zmq4/internal/mechanism"
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
	if _, err := s.SendMessage(req.Frames()); err != nil {
		return mechanism.ZAPReply{}, errZAPUnreachable
	}
	reply, err := s.RecvMessageBytes(0)
	if err != nil {
		return mechanism.ZAPReply{}, errZAPUnreachable
	}
	return mechanism.ParseZAPReply(reply)
}

// newInternalSocket makes a socket the library uses itself; it does not
// count against MAX_SOCKETS.
func (c *Context) newInternalSocket(t Type) (*Socket, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.terminated() {
		return nil, ETERM
	}
	s, err := newSocket(c, t)
	if err != nil {
		return nil, err
	}
	c.sockets[s] = struct{}{}
	return s, nil
}
