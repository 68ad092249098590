package zmq4

import (
	"math/bits"
	"sync"
)

// Large outgoing parts are copied into buffers from a pool, and the
// connection engine gives each one back once it has written it, so a stream
// of large messages does not make the collector work for every message. A
// frame carries framePooled only while exactly one engine will write it;
// patterns that hand a message to several pipes clear the flag first.
//
// Large incoming frames (up to zmtp.MaxAllocSize) are read into pooled
// buffers too, and CURVE opens such a frame into a second pooled buffer,
// giving the first back at once. Every receive call gives such a buffer
// back once it has the data: RecvInto copies into the caller's buffer,
// Recv into a string, and RecvBytes and the others that return []byte
// into a fresh slice (ownFrame). So the connection's reader always reads
// into memory that is already mapped, and the fresh memory the
// application keeps is first touched by the application's goroutine, not
// inside the reader's read(2).

const (
	poolMinShift = 14 // 16 KiB, the smallest pooled size
	poolMaxShift = 22 // 4 MiB, the largest
)

var bufPools [poolMaxShift - poolMinShift + 1]sync.Pool

// sliceBoxes recycles the *[]byte boxes that carry buffers through
// bufPools, so that giving a buffer back allocates nothing.
var sliceBoxes = sync.Pool{New: func() any { return new([]byte) }}

// poolClass returns the pool index for a buffer of n bytes, or -1.
func poolClass(n int) int {
	if n <= 0 {
		return -1
	}
	shift := bits.Len(uint(n - 1))
	if shift < poolMinShift {
		shift = poolMinShift
	}
	if shift > poolMaxShift {
		return -1
	}
	return shift - poolMinShift
}

// getPooled returns a buffer of length n from the pool, or nil when n is
// outside the pooled sizes.
func getPooled(n int) []byte {
	c := poolClass(n)
	if c < 0 {
		return nil
	}
	if box, ok := bufPools[c].Get().(*[]byte); ok {
		b := *box
		*box = nil
		sliceBoxes.Put(box)
		return b[:n]
	}
	return make([]byte, n, 1<<(c+poolMinShift))
}

// allocPooled returns a buffer of length n, from the pool when n is a
// pooled size.
func allocPooled(n int) []byte {
	if b := getPooled(n); b != nil {
		return b
	}
	return make([]byte, n)
}

// putPooled gives a buffer back.
func putPooled(b []byte) {
	c := poolClass(cap(b))
	if c < 0 || cap(b) != 1<<(c+poolMinShift) {
		return
	}
	box := sliceBoxes.Get().(*[]byte)
	*box = b[:0]
	bufPools[c].Put(box)
}

// releaseFrame gives a received frame's buffer back to the pool once its
// data has been copied out, if the buffer came from the pool.
func releaseFrame(f frame) {
	if f.flags&framePooled != 0 {
		putPooled(f.data)
	}
}

// ownFrame returns a received frame's data as memory the application may
// keep. A frame in a pooled buffer is copied into a slice of its own, and
// the buffer goes back to the pool; any other frame's data is returned as
// it is, since nothing reuses it (see zmtp.Reader's memory rules).
func ownFrame(f frame) []byte {
	if f.flags&framePooled == 0 {
		return f.data
	}
	// append allocates without clearing the bytes it then copies over,
	// where make would clear all of them first.
	b := append([]byte(nil), f.data...)
	putPooled(f.data)
	return b
}

// shareFrames clears framePooled on a message about to go to more than one
// pipe.
func shareFrames(m []frame) {
	for i := range m {
		m[i].flags &^= framePooled
	}
}
