package zmq4

import (
	"context"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/purezmq/zmq4/internal/transport"
)

// A connect by host name looks the name up again on every reconnection:
// when the name moves to another address, the socket follows it.
func TestReconnectResolvesNameAgain(t *testing.T) {
	ctx := newTestContext(t)
	r1 := newTestSocket(t, ctx, ROUTER)
	ep1 := boundTCP(t, r1)
	port := ep1[strings.LastIndexByte(ep1, ':')+1:]
	r2 := newTestSocket(t, ctx, ROUTER)
	must(t, r2.Bind("tcp://127.0.0.3:"+port))

	var moved atomic.Bool
	defer transport.SetLookup(func(c context.Context, network, host string) ([]netip.Addr, error) {
		if host != "moving.test" {
			return nil, context.Canceled
		}
		if moved.Load() {
			return []netip.Addr{netip.MustParseAddr("127.0.0.3")}, nil
		}
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	})()

	d := newTestSocket(t, ctx, DEALER)
	must(t, d.SetIdentity("d"))
	mon := monitorOf(t, d, EVENT_HANDSHAKE_SUCCEEDED)
	must(t, d.Connect("tcp://moving.test:"+port))
	expectEvents(t, mon, EVENT_HANDSHAKE_SUCCEEDED)
	sendParts(t, d, "one")
	expectParts(t, r1, "d", "one")

	moved.Store(true)
	must(t, r1.Close())
	expectEvents(t, mon, EVENT_HANDSHAKE_SUCCEEDED)
	sendParts(t, d, "two")
	expectParts(t, r2, "d", "two")
}

// A name lookup that hangs holds up only the connect that asked for it:
// another socket of the same context connects and exchanges meanwhile.
func TestSlowLookupBlocksNoOtherSocket(t *testing.T) {
	ctx := newTestContext(t)
	release := make(chan struct{})
	defer transport.SetLookup(func(c context.Context, network, host string) ([]netip.Addr, error) {
		select {
		case <-release:
		case <-c.Done():
		}
		return nil, context.Canceled
	})()
	defer close(release)

	slow := newTestSocket(t, ctx, DEALER)
	must(t, slow.Connect("tcp://slow.test:5555"))

	rep := newTestSocket(t, ctx, REP)
	req := newTestSocket(t, ctx, REQ)
	must(t, req.Connect(boundTCP(t, rep)))
	sendParts(t, req, "ping")
	expectParts(t, rep, "ping")
	sendParts(t, rep, "pong")
	expectParts(t, req, "pong")
}
