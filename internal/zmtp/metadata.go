package zmtp

import (
	"encoding/binary"
	"strings"
)

// Limits of the metadata property encoding (RFC 23 "Metadata").
const (
	maxPropertyName  = 255
	maxPropertyValue = 1<<31 - 1
)

// Property is one metadata name/value pair, as carried by READY, INITIATE
// and ZAP replies.
type Property struct {
	Name, Value string
}

// AppendProperty appends one property: the name length (1 byte), the name,
// the value length (4 bytes, big-endian) and the value. It panics if name is
// empty or longer than 255 bytes or value is 2^31 bytes or longer; callers
// validate user-supplied names before they get here.
func AppendProperty(dst []byte, name, value string) []byte {
	if len(name) == 0 || len(name) > maxPropertyName {
		panic("zmtp: property name must be 1..255 bytes")
	}
	if len(value) > maxPropertyValue {
		panic("zmtp: property value too long")
	}
	dst = append(dst, byte(len(name)))
	dst = append(dst, name...)
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(value)))
	return append(dst, value...)
}

// ParseMetadata parses a run of concatenated properties as libzmq 4.3
// does: it stops at the first property cut short and yields ErrMalformed
// if any bytes are left, so a property cut right after its name, or right
// after its value length, that ends the run is dropped without an error.
// A zero-length name is taken. The strings are copies, so b may be reused
// afterwards.
func ParseMetadata(b []byte) ([]Property, error) {
	var props []Property
	for len(b) > 1 {
		nameLen := int(b[0])
		b = b[1:]
		if len(b) < nameLen {
			break
		}
		name := b[:nameLen]
		b = b[nameLen:]
		if len(b) < 4 {
			break
		}
		valueLen := binary.BigEndian.Uint32(b)
		b = b[4:]
		if uint64(valueLen) > uint64(len(b)) {
			break
		}
		props = append(props, Property{Name: string(name), Value: string(b[:valueLen])})
		b = b[valueLen:]
	}
	if len(b) > 0 {
		return nil, ErrMalformed
	}
	return props, nil
}

// Lookup returns the value of the first property whose name matches name,
// ignoring ASCII case.
func Lookup(props []Property, name string) (string, bool) {
	for _, p := range props {
		if strings.EqualFold(p.Name, name) {
			return p.Value, true
		}
	}
	return "", false
}
