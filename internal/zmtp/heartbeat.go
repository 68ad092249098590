package zmtp

import "encoding/binary"

// maxPingContext is the longest PING context a peer must echo (RFC 37).
const maxPingContext = 16

// AppendPing appends a full PING command body: "\x04PING", the TTL in tenths
// of a second (big-endian uint16), then context cut to 16 bytes.
func AppendPing(dst []byte, ttl uint16, context []byte) []byte {
	dst = appendCommandName(dst, CmdPing)
	dst = binary.BigEndian.AppendUint16(dst, ttl)
	return append(dst, truncateContext(context)...)
}

// ParsePing decodes the data of a PING command (the bytes after its name).
// It needs at least the 2-byte TTL; a context longer than 16 bytes is cut to
// 16, as libzmq does. context aliases data.
func ParsePing(data []byte) (ttl uint16, context []byte, err error) {
	if len(data) < 2 {
		return 0, nil, ErrMalformed
	}
	return binary.BigEndian.Uint16(data), truncateContext(data[2:]), nil
}

// AppendPong appends a full PONG command body echoing context (cut to 16 bytes).
func AppendPong(dst []byte, context []byte) []byte {
	dst = appendCommandName(dst, CmdPong)
	return append(dst, truncateContext(context)...)
}

func truncateContext(context []byte) []byte {
	if len(context) > maxPingContext {
		return context[:maxPingContext]
	}
	return context
}
