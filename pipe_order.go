package zmq4

import "sync/atomic"

// pipeOrders counts connections as they begin, across every socket of the
// process: one Connect call, one accepted connection, or (for pipes that
// need no handshake, inproc and udp) the pipe's joining a load
// balancer.
var pipeOrders atomic.Uint64

// nextPipeOrder returns the order of a connection that begins now: a
// number greater than that of every connection that began before. A
// load-balancing socket serves its pipes in this order (loadBalancer.add),
// so pipes whose handshakes end in a different order than their
// connections began still take turns as their Connect calls, or the
// accepts of a bound endpoint, came. It is safe to call without a lock.
func nextPipeOrder() uint64 {
	return pipeOrders.Add(1)
}
