package zmq4

import (
	"errors"
	"io"
	"syscall"

	"github.com/purezmq/zmq4/internal/mechanism"
)

// errPeerGoneDuringZAP ends a handshake whose peer closed the connection
// while the ZAP handler was deciding; it is reported as
// EVENT_HANDSHAKE_FAILED_NO_DETAIL with EPIPE, as libzmq's engine, which
// keeps reading during the ZAP exchange, reports it.
var errPeerGoneDuringZAP = &mechanism.Error{Kind: mechanism.FailedNoDetail, Code: int(syscall.EPIPE),
	Err: errors.New("zmq4: peer closed the connection during the ZAP exchange")}

// zapWatchingPeer wraps zap so that, while the handler decides, the
// connection is watched for the peer closing it (a handler that never
// answers would otherwise keep the handshake waiting for ZAP's own
// timeout). Only plain tcp and ipc connections on Linux are watched (the
// watch polls for the peer's FIN and reads nothing); others get zap as is.
func (e *engine) zapWatchingPeer(zap mechanism.ZAPFunc) mechanism.ZAPFunc {
	rc := rawConnOf(e.conn)
	if zap == nil || rc == nil {
		return zap
	}
	return func(req mechanism.ZAPRequest) (mechanism.ZAPReply, error) {
		type answer struct {
			reply mechanism.ZAPReply
			err   error
		}
		answered := make(chan answer, 1)
		go func() {
			reply, err := zap(req)
			answered <- answer{reply, err}
		}()
		stop := make(chan struct{})
		defer close(stop)
		gone := make(chan struct{}, 1)
		go func() {
			if peerClosed(rc, stop) {
				gone <- struct{}{}
			}
		}()
		select {
		case a := <-answered:
			return a.reply, a.err
		case <-gone:
			return mechanism.ZAPReply{}, errPeerGoneDuringZAP
		}
	}
}

// handshakeErrno is the errno libzmq would report with
// EVENT_HANDSHAKE_FAILED_NO_DETAIL for err: EPIPE when the peer closed the
// connection, the system error when there is one, else 0.
func handshakeErrno(err error) int {
	var en syscall.Errno
	switch {
	case errors.As(err, &en):
		return int(en)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return int(syscall.EPIPE)
	}
	return 0
}
