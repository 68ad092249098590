package zmtp

import (
	"bytes"
	"encoding/binary"
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
		if len(g.Mechanism) > 20 || g.Major < 2 {
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
		// What was parsed, encoded again, is where b starts; the rest
		// is a last property cut after its name or its value length,
		// which libzmq drops.
		var again []byte
		for _, p := range props {
			again = append(again, byte(len(p.Name)))
			again = append(again, p.Name...)
			again = binary.BigEndian.AppendUint32(again, uint32(len(p.Value)))
			again = append(again, p.Value...)
		}
		if !bytes.HasPrefix(b, again) {
			t.Fatal("round trip differs")
		}
		if rest := b[len(again):]; len(rest) > 0 {
			afterName := len(rest) >= 2 && len(rest) == 1+int(rest[0])
			afterLength := len(rest) == 1+int(rest[0])+4 && binary.BigEndian.Uint32(rest[len(rest)-4:]) > 0
			if !afterName && !afterLength {
				t.Fatalf("%x left over without an error", rest)
			}
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

// FuzzWriterRoundTrip encodes a sequence of frames chosen by the input with
// a Writer and decodes the result with a Reader: every frame must come back
// as the form the peer's version and the sealing call for.
func FuzzWriterRoundTrip(f *testing.F) {
	f.Add([]byte{0, 0, 3, 'a', 'b', 'c', 1, 0})
	f.Add([]byte{1, 2, 5, 't', 'o', 'p', 'i', 'c', 3, 1, 'g', 4, 0})
	f.Add([]byte{0x80, 5, 0, 6, 200})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) < 1 {
			return
		}
		w := Writer{Minor: in[0] & 1, LargeFrame: 64, ClearCommands: in[0]&2 != 0}
		sealed := in[0]&4 != 0
		if sealed {
			w.SetSealer(testSealer{}, testSealOverhead)
		}
		in = in[1:]
		var want []Frame
		var stream []byte
		for len(in) >= 2 {
			op, n := in[0], int(in[1])
			in = in[2:]
			if op&0x80 != 0 {
				n *= 8 // reach the long form and LargeFrame
			}
			data := bytes.Repeat([]byte{op}, n)
			var fr Frame
			seal := sealed
			switch op % 7 {
			case 0, 1:
				more := op%7 == 1
				w.Message(data, more)
				fr = Frame{Body: data}
				if more {
					fr.Flags = FlagMore
				}
			case 2:
				w.Command(data)
				fr = Frame{Flags: FlagCommand, Body: data}
				seal = sealed && !w.ClearCommands
			case 3, 4:
				sub := op%7 == 3
				w.Subscribe(data, sub)
				switch {
				case w.Minor >= 1 && sub:
					fr = Frame{Flags: FlagCommand, Body: AppendCommand(nil, CmdSubscribe, data)}
				case w.Minor >= 1:
					fr = Frame{Flags: FlagCommand, Body: AppendCommand(nil, CmdCancel, data)}
				case sub:
					fr = Frame{Body: append([]byte{1}, data...)}
				default:
					fr = Frame{Body: append([]byte{0}, data...)}
				}
			case 5:
				w.Join(data, true)
				fr = Frame{Flags: FlagCommand, Body: AppendCommand(nil, CmdJoin, data)}
			case 6:
				// Write out what was gathered so far and start a new batch.
				stream = append(stream, written(&w)...)
				w.Reset()
				continue
			}
			if seal {
				fr = Frame{Body: append(append([]byte("\x07MESSAGE"), fr.Flags), fr.Body...)}
			}
			want = append(want, fr)
		}
		stream = append(stream, written(&w)...)
		sameFrames(t, decode(t, stream), want)
	})
}
