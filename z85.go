package zmq4

import "github.com/purezmq/zmq4/internal/z85"

// Z85encode returns the Z85 text (ZeroMQ RFC 32) of data, whose length must
// be a multiple of 4. Where pebbe/zmq4 panics on other lengths, this returns
// "". Use Z85Encode to get an error instead.
func Z85encode(data string) string {
	text, err := z85.Encode([]byte(data))
	if err != nil {
		return ""
	}
	return text
}

// Z85decode returns the bytes encoded by the Z85 text s, or "" when s is not
// valid Z85: a length that is not a positive multiple of 5, a character
// outside the alphabet, or a group above 2^32-1 (libzmq 4.3.3 and later
// reject the same). Use Z85Decode to learn what was wrong.
func Z85decode(s string) string {
	raw, err := z85.Decode(s)
	if err != nil {
		return ""
	}
	return string(raw)
}

// Z85Encode returns the Z85 text of data, or an error when the length of
// data is not a multiple of 4.
func Z85Encode(data []byte) (string, error) {
	return z85.Encode(data)
}

// Z85Decode returns the bytes encoded by the Z85 text s, or an error naming
// the first problem found (length, character or group overflow).
func Z85Decode(s string) ([]byte, error) {
	return z85.Decode(s)
}
