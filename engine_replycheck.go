package zmq4

import "errors"

// replyCheck follows the parts a REQ socket's peer sends, as libzmq 4.3.4's
// req_session does: each reply is an optional 4-byte request id with MORE
// (REQ_CORRELATE's), an empty delimiter with MORE, then body parts, the
// last without MORE. A part out of that order ends the connection
// (errMalformedReply; libzmq's session fails the push and its engine drops
// the connection), so a REQ never holds a reply it would only throw away,
// and Poll reports no reply that Recv will not return.
type replyCheck uint8

const (
	replyBottom    replyCheck = iota // a reply starts: request id or delimiter
	replyRequestID                   // after the request id: the delimiter
	replyBody                        // after the delimiter: body parts
)

// errMalformedReply ends the connection of a REQ whose peer sent a part
// out of the reply's order. Like libzmq, it is reported as a disconnection
// only, not as a protocol error.
var errMalformedReply = errors.New("zmq4: REQ peer sent a reply without its delimiter")

// next takes the next part, of size bytes, and reports whether it fits.
func (c *replyCheck) next(size int, more bool) bool {
	switch *c {
	case replyBottom:
		if more && size == 4 {
			*c = replyRequestID
			return true
		}
		if more && size == 0 {
			*c = replyBody
			return true
		}
	case replyRequestID:
		if more && size == 0 {
			*c = replyBody
			return true
		}
	case replyBody:
		if !more {
			*c = replyBottom
		}
		return true
	}
	return false
}
