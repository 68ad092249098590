package mechanism

import (
	"github.com/purezmq/zmq4/internal/zmtp"
)

// Mechanism names as they appear in the greeting.
const (
	Null  = "NULL"
	Plain = "PLAIN"
	Curve = "CURVE"
)

// Conn is the framed connection a handshake runs over, after both greetings
// were exchanged.
type Conn interface {
	// ReadFrame returns the next frame from the peer.
	ReadFrame() (zmtp.Frame, error)
	// WriteFrame writes one frame and flushes it.
	WriteFrame(flags byte, body []byte) error
}

// Config is everything a handshake needs to know about the local socket.
type Config struct {
	Mechanism    string          // "NULL", "PLAIN" or "CURVE"
	AsServer     bool            // PLAIN_SERVER / CURVE_SERVER
	SocketType   string          // our Socket-Type property; also checked against the peer's
	Identity     []byte          // our routing id
	SendIdentity bool            // send the Identity property (REQ, DEALER, ROUTER do)
	Metadata     []zmtp.Property // application properties (ZMQ_METADATA, "X-..." names)

	Username, Password string // PLAIN client, at most 255 bytes each

	PublicKey, SecretKey, ServerKey []byte // CURVE, 32-byte binary each

	ZAPDomain        string
	ZAPEnforceDomain bool
	PeerAddress      string  // peer IP text for ZAP ("" for ipc/inproc)
	LocalRoutingID   string  // our socket's routing id: libzmq sends it in ZAP's "identity" frame
	ZAP              ZAPFunc // nil when no handler is bound at inproc://zeromq.zap.01
}

// Result is what a successful handshake learned about the peer.
type Result struct {
	// Properties holds the peer's READY/INITIATE metadata in wire order, then
	// the ZAP reply's metadata. User-Id is not added here; see UserID.
	Properties []zmtp.Property
	// PeerProperties is how many of Properties came from the peer; the
	// rest came from the ZAP reply.
	PeerProperties int
	// UserID is the user id the ZAP handler returned ("" without ZAP).
	UserID string
	// ZAPReplied says the ZAP handler answered: then the peer has a
	// User-Id property, empty or not, as libzmq 4.3 gives it one.
	ZAPReplied bool
	// Codec boxes data-phase frames; nil for NULL and PLAIN, whose frames
	// travel in clear.
	Codec MessageCodec
}

// MessageOverhead is the number of bytes MessageCodec.Seal adds to a
// payload: the MESSAGE name, the short nonce, the flags byte and the
// Poly1305 tag.
const MessageOverhead = messageMinSize

// MessageCodec boxes each data-phase frame (CURVE MESSAGE).
//
// Seal and Open keep separate state, so one goroutine may Seal while another
// Opens; neither may be called concurrently with itself.
type MessageCodec interface {
	// Seal appends a complete MESSAGE command body for one frame to dst;
	// flags carries zmtp.FlagMore and zmtp.FlagCommand of the inner frame.
	// It allocates only when dst lacks capacity. Send the result as an
	// ordinary message frame (outer flags 0, never MORE or COMMAND), as
	// libzmq does.
	Seal(dst []byte, flags byte, payload []byte) ([]byte, error)
	// Open decrypts a MESSAGE body in place (the caller owns body) and
	// returns the inner flags (zmtp.FlagMore / zmtp.FlagCommand) and the
	// payload, which aliases body. It enforces strictly increasing nonces.
	// Errors are *Error of kind FailedProtocol.
	Open(body []byte) (flags byte, payload []byte, err error)
	// OpenInto is Open that leaves body as it was and writes the payload
	// into alloc(size)[:size] instead, calling alloc only once the MESSAGE's
	// structure and nonce have passed (so malformed and replayed ones cost
	// no allocation). alloc must return at least size bytes.
	OpenInto(body []byte, alloc func(size int) []byte) (flags byte, payload []byte, err error)
}

// Handshake runs the configured mechanism to completion: NULL exchanges
// READY; PLAIN and CURVE run RFC 24/26 as libzmq implements them. It asks
// the ZAP handler when libzmq would, sends ERROR where libzmq does, and on
// failure returns an *Error that says which monitor event to raise.
func Handshake(c Conn, cfg *Config) (*Result, error) {
	return runHandshake(c, cfg, nil)
}

// runHandshake is Handshake with a test hook: when rawProperties is not nil
// it replaces the metadata we send, so tests can feed a peer any bytes.
func runHandshake(c Conn, cfg *Config, rawProperties []byte) (*Result, error) {
	if err := checkConfig(cfg); err != nil {
		return nil, err
	}
	s := &session{conn: c, cfg: cfg, rawProperties: rawProperties}
	var (
		res *Result
		err *Error
	)
	switch cfg.Mechanism {
	case Null:
		res, err = s.runNull()
	case Plain:
		if cfg.AsServer {
			res, err = s.runPlainServer()
		} else {
			res, err = s.runPlainClient()
		}
	case Curve:
		if cfg.AsServer {
			res, err = s.runCurveServer()
		} else {
			res, err = s.runCurveClient()
		}
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// checkConfig rejects settings libzmq would have refused at setsockopt time.
func checkConfig(cfg *Config) *Error {
	switch cfg.Mechanism {
	case Null, Plain, Curve:
	default:
		return configError("unknown mechanism %q", cfg.Mechanism)
	}
	if len(cfg.SocketType) > maxPropertyName {
		return configError("socket type %q too long", cfg.SocketType)
	}
	for _, p := range cfg.Metadata {
		if len(p.Name) == 0 || len(p.Name) > maxPropertyName {
			return configError("metadata property name %q must be 1..255 bytes", p.Name)
		}
		if len(p.Value) > maxPropertyValue {
			return configError("metadata property %q value too long", p.Name)
		}
	}
	if len(cfg.Identity) > maxPropertyValue {
		return configError("identity too long")
	}
	if cfg.Mechanism == Plain && !cfg.AsServer {
		if len(cfg.Username) > 255 || len(cfg.Password) > 255 {
			return configError("PLAIN username and password are limited to 255 bytes")
		}
	}
	if cfg.Mechanism == Curve {
		if len(cfg.SecretKey) != keySize {
			return configError("CURVE secret key must be %d bytes", keySize)
		}
		if !cfg.AsServer && (len(cfg.PublicKey) != keySize || len(cfg.ServerKey) != keySize) {
			return configError("CURVE client needs %d-byte public and server keys", keySize)
		}
	}
	return nil
}
