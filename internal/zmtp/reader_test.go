package zmtp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"strconv"
	"testing"
	"testing/iotest"
)

// testFrames is a mix of sizes around every boundary the Reader has: the
// short/long header switch at 255/256 and the own-buffer switch at a quarter
// chunk, plus frames larger than a whole chunk.
func testFrames() []Frame {
	sizes := []int{0, 1, 5, 255, 256, 1000, defaultChunkSize/4 - 1, defaultChunkSize / 4,
		defaultChunkSize/4 + 1, 3, defaultChunkSize, 7, 3*defaultChunkSize + 17, 0, 200}
	var frames []Frame
	for i, size := range sizes {
		body := make([]byte, size)
		for j := range body {
			body[j] = byte(i*31 + j)
		}
		flags := byte(0)
		if i%2 == 0 {
			flags = FlagMore
		}
		if i%5 == 4 {
			flags = FlagCommand
		}
		frames = append(frames, Frame{Flags: flags, Body: body})
	}
	return frames
}

func encodeFrames(frames []Frame) []byte {
	var b []byte
	for _, f := range frames {
		b = AppendFrame(b, f.Flags, f.Body)
	}
	return b
}

func readAll(t *testing.T, r *Reader) []Frame {
	t.Helper()
	var got []Frame
	for {
		f, err := r.ReadFrame()
		if err == io.EOF {
			return got
		}
		if err != nil {
			t.Fatalf("frame %d: %v", len(got), err)
		}
		got = append(got, f)
	}
}

func checkFrames(t *testing.T, got, want []Frame) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d frames, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Flags != want[i].Flags || !bytes.Equal(got[i].Body, want[i].Body) {
			t.Fatalf("frame %d: flags %#x len %d, want flags %#x len %d",
				i, got[i].Flags, len(got[i].Body), want[i].Flags, len(want[i].Body))
		}
	}
}

func TestReaderRoundTrip(t *testing.T) {
	want := testFrames()
	stream := append(AppendGreeting(nil, "NULL", false), encodeFrames(want)...)
	readers := map[string]func(io.Reader) io.Reader{
		"whole":    func(r io.Reader) io.Reader { return r },
		"onebyte":  iotest.OneByteReader,
		"halfread": iotest.HalfReader,
		"dataerr":  iotest.DataErrReader,
	}
	for name, wrap := range readers {
		t.Run(name, func(t *testing.T) {
			r := NewReader(wrap(bytes.NewReader(stream)), -1)
			g, err := r.ReadGreeting()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ParseGreeting(g); err != nil {
				t.Fatal(err)
			}
			checkFrames(t, readAll(t, r), want)
		})
	}
}

func TestReaderRetainedBodiesAreNeverOverwritten(t *testing.T) {
	// Many small frames over several chunks, delivered in odd-sized pieces so
	// frames straddle chunk ends.
	var want []Frame
	for i := range 20000 {
		body := bytes.Repeat([]byte{byte(i), byte(i >> 8)}, i%50)
		want = append(want, Frame{Flags: byte(i % 2), Body: body})
	}
	stream := encodeFrames(want)
	r := NewReader(&chunkedReader{data: stream, step: 777}, -1)
	got := readAll(t, r)
	// Every body was kept while later frames were read; all must be intact.
	checkFrames(t, got, want)
	// Appending to a returned body must not clobber the next frame.
	r = NewReader(bytes.NewReader(encodeFrames([]Frame{{Body: []byte("ab")}, {Body: []byte("cd")}})), -1)
	first, _ := r.ReadFrame()
	_ = append(first.Body, 'X', 'X', 'X', 'X')
	second, err := r.ReadFrame()
	if err != nil || string(second.Body) != "cd" {
		t.Fatalf("second frame %q %v", second.Body, err)
	}
}

func TestReaderGreetingNotOverwritten(t *testing.T) {
	stream := AppendGreeting(nil, "PLAIN", false)
	for range 5000 {
		stream = AppendFrame(stream, 0, bytes.Repeat([]byte{0xEE}, 100))
	}
	r := NewReader(bytes.NewReader(stream), -1)
	g, err := r.ReadGreeting()
	if err != nil {
		t.Fatal(err)
	}
	keep := bytes.Clone(g)
	if got := readAll(t, r); len(got) != 5000 {
		t.Fatalf("%d frames", len(got))
	}
	if !bytes.Equal(g, keep) {
		t.Fatal("greeting overwritten")
	}
}

func TestReaderSmallFramesShareChunks(t *testing.T) {
	frame := AppendFrame(nil, 0, make([]byte, 64))
	stream := bytes.Repeat(frame, 10000)
	src := bytes.NewReader(stream)
	r := NewReader(src, -1)
	allocs := testing.AllocsPerRun(1, func() {
		src.Reset(stream)
		for {
			if _, err := r.ReadFrame(); err != nil {
				break
			}
		}
	})
	// 10000 frames of 66 bytes span about 10 chunks of 64 KiB.
	if allocs > 20 {
		t.Fatalf("%v allocations for 10000 small frames", allocs)
	}
}

func TestReaderUsesLargeReads(t *testing.T) {
	frame := AppendFrame(nil, 0, make([]byte, 10))
	stream := bytes.Repeat(frame, 1000)
	src := &countingReader{r: bytes.NewReader(stream)}
	r := NewReader(src, -1)
	if got := readAll(t, r); len(got) != 1000 {
		t.Fatalf("%d frames", len(got))
	}
	if src.calls > 3 { // one read of 12000 bytes, then EOF
		t.Fatalf("%d Read calls for %d bytes", src.calls, len(stream))
	}
}

func TestReaderBuffered(t *testing.T) {
	stream := AppendFrame(nil, FlagMore, []byte("one"))
	stream = AppendFrame(stream, 0, []byte("two"))
	stream = append(stream, 0x00, 10, 'p') // a partial third frame
	src := &countingReader{r: bytes.NewReader(stream)}
	r := NewReader(src, -1)
	if r.Buffered() {
		t.Fatal("Buffered before any read")
	}
	if f, err := r.ReadFrame(); err != nil || string(f.Body) != "one" || !f.More() {
		t.Fatalf("%q %v", f.Body, err)
	}
	calls := src.calls
	if !r.Buffered() {
		t.Fatal("second frame not reported buffered")
	}
	if f, err := r.ReadFrame(); err != nil || string(f.Body) != "two" || f.More() {
		t.Fatalf("%q %v", f.Body, err)
	}
	if src.calls != calls {
		t.Fatal("buffered frame read from the source")
	}
	if r.Buffered() {
		t.Fatal("partial frame reported buffered")
	}
	if _, err := r.ReadFrame(); err != io.ErrUnexpectedEOF {
		t.Fatalf("err = %v, want io.ErrUnexpectedEOF", err)
	}
}

func TestReaderBufferedReportsBadHeader(t *testing.T) {
	r := NewReader(bytes.NewReader([]byte{0x00, 1, 'a', FlagLong, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}), -1)
	if _, err := r.ReadFrame(); err != nil {
		t.Fatal(err)
	}
	if !r.Buffered() {
		t.Fatal("a header ReadFrame rejects should be reported without reading")
	}
	if _, err := r.ReadFrame(); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v", err)
	}
}

func TestReaderEOF(t *testing.T) {
	full := AppendFrame(nil, 0, []byte("hello"))
	long := AppendFrame(nil, 0, make([]byte, 300))
	big := AppendFrame(nil, 0, make([]byte, defaultChunkSize))
	cases := []struct {
		name   string
		stream []byte
		want   error
	}{
		{"empty", nil, io.EOF},
		{"flags only", full[:1], io.ErrUnexpectedEOF},
		{"short body", full[:4], io.ErrUnexpectedEOF},
		{"long header cut", long[:5], io.ErrUnexpectedEOF},
		{"long body cut", long[:100], io.ErrUnexpectedEOF},
		{"large body cut", big[:defaultChunkSize/2], io.ErrUnexpectedEOF},
		{"after a frame", append(bytes.Clone(full), full[:3]...), io.ErrUnexpectedEOF},
	}
	for _, c := range cases {
		r := NewReader(bytes.NewReader(c.stream), -1)
		var err error
		for err == nil {
			_, err = r.ReadFrame()
		}
		if err != c.want {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
}

func TestReaderGreetingEOF(t *testing.T) {
	if _, err := NewReader(bytes.NewReader(nil), -1).ReadGreeting(); err != io.EOF {
		t.Fatalf("empty: %v", err)
	}
	g := AppendGreeting(nil, "NULL", false)
	if _, err := NewReader(bytes.NewReader(g[:11]), -1).ReadGreeting(); err != io.ErrUnexpectedEOF {
		t.Fatalf("partial: %v", err)
	}
}

func TestReaderIgnoresReservedBitsAndRejectsCommandWithMore(t *testing.T) {
	stream := []byte{0xF9, 1, 'x', 0xF4, 1, 'y'}
	r := NewReader(bytes.NewReader(stream), -1)
	f, err := r.ReadFrame()
	if err != nil || f.Flags != FlagMore || string(f.Body) != "x" {
		t.Fatalf("%#x %q %v", f.Flags, f.Body, err)
	}
	f, err = r.ReadFrame()
	if err != nil || f.Flags != FlagCommand || string(f.Body) != "y" {
		t.Fatalf("%#x %q %v", f.Flags, f.Body, err)
	}
	// libzmq's decoder takes a command with MORE; so does the reader.
	r = NewReader(bytes.NewReader([]byte{FlagCommand | FlagMore, 1, 'z'}), -1)
	if f, err := r.ReadFrame(); err != nil || f.Flags != FlagCommand|FlagMore || string(f.Body) != "z" {
		t.Fatalf("command with MORE: %#x %q %v", f.Flags, f.Body, err)
	}
}

func TestReaderAcceptsNonMinimalLongForm(t *testing.T) {
	stream := []byte{FlagLong, 0, 0, 0, 0, 0, 0, 0, 2, 'h', 'i'}
	f, err := NewReader(bytes.NewReader(stream), -1).ReadFrame()
	if err != nil || f.Flags != 0 || string(f.Body) != "hi" {
		t.Fatalf("%#x %q %v", f.Flags, f.Body, err)
	}
}

func TestReaderTooLarge(t *testing.T) {
	stream := AppendFrame(nil, 0, make([]byte, 100))
	r := NewReader(bytes.NewReader(stream), 99)
	if _, err := r.ReadFrame(); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v", err)
	}
	r = NewReader(bytes.NewReader(stream), 100)
	if f, err := r.ReadFrame(); err != nil || len(f.Body) != 100 {
		t.Fatalf("at the limit: %v", err)
	}
	r = NewReader(bytes.NewReader(stream), 0)
	if _, err := r.ReadFrame(); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("max 0: %v", err)
	}
	// A size that does not fit an int is too large even without a limit.
	huge := []byte{FlagLong, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}
	if _, err := NewReader(bytes.NewReader(huge), -1).ReadFrame(); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("2^64-1: %v", err)
	}
}

// longFrameHeader is a long frame header declaring size, which need not fit
// an int (32-bit builds).
func longFrameHeader(flags byte, size uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{flags | FlagLong}, size)
}

func TestReaderTooLargeAllocatesNothing(t *testing.T) {
	header := longFrameHeader(0, 1<<40)
	header = append(header, make([]byte, 1000)...)
	r := NewReader(bytes.NewReader(header), 1<<20)
	if _, err := r.ReadFrame(); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v", err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := r.ReadFrame(); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("err = %v", err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per rejected frame", allocs)
	}
	before := totalAlloc()
	r = NewReader(bytes.NewReader(header), 1<<20)
	if _, err := r.ReadFrame(); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v", err)
	}
	if grew := totalAlloc() - before; grew > 1<<20 {
		t.Fatalf("rejecting a 1 TiB header allocated %d bytes", grew)
	}
}

func TestReaderHugeDeclaredSizeWithoutData(t *testing.T) {
	header := longFrameHeader(0, 1<<62)
	header = append(header, []byte("just a little")...)
	before := totalAlloc()
	r := NewReader(bytes.NewReader(header), -1)
	// 2^62 fits a 64-bit int, so the reader waits for the data; on 32-bit
	// builds it does not, and the frame is too large at once.
	want := io.ErrUnexpectedEOF
	if strconv.IntSize == 32 {
		want = ErrTooLarge
	}
	if _, err := r.ReadFrame(); !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
	if grew := totalAlloc() - before; grew > 1<<20 {
		t.Fatalf("a 2^62-byte declaration with no data allocated %d bytes", grew)
	}
}

func TestReaderLargeFrameBufferGrowsWithData(t *testing.T) {
	const size = 8 << 20
	want := make([]byte, size)
	for i := range want {
		want[i] = byte(i * 7)
	}
	stream := AppendFrame(nil, FlagMore, want)
	stream = AppendFrame(stream, 0, []byte("tail"))
	r := NewReader(&chunkedReader{data: stream, step: 100000}, -1)
	f, err := r.ReadFrame()
	if err != nil || !f.More() || !bytes.Equal(f.Body, want) {
		t.Fatalf("large frame: %v", err)
	}
	f, err = r.ReadFrame()
	if err != nil || string(f.Body) != "tail" {
		t.Fatalf("frame after large one: %q %v", f.Body, err)
	}
}

func TestReaderResumesAfterTimeout(t *testing.T) {
	want := testFrames()
	stream := encodeFrames(want)
	src := &timeoutReader{r: iotest.HalfReader(bytes.NewReader(stream))}
	r := NewReader(src, -1)
	var got []Frame
	timeouts := 0
	for {
		f, err := r.ReadFrame()
		if errors.Is(err, iotest.ErrTimeout) {
			timeouts++
			continue
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, f)
	}
	if timeouts == 0 {
		t.Fatal("test reader never timed out")
	}
	checkFrames(t, got, want)
}

func TestReaderNoProgress(t *testing.T) {
	r := NewReader(emptyReader{}, -1)
	if _, err := r.ReadFrame(); err != io.ErrNoProgress {
		t.Fatalf("err = %v", err)
	}
}

func totalAlloc() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

// chunkedReader returns at most step bytes per Read.
type chunkedReader struct {
	data []byte
	step int
}

func (c *chunkedReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), c.step, len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// countingReader counts Read calls.
type countingReader struct {
	r     io.Reader
	calls int
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.calls++
	return c.r.Read(p)
}

// timeoutReader fails every third Read with iotest.ErrTimeout.
type timeoutReader struct {
	r     io.Reader
	calls int
}

func (t *timeoutReader) Read(p []byte) (int, error) {
	t.calls++
	if t.calls%3 == 0 {
		return 0, iotest.ErrTimeout
	}
	return t.r.Read(p)
}

type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

func TestReaderChunkAdaptsToTraffic(t *testing.T) {
	// A burst: many frames arriving at once grow the chunk.
	var burst []byte
	for i := 0; i < 20000; i++ {
		burst = AppendFrame(burst, 0, make([]byte, 60))
	}
	r := NewReader(bytes.NewReader(burst), -1)
	for i := 0; i < 20000; i++ {
		if _, err := r.ReadFrame(); err != nil {
			t.Fatal(err)
		}
	}
	if r.chunkSize <= minChunkSize {
		t.Fatalf("chunk did not grow under a burst: %d", r.chunkSize)
	}
	// Then trickling traffic, one small frame per read, shrinks it back, so
	// an idle connection holds a small chunk.
	var trickle []byte
	for i := 0; i < 64; i++ {
		trickle = AppendFrame(trickle, 0, []byte("ping"))
	}
	r.src = iotest.HalfReader(&oneFramePerRead{b: trickle, n: 6})
	for i := 0; i < 64; i++ {
		if _, err := r.ReadFrame(); err != nil {
			t.Fatal(err)
		}
	}
	if r.chunkSize != minChunkSize || len(r.chunk) > 2*minChunkSize {
		t.Fatalf("chunk did not shrink: size %d, holding %d bytes", r.chunkSize, len(r.chunk))
	}
}

// oneFramePerRead returns at most n bytes per Read.
type oneFramePerRead struct {
	b []byte
	n int
}

func (o *oneFramePerRead) Read(p []byte) (int, error) {
	if len(o.b) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), o.n)], o.b)
	o.b = o.b[k:]
	return k, nil
}

func TestReaderAllocatorSuppliesLargeFrames(t *testing.T) {
	want := testFrames()
	huge := make([]byte, MaxAllocSize+1)
	for i := range huge {
		huge[i] = byte(i * 5)
	}
	want = append(want, Frame{Body: huge}, Frame{Body: []byte("after")})
	stream := encodeFrames(want)
	for name, wrap := range map[string]func(io.Reader) io.Reader{
		"whole":    func(r io.Reader) io.Reader { return r },
		"halfread": iotest.HalfReader,
	} {
		t.Run(name, func(t *testing.T) {
			var asked []int
			r := NewReader(wrap(bytes.NewReader(stream)), -1)
			r.SetAllocator(func(size int) []byte {
				asked = append(asked, size)
				// Spare capacity filled with a marker: the Reader must not
				// read the next frame's bytes into it.
				b := bytes.Repeat([]byte{0xEE}, 2*size)
				return b[:size]
			})
			got := readAll(t, r)
			checkFrames(t, got, want)
			owned := 0
			for _, f := range got {
				if !f.Own {
					continue
				}
				owned++
				if len(f.Body) > MaxAllocSize {
					t.Fatalf("a %d-byte frame came from the allocator", len(f.Body))
				}
				if spare := f.Body[len(f.Body):cap(f.Body)]; bytes.Count(spare, []byte{0xEE}) != len(spare) {
					t.Fatal("the Reader wrote past the frame into the allocated buffer")
				}
			}
			if owned == 0 || owned != len(asked) {
				t.Fatalf("%d frames marked own, allocator asked %d times (%v)", owned, len(asked), asked)
			}
			for _, size := range asked {
				if size > MaxAllocSize {
					t.Fatalf("allocator asked for %d bytes", size)
				}
			}
		})
	}
}

func TestReaderAllocatorMayDecline(t *testing.T) {
	want := []Frame{{Body: bytes.Repeat([]byte("x"), 100<<10)}, {Body: []byte("y")}}
	r := NewReader(iotest.HalfReader(bytes.NewReader(encodeFrames(want))), -1)
	r.SetAllocator(func(int) []byte { return nil })
	got := readAll(t, r)
	checkFrames(t, got, want)
	if got[0].Own {
		t.Fatal("a frame the allocator declined is marked own")
	}
}
