package zmq4

import (
	"context"
	"errors"
	"iter"
)

// Messages returns an iterator over the messages the socket receives, each
// as its parts, for use with range:
//
//	for msg, err := range sock.Messages(ctx) {
//		if err != nil {
//			// handle err; the loop ends after it
//		}
//		// use msg
//	}
//
// Each step blocks as RecvMessageBytesContext does. The sequence ends
// silently, without an error, when ctx ends, when the socket is closed, or
// when its Context is terminated; check ctx.Err() to tell why if it
// matters. Any other error (EAGAIN when RCVTIMEO expires, for one) is
// yielded once with a nil message, and the sequence ends after it.
// Breaking out of the loop leaves the socket usable.
func (s *Socket) Messages(ctx context.Context) iter.Seq2[[][]byte, error] {
	return func(yield func([][]byte, error) bool) {
		for {
			msg, err := s.RecvMessageBytesContext(ctx)
			if err != nil {
				if !endsMessages(ctx, err) {
					yield(nil, err)
				}
				return
			}
			if !yield(msg, nil) {
				return
			}
		}
	}
}

// endsMessages reports whether err means the message sequence is over
// rather than failed: ctx ended, the socket closed, or its Context ended.
func endsMessages(ctx context.Context, err error) bool {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return true
	}
	return errors.Is(err, ErrorSocketClosed) || errors.Is(err, ETERM)
}
