package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// formatUsage describes the output and input formats of recv and send.
const formatUsage = `  -format FORMAT     how messages are printed: text (default: frames joined
                     by " | ", non-text frames as 0x-hex), hex (every frame
                     as 0x-hex), json (one JSON array per line: a frame is a
                     string, or {"base64": "..."} when it is not UTF-8), raw
                     (the frames' bytes, nothing added)
  -base64            with -format json, every frame as {"base64": "..."}
`

// outputFormat prints received messages in one of the -format forms.
type outputFormat struct {
	name      string // text, hex, json or raw
	allBase64 bool   // json: every frame as {"base64": ...}
}

// parseOutputFormat checks a -format value; -hex is the old spelling of
// -format hex.
func parseOutputFormat(name string, hex, allBase64 bool) (outputFormat, error) {
	if hex {
		if name != "text" && name != "hex" {
			return outputFormat{}, usageError("-hex and -format " + name + " exclude each other")
		}
		name = "hex"
	}
	switch name {
	case "text", "hex", "json", "raw":
	default:
		return outputFormat{}, usageError(fmt.Sprintf("unknown -format %q (text, hex, json or raw)", name))
	}
	if allBase64 && name != "json" {
		return outputFormat{}, usageError("-base64 goes with -format json")
	}
	return outputFormat{name: name, allBase64: allBase64}, nil
}

// write prints one message.
func (f outputFormat) write(w io.Writer, parts [][]byte) error {
	switch f.name {
	case "raw":
		for _, p := range parts {
			if _, err := w.Write(p); err != nil {
				return err
			}
		}
		return nil
	case "json":
		line, err := encodeJSONMessage(parts, f.allBase64)
		if err != nil {
			return err
		}
		_, err = w.Write(append(line, '\n'))
		return err
	}
	return printMessage(w, parts, f.name == "hex")
}

// binaryFrame is how a frame that is not UTF-8 text appears in JSON.
type binaryFrame struct {
	Base64 string `json:"base64"`
}

// encodeJSONMessage renders a message as a JSON array of frames.
func encodeJSONMessage(parts [][]byte, allBase64 bool) ([]byte, error) {
	frames := make([]any, len(parts))
	for i, p := range parts {
		if !allBase64 && utf8.Valid(p) {
			frames[i] = string(p)
		} else {
			frames[i] = binaryFrame{base64.StdEncoding.EncodeToString(p)}
		}
	}
	return json.Marshal(frames)
}

// decodeJSONMessage reads one line of JSON input: an array of frames, each
// a string or {"base64": "..."}, or a single string for a one-frame
// message.
func decodeJSONMessage(line []byte) ([][]byte, error) {
	line = bytes.TrimSpace(line)
	var one string
	if json.Unmarshal(line, &one) == nil {
		return [][]byte{[]byte(one)}, nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(line, &raw); err != nil {
		return nil, fmt.Errorf("not a JSON array of frames: %v", err)
	}
	if len(raw) == 0 {
		return nil, errors.New("a message needs at least one frame")
	}
	parts := make([][]byte, len(raw))
	for i, r := range raw {
		var s string
		if json.Unmarshal(r, &s) == nil {
			parts[i] = []byte(s)
			continue
		}
		var b binaryFrame
		dec := json.NewDecoder(bytes.NewReader(r))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&b); err != nil {
			return nil, fmt.Errorf("frame %d: want a string or {\"base64\": ...}", i)
		}
		data, err := base64.StdEncoding.DecodeString(b.Base64)
		if err != nil {
			return nil, fmt.Errorf("frame %d: %v", i, err)
		}
		parts[i] = data
	}
	return parts, nil
}
