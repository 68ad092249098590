package zmq4

import (
	"fmt"
	"testing"
)

// nextHandshake returns the next handshake event on a monitor that
// watches only handshake events, failing the test on anything but success.
func nextHandshake(t *testing.T, mon *Socket, what string) {
	t.Helper()
	ev, _, value, err := mon.RecvEvent(0)
	must(t, err)
	if ev != EVENT_HANDSHAKE_SUCCEEDED {
		t.Fatalf("%s: event %v value %d, want HANDSHAKE_SUCCEEDED", what, ev, value)
	}
}

// Messages carry the properties of the connection they arrived on. A
// connecting PULL keeps its pipe, and the messages queued in it, when its
// peer goes away; the messages alice sent and that are still unread when
// the connection is replaced by one authenticated as bob are read with
// alice's User-Id, and bob's with bob's.
func TestMetadataTravelsWithMessages(t *testing.T) {
	for _, transport := range []string{"ipc", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			ctx := newTestContext(t)
			must(t, ctx.AuthStart())
			t.Cleanup(ctx.AuthStop)
			ctx.AuthPlainAdd("*", "alice", "alice-pw")
			ctx.AuthPlainAdd("*", "bob", "bob-pw")

			alice := newTestSocket(t, ctx, PUSH)
			must(t, alice.ClientAuthPlain("alice", "alice-pw"))
			must(t, alice.Bind(endpointFor(t, transport)))
			ep, err := alice.GetLastEndpoint()
			must(t, err)

			recv := newTestSocket(t, ctx, PULL)
			must(t, recv.ServerAuthPlain("meta"))
			must(t, recv.SetReconnectIvl(10e6)) // 10ms: only how soon it retries
			monAddr := fmt.Sprintf("inproc://metadata-monitor-%d", authMonitorSeq.Add(1))
			must(t, recv.Monitor(monAddr, EVENT_HANDSHAKE_SUCCEEDED|EVENT_HANDSHAKE_FAILED_AUTH|EVENT_HANDSHAKE_FAILED_PROTOCOL|EVENT_HANDSHAKE_FAILED_NO_DETAIL))
			mon := newTestSocket(t, ctx, PAIR)
			must(t, mon.Connect(monAddr))
			must(t, recv.Connect(ep))
			nextHandshake(t, mon, "alice's connection")

			_, err = alice.SendMessage("alice-1", "part two")
			must(t, err)
			_, err = alice.Send("alice-2", 0)
			must(t, err)
			_, err = alice.Send("alice-3", 0)
			must(t, err)
			queued := func() int {
				recv.mu.Lock()
				defer recv.mu.Unlock()
				n := 0
				for p := range recv.pipes {
					n += p.in.q.pending()
				}
				return n
			}
			waitUntil(t, "alice's messages in the receiver's queue", func() bool { return queued() == 3 })

			// Alice goes away; bob takes her endpoint. The receiver's pipe,
			// with alice's three messages unread, is served by bob's
			// connection once the second handshake succeeds.
			must(t, alice.Close())
			bob := newTestSocket(t, ctx, PUSH)
			must(t, bob.ClientAuthPlain("bob", "bob-pw"))
			waitUntil(t, "bob's bind", func() bool { return bob.Bind(ep) == nil })
			nextHandshake(t, mon, "bob's connection")
			if queued() != 3 {
				t.Fatalf("%d messages queued after the reconnection, want alice's 3", queued())
			}
			_, err = bob.Send("bob-1", 0)
			must(t, err)

			msg, props, err := recv.RecvMessageWithMetadata(0, "User-Id")
			must(t, err)
			if len(msg) != 2 || msg[0] != "alice-1" || props["User-Id"] != "alice" {
				t.Fatalf("first message %q with %v, want alice-1 with User-Id alice", msg, props)
			}
			str, props, err := recv.RecvWithMetadata(0, "User-Id")
			must(t, err)
			if str != "alice-2" || props["User-Id"] != "alice" {
				t.Fatalf("second message %q with %v, want alice-2 with User-Id alice", str, props)
			}
			// RecvPart (the C API's zmq_msg_recv and zmq_msg_gets) too.
			var part string
			info, err := recv.RecvPart(0, func(b []byte) { part = string(b) })
			must(t, err)
			if user, _ := info.Property("User-Id"); part != "alice-3" || user != "alice" {
				t.Fatalf("third message %q with User-Id %q, want alice-3 with User-Id alice", part, user)
			}
			b, props, err := recv.RecvBytesWithMetadata(0, "User-Id")
			must(t, err)
			if string(b) != "bob-1" || props["User-Id"] != "bob" {
				t.Fatalf("fourth message %q with %v, want bob-1 with User-Id bob", b, props)
			}
		})
	}
}

// The reader reports, with each message, the connection it arrived on,
// whether the connection changed within one batch the reader takes or
// between batches.
func TestQueueReaderProps(t *testing.T) {
	alice, bob := &connProps{m: map[string]string{"User-Id": "alice"}}, &connProps{m: map[string]string{"User-Id": "bob"}}
	msg := func(parts ...string) []frame {
		m := make([]frame, len(parts))
		for i, p := range parts {
			m[i] = frame{data: []byte(p), flags: frameMore}
		}
		m[len(m)-1].flags = 0
		return m
	}
	expect := func(r *queueReader, want string, props *connProps) {
		t.Helper()
		m, ok, _ := r.next()
		if !ok || string(m[0].data) != want || r.props != props {
			t.Fatalf("next = %q %v, props %v; want %s from %v", m, ok, r.props, want, props.m)
		}
	}

	q := newQueue(0)
	r := newQueueReader(q)
	q.pushBatch(append(msg("a1", "more"), msg("a2")...), alice)
	q.pushBatch(msg("b1"), bob) // same batch for the reader
	expect(&r, "a1", alice)
	q.pushBatch(msg("b2"), bob) // next batch, same connection
	q.pushBatch(msg("a3"), alice)
	expect(&r, "a2", alice)
	expect(&r, "b1", bob)
	expect(&r, "b2", bob)
	expect(&r, "a3", alice)

	// CONFLATE drops the message that marked bob's connection; the one
	// kept must still say bob.
	q = newQueue(0)
	q.setConflate()
	r = newQueueReader(q)
	q.pushBatch(msg("a1"), alice)
	expect(&r, "a1", alice)
	q.pushBatch(msg("b1"), bob)
	q.pushBatch(msg("b2"), bob)
	expect(&r, "b2", bob)

	// The same after discard.
	q = newQueue(0)
	r = newQueueReader(q)
	q.pushBatch(msg("a1"), alice)
	expect(&r, "a1", alice)
	q.pushBatch(msg("b1"), bob)
	q.discard()
	q.pushBatch(msg("b2"), bob)
	expect(&r, "b2", bob)
}
