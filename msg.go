package zmq4

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Msg is a multipart message as a list of frames, with the operations of
// CZMQ's zmsg: push and pop at the front, append at the back, address
// envelopes (Wrap, Unwrap), copies, sizes, and CZMQ's two serialised forms
// (Encode and DecodeMsg; Save and LoadMsg). A frame is a []byte, with no
// wrapper type: Go's range and indexing serve for zmsg_first, zmsg_next and
// zmsg_last, FrameStrhex and FrameStreq for zframe_strhex and zframe_streq,
// and SendMsg takes the send flags that mean something in Go (SNDMORE,
// DONTWAIT; the garbage collector makes ZFRAME_REUSE unnecessary).
//
// The methods that change a Msg take a pointer; frames are stored as given,
// not copied (Dup copies).
type Msg [][]byte

// NewMsg returns a message of the given frames.
func NewMsg(frames ...[]byte) Msg { return Msg(frames) }

// NewMsgStrings returns a message of the given strings, one frame each.
func NewMsgStrings(frames ...string) Msg {
	m := make(Msg, len(frames))
	for i, f := range frames {
		m[i] = []byte(f)
	}
	return m
}

// Size returns the number of frames (zmsg_size).
func (m Msg) Size() int { return len(m) }

// ContentSize returns the total size of all frames in bytes
// (zmsg_content_size).
func (m Msg) ContentSize() int {
	n := 0
	for _, f := range m {
		n += len(f)
	}
	return n
}

// Push puts frame at the front (zmsg_push, zmsg_prepend).
func (m *Msg) Push(frame []byte) { *m = append(Msg{frame}, *m...) }

// PushString puts s at the front as a frame (zmsg_pushstr).
func (m *Msg) PushString(s string) { m.Push([]byte(s)) }

// Append adds frame at the back (zmsg_append, zmsg_add).
func (m *Msg) Append(frame []byte) { *m = append(*m, frame) }

// AppendString adds s at the back as a frame (zmsg_addstr).
func (m *Msg) AppendString(s string) { m.Append([]byte(s)) }

// Pop removes and returns the first frame, or nil when there is none
// (zmsg_pop).
func (m *Msg) Pop() []byte {
	if len(*m) == 0 {
		return nil
	}
	f := (*m)[0]
	(*m)[0] = nil
	*m = (*m)[1:]
	return f
}

// PopString removes the first frame and returns it as a string, "" when
// there is none (zmsg_popstr).
func (m *Msg) PopString() string { return string(m.Pop()) }

// Wrap puts an address envelope at the front: address, then an empty
// delimiter frame, as a ROUTER's reply needs (zmsg_wrap).
func (m *Msg) Wrap(address []byte) { *m = append(Msg{address, {}}, *m...) }

// Unwrap removes and returns the first frame, and the empty delimiter
// frame after it if there is one (zmsg_unwrap).
func (m *Msg) Unwrap() []byte {
	address := m.Pop()
	if len(*m) > 0 && len((*m)[0]) == 0 {
		m.Pop()
	}
	return address
}

// Remove deletes the frame at index i (zmsg_remove); it panics when i is
// out of range, as indexing does.
func (m *Msg) Remove(i int) {
	*m = append((*m)[:i], (*m)[i+1:]...)
}

// Dup returns a deep copy: the frames are copied too (zmsg_dup).
func (m Msg) Dup() Msg {
	if m == nil {
		return nil
	}
	d := make(Msg, len(m))
	for i, f := range m {
		d[i] = bytes.Clone(f)
		if d[i] == nil {
			d[i] = []byte{}
		}
	}
	return d
}

// Equal reports whether both messages have the same frames (zmsg_eq).
func (m Msg) Equal(other Msg) bool {
	if len(m) != len(other) {
		return false
	}
	for i := range m {
		if !bytes.Equal(m[i], other[i]) {
			return false
		}
	}
	return true
}

// String shows the frames as CZMQ's zmsg_print does in spirit: one line
// per frame with its size, as text when printable, else as hex.
func (m Msg) String() string {
	var b bytes.Buffer
	for _, f := range m {
		fmt.Fprintf(&b, "[%03d] %s\n", len(f), frameText(f))
	}
	return b.String()
}

// FrameStrhex returns a frame as uppercase hex, as CZMQ's zframe_strhex.
func FrameStrhex(f []byte) string { return fmt.Sprintf("%X", f) }

// FrameStreq reports whether a frame holds exactly the bytes of s, as
// CZMQ's zframe_streq.
func FrameStreq(f []byte, s string) bool { return string(f) == s }

// frameText is f as text when every byte is printable ASCII, else hex.
func frameText(f []byte) string {
	for _, c := range f {
		if c < 32 || c > 126 {
			return FrameStrhex(f)
		}
	}
	return string(f)
}

// AppendMsg encodes sub (Encode) and appends it as one frame
// (zmsg_addmsg).
func (m *Msg) AppendMsg(sub Msg) error {
	enc, err := sub.Encode()
	if err != nil {
		return err
	}
	m.Append(enc)
	return nil
}

// PopMsg removes the first frame and decodes it as a message that
// AppendMsg stored (zmsg_popmsg).
func (m *Msg) PopMsg() (Msg, error) {
	if len(*m) == 0 {
		return nil, ErrMsgFormat
	}
	return DecodeMsg(m.Pop())
}

// ErrMsgFormat is returned by DecodeMsg, LoadMsg and PopMsg for data that
// is not a message in CZMQ's format, and by Encode for a frame too large
// for it.
var ErrMsgFormat = errors.New("zmq4: not a message in CZMQ's format")

// maxEncodedFrame is the largest frame CZMQ's encoding can describe: its
// long form has a 4-byte size.
const maxEncodedFrame uint64 = 1<<32 - 1

// Encode returns the message in zmsg_encode's format: each frame as one
// size byte and the data when it is under 255 bytes, else as 0xFF, a 4-byte
// big-endian size and the data. A frame of 4 GiB or more cannot be
// encoded (CZMQ would write a wrong size): that is ErrMsgFormat.
func (m Msg) Encode() ([]byte, error) {
	n := 0
	for _, f := range m {
		if uint64(len(f)) > maxEncodedFrame {
			return nil, ErrMsgFormat
		}
		n += 1 + len(f)
		if len(f) >= 255 {
			n += 4
		}
	}
	out := make([]byte, 0, n)
	for _, f := range m {
		if len(f) < 255 {
			out = append(out, byte(len(f)))
		} else {
			out = append(out, 0xFF)
			out = binary.BigEndian.AppendUint32(out, uint32(len(f)))
		}
		out = append(out, f...)
	}
	return out, nil
}

// DecodeMsg reads a message in zmsg_encode's format. The frames are copies
// of parts of data. A size that runs past the end is ErrMsgFormat, as
// zmsg_decode returns NULL; nothing is allocated beyond data's own size.
func DecodeMsg(data []byte) (Msg, error) {
	m := Msg{}
	for len(data) > 0 {
		size := int(data[0])
		data = data[1:]
		if size == 255 {
			if len(data) < 4 {
				return nil, ErrMsgFormat
			}
			size64 := uint64(binary.BigEndian.Uint32(data))
			data = data[4:]
			if size64 > uint64(len(data)) {
				return nil, ErrMsgFormat
			}
			size = int(size64)
		}
		if size > len(data) {
			return nil, ErrMsgFormat
		}
		m = append(m, bytes.Clone(data[:size:size]))
		if m[len(m)-1] == nil {
			m[len(m)-1] = []byte{}
		}
		data = data[size:]
	}
	return m, nil
}

// Save writes the message in zmsg_save's file format: each frame as its
// size in 8 bytes, then the data. CZMQ writes the size as the machine's
// size_t; this is the little-endian form that 64-bit x86 and ARM machines
// write and read.
func (m Msg) Save(w io.Writer) error {
	var size [8]byte
	for _, f := range m {
		binary.LittleEndian.PutUint64(size[:], uint64(len(f)))
		if _, err := w.Write(size[:]); err != nil {
			return err
		}
		if _, err := w.Write(f); err != nil {
			return err
		}
	}
	return nil
}

// LoadMsg reads frames in zmsg_save's format until the end of r, as
// zmsg_load does: one saved file is one message. A frame cut short is
// ErrMsgFormat. Memory grows with the data that arrives, not with the
// sizes the data declares. Unlike zmsg_load, which gives up on them, empty
// frames load as empty frames.
func LoadMsg(r io.Reader) (Msg, error) {
	m := Msg{}
	var size [8]byte
	for {
		if _, err := io.ReadFull(r, size[:]); err != nil {
			if err == io.EOF {
				return m, nil
			}
			if err == io.ErrUnexpectedEOF {
				return nil, ErrMsgFormat
			}
			return nil, err
		}
		n := binary.LittleEndian.Uint64(size[:])
		var frame bytes.Buffer
		got, err := io.CopyN(&frame, r, int64(min(n, 1<<62)))
		if err != nil && err != io.EOF {
			return nil, err
		}
		if uint64(got) != n {
			return nil, ErrMsgFormat
		}
		f := frame.Bytes()
		if f == nil {
			f = []byte{}
		}
		m = append(m, f)
	}
}

// SendMsg sends every frame of m as one multipart message (zmsg_send).
// flags may hold DONTWAIT, and SNDMORE to leave the message open after
// m's last frame (zmsg_sendm). An empty Msg sends nothing and returns 0.
func (s *Socket) SendMsg(m Msg, flags Flag) (int, error) {
	if len(m) == 0 {
		return 0, nil
	}
	total := 0
	for i, f := range m {
		fl := flags &^ SNDMORE
		if i < len(m)-1 || flags&SNDMORE != 0 {
			fl |= SNDMORE
		}
		n, err := s.SendBytes(f, fl)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// RecvMsg receives one whole multipart message (zmsg_recv); with DONTWAIT
// it returns EAGAIN when none is waiting (zmsg_recv_nowait).
func (s *Socket) RecvMsg(flags Flag) (Msg, error) {
	frames, err := s.RecvMessageBytes(flags)
	if err != nil {
		return nil, err
	}
	return Msg(frames), nil
}
