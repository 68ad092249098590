package mechanism

import (
	"encoding/binary"
	"errors"
	"math"

	"github.com/purezmq/zmq4/internal/zmtp"
)

// Nonce prefixes of the CURVE data phase (RFC 26 prose and libzmq: the last
// letter says who sent the message).
const (
	messageNonceClient = "CurveZMQMESSAGEC"
	messageNonceServer = "CurveZMQMESSAGES"
)

// Layout of a MESSAGE body: "\x07MESSAGE", 8-byte short nonce, then the box
// holding one flags byte and the payload.
const (
	messageNonceOffset = len(messagePrefix)
	messageBoxOffset   = messageNonceOffset + 8
	messageMinSize     = messageBoxOffset + boxOverhead + 1 // 33
)

// Inner flag bits of a MESSAGE (libzmq's msg_t more and command flags).
const (
	innerMore    = 0x01
	innerCommand = 0x02
)

// errNonceExhausted reports that the 64-bit outgoing nonce ran out.
var errNonceExhausted = errors.New("mechanism: CURVE nonce counter exhausted")

// curveCodec is a MessageCodec for one CURVE connection.
type curveCodec struct {
	key        [32]byte // crypto_box_beforenm(peer transient public, own transient secret)
	sendPrefix string   // nonce prefix of our MESSAGEs
	recvPrefix string   // nonce prefix of the peer's MESSAGEs
	sendNonce  uint64   // next short nonce we use
	peerNonce  uint64   // last short nonce accepted from the peer
}

// zeroTag reserves room for the Poly1305 tag before sealing in place.
var zeroTag [boxOverhead]byte

// Seal appends "\x07MESSAGE", the short nonce and Box[flags + payload].
func (c *curveCodec) Seal(dst []byte, flags byte, payload []byte) ([]byte, error) {
	if c.sendNonce == math.MaxUint64 {
		return dst, errNonceExhausted
	}
	nonceValue := c.sendNonce
	c.sendNonce++

	var inner byte
	if flags&zmtp.FlagMore != 0 {
		inner |= innerMore
	}
	if flags&zmtp.FlagCommand != 0 {
		inner |= innerCommand
	}
	dst = append(dst, messagePrefix...)
	dst = binary.BigEndian.AppendUint64(dst, nonceValue)
	boxStart := len(dst)
	dst = append(dst, zeroTag[:]...)
	dst = append(dst, inner)
	dst = append(dst, payload...)

	var nonce [24]byte
	copy(nonce[:], c.sendPrefix)
	binary.BigEndian.PutUint64(nonce[16:], nonceValue)
	sealInPlace(dst[boxStart:], &nonce, &c.key)
	return dst, nil
}

// Open checks a MESSAGE as libzmq does, in its order: command structure,
// name, size, nonce sequence, then the box.
func (c *curveCodec) Open(body []byte) (flags byte, payload []byte, err error) {
	nonce, nonceValue, err := c.checkMessage(body)
	if err != nil {
		return 0, nil, err
	}
	box := body[messageBoxOffset:]
	if !openInPlace(box, &nonce, &c.key) {
		return 0, nil, boxError()
	}
	c.peerNonce = nonceValue
	return innerFlags(box[boxOverhead]), box[boxOverhead+1:], nil
}

// OpenInto is Open with the payload written to a buffer from alloc, asked
// for once the MESSAGE's structure and nonce have passed; body is left as it
// was.
func (c *curveCodec) OpenInto(body []byte, alloc func(size int) []byte) (flags byte, payload []byte, err error) {
	nonce, nonceValue, err := c.checkMessage(body)
	if err != nil {
		return 0, nil, err
	}
	box := body[messageBoxOffset:]
	size := len(box) - boxOverhead - 1
	payload = alloc(size)[:size]
	inner, ok := openTo(payload, box, &nonce, &c.key)
	if !ok {
		return 0, nil, boxError()
	}
	c.peerNonce = nonceValue
	return innerFlags(inner), payload, nil
}

// checkMessage checks everything about a MESSAGE but its box, and returns
// the nonce to open the box with.
func (c *curveCodec) checkMessage(body []byte) (nonce [24]byte, nonceValue uint64, err error) {
	if failure := wellFormed(body); failure != nil {
		return nonce, 0, failure
	}
	if !hasPrefix(body, messagePrefix) {
		return nonce, 0, protocolError(ProtocolErrorZMTPUnexpectedCommand, "expected MESSAGE")
	}
	if len(body) < messageMinSize {
		return nonce, 0, protocolError(ProtocolErrorZMTPMalformedCommandMessage, "MESSAGE of %d bytes", len(body))
	}
	nonceValue = binary.BigEndian.Uint64(body[messageNonceOffset:])
	if nonceValue <= c.peerNonce {
		return nonce, 0, protocolError(ProtocolErrorZMTPInvalidSequence, "MESSAGE nonce %d not above %d", nonceValue, c.peerNonce)
	}
	copy(nonce[:], c.recvPrefix)
	copy(nonce[16:], body[messageNonceOffset:messageBoxOffset])
	return nonce, nonceValue, nil
}

func boxError() *Error {
	return protocolError(ProtocolErrorZMTPCryptographic, "MESSAGE box does not open")
}

// innerFlags turns a MESSAGE's inner flags byte into zmtp frame flags.
func innerFlags(inner byte) (flags byte) {
	if inner&innerMore != 0 {
		flags |= zmtp.FlagMore
	}
	if inner&innerCommand != 0 {
		flags |= zmtp.FlagCommand
	}
	return flags
}
