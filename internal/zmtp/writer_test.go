package zmtp

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// testSealer boxes reversibly: "\x07MESSAGE", the flags byte, then the
// payload, so tests can read back what was sealed.
type testSealer struct{ fail bool }

const testSealOverhead = 9

func (s testSealer) Seal(dst []byte, flags byte, payload []byte) ([]byte, error) {
	if s.fail {
		return dst, errors.New("seal failed")
	}
	dst = append(dst, "\x07MESSAGE"...)
	dst = append(dst, flags)
	return append(dst, payload...), nil
}

// unseal undoes testSealer.Seal.
func unseal(t *testing.T, f Frame) Frame {
	t.Helper()
	if f.Flags != 0 || len(f.Body) < testSealOverhead || string(f.Body[:8]) != "\x07MESSAGE" {
		t.Fatalf("not a sealed frame: flags %#x body %q", f.Flags, f.Body)
	}
	return Frame{Flags: f.Body[8], Body: f.Body[9:]}
}

// written returns what w gathered as one stream, as a vectored write would
// send it.
func written(w *Writer) []byte {
	if w.NumSegments() == 0 {
		return append([]byte(nil), w.Bytes()...)
	}
	return bytes.Join(w.Segments(), nil)
}

// decode reads every frame of stream with a Reader.
func decode(t *testing.T, stream []byte) []Frame {
	t.Helper()
	r := NewReader(bytes.NewReader(stream), -1)
	var got []Frame
	for {
		f, err := r.ReadFrame()
		if err == io.EOF {
			return got
		}
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		got = append(got, Frame{Flags: f.Flags, Body: append([]byte(nil), f.Body...)})
	}
}

func sameFrames(t *testing.T, got, want []Frame) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d frames, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Flags != want[i].Flags || !bytes.Equal(got[i].Body, want[i].Body) {
			t.Fatalf("frame %d: got flags %#x body %q, want flags %#x body %q",
				i, got[i].Flags, got[i].Body, want[i].Flags, want[i].Body)
		}
	}
}

func TestWriterMessages(t *testing.T) {
	var w Writer
	long := bytes.Repeat([]byte("x"), 300)
	for _, m := range []struct {
		data []byte
		more bool
	}{{[]byte("a"), true}, {nil, true}, {long, false}} {
		if pl, err := w.Message(m.data, m.more); pl != Copied || err != nil {
			t.Fatalf("Message: %v %v", pl, err)
		}
	}
	out := written(&w)
	if w.Len() != len(out) {
		t.Fatalf("Len %d, wrote %d", w.Len(), len(out))
	}
	// Short form for up to 255 bytes, long form (FlagLong, 8-byte size) above.
	if out[0] != FlagMore || out[1] != 1 || out[3] != FlagMore || out[4] != 0 || out[5] != FlagLong {
		t.Fatalf("headers: % x", out[:14])
	}
	sameFrames(t, decode(t, out), []Frame{
		{Flags: FlagMore, Body: []byte("a")}, {Flags: FlagMore, Body: []byte{}}, {Body: long}})
}

func TestWriterLargeFrameReferenced(t *testing.T) {
	w := Writer{LargeFrame: 100}
	big := bytes.Repeat([]byte("b"), 100)
	w.Message([]byte("head"), true)
	pl, err := w.Message(big, true)
	if pl != Referenced || err != nil {
		t.Fatalf("Message(large): %v %v", pl, err)
	}
	w.Message([]byte("tail"), false)
	if w.NumSegments() != 2 {
		t.Fatalf("segments before Segments: %d, want 2", w.NumSegments())
	}
	segs := w.Segments()
	if len(segs) != 3 || &segs[1][0] != &big[0] {
		t.Fatalf("segments %d; the large frame must be referenced, not copied", len(segs))
	}
	if w.Len() != len(bytes.Join(segs, nil)) {
		t.Fatalf("Len %d, segments hold %d", w.Len(), len(bytes.Join(segs, nil)))
	}
	sameFrames(t, decode(t, bytes.Join(segs, nil)), []Frame{
		{Flags: FlagMore, Body: []byte("head")}, {Flags: FlagMore, Body: big}, {Body: []byte("tail")}})
	w.Reset()
	if w.Len() != 0 || w.NumSegments() != 0 || len(w.Bytes()) != 0 {
		t.Fatal("Reset left data behind")
	}
}

func TestWriterSubscriptions(t *testing.T) {
	var legacy Writer // Minor 0: a ZMTP 3.0 peer
	legacy.Subscribe([]byte("topic"), true)
	legacy.Subscribe([]byte("topic"), false)
	sameFrames(t, decode(t, written(&legacy)), []Frame{
		{Body: []byte("\x01topic")}, {Body: []byte("\x00topic")}})

	current := Writer{Minor: 1}
	current.Subscribe([]byte("topic"), true)
	current.Subscribe(nil, false)
	sameFrames(t, decode(t, written(&current)), []Frame{
		{Flags: FlagCommand, Body: AppendCommand(nil, CmdSubscribe, []byte("topic"))},
		{Flags: FlagCommand, Body: AppendCommand(nil, CmdCancel, nil)}})
}

func TestWriterJoinAndCommands(t *testing.T) {
	var w Writer
	w.Join([]byte("g"), true)
	w.Join([]byte("g"), false)
	w.Command(AppendPing(nil, 10, nil))
	sameFrames(t, decode(t, written(&w)), []Frame{
		{Flags: FlagCommand, Body: AppendCommand(nil, CmdJoin, []byte("g"))},
		{Flags: FlagCommand, Body: AppendCommand(nil, CmdLeave, []byte("g"))},
		{Flags: FlagCommand, Body: AppendPing(nil, 10, nil)}})
}

func TestWriterSealed(t *testing.T) {
	w := Writer{LargeFrame: 4}
	w.SetSealer(testSealer{}, testSealOverhead)
	big := bytes.Repeat([]byte("z"), 300)
	if pl, err := w.Message(big, true); pl != Sealed || err != nil {
		t.Fatalf("Message: %v %v; a sealed frame is never referenced", pl, err)
	}
	w.Command(AppendPing(nil, 0, nil))
	w.Subscribe([]byte("t"), true) // legacy form, sealed as a data frame
	w.Join([]byte("g"), true)
	got := decode(t, written(&w))
	for i := range got {
		got[i] = unseal(t, got[i])
	}
	sameFrames(t, got, []Frame{
		{Flags: FlagMore, Body: big},
		{Flags: FlagCommand, Body: AppendPing(nil, 0, nil)},
		{Body: []byte("\x01t")},
		{Flags: FlagCommand, Body: AppendCommand(nil, CmdJoin, []byte("g"))}})
}

func TestWriterClearCommands(t *testing.T) {
	w := Writer{Minor: 1, ClearCommands: true}
	w.SetSealer(testSealer{}, testSealOverhead)
	if pl, _ := w.Command(AppendPong(nil, nil)); pl != Copied {
		t.Fatalf("Command with ClearCommands: %v, want Copied", pl)
	}
	if pl, _ := w.Subscribe([]byte("t"), true); pl != Sealed {
		t.Fatalf("Subscribe with ClearCommands: %v, want Sealed", pl)
	}
	got := decode(t, written(&w))
	sameFrames(t, got[:1], []Frame{{Flags: FlagCommand, Body: AppendPong(nil, nil)}})
	sameFrames(t, []Frame{unseal(t, got[1])}, []Frame{
		{Flags: FlagCommand, Body: AppendCommand(nil, CmdSubscribe, []byte("t"))}})
}

func TestWriterSealError(t *testing.T) {
	var w Writer
	w.SetSealer(testSealer{fail: true}, testSealOverhead)
	if _, err := w.Message([]byte("m"), false); err == nil {
		t.Fatal("a failing Sealer must fail Message")
	}
}

func TestWriterReusesBuffer(t *testing.T) {
	w := Writer{Minor: 1, LargeFrame: 1 << 10}
	w.SetSealer(nil, 0)
	small, big := make([]byte, 100), make([]byte, 2<<10)
	batch := func() {
		w.Message(small, true)
		w.Message(big, false)
		w.Subscribe([]byte("topic"), true)
		w.Segments()
		w.Reset()
	}
	batch()
	if n := testing.AllocsPerRun(100, batch); n != 0 {
		t.Fatalf("%v allocations per batch once warm, want 0", n)
	}
}

func TestWriterTrim(t *testing.T) {
	var w Writer
	w.Message(make([]byte, 1000), false)
	w.Reset()
	w.Trim(2000)
	if cap(w.Bytes()) < 1000 {
		t.Fatal("Trim dropped a buffer below the limit")
	}
	w.Trim(100)
	if cap(w.Bytes()) != 0 {
		t.Fatal("Trim kept a buffer above the limit")
	}
}
