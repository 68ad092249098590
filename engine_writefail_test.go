package zmq4

import (
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/purezmq/zmq4/internal/mechanism"
	"github.com/purezmq/zmq4/internal/zmtp"
)

// writeFailingConn is a connection whose writes fail once fail is set, as a
// tcp connection's do after the peer reset it, while what the peer sent can
// still be read.
type writeFailingConn struct {
	net.Conn
	fail atomic.Bool
}

func (c *writeFailingConn) Write(b []byte) (int, error) {
	if c.fail.Load() {
		return 0, &net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.EPIPE)}
	}
	return c.Conn.Write(b)
}

// startEngineWriteFails runs an engine for fs over a connection whose
// writes fail once the handshake is done, queues a message, and waits
// until the writer has met the failure: it has stopped output, or the
// whole engine.
func startEngineWriteFails(t *testing.T, fs *fakeSession) (*engineRun, *pipe, *engine) {
	t.Helper()
	local, peer := net.Pipe()
	conn := &writeFailingConn{Conn: local}
	run := startEngineConn(t, fs, nil, conn, peer, peerGreeting(mechanism.Null))
	run.readHandshake(t)
	p := run.fs.onlyPipe(t)
	<-run.sent
	e := p.engine.Load()

	conn.fail.Store(true)
	p.out.push([]frame{{data: []byte("out")}}, false)
	waitUntil(t, "the writer to meet the error", func() bool { return e.outputFailed.Load() || e.isStopped() })
	return run, p, e
}

// A write that fails stops the engine's output but not its input: a
// message the peer sent before the connection failed is still delivered,
// as libzmq's engine reads on until its read fails. Stopping at the write
// error closed the connection under the reader, and a subscription that
// arrived just before a subscriber's reset was lost.
func TestEngineReadsOnAfterWriteFails(t *testing.T) {
	run, p, e := startEngineWriteFails(t, newFakeSession())
	if e.isStopped() {
		t.Fatal("a failed write stopped the engine before its reader had read what the peer sent")
	}
	if _, err := run.peer.Write(zmtp.AppendFrame(nil, 0, []byte("in"))); err != nil {
		t.Fatalf("peer's write: %v", err)
	}
	if m := run.fs.recvMessage(t, p); len(m) != 1 || string(m[0].data) != "in" {
		t.Fatalf("received %+v, want [in]", m)
	}
	if !run.finish(t) {
		t.Fatal("runSession reported a failed handshake")
	}
	if evs := run.fs.eventList(); evs[len(evs)-1].ev != EVENT_DISCONNECTED {
		t.Fatalf("events %v: want DISCONNECTED last", evs)
	}
}

// An engine whose output failed has nothing left to send: when the
// socket closes with LINGER, even an infinite one, it stops at once rather
// than waiting for its read side to fail.
func TestEngineWithFailedOutputStopsOnLingeringClose(t *testing.T) {
	fs := newFakeSession()
	fs.linger = -1
	run, _, e := startEngineWriteFails(t, fs)
	e.stop(true)
	run.waitEnded(t)
}
