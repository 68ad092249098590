package zmtp

import "encoding/binary"

// Frame flag bits (RFC 23 section "Framing").
const (
	FlagMore    byte = 0x01 // more frames of this message follow
	FlagLong    byte = 0x02 // the size field is 8 bytes, not 1
	FlagCommand byte = 0x04 // the frame is a command, not message data
)

// maxShortSize is the largest body that uses the 1-byte size form.
const maxShortSize = 255

// Frame is one decoded frame.
type Frame struct {
	// Flags holds FlagMore and FlagCommand; FlagLong and reserved bits are cleared.
	Flags byte
	Body  []byte
	// Own reports that Body is a buffer of its own from the Reader's
	// allocator (see Reader.SetAllocator), shared with no other frame; its
	// capacity may exceed its length.
	Own bool
}

// More reports whether more frames of the same message follow.
func (f Frame) More() bool { return f.Flags&FlagMore != 0 }

// IsCommand reports whether the frame is a command frame.
func (f Frame) IsCommand() bool { return f.Flags&FlagCommand != 0 }

// FrameHeaderSize returns the header length for a body of size bytes: 2 for
// the short form, 9 for the long form.
func FrameHeaderSize(size int) int {
	if size > maxShortSize {
		return 9
	}
	return 2
}

// AppendFrameHeader appends the flags byte (with FlagLong set exactly when
// size > 255) and the 1- or 8-byte big-endian size. It panics if size < 0.
func AppendFrameHeader(dst []byte, flags byte, size int) []byte {
	if size < 0 {
		panic("zmtp: negative frame size")
	}
	flags &^= FlagLong
	if size > maxShortSize {
		dst = append(dst, flags|FlagLong)
		return binary.BigEndian.AppendUint64(dst, uint64(size))
	}
	return append(dst, flags, byte(size))
}

// AppendFrame appends a frame header for body, then body.
func AppendFrame(dst []byte, flags byte, body []byte) []byte {
	dst = AppendFrameHeader(dst, flags, len(body))
	return append(dst, body...)
}
