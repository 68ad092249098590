package zmtp

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func FuzzParseGreeting(f *testing.F) {
	f.Add(AppendGreeting(nil, "NULL", false))
	f.Add(AppendGreeting(nil, "CURVE", true))
	f.Add(AppendGreeting(nil, "PLAIN", false)[:40])
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := ParseGreeting(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if len(g.Mechanism) > 20 || g.Major < 3 {
			t.Fatalf("accepted %+v", g)
		}
		// Our own encoding of what we parsed must parse the same way.
		again, err := ParseGreeting(AppendGreeting(nil, g.Mechanism, g.AsServer))
		if err != nil || again.Mechanism != g.Mechanism || again.AsServer != g.AsServer {
			t.Fatalf("re-encode: %+v %v", again, err)
		}
	})
}

func FuzzReader(f *testing.F) {
	f.Add(encodeFrames([]Frame{{Flags: FlagMore, Body: []byte("a")}, {Body: make([]byte, 300)}}))
	f.Add(AppendFrame(nil, FlagCommand, AppendCommand(nil, CmdReady, AppendProperty(nil, "Socket-Type", "SUB"))))
	f.Add(AppendFrameHeader(nil, 0, 1<<20+1))
	f.Add(AppendFrameHeader(nil, 0, 20000))
	f.Add([]byte{0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, stream []byte) {
		const maxSize = 1 << 20
		r := NewReader(piecewiseReader(stream), maxSize)
		consumed := 0
		for {
			f, err := r.ReadFrame()
			if err != nil {
				if err != io.EOF && err != io.ErrUnexpectedEOF && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
					t.Fatalf("unexpected error %v", err)
				}
				if err == io.EOF && consumed != len(stream) {
					t.Fatalf("clean EOF after %d of %d bytes", consumed, len(stream))
				}
				return
			}
			if len(f.Body) > maxSize || f.Flags&^(FlagMore|FlagCommand) != 0 {
				t.Fatalf("bad frame: flags %#x len %d", f.Flags, len(f.Body))
			}
			// The body must be exactly the bytes of the stream.
			header := 2
			if stream[consumed]&FlagLong != 0 {
				header = 9
			}
			if !bytes.Equal(f.Body, stream[consumed+header:consumed+header+len(f.Body)]) {
				t.Fatal("body differs from the stream")
			}
			consumed += header + len(f.Body)
		}
	})
}

// piecewiseReader feeds the stream in pieces so the fuzzer exercises
// partial headers and bodies.
func piecewiseReader(b []byte) io.Reader {
	return &chunkedReader{data: b, step: 1 + len(b)/3}
}

func FuzzParseCommand(f *testing.F) {
	f.Add(AppendCommand(nil, CmdSubscribe, []byte("topic")))
	f.Add(AppendPing(nil, 10, []byte("ctx")))
	f.Add(AppendError(nil, "400"))
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, body []byte) {
		name, data, err := ParseCommand(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if !bytes.Equal(AppendCommand(nil, name, data), body) {
			t.Fatal("round trip differs")
		}
		if name == CmdError {
			ParseError(data)
		}
	})
}

func FuzzParseMetadata(f *testing.F) {
	meta := AppendProperty(nil, "Socket-Type", "DEALER")
	meta = AppendProperty(meta, "Identity", "")
	f.Add(meta)
	f.Add(AppendProperty(nil, "X-Key", "value"))
	f.Add([]byte{1, 'A', 0xFF, 0xFF, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, b []byte) {
		props, err := ParseMetadata(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		var again []byte
		for _, p := range props {
			again = AppendProperty(again, p.Name, p.Value)
		}
		if !bytes.Equal(again, b) {
			t.Fatal("round trip differs")
		}
	})
}

func FuzzParsePing(f *testing.F) {
	f.Add(AppendPing(nil, 0, []byte("LOL"))[5:])
	f.Add(AppendPing(nil, 65535, bytes.Repeat([]byte("c"), 16))[5:])
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, data []byte) {
		ttl, ctx, err := ParsePing(data)
		if err != nil {
			if !errors.Is(err, ErrMalformed) || len(data) >= 2 {
				t.Fatalf("unexpected error %v for %d bytes", err, len(data))
			}
			return
		}
		if len(ctx) > 16 {
			t.Fatalf("context of %d bytes", len(ctx))
		}
		again := AppendPing(nil, ttl, ctx)
		if !bytes.HasPrefix(data, again[5:]) {
			t.Fatal("round trip differs")
		}
		pong := AppendPong(nil, ctx)
		if !bytes.Equal(pong[5:], ctx) {
			t.Fatal("pong does not echo the context")
		}
	})
}
