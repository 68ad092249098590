package ws

import (
	"encoding/binary"
	"errors"
)

// WebSocket opcodes (RFC 6455 section 5.2).
const (
	opContinuation byte = 0x0
	opText         byte = 0x1
	opBinary       byte = 0x2
	opClose        byte = 0x8
	opPing         byte = 0x9
	opPong         byte = 0xA
)

// Bits of the first two header bytes.
const (
	finBit  byte = 0x80
	rsvBits byte = 0x70
	maskBit byte = 0x80
)

// ZWS 2.0 flags in the first payload byte of a binary message.
const (
	flagMore    byte = 1
	flagCommand byte = 2
)

// Header sizes.
const (
	minHeaderSize = 2
	maxHeaderSize = 14 // 2 + 8 (64-bit length) + 4 (mask key)
	// maxControlPayload is the largest payload of a close, ping or pong
	// frame (RFC 6455 section 5.5).
	maxControlPayload = 125
	// maxPayloadLength bounds a 64-bit payload length; RFC 6455 requires
	// its most significant bit to be zero.
	maxPayloadLength = 1<<63 - 1
)

// Frame decoding errors. A peer that triggers one is dropped.
var (
	errFragmented     = errors.New("ws: fragmented messages are not supported")
	errReservedBits   = errors.New("ws: reserved header bits set")
	errBadOpcode      = errors.New("ws: unsupported opcode")
	errMasking        = errors.New("ws: frame masking does not match the peer's role")
	errControlTooLong = errors.New("ws: control frame longer than 125 bytes")
	errLengthTooLarge = errors.New("ws: payload length has its top bit set")
	errEmptyBinary    = errors.New("ws: binary message without its flags byte")
)

// header is one decoded WebSocket frame header.
type header struct {
	opcode byte
	masked bool
	mask   [4]byte
	length uint64 // payload length
	size   int    // header length in bytes
}

// parseHeader decodes a frame header from the start of b. It returns
// ok == false when b does not yet hold the whole header. wantMasked is the
// masking the peer must use: clients mask, servers do not. Only final
// binary, close, ping and pong frames are accepted, as in libzmq.
func parseHeader(b []byte, wantMasked bool) (h header, ok bool, err error) {
	if len(b) < minHeaderSize {
		return header{}, false, nil
	}
	b0, b1 := b[0], b[1]
	if b0&rsvBits != 0 {
		return header{}, false, errReservedBits
	}
	if b0&finBit == 0 {
		return header{}, false, errFragmented
	}
	h.opcode = b0 & 0x0F
	switch h.opcode {
	case opBinary, opClose, opPing, opPong:
	default:
		return header{}, false, errBadOpcode
	}
	h.masked = b1&maskBit != 0
	if h.masked != wantMasked {
		return header{}, false, errMasking
	}
	n := 2
	switch l := b1 & 0x7F; l {
	case 126:
		if len(b) < n+2 {
			return header{}, false, nil
		}
		h.length = uint64(binary.BigEndian.Uint16(b[n:]))
		n += 2
	case 127:
		if len(b) < n+8 {
			return header{}, false, nil
		}
		h.length = binary.BigEndian.Uint64(b[n:])
		n += 8
		if h.length > maxPayloadLength {
			return header{}, false, errLengthTooLarge
		}
	default:
		h.length = uint64(l)
	}
	if h.opcode != opBinary && h.length > maxControlPayload {
		return header{}, false, errControlTooLong
	}
	if h.opcode == opBinary && h.length == 0 {
		return header{}, false, errEmptyBinary
	}
	if h.masked {
		if len(b) < n+4 {
			return header{}, false, nil
		}
		copy(h.mask[:], b[n:n+4])
		n += 4
	}
	h.size = n
	return h, true, nil
}

// appendHeader appends a final frame header with the given opcode and
// payload length, masked with mask when masked is true.
func appendHeader(dst []byte, opcode byte, length uint64, masked bool, mask [4]byte) []byte {
	var mbit byte
	if masked {
		mbit = maskBit
	}
	dst = append(dst, finBit|opcode)
	switch {
	case length <= 125:
		dst = append(dst, mbit|byte(length))
	case length <= 0xFFFF:
		dst = append(dst, mbit|126)
		dst = binary.BigEndian.AppendUint16(dst, uint16(length))
	default:
		dst = append(dst, mbit|127)
		dst = binary.BigEndian.AppendUint64(dst, length)
	}
	if masked {
		dst = append(dst, mask[:]...)
	}
	return dst
}

// maskBytes XORs b with the mask key, starting at key position pos (the
// offset of b[0] in the payload), and returns the position after b.
func maskBytes(b []byte, mask [4]byte, pos int) int {
	pos &= 3
	i := 0
	// Align to the key, then go eight bytes at a time.
	for ; i < len(b) && pos != 0; i++ {
		b[i] ^= mask[pos]
		pos = (pos + 1) & 3
	}
	if rest := len(b) - i; rest >= 8 {
		k32 := binary.LittleEndian.Uint32(mask[:])
		k64 := uint64(k32) | uint64(k32)<<32
		for ; i+8 <= len(b); i += 8 {
			v := binary.LittleEndian.Uint64(b[i:])
			binary.LittleEndian.PutUint64(b[i:], v^k64)
		}
	}
	for ; i < len(b); i++ {
		b[i] ^= mask[pos]
		pos = (pos + 1) & 3
	}
	return pos
}
