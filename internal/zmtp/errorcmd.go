package zmtp

// maxErrorReason is the longest reason the 1-byte length can express.
const maxErrorReason = 255

// AppendError appends a full ERROR command body: "\x05ERROR", the reason
// length and the reason, cut to 255 bytes.
func AppendError(dst []byte, reason string) []byte {
	dst = appendCommandName(dst, CmdError)
	if len(reason) > maxErrorReason {
		reason = reason[:maxErrorReason]
	}
	dst = append(dst, byte(len(reason)))
	return append(dst, reason...)
}

// ParseError decodes the data of an ERROR command (the bytes after its name).
// The reason must be present in full; bytes after it are ignored, as libzmq
// ignores them.
func ParseError(data []byte) (reason string, err error) {
	if len(data) == 0 {
		return "", ErrMalformed
	}
	n := int(data[0])
	if len(data) < 1+n {
		return "", ErrMalformed
	}
	return string(data[1 : 1+n]), nil
}
