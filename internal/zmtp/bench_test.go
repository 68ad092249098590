package zmtp

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

var benchSizes = []int{64, 1 << 10, 64 << 10}

// BenchmarkReader decodes a stream of equal frames through a Reader, as a
// connection's receive loop does.
func BenchmarkReader(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			frame := AppendFrame(nil, 0, make([]byte, size))
			count := max(1, (4<<20)/len(frame))
			stream := bytes.Repeat(frame, count)
			src := bytes.NewReader(stream)
			r := NewReader(src, -1)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			read := 0
			for b.Loop() {
				if read == count {
					src.Reset(stream)
					read = 0
				}
				f, err := r.ReadFrame()
				if err != nil {
					b.Fatal(err)
				}
				if len(f.Body) != size {
					b.Fatalf("body %d bytes", len(f.Body))
				}
				read++
			}
		})
	}
}

// BenchmarkAppendFrame encodes frames into a reused buffer, as a
// connection's writer does.
func BenchmarkAppendFrame(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			body := make([]byte, size)
			buf := make([]byte, 0, 1<<20)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if cap(buf)-len(buf) < size+9 {
					buf = buf[:0]
				}
				buf = AppendFrame(buf, FlagMore, body)
			}
			io.Discard.Write(buf)
		})
	}
}

// BenchmarkWriter encodes batches of equal message frames into a reused
// Writer, as a connection's writer goroutine does.
func BenchmarkWriter(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			w := Writer{Minor: 1, LargeFrame: 16 << 10}
			data := make([]byte, size)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				w.Message(data, false)
				if n++; n == 64 {
					w.Segments()
					w.Reset()
					n = 0
				}
			}
		})
	}
}
