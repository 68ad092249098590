// Package z85 implements the Z85 text encoding of binary data (ZeroMQ RFC 32),
// used for CURVE keys in configuration files and socket options.
package z85

import "errors"

// alphabet maps a digit value 0..84 to its Z85 character.
const alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"

// invalidDigit marks bytes that are not Z85 characters in digitValue.
const invalidDigit = 0xFF

// digitValue maps a byte to its Z85 digit value, or invalidDigit.
var digitValue = buildDigitValues()

func buildDigitValues() [256]byte {
	var table [256]byte
	for i := range table {
		table[i] = invalidDigit
	}
	for i := 0; i < len(alphabet); i++ {
		table[alphabet[i]] = byte(i)
	}
	return table
}

// ErrLength reports input whose length is not a multiple of 4 (Encode) or 5 (Decode).
var ErrLength = errors.New("z85: invalid input length")

// ErrCharacter reports a character outside the Z85 alphabet.
var ErrCharacter = errors.New("z85: invalid character")

// ErrOverflow reports a 5-character group whose value exceeds 32 bits.
var ErrOverflow = errors.New("z85: group value exceeds 32 bits")

// EncodedLen returns the length of the Z85 text for n bytes of input (n must be a multiple of 4).
func EncodedLen(n int) int { return n / 4 * 5 }

// DecodedLen returns the number of bytes n characters of Z85 text decode to (n must be a multiple of 5).
func DecodedLen(n int) int { return n / 5 * 4 }

// Encode returns the Z85 text of src. The length of src must be a multiple of 4.
func Encode(src []byte) (string, error) {
	if len(src)%4 != 0 {
		return "", ErrLength
	}
	out := make([]byte, 0, EncodedLen(len(src)))
	for i := 0; i < len(src); i += 4 {
		value := uint32(src[i])<<24 | uint32(src[i+1])<<16 | uint32(src[i+2])<<8 | uint32(src[i+3])
		var group [5]byte
		for j := 4; j >= 0; j-- {
			group[j] = alphabet[value%85]
			value /= 85
		}
		out = append(out, group[:]...)
	}
	return string(out), nil
}

// Decode returns the bytes encoded by the Z85 text s. Like libzmq 4.3.3 and later it
// rejects a length that is not a positive multiple of 5, characters outside the
// alphabet, and groups whose value does not fit in 32 bits.
func Decode(s string) ([]byte, error) {
	if len(s) < 5 || len(s)%5 != 0 {
		return nil, ErrLength
	}
	out := make([]byte, 0, DecodedLen(len(s)))
	for i := 0; i < len(s); i += 5 {
		var value uint64
		for j := 0; j < 5; j++ {
			digit := digitValue[s[i+j]]
			if digit == invalidDigit {
				return nil, ErrCharacter
			}
			value = value*85 + uint64(digit)
		}
		if value > 0xFFFFFFFF {
			return nil, ErrOverflow
		}
		out = append(out, byte(value>>24), byte(value>>16), byte(value>>8), byte(value))
	}
	return out, nil
}
