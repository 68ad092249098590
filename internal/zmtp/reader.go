package zmtp

import (
	"encoding/binary"
	"errors"
	"io"
	"math"
)

const (
	// defaultChunkSize is the size above which a frame that is not yet
	// buffered gets a buffer of its own (one quarter of it). Small frames are
	// sliced out of a shared chunk, so many frames share one allocation.
	defaultChunkSize = 64 << 10
	// minChunkSize and maxChunkSize bound the receive chunk, which adapts to
	// the traffic: it doubles when a read fills it and halves when reads
	// stay small, so an idle connection holds little memory and a busy one
	// reads in large batches.
	minChunkSize = 4 << 10
	maxChunkSize = 256 << 10
	// maxEmptyReads bounds how often a source may return (0, nil) in a row.
	maxEmptyReads = 100
	// maxHeaderSize is the length of a long-form frame header.
	maxHeaderSize = 9
	// MaxAllocSize is the largest frame whose buffer comes from the
	// allocator (SetAllocator) in one piece as soon as its header arrives.
	// Larger frames grow their buffer as their bytes arrive, so a peer that
	// declares a huge frame and sends nothing pins no more than this.
	MaxAllocSize = 256 << 10
)

var errBadRead = errors.New("zmtp: source returned an invalid byte count")

// Reader decodes a ZMTP stream: optionally the 64-byte greeting first, then
// frames.
//
// Memory rules: every slice the Reader returns stays valid and unchanged
// forever. Small frames are sliced out of a shared chunk; once the Reader has
// handed out a slice of a chunk it never writes into that part of it again,
// and when the chunk is used up it starts a fresh one, copying only the
// unconsumed tail. A frame larger than a quarter of the chunk that is not
// already buffered gets a buffer of its own: from the allocator in one piece
// when one is set and the frame is at most MaxAllocSize, otherwise one that
// grows only as its bytes arrive. A Reader is not safe for concurrent use.
type Reader struct {
	src          io.Reader
	maxFrameSize int64
	chunkSize    int

	chunk      []byte // current chunk; len(chunk) == chunkSize once allocated
	start, end int    // unconsumed bytes are chunk[start:end]
	handed     bool   // a slice of chunk has been returned to the caller
	pendingErr error  // error that arrived together with data, reported next

	// A large frame being read into its own buffer.
	inLarge    bool
	large      []byte // bytes received so far
	largeSize  int
	largeFlags byte
	largeOwn   bool // large came from alloc

	alloc func(size int) []byte
}

// NewReader returns a Reader that decodes from r. Frames whose declared size
// exceeds maxFrameSize are rejected with ErrTooLarge before any memory is set
// aside for them; a negative maxFrameSize means no limit.
func NewReader(r io.Reader, maxFrameSize int64) *Reader {
	return &Reader{src: r, maxFrameSize: maxFrameSize, chunkSize: minChunkSize}
}

// SetAllocator makes the Reader take the buffer of each large frame of at
// most MaxAllocSize bytes from alloc, which must return a slice of length
// size (its capacity may be larger) or nil to let the Reader allocate. Such
// frames are returned with Own set, so their buffers can be recycled.
func (r *Reader) SetAllocator(alloc func(size int) []byte) {
	r.alloc = alloc
}

// ReadGreeting reads exactly GreetingSize bytes. It returns io.EOF if the
// stream ends before any byte arrives and io.ErrUnexpectedEOF if it ends
// part way. It does not validate them; see ParseGreeting.
func (r *Reader) ReadGreeting() ([]byte, error) {
	return r.ReadExact(GreetingSize)
}

// ReadExact reads exactly n bytes (at most GreetingSize), for the greeting
// and the parts of it that a version negotiation reads step by step. It
// returns io.EOF if the stream ends before any byte arrives and
// io.ErrUnexpectedEOF if it ends part way.
func (r *Reader) ReadExact(n int) ([]byte, error) {
	if n < 0 || n > GreetingSize {
		return nil, errors.New("zmtp: ReadExact of more than a greeting")
	}
	for r.end-r.start < n {
		r.makeRoom(n)
		if err := r.fill(); err != nil {
			return nil, r.endOfStream(err)
		}
	}
	b := r.chunk[r.start : r.start+n : r.start+n]
	r.start += n
	r.handed = true
	return b, nil
}

// ReadFrame reads the next frame. It returns io.EOF when the stream ends
// cleanly between frames, io.ErrUnexpectedEOF when it ends inside a frame,
// and ErrTooLarge for a frame above the size limit. Reserved flag bits are
// ignored, and a command frame may have FlagMore set, as libzmq 4.3.4's
// decoder allows (what that means is the engine's to say). After an
// error from the underlying reader (such as a timeout) ReadFrame may be
// called again and continues where it stopped.
func (r *Reader) ReadFrame() (Frame, error) {
	if r.inLarge {
		return r.readLarge()
	}
	for {
		buffered := r.chunk[r.start:r.end]
		flags, size, headerLen, err := parseFrameHeader(buffered, r.maxFrameSize)
		if err != nil {
			return Frame{}, err
		}
		need := 2
		if headerLen > 0 {
			if len(buffered)-headerLen >= size {
				return r.sliceFrame(flags, size, headerLen), nil
			}
			if size > defaultChunkSize/4 {
				r.beginLarge(flags, size, headerLen)
				return r.readLarge()
			}
			need = headerLen + size
		} else if len(buffered) > 0 && buffered[0]&FlagLong != 0 {
			need = maxHeaderSize
		}
		r.makeRoom(need)
		if err := r.fill(); err != nil {
			return Frame{}, r.endOfStream(err)
		}
	}
}

// Buffered reports whether a whole frame (or a header ReadFrame would reject)
// is already buffered, so that the next ReadFrame returns without reading
// from the underlying reader.
func (r *Reader) Buffered() bool {
	if r.inLarge {
		return false
	}
	buffered := r.chunk[r.start:r.end]
	_, size, headerLen, err := parseFrameHeader(buffered, r.maxFrameSize)
	if err != nil {
		return true
	}
	return headerLen > 0 && len(buffered)-headerLen >= size
}

// parseFrameHeader decodes the frame header at the start of b. It returns
// headerLen 0 if b holds only part of the header.
func parseFrameHeader(b []byte, maxFrameSize int64) (flags byte, size, headerLen int, err error) {
	if len(b) == 0 {
		return 0, 0, 0, nil
	}
	flags = b[0]
	var declared uint64
	if flags&FlagLong != 0 {
		if len(b) < maxHeaderSize {
			return 0, 0, 0, nil
		}
		declared = binary.BigEndian.Uint64(b[1:maxHeaderSize])
		headerLen = maxHeaderSize
	} else {
		if len(b) < 2 {
			return 0, 0, 0, nil
		}
		declared = uint64(b[1])
		headerLen = 2
	}
	flags &= FlagMore | FlagCommand
	if maxFrameSize >= 0 && declared > uint64(maxFrameSize) {
		return 0, 0, 0, ErrTooLarge
	}
	if declared > math.MaxInt-maxHeaderSize {
		return 0, 0, 0, ErrTooLarge
	}
	return flags, int(declared), headerLen, nil
}

// sliceFrame returns a frame that is entirely buffered in the chunk.
func (r *Reader) sliceFrame(flags byte, size, headerLen int) Frame {
	from := r.start + headerLen
	to := from + size
	r.start = to
	if size > 0 {
		r.handed = true
	}
	return Frame{Flags: flags, Body: r.chunk[from:to:to]}
}

// makeRoom makes sure the chunk can hold need bytes from r.start on. It moves
// the unconsumed bytes to the front if no slice of the chunk was handed out,
// and otherwise starts a fresh chunk holding a copy of them.
func (r *Reader) makeRoom(need int) {
	if r.chunk == nil {
		r.chunk = make([]byte, max(r.chunkSize, need))
		return
	}
	if r.start == r.end && !r.handed {
		r.start, r.end = 0, 0
	}
	if r.start == r.end && len(r.chunk) > r.chunkSize {
		// Everything was consumed and traffic has slowed: drop the big
		// chunk so an idle connection keeps only a small one.
		r.chunk = make([]byte, max(r.chunkSize, need))
		r.start, r.end, r.handed = 0, 0, false
		return
	}
	if r.start+need <= len(r.chunk) {
		return
	}
	tail := r.chunk[r.start:r.end]
	if r.handed || need > len(r.chunk) {
		fresh := make([]byte, max(r.chunkSize, need))
		r.end = copy(fresh, tail)
		r.chunk = fresh
		r.handed = false
	} else {
		r.end = copy(r.chunk, tail)
	}
	r.start = 0
}

// fill reads once into the free part of the chunk, and adapts the size of
// the next chunk to how much the read brought.
func (r *Reader) fill() error {
	free := len(r.chunk) - r.end
	n, err := r.read(r.chunk[r.end:])
	r.end += n
	switch {
	case n == free && r.chunkSize < maxChunkSize:
		r.chunkSize *= 2
	case n < r.chunkSize/8 && r.chunkSize > minChunkSize:
		r.chunkSize /= 2
	}
	return err
}

// read reads into p with a single successful Read. It returns either n > 0
// and a nil error or n == 0 and a non-nil error; an error that comes with
// data is kept and reported by the next call.
func (r *Reader) read(p []byte) (int, error) {
	if err := r.pendingErr; err != nil {
		r.pendingErr = nil
		return 0, err
	}
	for range maxEmptyReads {
		n, err := r.src.Read(p)
		if n < 0 || n > len(p) {
			return 0, errBadRead
		}
		if n > 0 {
			r.pendingErr = err
			return n, nil
		}
		if err != nil {
			return 0, err
		}
	}
	return 0, io.ErrNoProgress
}

// endOfStream turns io.EOF into io.ErrUnexpectedEOF when bytes of an
// unfinished greeting or frame are buffered.
func (r *Reader) endOfStream(err error) error {
	if err == io.EOF && r.start != r.end {
		return io.ErrUnexpectedEOF
	}
	return err
}

// beginLarge moves a large, partly received frame into a buffer of its own.
// The buffer starts no larger than a chunk (or the bytes already buffered)
// and grows as data arrives, so a declared size costs nothing by itself.
func (r *Reader) beginLarge(flags byte, size, headerLen int) {
	r.start += headerLen
	buffered := r.chunk[r.start:r.end]
	r.largeOwn = false
	if r.alloc != nil && size <= MaxAllocSize {
		if b := r.alloc(size); len(b) == size {
			r.large = b[:len(buffered)]
			r.largeOwn = true
		}
	}
	if !r.largeOwn {
		capacity := min(max(len(buffered), defaultChunkSize), size)
		r.large = make([]byte, len(buffered), capacity)
	}
	copy(r.large, buffered)
	r.start = r.end
	r.largeSize = size
	r.largeFlags = flags
	r.inLarge = true
}

// readLarge reads the rest of a large frame straight into its own buffer,
// never past the frame's end.
func (r *Reader) readLarge() (Frame, error) {
	for len(r.large) < r.largeSize {
		if len(r.large) == cap(r.large) {
			grown := make([]byte, len(r.large), min(2*cap(r.large), r.largeSize))
			copy(grown, r.large)
			r.large = grown
		}
		// Never read past the frame's end: an allocated buffer may be
		// larger than the frame.
		n, err := r.read(r.large[len(r.large):min(cap(r.large), r.largeSize)])
		r.large = r.large[:len(r.large)+n]
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return Frame{}, err
		}
	}
	f := Frame{Flags: r.largeFlags, Body: r.large, Own: r.largeOwn}
	r.inLarge = false
	r.large = nil
	return f, nil
}
