package ws

import (
	"errors"
	"fmt"
	"io"

	"github.com/purezmq/zmq4/internal/zmtp"
)

// readBufferSize is the reader's buffer for headers, control frames and
// small messages; large payloads are read straight into the caller's slice.
const readBufferSize = 16 << 10

// maxRoutingID is the longest routing id libzmq accepts.
const maxRoutingID = 255

var (
	errHeadTooLong  = errors.New("ws: HTTP head too long")
	errRoutingID    = errors.New("ws: first message of a bare ZWS2.0 peer is not a routing id")
	errNoLocalType  = errors.New("ws: bare ZWS2.0 peer before our READY")
	errPayloadLimit = errors.New("ws: payload too large for this platform")
)

// reader translates the peer's WebSocket messages into a ZMTP stream.
type reader struct {
	buf        []byte // received bytes; unconsumed ones are buf[start:end]
	start, end int
	err        error // reported once the output before it is delivered

	pend    []byte // translated bytes not yet delivered
	scratch [64]byte
	left    uint64 // payload bytes of the current binary message still to deliver
	mask    [4]byte
	maskPos int
	masked  bool

	gotRid bool // bare mode: the peer's routing id arrived
}

// read fills p with as much of the translated stream as is available,
// blocking only when it has nothing at all.
func (r *reader) read(c *Conn, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(r.pend) > 0 {
			k := copy(p[n:], r.pend)
			r.pend = r.pend[k:]
			n += k
			continue
		}
		if r.left > 0 {
			k, err := r.payload(c, p[n:], n == 0)
			n += k
			if err != nil {
				r.err = err
				break
			}
			if k == 0 {
				break
			}
			continue
		}
		if r.err != nil {
			break
		}
		progressed, err := r.next(c, n == 0)
		if err != nil {
			r.err = err
			break
		}
		if !progressed {
			break
		}
	}
	if n == 0 && r.err != nil {
		return 0, r.err
	}
	return n, nil
}

// payload delivers bytes of the current binary message into p, reading
// from the network (into p directly) only when mayBlock.
func (r *reader) payload(c *Conn, p []byte, mayBlock bool) (int, error) {
	want := int(min(uint64(len(p)), r.left))
	var k int
	if avail := r.end - r.start; avail > 0 {
		k = copy(p[:want], r.buf[r.start:r.end])
		r.start += k
	} else if mayBlock {
		var err error
		k, err = c.Conn.Read(p[:want])
		if k == 0 && err == nil {
			err = io.ErrNoProgress
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return 0, err
		}
	}
	if r.masked {
		r.maskPos = maskBytes(p[:k], r.mask, r.maskPos)
	}
	r.left -= uint64(k)
	return k, nil
}

// next decodes the message at the front of the buffer into pend. When the
// buffer does not hold enough of it, it reads more if mayBlock and reports
// no progress otherwise.
func (r *reader) next(c *Conn, mayBlock bool) (bool, error) {
	h, ok, err := parseHeader(r.buf[r.start:r.end], !c.client)
	if err != nil {
		return false, err
	}
	need := 0
	if ok {
		need = h.size + int(min(h.length, 1))
		if h.opcode != opBinary || c.bare && !r.gotRid {
			if h.length > maxRoutingID+1 && h.opcode == opBinary {
				return false, errRoutingID
			}
			need = h.size + int(h.length)
		}
	}
	if !ok || r.end-r.start < need {
		if !mayBlock {
			return false, nil
		}
		return true, r.fill(c)
	}
	if h.opcode == opBinary && c.bare && !r.gotRid && c.localType() == "" && !mayBlock {
		// The peer's routing id turns into a READY naming a type that fits
		// ours, which is known once our READY went out: the engine reads
		// the peer's only after sending its own.
		return false, nil
	}
	r.start += h.size
	r.masked, r.mask = h.masked, h.mask
	if h.opcode != opBinary {
		payload := r.buf[r.start : r.start+int(h.length)]
		r.start += int(h.length)
		if h.masked {
			maskBytes(payload, h.mask, 0)
		}
		return true, r.control(c, h.opcode, payload)
	}
	flags := r.buf[r.start]
	if h.masked {
		flags ^= h.mask[0]
	}
	r.start++
	size := h.length - 1
	if size > uint64(maxInt) {
		return false, errPayloadLimit
	}
	if c.bare && !r.gotRid {
		rid := r.buf[r.start : r.start+int(size)]
		r.start += int(size)
		if h.masked {
			maskBytes(rid, h.mask, 1)
		}
		return true, r.routingID(c, flags, rid)
	}
	var zflags byte
	if flags&flagMore != 0 {
		zflags |= zmtp.FlagMore
	}
	if flags&flagCommand != 0 {
		zflags |= zmtp.FlagCommand
	}
	r.pend = zmtp.AppendFrameHeader(r.scratch[:0], zflags, int(size))
	r.left, r.maskPos = size, 1
	return true, nil
}

// maxInt is the largest int.
const maxInt = int(^uint(0) >> 1)

// control handles a close, ping or pong frame: ping and pong reach the
// engine as PING and PONG commands (its PONG reply goes back as a pong
// frame echoing this ping's payload); close is echoed and ends the stream.
func (r *reader) control(c *Conn, opcode byte, payload []byte) error {
	switch opcode {
	case opPing:
		c.setLastPing(payload)
		r.pend = zmtp.AppendFrame(r.scratch[:0], zmtp.FlagCommand, zmtp.AppendPing(nil, 0, nil))
	case opPong:
		r.pend = zmtp.AppendFrame(r.scratch[:0], zmtp.FlagCommand, zmtp.AppendPong(nil, nil))
	case opClose:
		c.replyClose(payload)
		return io.EOF
	}
	return nil
}

// routingID turns a bare peer's first message, its routing id, into the
// READY the engine's NULL handshake waits for. The peer announced no
// socket type, so the READY names the first type ours accepts.
func (r *reader) routingID(c *Conn, flags byte, rid []byte) error {
	if flags&(flagMore|flagCommand) != 0 {
		return errRoutingID
	}
	local := c.localType()
	if local == "" {
		return errNoLocalType
	}
	peerType := ""
	for _, t := range peerTypeCandidates {
		if zmtp.Compatible(local, t) {
			peerType = t
			break
		}
	}
	if peerType == "" {
		return fmt.Errorf("ws: socket type %s cannot take a bare ZWS2.0 peer", local)
	}
	body := zmtp.AppendCommand(nil, zmtp.CmdReady, nil)
	body = zmtp.AppendProperty(body, "Socket-Type", peerType)
	if len(rid) > 0 {
		body = zmtp.AppendProperty(body, "Identity", string(rid))
	}
	r.pend = zmtp.AppendFrame(nil, zmtp.FlagCommand, body)
	r.gotRid = true
	return nil
}

// peerTypeCandidates are the socket types a bare peer is taken to be, in
// order of preference.
var peerTypeCandidates = []string{
	"PAIR", "DEALER", "ROUTER", "REQ", "REP", "PUB", "SUB", "XPUB", "XSUB",
	"PUSH", "PULL", "CLIENT", "SERVER", "RADIO", "DISH", "SCATTER", "GATHER", "PEER", "CHANNEL",
}

// fill reads at least one more byte into the buffer, making room first.
func (r *reader) fill(c *Conn) error {
	if r.buf == nil {
		r.buf = make([]byte, readBufferSize)
	}
	if r.start == r.end {
		r.start, r.end = 0, 0
	} else if r.end == len(r.buf) {
		r.end = copy(r.buf, r.buf[r.start:r.end])
		r.start = 0
	}
	k, err := c.Conn.Read(r.buf[r.end:])
	r.end += k
	if k > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// readHead reads an HTTP head, leaving whatever follows it in the buffer.
func (r *reader) readHead(c *Conn) ([]byte, error) {
	for {
		if i := headEnd(r.buf[r.start:r.end]); i >= 0 {
			head := append([]byte(nil), r.buf[r.start:r.start+i]...)
			r.start += i
			return head, nil
		}
		if r.end-r.start >= maxHeadSize {
			return nil, handshakef("%v", errHeadTooLong)
		}
		if err := r.fill(c); err != nil {
			return nil, err
		}
	}
}
