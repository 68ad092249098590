package zmq4

// HasIpc reports whether the ipc transport works (Unix domain sockets).
func HasIpc() bool { return true }

// HasPgm reports whether the pgm transport works; it does not here.
func HasPgm() bool { return false }

// HasTipc reports whether the tipc transport works; it does not here.
func HasTipc() bool { return false }

// HasNorm reports whether the norm transport works; it does not here.
func HasNorm() bool { return false }

// HasCurve reports whether the CURVE mechanism works; it does, in pure Go.
func HasCurve() bool { return true }

// HasGssapi reports whether the GSSAPI mechanism works; it does not here.
func HasGssapi() bool { return false }
