package zmtp

// Command names (RFC 23, RFC 25 and RFC 37).
const (
	CmdReady     = "READY"
	CmdError     = "ERROR"
	CmdPing      = "PING"
	CmdPong      = "PONG"
	CmdSubscribe = "SUBSCRIBE"
	CmdCancel    = "CANCEL"
	CmdJoin      = "JOIN"
	CmdLeave     = "LEAVE"
	CmdHello     = "HELLO"
	CmdWelcome   = "WELCOME"
	CmdInitiate  = "INITIATE"
	CmdMessage   = "MESSAGE"
)

// maxCommandName is the longest command name the 1-byte length can express.
const maxCommandName = 255

// AppendCommand appends a command body: the name length, the name, then data.
// It panics if name is empty or longer than 255 bytes, which is a bug in the
// caller, never something a peer can cause.
func AppendCommand(dst []byte, name string, data []byte) []byte {
	dst = appendCommandName(dst, name)
	return append(dst, data...)
}

func appendCommandName(dst []byte, name string) []byte {
	if len(name) == 0 || len(name) > maxCommandName {
		panic("zmtp: command name must be 1..255 bytes")
	}
	dst = append(dst, byte(len(name)))
	return append(dst, name...)
}

// ParseCommand splits a command frame body into its name and data. The name
// must be 1..255 bytes long and present in full. data aliases body.
func ParseCommand(body []byte) (name string, data []byte, err error) {
	if len(body) == 0 {
		return "", nil, ErrMalformed
	}
	n := int(body[0])
	if n == 0 || len(body) < 1+n {
		return "", nil, ErrMalformed
	}
	return string(body[1 : 1+n]), body[1+n:], nil
}
