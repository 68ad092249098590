package zmq4

import "runtime"

// ---- sockets that drop: yielding the one processor to the writers ----

// behindPatience is how many sends may find a peer with no room before a
// socket alone on the Go scheduler's one processor yields it. A variable
// so that a test can lower it.
var behindPatience = 4096

// noteBehind is called under mu by each send that found a peer with no
// room for its message, on the socket types that then drop it (PUB and
// XPUB, RADIO, ROUTER without ROUTER_MANDATORY). Such a sender never
// blocks, so with one processor (GOMAXPROCS 1, which a Go program
// confined to one CPU gets by default) the goroutines that make room
// (PUB's fan-out worker, the connections' writers, inproc readers) run
// only when the runtime preempts the sender, about every 10 ms, and a
// publisher sending without pause delivered a quarter of what libzmq's
// did. So every behindPatience such sends, a socket on one processor
// yields it. It still holds mu: those goroutines take it only to attach
// or detach a connection, never to move messages. With more processors
// the others run them, and the sender does not yield.
func (s *Socket) noteBehind() {
	s.behindSends++
	if s.behindSends < behindPatience {
		return
	}
	s.behindSends = 0
	if runtime.GOMAXPROCS(0) == 1 {
		runtime.Gosched()
	}
}
