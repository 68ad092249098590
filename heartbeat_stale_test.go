package zmq4

import (
	"net"
	"testing"
	"time"
)

// A HEARTBEAT_TIMEOUT firing that was overtaken by a later PING's arming
// (the PING interval and the timeout are equal by default, so both timers
// fire together) must not drop a peer that answered: only the latest
// arming's own deadline counts.
func TestHeartbeatStaleTimeoutKeepsConnection(t *testing.T) {
	c1, c2 := net.Pipe()
	defer c2.Close()
	e := &engine{conn: c1, done: make(chan struct{}), p: &pipe{out: newQueue(0)}}
	defer e.stopHeartbeat()
	h := &e.hb
	h.mu.Lock()
	e.sendPing(0, time.Hour) // armed: nothing heard since
	h.mu.Unlock()
	h.heard.Add(1) // the PONG
	h.mu.Lock()
	e.sendPing(0, time.Hour) // the next PING arms the timeout again
	h.mu.Unlock()
	e.heartbeatTimedOut() // the first arming's firing, late
	if e.isStopped() {
		t.Fatal("a stale HEARTBEAT_TIMEOUT firing dropped the connection")
	}
}
