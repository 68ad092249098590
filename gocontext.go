package zmq4

import (
	"context"
	"fmt"
	"time"
)

// SendMessageContext is SendMessage that also gives up when ctx ends. It
// blocks until the whole message is queued, then returns the number of
// bytes sent. It returns ctx.Err() when ctx is cancelled or its deadline
// passes first, ETERM when the socket's Context is terminated, and EAGAIN
// when SNDTIMEO is set and expires first. A message that was not sent is
// dropped whole; none of its parts reach a peer.
func (s *Socket) SendMessageContext(ctx context.Context, parts ...interface{}) (int, error) {
	if err := ctx.Err(); err != nil {
		return -1, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkUsable(); err != nil {
		return -1, err
	}
	msg, total := s.ownedFramesLocked(parts)
	if len(msg) == 0 {
		return 0, nil
	}
	if len(msg) > 1 && !multipartAllowed(s.typ) {
		return -1, einval
	}
	err := s.retryLocked(ctx, s.opt.sndtimeo, func() error { return s.pat.send(msg) })
	if err != nil {
		return -1, err
	}
	return total, nil
}

// RecvMessageBytesContext is RecvMessageBytes(0) that also gives up when
// ctx ends: it returns every part of the next message (or the rest of the
// current one), ctx.Err() when ctx is cancelled or its deadline passes
// first, ETERM when the socket's Context is terminated, and EAGAIN when
// RCVTIMEO is set and expires first.
func (s *Socket) RecvMessageBytesContext(ctx context.Context) ([][]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkUsable(); err != nil {
		return nil, err
	}
	if len(s.recvRest) == 0 {
		err := s.retryLocked(ctx, s.opt.rcvtimeo, func() error {
			m, p, err := s.pat.recv()
			if err == nil && len(m) > 0 {
				s.setRecvLocked(m, p)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	// The message is now in recvRest, so this does not block.
	return s.recvMessageBytesLocked(DONTWAIT)
}

// RecvMessageContext is RecvMessageBytesContext with the parts as strings.
func (s *Socket) RecvMessageContext(ctx context.Context) ([]string, error) {
	parts, err := s.RecvMessageBytesContext(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(parts))
	for i, b := range parts {
		out[i] = string(b)
	}
	return out, nil
}

// ownedFramesLocked turns SendMessage's arguments into frames whose data
// the library owns, and returns them with their total size. Every frame
// but the last has the more flag. Call with s.mu held.
func (s *Socket) ownedFramesLocked(parts []interface{}) ([]frame, int) {
	msg := make([]frame, 0, len(parts))
	total := 0
	add := func(b []byte) {
		msg = append(msg, frame{data: s.copyData(b), flags: frameMore})
		total += len(b)
	}
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			add([]byte(v))
		case []byte:
			add(v)
		case []string:
			for _, x := range v {
				add([]byte(x))
			}
		case [][]byte:
			for _, x := range v {
				add(x)
			}
		default:
			add([]byte(fmt.Sprint(v)))
		}
	}
	if len(msg) > 0 {
		msg[len(msg)-1].flags &^= frameMore
	}
	return msg, total
}

// retryLocked calls try until it returns something other than EAGAIN,
// waiting between attempts for the socket's readiness to change. It gives
// up with ctx.Err() when ctx ends, ETERM when the socket's Context is
// terminated, ErrorSocketClosed when the socket is closed meanwhile, and
// EAGAIN when timeout (negative: none) passes. Call with s.mu held; it is
// released while waiting, so try must only use memory no other call
// reuses.
func (s *Socket) retryLocked(ctx context.Context, timeout time.Duration, try func() error) error {
	if s.watching.Load() > 0 {
		// As sendMessageLocked and recvMessageLocked do: the call may
		// change what a poller in another goroutine waits for. Only the
		// final outcome signals, so a failed attempt never wakes this
		// loop itself.
		defer s.signal()
	}
	var expired <-chan time.Time
	for {
		// Take the channel before trying, so a change that happens after
		// the attempt closes it.
		changed := s.changedChan()
		s.absorbReady()
		err := try()
		if err != eagain {
			return err
		}
		if timeout == 0 {
			return eagain
		}
		if timeout > 0 && expired == nil {
			t := time.NewTimer(timeout)
			defer t.Stop()
			expired = t.C
		}
		s.releaseReadLocked()
		s.mu.Unlock()
		var werr error
		select {
		case <-changed:
		case <-ctx.Done():
			werr = ctx.Err()
		case <-s.ctx.done:
			werr = ETERM
		case <-expired:
			werr = eagain
		}
		s.mu.Lock()
		if s.closed {
			return ErrorSocketClosed
		}
		if werr != nil {
			return werr
		}
	}
}
