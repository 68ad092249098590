package zmtp

// Sealer boxes one frame of the data phase (a CURVE MESSAGE): it appends to
// dst a complete command body that carries flags (FlagMore, FlagCommand)
// and payload, and is sent as a plain frame.
type Sealer interface {
	Seal(dst []byte, flags byte, payload []byte) ([]byte, error)
}

// Placement says what an encoding method did with the data it was given.
type Placement uint8

const (
	// Copied: the data was copied into the Writer's buffer; the caller may
	// reuse it at once.
	Copied Placement = iota
	// Referenced: the data is one of the Writer's segments as it is; the
	// caller must keep it unchanged until the segments are written.
	Referenced
	// Sealed: the data was boxed into the Writer's buffer; the caller may
	// reuse it at once.
	Sealed
)

// Writer encodes the frames of the data phase (after the handshake) for
// one write: message frames, commands, subscriptions in the form the peer's
// ZMTP version expects, JOIN and LEAVE, and, with a Sealer, each frame
// boxed into a CURVE MESSAGE.
//
// It does no I/O. Headers and small frames are appended to one buffer that
// the Writer keeps across batches; data of LargeFrame bytes or more is
// referenced in place, so that the caller can write everything with one
// vectored write (Segments). Reset empties the Writer for the next batch
// and keeps its buffers. A Writer is used by one goroutine at a time.
type Writer struct {
	// Minor is the peer's ZMTP minor version. With 0 (a ZMTP 3.0 peer, or
	// a 2.0 peer) subscriptions travel as data frames, 0x01 or 0x00 then
	// the topic; with 1 or more as SUBSCRIBE and CANCEL commands.
	Minor byte
	// LargeFrame is the size from which a message frame's data is
	// referenced rather than copied; 0 copies everything.
	LargeFrame int
	// ClearCommands leaves the frames given to Command unsealed (a
	// transport that carries PING and PONG outside the security
	// mechanism). Subscriptions and JOIN/LEAVE are sealed as usual.
	ClearCommands bool

	sealer   Sealer
	overhead int // bytes sealer adds to a payload

	buf      []byte   // encoded headers and copied frames
	segs     [][]byte // pieces of buf and referenced frames, in order
	segStart int      // start of buf not yet in segs
	n        int      // bytes gathered
	scratch  []byte   // a command's plaintext before sealing
}

// SetSealer makes the Writer box every frame with s, which adds overhead
// bytes to each payload; nil turns sealing off.
func (w *Writer) SetSealer(s Sealer, overhead int) {
	w.sealer, w.overhead = s, overhead
}

// Message encodes one message frame; more says that further frames of the
// same message follow.
func (w *Writer) Message(data []byte, more bool) (Placement, error) {
	var flags byte
	if more {
		flags = FlagMore
	}
	if w.sealer != nil {
		return Sealed, w.seal(flags, data)
	}
	before := len(w.buf)
	w.buf = AppendFrameHeader(w.buf, flags, len(data))
	if w.LargeFrame > 0 && len(data) >= w.LargeFrame {
		w.segs = append(w.segs, w.buf[w.segStart:], data)
		w.segStart = len(w.buf)
		w.n += len(w.buf) - before + len(data)
		return Referenced, nil
	}
	w.buf = append(w.buf, data...)
	w.n += len(w.buf) - before
	return Copied, nil
}

// Command encodes a command frame whose body (name and data, as
// AppendCommand makes it) is given whole.
func (w *Writer) Command(body []byte) (Placement, error) {
	if w.sealer != nil && !w.ClearCommands {
		return Sealed, w.seal(FlagCommand, body)
	}
	before := len(w.buf)
	w.buf = AppendFrame(w.buf, FlagCommand, body)
	w.n += len(w.buf) - before
	return Copied, nil
}

// Subscribe encodes a subscription to topic, or with subscribe false its
// cancellation: a SUBSCRIBE or CANCEL command for a ZMTP 3.1 peer, a data
// frame of 0x01 or 0x00 followed by the topic for an older one.
func (w *Writer) Subscribe(topic []byte, subscribe bool) (Placement, error) {
	if w.Minor >= 1 {
		name := CmdCancel
		if subscribe {
			name = CmdSubscribe
		}
		return w.command(name, topic)
	}
	var prefix byte
	if subscribe {
		prefix = 1
	}
	if w.sealer != nil {
		w.scratch = append(append(w.scratch[:0], prefix), topic...)
		return Sealed, w.seal(0, w.scratch)
	}
	before := len(w.buf)
	w.buf = AppendFrameHeader(w.buf, 0, 1+len(topic))
	w.buf = append(append(w.buf, prefix), topic...)
	w.n += len(w.buf) - before
	return Copied, nil
}

// Join encodes a JOIN command for group, or with join false a LEAVE.
func (w *Writer) Join(group []byte, join bool) (Placement, error) {
	name := CmdLeave
	if join {
		name = CmdJoin
	}
	return w.command(name, group)
}

// command encodes a command made of name and data; it is sealed whenever
// a Sealer is set.
func (w *Writer) command(name string, data []byte) (Placement, error) {
	if w.sealer != nil {
		w.scratch = AppendCommand(w.scratch[:0], name, data)
		return Sealed, w.seal(FlagCommand, w.scratch)
	}
	before := len(w.buf)
	w.buf = AppendFrameHeader(w.buf, FlagCommand, 1+len(name)+len(data))
	w.buf = AppendCommand(w.buf, name, data)
	w.n += len(w.buf) - before
	return Copied, nil
}

// seal boxes one frame into a plain frame, as CURVE sends every MESSAGE.
func (w *Writer) seal(flags byte, payload []byte) error {
	before := len(w.buf)
	w.buf = AppendFrameHeader(w.buf, 0, len(payload)+w.overhead)
	var err error
	w.buf, err = w.sealer.Seal(w.buf, flags, payload)
	w.n += len(w.buf) - before
	return err
}

// Len returns the number of bytes gathered since the last Reset.
func (w *Writer) Len() int { return w.n }

// Buffered returns the number of bytes in the Writer's own buffer, which
// excludes referenced frames.
func (w *Writer) Buffered() int { return len(w.buf) }

// NumSegments returns the number of segments gathered so far: 0 while
// nothing is referenced, as everything is then in one buffer.
func (w *Writer) NumSegments() int { return len(w.segs) }

// Bytes returns what was gathered when nothing is referenced (NumSegments
// is 0). The slice is valid until the next encoding call or Reset.
func (w *Writer) Bytes() []byte { return w.buf }

// Segments returns everything gathered, in order, as pieces to write one
// after the other (as net.Buffers does). The caller may consume the
// returned slice; it is valid until Reset.
func (w *Writer) Segments() [][]byte {
	if w.segStart < len(w.buf) {
		w.segs = append(w.segs, w.buf[w.segStart:])
		w.segStart = len(w.buf)
	}
	return w.segs
}

// Reset empties the Writer and forgets the referenced frames, keeping its
// buffers for the next batch.
func (w *Writer) Reset() {
	w.buf = w.buf[:0]
	clear(w.segs)
	w.segs = w.segs[:0]
	w.segStart = 0
	w.n = 0
}

// Trim drops the Writer's buffer if it grew beyond maxKeep bytes, so that
// one huge batch does not pin its memory. Call it after Reset.
func (w *Writer) Trim(maxKeep int) {
	if cap(w.buf) > maxKeep {
		w.buf = nil
	}
}
