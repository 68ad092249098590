package zmq4

// pattern is the routing logic of one socket type. All methods run with the
// socket's mutex held, in the caller's goroutine, as libzmq runs them in the
// application thread. Each socket family implements it in its type_*.go
// file, and newPattern makes the one a socket type uses.
type pattern interface {
	// attach is called when a pipe joins the socket, detach when it leaves.
	attach(p *pipe)
	detach(p *pipe)
	// peerReady is called after each successful handshake on p.
	peerReady(p *pipe)
	// readable and writable report pipes that became ready again after the
	// pattern found them empty or full.
	readable(p *pipe)
	writable(p *pipe)
	// send routes one whole message; it returns EAGAIN when it would block.
	send(m []frame) error
	// recv returns one whole message, or EAGAIN when none is ready. The
	// slice is valid until the next recv.
	recv() ([]frame, *pipe, error)
	// hasIn and hasOut answer POLLIN and POLLOUT.
	hasIn() bool
	hasOut() bool
}

// goneInputApplier is a pattern that acts on what a peer sends when it
// arrives, not when the application receives it: PUB and XPUB apply
// subscriptions. Before a pipe whose peer went away leaves such a pattern,
// applyGoneInput takes in everything the pipe still holds.
type goneInputApplier interface {
	applyGoneInput(p *pipe)
}
