package zmq4

import (
	"errors"
	"syscall"
	"testing"
	"time"
)

func TestSinglePartDraftTypes(t *testing.T) {
	for _, pr := range []struct{ bind, connect Type }{{GATHER, SCATTER}, {CHANNEL, CHANNEL}} {
		t.Run(pr.bind.String()+"-"+pr.connect.String(), func(t *testing.T) {
			for _, tr := range transports {
				b, c := pairUp(t, tr, true, pr.bind, pr.connect)
				if _, err := c.Send("part", SNDMORE); !errors.Is(err, syscall.EINVAL) {
					t.Fatalf("SNDMORE on %v: %v, want EINVAL", pr.connect, err)
				}
				sendParts(t, c, "single")
				expectParts(t, b, "single")
			}
		})
	}
}

func TestGatherDropsMultipart(t *testing.T) {
	// inproc does not check socket types, so a PUSH can feed a GATHER the
	// multipart message a misbehaving peer might send.
	gather, push := pairUp(t, "inproc", true, GATHER, PUSH)
	sendParts(t, push, "a", "b")
	sendParts(t, push, "whole")
	expectParts(t, gather, "whole")
}

func TestClientServer(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			server, client := pairUp(t, tr, true, SERVER, CLIENT)
			sendParts(t, client, "request")
			msg, opts, err := server.RecvWithOpts(0, OptRoutingId(0))
			must(t, err)
			id := opts[0].(OptRoutingId)
			if msg != "request" || id == 0 {
				t.Fatalf("server got %q from id %d", msg, id)
			}
			if _, err := server.Send("reply", 0, id); err != nil {
				t.Fatal(err)
			}
			expectParts(t, client, "reply")
			if _, err := server.Send("nobody", 0, OptRoutingId(id+1)); !errors.Is(err, syscall.EHOSTUNREACH) {
				t.Fatalf("unknown id: %v, want EHOSTUNREACH", err)
			}
			if _, err := server.Send("no id", 0); !errors.Is(err, syscall.EHOSTUNREACH) {
				t.Fatalf("no id: %v, want EHOSTUNREACH", err)
			}
		})
	}
}

func TestPeerConnectPeer(t *testing.T) {
	ctx := newTestContext(t)
	a := newTestSocket(t, ctx, PEER)
	must(t, a.Bind("tcp://127.0.0.1:*"))
	b := newTestSocket(t, ctx, PEER)
	id, err := b.ConnectPeer(a.opt.lastEndpoint)
	must(t, err)
	if id == 0 {
		t.Fatal("ConnectPeer gave routing id 0")
	}
	if _, err := b.Send("hi a", 0, OptRoutingId(id)); err != nil {
		t.Fatal(err)
	}
	msg, opts, err := a.RecvWithOpts(0, OptRoutingId(0))
	must(t, err)
	if msg != "hi a" {
		t.Fatalf("a got %q", msg)
	}
	a.Send("hi b", 0, opts[0])
	got, _, err := b.RecvWithOpts(0)
	must(t, err)
	if got != "hi b" {
		t.Fatalf("b got %q", got)
	}
}

func TestRadioDishGroups(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			radio, dish := pairUp(t, tr, true, RADIO, DISH)
			must(t, dish.Join("weather"))
			if err := dish.Join("weather"); !errors.Is(err, syscall.EINVAL) {
				t.Fatalf("joining twice: %v, want EINVAL", err)
			}
			// Send until the JOIN has reached the radio.
			waitUntil(t, "join", func() bool {
				radio.Send("probe", 0, OptGroup("weather"))
				ok, _ := pollIn(dish)
				return ok
			})
			radio.Send("sports news", 0, OptGroup("sports"))
			radio.Send("rain", 0, OptGroup("weather"))
			for {
				msg, opts, err := dish.RecvWithOpts(0, OptGroup(""))
				must(t, err)
				if opts[0].(OptGroup) != "weather" {
					t.Fatalf("dish got %q from group %v it never joined", msg, opts[0])
				}
				if msg == "rain" {
					break
				}
			}
			must(t, dish.Leave("weather"))
			if err := dish.Leave("weather"); !errors.Is(err, syscall.EINVAL) {
				t.Fatalf("leaving twice: %v, want EINVAL", err)
			}
		})
	}
}

// A SERVER that connects keeps one pipe per connect, as libzmq does: the
// routing id outlives a reconnection and messages for it wait while the
// peer is away.
func TestConnectingServerKeepsRoutingID(t *testing.T) {
	ctx := newTestContext(t)
	client := newTestSocket(t, ctx, CLIENT)
	must(t, client.Bind("tcp://127.0.0.1:*"))
	endpoint := client.opt.lastEndpoint
	server := newTestSocket(t, ctx, SERVER)
	must(t, server.SetReconnectIvl(10*time.Millisecond))
	monitor := monitorOf(t, server, EVENT_DISCONNECTED)
	must(t, server.Connect(endpoint))
	sendParts(t, client, "first")
	_, opts, err := server.RecvWithOpts(0, OptRoutingId(0))
	must(t, err)
	id := opts[0].(OptRoutingId)

	// Once the connection is gone, a message for the peer waits in its pipe.
	must(t, client.Close())
	expectEvents(t, monitor, EVENT_DISCONNECTED)
	if _, err := server.Send("while away", 0, id); err != nil {
		t.Fatalf("send to a reconnecting peer: %v", err)
	}
	again := newTestSocket(t, ctx, CLIENT)
	must(t, again.Bind(endpoint))
	expectParts(t, again, "while away")
	sendParts(t, again, "back")
	msg, opts, err := server.RecvWithOpts(0, OptRoutingId(0))
	must(t, err)
	if msg != "back" || opts[0].(OptRoutingId) != id {
		t.Fatalf("got %q from id %v, want \"back\" from %v", msg, opts[0], id)
	}
}
