package ws

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/purezmq/zmq4/internal/mechanism"
	"github.com/purezmq/zmq4/internal/zmtp"
)

// ProtocolErrorWSUnspecified is ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED, the code
// libzmq reports with HANDSHAKE_FAILED_PROTOCOL when an upgrade fails.
const ProtocolErrorWSUnspecified = 0x30000000

// errNotUpgraded reports a Read before the engine wrote its greeting.
var errNotUpgraded = errors.New("ws: read before the greeting was written")

// Conn is a WebSocket connection that looks like a ZMTP 3.0 byte stream to
// the engine above it (see the package documentation). Write and Read may
// be called from different goroutines, each by one goroutine at a time.
type Conn struct {
	net.Conn // the TCP connection underneath

	client bool
	host   string // Host header, for a client
	path   string // request target, for a client

	upgraded atomic.Bool
	bare     bool // subprotocol "ZWS2.0": routing ids instead of a handshake

	wmu sync.Mutex // serializes writes, including a reply to close
	w   writer

	r reader // used only by the reading goroutine

	shared struct {
		mu        sync.Mutex
		lastPing  []byte // payload of the peer's latest ping, for our pong
		localType string // our Socket-Type, learnt from our READY (bare mode)
	}
}

// Client wraps c, a connection to a ws endpoint, as the client side: the
// upgrade request names host (the Host header) and path.
func Client(c net.Conn, host, path string) *Conn {
	return &Conn{Conn: c, client: true, host: host, path: path}
}

// Server wraps c, an accepted connection, as the server side.
func Server(c net.Conn) *Conn {
	return &Conn{Conn: c}
}

// HeartbeatsInClear reports that PING and PONG commands travel as
// WebSocket control frames, outside the security mechanism: the engine must
// write them unencrypted (Conn turns them into ping and pong frames) and
// accept them unencrypted from Read.
func (c *Conn) HeartbeatsInClear() bool { return true }

// WholeGreeting reports that the engine must write its ZMTP greeting in one
// piece, without waiting for the peer's signature first: Conn builds the
// upgrade from it and only then has a greeting to give back.
func (c *Conn) WholeGreeting() bool { return true }

// SyscallConn gives access to the TCP connection's file descriptor.
func (c *Conn) SyscallConn() (syscall.RawConn, error) {
	sc, ok := c.Conn.(syscall.Conn)
	if !ok {
		return nil, errors.New("ws: connection has no file descriptor")
	}
	return sc.SyscallConn()
}

// Write takes the engine's ZMTP stream: first its greeting, which starts
// the upgrade, then frames, which go out as WebSocket messages.
func (c *Conn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.w.write(c, p)
}

// Read gives the engine the peer's ZMTP stream: a greeting built from the
// negotiated subprotocol, then the frames of the peer's WebSocket messages.
func (c *Conn) Read(p []byte) (int, error) {
	if !c.upgraded.Load() {
		return 0, errNotUpgraded
	}
	return c.r.read(c, p)
}

// upgrade runs the HTTP upgrade for the mechanism named in our greeting
// and prepares the greeting the engine reads back. Called from Write.
func (c *Conn) upgrade(ours zmtp.Greeting) error {
	var protocol string
	var err error
	if c.client {
		protocol, err = c.upgradeClient(ours.Mechanism)
	} else {
		protocol, err = c.upgradeServer(ours.Mechanism)
	}
	if err != nil {
		if errors.Is(err, errHandshake) {
			return &mechanism.Error{Kind: mechanism.FailedProtocol, Code: ProtocolErrorWSUnspecified, Err: err}
		}
		return err
	}
	c.bare = protocol == protocolBare
	// The peer's greeting: ZMTP 3.0, so the engine sends subscriptions as
	// 0x01/0x00 messages, which is what ZWS 2.0 carries.
	peerAsServer := ours.Mechanism != "NULL" && !ours.AsServer
	g := zmtp.AppendGreeting(make([]byte, 0, zmtp.GreetingSize), ours.Mechanism, peerAsServer)
	g[11] = 0
	c.r.pend = g
	c.upgraded.Store(true)
	return nil
}

// upgradeClient sends the upgrade request and checks the response. It
// returns the subprotocol the server chose.
func (c *Conn) upgradeClient(mech string) (string, error) {
	offers, err := offeredProtocols(mech)
	if err != nil {
		return "", handshakef("%v", err)
	}
	var nonce [16]byte
	rand.Read(nonce[:])
	key := base64.StdEncoding.EncodeToString(nonce[:])
	if _, err := c.Conn.Write(appendRequest(nil, c.host, c.path, key, offers)); err != nil {
		return "", err
	}
	head, err := c.r.readHead(c)
	if err != nil {
		return "", err
	}
	resp, err := parseResponse(head)
	if err != nil {
		return "", err
	}
	if resp.accept != acceptKey(key) {
		return "", handshakef("wrong Sec-WebSocket-Accept")
	}
	if !slices.Contains(offers, resp.protocol) {
		return "", handshakef("server chose subprotocol %q, which was not offered", clip(resp.protocol))
	}
	return resp.protocol, nil
}

// upgradeServer reads the upgrade request and answers it. It returns the
// subprotocol it chose.
func (c *Conn) upgradeServer(mech string) (string, error) {
	head, err := c.r.readHead(c)
	if err != nil {
		return "", err
	}
	req, err := parseRequest(head)
	if err != nil {
		c.Conn.Write([]byte(badRequest))
		return "", err
	}
	protocol, ok := selectProtocol(req.protocols, mech)
	if !ok {
		c.Conn.Write([]byte(badRequest))
		return "", handshakef("no offered subprotocol fits mechanism %s", mech)
	}
	if _, err := c.Conn.Write(appendResponse(nil, acceptKey(req.key), protocol)); err != nil {
		return "", err
	}
	return protocol, nil
}

// setLastPing keeps a copy of the peer's latest ping payload.
func (c *Conn) setLastPing(payload []byte) {
	c.shared.mu.Lock()
	c.shared.lastPing = append(c.shared.lastPing[:0], payload...)
	c.shared.mu.Unlock()
}

// appendLastPing appends the peer's latest ping payload to dst.
func (c *Conn) appendLastPing(dst []byte) []byte {
	c.shared.mu.Lock()
	defer c.shared.mu.Unlock()
	return append(dst, c.shared.lastPing...)
}

// setLocalType records our socket type (bare mode).
func (c *Conn) setLocalType(t string) {
	c.shared.mu.Lock()
	c.shared.localType = t
	c.shared.mu.Unlock()
}

// localType returns our socket type, or "" before our READY went out.
func (c *Conn) localType() string {
	c.shared.mu.Lock()
	defer c.shared.mu.Unlock()
	return c.shared.localType
}

// replyClose echoes a close frame's status code, unless a message is being
// written at this moment (the connection ends right after anyway).
func (c *Conn) replyClose(payload []byte) {
	if !c.wmu.TryLock() {
		return
	}
	defer c.wmu.Unlock()
	if !c.w.atBoundary() {
		return
	}
	var status []byte
	if len(payload) >= 2 {
		status = payload[:2]
	}
	c.Conn.Write(c.w.appendMessage(nil, c.client, opClose, -1, status))
}
