package ws

import (
	"errors"
	"math/rand/v2"
	"net"

	"github.com/purezmq/zmq4/internal/zmtp"
)

const (
	// flushSize bounds the bytes the writer gathers before writing them.
	flushSize = 64 << 10
	// directSize is the chunk of a frame body from which a server writes it
	// in place (writev) instead of copying it; a client masks, so it copies.
	directSize = 16 << 10
	// maxOwnCommand bounds a command body from our own engine, which the
	// writer holds whole to look at its name.
	maxOwnCommand = 16 << 20
)

var errOwnCommand = errors.New("ws: command from the engine is too large")

// writer translates the engine's ZMTP stream into WebSocket messages. Its
// state survives between Write calls, which may split frames anywhere.
type writer struct {
	err     error
	greeted bool
	hello   []byte // our greeting, gathered until complete

	hdr    [9]byte // ZMTP frame header being gathered
	hdrN   int
	inBody bool   // the header is complete; left body bytes follow
	left   uint64 // body bytes of the current frame still to come
	isCmd  bool   // the current frame is a command, gathered in cmd
	cmd    []byte

	mask    [4]byte // client: the current message's masking key
	maskPos int

	ridSent bool // bare mode: our routing id went out

	out  []byte      // gathered output
	bufs net.Buffers // out and a body chunk, for writev
}

// atBoundary reports whether no message is half written.
func (w *writer) atBoundary() bool {
	return w.greeted && w.err == nil && w.hdrN == 0 && !w.inBody
}

// write consumes p. It returns len(p) once all of it is translated and the
// output written.
func (w *writer) write(c *Conn, p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	total := len(p)
	for len(p) > 0 {
		var n int
		var err error
		switch {
		case !w.greeted:
			n, err = w.greeting(c, p)
		case !w.inBody:
			n, err = w.header(c, p)
		case w.isCmd:
			n, err = w.commandBody(c, p)
		default:
			n, err = w.dataBody(c, p)
		}
		if err == nil && len(w.out) >= flushSize {
			err = w.flush(c, nil)
		}
		if err != nil {
			w.err = err
			return 0, err
		}
		p = p[n:]
	}
	if err := w.flush(c, nil); err != nil {
		w.err = err
		return 0, err
	}
	return total, nil
}

// greeting gathers our greeting and, once it is complete, upgrades the
// connection for the mechanism it names.
func (w *writer) greeting(c *Conn, p []byte) (int, error) {
	n := min(len(p), zmtp.GreetingSize-len(w.hello))
	w.hello = append(w.hello, p[:n]...)
	if len(w.hello) < zmtp.GreetingSize {
		return n, nil
	}
	g, err := zmtp.ParseGreeting(w.hello)
	if err != nil {
		return n, err
	}
	if err := c.upgrade(g); err != nil {
		return n, err
	}
	w.greeted = true
	w.hello = nil
	return n, nil
}

// header gathers a ZMTP frame header and starts the frame.
func (w *writer) header(c *Conn, p []byte) (int, error) {
	need := 2
	if w.hdrN > 0 && w.hdr[0]&zmtp.FlagLong != 0 || w.hdrN == 0 && p[0]&zmtp.FlagLong != 0 {
		need = 9
	}
	n := min(len(p), need-w.hdrN)
	copy(w.hdr[w.hdrN:], p[:n])
	w.hdrN += n
	if w.hdrN < need {
		return n, nil
	}
	flags := w.hdr[0]
	size := uint64(w.hdr[1])
	if need == 9 {
		size = uint64(w.hdr[1])<<56 | uint64(w.hdr[2])<<48 | uint64(w.hdr[3])<<40 | uint64(w.hdr[4])<<32 |
			uint64(w.hdr[5])<<24 | uint64(w.hdr[6])<<16 | uint64(w.hdr[7])<<8 | uint64(w.hdr[8])
	}
	w.hdrN = 0
	w.inBody, w.left = true, size
	if flags&zmtp.FlagCommand != 0 {
		if size > maxOwnCommand {
			return n, errOwnCommand
		}
		w.isCmd = true
		w.cmd = w.cmd[:0]
		if size == 0 {
			w.endCommand(c)
		}
		return n, nil
	}
	var wsFlags byte
	if flags&zmtp.FlagMore != 0 {
		wsFlags = flagMore
	}
	w.out = w.startMessage(w.out, c.client, opBinary, size+1)
	w.out = append(w.out, wsFlags)
	if c.client {
		w.maskPos = maskBytes(w.out[len(w.out)-1:], w.mask, 0)
	}
	if size == 0 {
		w.inBody = false
	}
	return n, nil
}

// startMessage appends a message header, choosing a fresh masking key for
// a client.
func (w *writer) startMessage(dst []byte, client bool, opcode byte, length uint64) []byte {
	w.maskPos = 0
	if client {
		k := rand.Uint32()
		w.mask = [4]byte{byte(k), byte(k >> 8), byte(k >> 16), byte(k >> 24)}
	}
	return appendHeader(dst, opcode, length, client, w.mask)
}

// appendMessage appends a whole message: a header, the ZWS flags byte
// unless flags < 0, and body, masked for a client.
func (w *writer) appendMessage(dst []byte, client bool, opcode byte, flags int, body []byte) []byte {
	length := uint64(len(body))
	if flags >= 0 {
		length++
	}
	dst = w.startMessage(dst, client, opcode, length)
	start := len(dst)
	if flags >= 0 {
		dst = append(dst, byte(flags))
	}
	dst = append(dst, body...)
	if client {
		w.maskPos = maskBytes(dst[start:], w.mask, 0)
	}
	return dst
}

// commandBody gathers a command body.
func (w *writer) commandBody(c *Conn, p []byte) (int, error) {
	n := int(min(uint64(len(p)), w.left))
	w.cmd = append(w.cmd, p[:n]...)
	w.left -= uint64(n)
	if w.left == 0 {
		w.endCommand(c)
	}
	return n, nil
}

// endCommand sends a complete command: PING and PONG as control frames,
// our READY in bare mode as our routing id, anything else as a command
// message.
func (w *writer) endCommand(c *Conn) {
	w.inBody, w.isCmd = false, false
	name, data, err := zmtp.ParseCommand(w.cmd)
	switch {
	case err == nil && name == zmtp.CmdPing:
		w.out = w.appendMessage(w.out, c.client, opPing, -1, nil)
	case err == nil && name == zmtp.CmdPong:
		w.out = w.appendMessage(w.out, c.client, opPong, -1, c.appendLastPing(nil))
	case err == nil && name == zmtp.CmdReady && c.bare && !w.ridSent:
		props, _ := zmtp.ParseMetadata(data)
		t, _ := zmtp.Lookup(props, "Socket-Type")
		c.setLocalType(t)
		rid, _ := zmtp.Lookup(props, "Identity")
		w.out = w.appendMessage(w.out, c.client, opBinary, 0, []byte(rid))
		w.ridSent = true
	default:
		w.out = w.appendMessage(w.out, c.client, opBinary, int(flagCommand), w.cmd)
	}
	if cap(w.cmd) > flushSize {
		w.cmd = nil
	}
}

// dataBody passes body bytes of a data frame through: masked into the
// output for a client, written in place for a server when large.
func (w *writer) dataBody(c *Conn, p []byte) (int, error) {
	n := int(min(uint64(len(p)), w.left))
	if !c.client && n >= directSize {
		if err := w.flush(c, p[:n]); err != nil {
			return 0, err
		}
	} else {
		n = min(n, max(flushSize-len(w.out), 4096))
		start := len(w.out)
		w.out = append(w.out, p[:n]...)
		if c.client {
			w.maskPos = maskBytes(w.out[start:], w.mask, w.maskPos)
		}
	}
	w.left -= uint64(n)
	if w.left == 0 {
		w.inBody = false
	}
	return n, nil
}

// flush writes the gathered output, then extra if not nil, with one
// system call where the connection allows.
func (w *writer) flush(c *Conn, extra []byte) error {
	if len(w.out) == 0 && len(extra) == 0 {
		return nil
	}
	var err error
	if extra == nil {
		_, err = c.Conn.Write(w.out)
	} else {
		w.bufs = append(w.bufs[:0], w.out, extra)
		bufs := w.bufs
		_, err = bufs.WriteTo(c.Conn)
		w.bufs[0], w.bufs[1] = nil, nil
	}
	if cap(w.out) > 4*flushSize {
		w.out = nil
	} else {
		w.out = w.out[:0]
	}
	return err
}
