package zmtp

import (
	"bytes"
	"strconv"
	"testing"
)

func TestFrameHeaderBoundary(t *testing.T) {
	cases := []struct {
		size int
		want []byte
	}{
		{0, []byte{0x01, 0}},
		{255, []byte{0x01, 255}},
		{256, []byte{0x03, 0, 0, 0, 0, 0, 0, 1, 0}},
	}
	if strconv.IntSize == 64 {
		shift := 40 // a variable, so that 32-bit builds compile
		cases = append(cases, struct {
			size int
			want []byte
		}{1 << shift, []byte{0x03, 0, 0, 1, 0, 0, 0, 0, 0}})
	}
	for _, c := range cases {
		got := AppendFrameHeader(nil, FlagMore, c.size)
		if !bytes.Equal(got, c.want) {
			t.Errorf("size %d: got % x want % x", c.size, got, c.want)
		}
		if FrameHeaderSize(c.size) != len(c.want) {
			t.Errorf("FrameHeaderSize(%d) = %d", c.size, FrameHeaderSize(c.size))
		}
	}
}

func TestAppendFrameHeaderClearsCallerLongFlag(t *testing.T) {
	got := AppendFrameHeader(nil, FlagLong|FlagCommand, 3)
	if !bytes.Equal(got, []byte{0x04, 3}) {
		t.Fatalf("got % x", got)
	}
}

func TestAppendFrameHeaderPanicsOnNegative(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	AppendFrameHeader(nil, 0, -1)
}

func TestAppendFrame(t *testing.T) {
	got := AppendFrame([]byte{9}, 0, []byte("hi"))
	if !bytes.Equal(got, []byte{9, 0, 2, 'h', 'i'}) {
		t.Fatalf("got % x", got)
	}
	long := bytes.Repeat([]byte{7}, 256)
	got = AppendFrame(nil, FlagCommand, long)
	if len(got) != 9+256 || got[0] != FlagCommand|FlagLong || !bytes.Equal(got[9:], long) {
		t.Fatalf("long frame wrong: % x", got[:9])
	}
}

func TestFrameAccessors(t *testing.T) {
	f := Frame{Flags: FlagMore}
	if !f.More() || f.IsCommand() {
		t.Fatal("more frame")
	}
	f = Frame{Flags: FlagCommand}
	if f.More() || !f.IsCommand() {
		t.Fatal("command frame")
	}
}
