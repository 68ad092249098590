package zmq4

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestMsgFrameOperations(t *testing.T) {
	var m Msg
	m.AppendString("body")
	m.PushString("second")
	m.Push([]byte("first"))
	m.Append([]byte("tail"))
	if m.Size() != 4 || m.ContentSize() != len("firstsecondbodytail") {
		t.Fatalf("Size %d ContentSize %d", m.Size(), m.ContentSize())
	}
	if got := m.PopString(); got != "first" {
		t.Fatalf("PopString = %q", got)
	}
	if got := string(m.Pop()); got != "second" {
		t.Fatalf("Pop = %q", got)
	}
	m.Remove(1)
	if !m.Equal(NewMsgStrings("body")) {
		t.Fatalf("after Remove: %q", m)
	}
	m.Pop()
	if m.Pop() != nil || m.PopString() != "" {
		t.Fatal("Pop on an empty message returned a frame")
	}
}

func TestFrameHelpers(t *testing.T) {
	if got := FrameStrhex([]byte{0xab, 0x01}); got != "AB01" {
		t.Errorf("FrameStrhex = %q, want AB01", got)
	}
	if !FrameStreq([]byte("hi"), "hi") || FrameStreq([]byte("hi"), "hj") || FrameStreq(nil, "x") {
		t.Error("FrameStreq wrong")
	}
}

func TestMsgWrapUnwrap(t *testing.T) {
	m := NewMsgStrings("request")
	m.Wrap([]byte("client-7"))
	if !m.Equal(NewMsgStrings("client-7", "", "request")) {
		t.Fatalf("Wrap: %q", m)
	}
	if addr := m.Unwrap(); string(addr) != "client-7" || !m.Equal(NewMsgStrings("request")) {
		t.Fatalf("Unwrap: %q leaves %q", addr, m)
	}
	// No delimiter after the address: only the address goes.
	m = NewMsgStrings("addr", "body")
	if addr := m.Unwrap(); string(addr) != "addr" || !m.Equal(NewMsgStrings("body")) {
		t.Fatalf("Unwrap without delimiter: %q leaves %q", addr, m)
	}
}

func TestMsgDupIsDeep(t *testing.T) {
	m := NewMsg([]byte("abc"), nil)
	d := m.Dup()
	m[0][0] = 'X'
	if string(d[0]) != "abc" || d[1] == nil || len(d[1]) != 0 {
		t.Fatalf("Dup shares or loses data: %q", d)
	}
	if !strings.Contains(NewMsg([]byte("hi"), []byte{0, 1}).String(), "[002] 0001") {
		t.Fatalf("String: %q", NewMsg([]byte("hi"), []byte{0, 1}).String())
	}
}

// msgCases covers the size boundaries of both serialised forms.
var msgCases = []Msg{
	{},
	NewMsgStrings(""),
	NewMsgStrings("a", "", "bc"),
	NewMsg(bytes.Repeat([]byte{1}, 254), bytes.Repeat([]byte{2}, 255), bytes.Repeat([]byte{3}, 256)),
	NewMsg(bytes.Repeat([]byte{4}, 70000)),
}

func TestMsgEncodeDecodeRoundTrip(t *testing.T) {
	for _, m := range msgCases {
		enc, err := m.Encode()
		must(t, err)
		got, err := DecodeMsg(enc)
		must(t, err)
		if !got.Equal(m) {
			t.Fatalf("round trip of %d frames gave %d", len(m), len(got))
		}
	}
	enc, _ := NewMsg(bytes.Repeat([]byte{9}, 300)).Encode()
	if !bytes.Equal(enc[:5], []byte{0xFF, 0, 0, 1, 44}) {
		t.Fatalf("long frame header % x", enc[:5])
	}
	for _, bad := range [][]byte{{5, 'a'}, {0xFF, 0, 0}, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 'x'}} {
		if _, err := DecodeMsg(bad); !errors.Is(err, ErrMsgFormat) {
			t.Errorf("DecodeMsg(% x): %v, want ErrMsgFormat", bad, err)
		}
	}
}

func TestMsgSaveLoadRoundTrip(t *testing.T) {
	for _, m := range msgCases {
		var b bytes.Buffer
		must(t, m.Save(&b))
		if want := 8*len(m) + m.ContentSize(); b.Len() != want {
			t.Fatalf("saved %d bytes, want %d", b.Len(), want)
		}
		got, err := LoadMsg(&b)
		must(t, err)
		if !got.Equal(m) {
			t.Fatalf("round trip of %d frames gave %d", len(m), len(got))
		}
	}
	// A frame that declares far more than the file holds is refused, and
	// nothing of its declared size is allocated.
	huge := []byte{0, 0, 0, 0, 0, 0, 0, 0x40, 'x'}
	if _, err := LoadMsg(bytes.NewReader(huge)); !errors.Is(err, ErrMsgFormat) {
		t.Fatalf("LoadMsg of a short frame: %v", err)
	}
	if _, err := LoadMsg(bytes.NewReader([]byte{1, 2, 3})); !errors.Is(err, ErrMsgFormat) {
		t.Fatalf("LoadMsg of a short size: %v", err)
	}
}

func TestMsgNested(t *testing.T) {
	var m Msg
	must(t, m.AppendMsg(NewMsgStrings("inner", "", "parts")))
	m.AppendString("outer")
	inner, err := m.PopMsg()
	must(t, err)
	if !inner.Equal(NewMsgStrings("inner", "", "parts")) || !m.Equal(NewMsgStrings("outer")) {
		t.Fatalf("PopMsg: %q, left %q", inner, m)
	}
}

func TestSocketSendRecvMsg(t *testing.T) {
	eachTransport(t, func(t *testing.T, transport string, bindFirst bool) {
		b, c := pairUp(t, transport, bindFirst, PULL, PUSH)
		want := NewMsgStrings("a", "", "c")
		if _, err := c.SendMsg(want, 0); err != nil {
			t.Fatal(err)
		}
		// SNDMORE leaves the message open for one more frame.
		if _, err := c.SendMsg(NewMsgStrings("x"), SNDMORE); err != nil {
			t.Fatal(err)
		}
		if _, err := c.SendBytes([]byte("y"), 0); err != nil {
			t.Fatal(err)
		}
		for _, w := range []Msg{want, NewMsgStrings("x", "y")} {
			got, err := b.RecvMsg(0)
			must(t, err)
			if !got.Equal(w) {
				t.Fatalf("RecvMsg = %q, want %q", got, w)
			}
		}
		if _, err := b.RecvMsg(DONTWAIT); !errors.Is(err, eagain) {
			t.Fatalf("RecvMsg(DONTWAIT) on nothing: %v", err)
		}
	})
}

func FuzzDecodeMsg(f *testing.F) {
	for _, m := range msgCases[:4] {
		enc, _ := m.Encode()
		f.Add(enc)
	}
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeMsg(data)
		if err != nil {
			return
		}
		if m.ContentSize() > len(data) {
			t.Fatalf("decoded %d bytes of frames from %d bytes", m.ContentSize(), len(data))
		}
		// The long form may describe a short frame, so compare messages,
		// not bytes.
		enc, err := m.Encode()
		if err != nil {
			t.Fatal(err)
		}
		again, err := DecodeMsg(enc)
		if err != nil || !again.Equal(m) {
			t.Fatalf("re-encoding % x does not decode to the same message", enc)
		}
	})
}

func FuzzLoadMsg(f *testing.F) {
	for _, m := range msgCases[:4] {
		var b bytes.Buffer
		m.Save(&b)
		f.Add(b.Bytes())
	}
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := LoadMsg(bytes.NewReader(data))
		if err != nil {
			return
		}
		var b bytes.Buffer
		m.Save(&b)
		if !bytes.Equal(b.Bytes(), data) {
			t.Fatalf("re-saving differs")
		}
	})
}
