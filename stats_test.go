package zmq4

import (
	"testing"
)

func statsOf(t *testing.T, s *Socket) SocketStats {
	t.Helper()
	st, err := s.Stats()
	must(t, err)
	return st
}

// Messages and bytes sent and received are counted per socket and per
// peer, and connection events are counted without a monitor.
func TestStatsMessagesAndConnections(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	push := newTestSocket(t, ctx, PUSH)
	ep := boundTCP(t, pull)
	must(t, push.Connect(ep))
	sendParts(t, push, "hello", "world!") // 11 bytes, one message
	sendParts(t, push, "x")
	expectParts(t, pull, "hello", "world!")
	expectParts(t, pull, "x")

	ps, ls := statsOf(t, push), statsOf(t, pull)
	if ps.MsgsSent != 2 || ps.BytesSent != 12 || ps.MsgsReceived != 0 {
		t.Errorf("PUSH sent %d msgs %d bytes, received %d", ps.MsgsSent, ps.BytesSent, ps.MsgsReceived)
	}
	if ls.MsgsReceived != 2 || ls.BytesReceived != 12 || ls.MsgsSent != 0 {
		t.Errorf("PULL received %d msgs %d bytes, sent %d", ls.MsgsReceived, ls.BytesReceived, ls.MsgsSent)
	}
	if ps.Connections.Connected != 1 || ps.Connections.HandshakesSucceeded != 1 {
		t.Errorf("PUSH connections %+v", ps.Connections)
	}
	if ls.Connections.Accepted != 1 || ls.Connections.HandshakesSucceeded != 1 {
		t.Errorf("PULL connections %+v", ls.Connections)
	}
	if len(ps.Peers) != 1 || ps.Peers[0].MsgsOut != 2 || ps.Peers[0].BytesOut != 12 || ps.Peers[0].Endpoint != ep {
		t.Errorf("PUSH peers %+v", ps.Peers)
	}
	if len(ls.Peers) != 1 || ls.Peers[0].MsgsIn != 2 || ls.Peers[0].BytesIn != 12 || ls.Peers[0].PeerAddress != "127.0.0.1" {
		t.Errorf("PULL peers %+v", ls.Peers)
	}
	if ls.Peers[0].RcvHWM != 1000 || ps.Peers[0].SndHWM != 1000 {
		t.Errorf("HWMs %d/%d, want the defaults", ps.Peers[0].SndHWM, ls.Peers[0].RcvHWM)
	}

	must(t, push.Close())
	if _, err := push.Stats(); err != ErrorSocketClosed {
		t.Errorf("Stats on a closed socket: %v", err)
	}
	waitUntil(t, "the PULL to see the PUSH go", func() bool {
		return statsOf(t, pull).Connections.Disconnected == 1
	})
}

// Queue depths show what waits for a peer that does not read.
func TestStatsQueued(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	push := newTestSocket(t, ctx, PUSH)
	must(t, pull.Bind("inproc://stats-queued"))
	must(t, push.Connect("inproc://stats-queued"))
	for i := 0; i < 7; i++ {
		sendParts(t, push, "m")
	}
	if q := statsOf(t, push).QueuedOut; q != 7 {
		t.Errorf("PUSH QueuedOut = %d, want 7", q)
	}
	if q := statsOf(t, pull).QueuedIn; q != 7 {
		t.Errorf("PULL QueuedIn = %d, want 7", q)
	}
}

// Drops are counted by cause: no subscriber, a full queue, an unknown
// routing id, and CONFLATE.
func TestStatsDrops(t *testing.T) {
	ctx := newTestContext(t)

	pub := newTestSocket(t, ctx, PUB)
	must(t, pub.SetSndhwm(2))
	must(t, pub.Bind("inproc://stats-pub"))
	sendParts(t, pub, "nobody")
	if d := statsOf(t, pub).Drops; d.NoSubscriber != 1 || d.HWM != 0 {
		t.Errorf("PUB with no subscriber: drops %+v", d)
	}
	sub := newTestSocket(t, ctx, SUB)
	must(t, sub.SetRcvhwm(2))
	must(t, sub.SetSubscribe(""))
	must(t, sub.Connect("inproc://stats-pub"))
	waitUntil(t, "the subscription", func() bool {
		pub.Send("probe", 0)
		_, err := sub.Recv(DONTWAIT)
		return err == nil
	})
	for { // empty the queue
		if _, err := sub.Recv(DONTWAIT); err != nil {
			break
		}
	}
	before := statsOf(t, pub).Drops.HWM
	for i := 0; i < 10; i++ {
		sendParts(t, pub, "m")
	}
	if d := statsOf(t, pub).Drops.HWM - before; d != 6 {
		t.Errorf("PUB to a subscriber holding 4: %d HWM drops of 10, want 6", d)
	}

	router := newTestSocket(t, ctx, ROUTER)
	sendParts(t, router, "no-such-peer", "body")
	if d := statsOf(t, router).Drops; d.Unroutable != 1 {
		t.Errorf("ROUTER to an unknown id: drops %+v", d)
	}

	pull := newTestSocket(t, ctx, PULL)
	must(t, pull.SetConflate(true))
	must(t, pull.Bind("inproc://stats-conflate"))
	push := newTestSocket(t, ctx, PUSH)
	must(t, push.Connect("inproc://stats-conflate"))
	for i := 0; i < 5; i++ {
		sendParts(t, push, "c")
	}
	if d := statsOf(t, pull).Drops.Conflated; d != 4 {
		t.Errorf("CONFLATE kept 1 of 5: %d drops, want 4", d)
	}
}

// Handshake failures are counted by cause.
func TestStatsHandshakeFailures(t *testing.T) {
	ctx := newTestContext(t)
	_, sec, err := NewCurveKeypair()
	must(t, err)
	server := newTestSocket(t, ctx, PULL)
	must(t, server.SetCurveServer(1))
	must(t, server.SetCurveSecretkey(sec))
	ep := boundTCP(t, server)
	client := newTestSocket(t, ctx, PUSH) // NULL: a mechanism mismatch
	must(t, client.Connect(ep))
	waitUntil(t, "a protocol failure", func() bool {
		return statsOf(t, server).Connections.HandshakesFailedProtocol > 0
	})
}
