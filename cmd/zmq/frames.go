package main

import (
	"encoding/hex"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// frameSeparator separates the frames of one message on an output line.
const frameSeparator = " | "

// formatMessage renders a multipart message as one line (without the
// newline): frames joined by " | ", each as text when it is printable UTF-8
// and as "0x" followed by lowercase hex otherwise (always hex when allHex).
func formatMessage(parts [][]byte, allHex bool) string {
	var b strings.Builder
	for i, part := range parts {
		if i > 0 {
			b.WriteString(frameSeparator)
		}
		if !allHex && printable(part) {
			b.Write(part)
		} else {
			b.WriteString("0x")
			b.WriteString(hex.EncodeToString(part))
		}
	}
	return b.String()
}

// printable reports whether p is UTF-8 text without control characters.
func printable(p []byte) bool {
	if !utf8.Valid(p) {
		return false
	}
	for _, r := range string(p) {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// printMessage writes a message as formatMessage renders it, plus a newline.
func printMessage(w io.Writer, parts [][]byte, allHex bool) error {
	_, err := io.WriteString(w, formatMessage(parts, allHex)+"\n")
	return err
}
