package zmq4

import (
	"testing"
)

// RecvBatch takes every queued part in order, with RecvPart's More flag and
// properties, and then reports EAGAIN.
func TestRecvBatchTakesQueuedParts(t *testing.T) {
	for _, tr := range []string{"inproc", "tcp"} {
		t.Run(tr, func(t *testing.T) {
			push, pull := pairUp(t, tr, true, PUSH, PULL)
			sendParts(t, push, "a1", "a2")
			sendParts(t, push, "b")
			sendParts(t, push, "c1", "c2", "c3")
			var got []string
			var more []bool
			for len(got) < 6 {
				n, err := pull.RecvBatch(func(data []byte, info PartInfo, src PartSource) bool {
					got = append(got, string(data))
					more = append(more, info.More)
					if info.Metadata["Socket-Type"] != "PUSH" {
						t.Errorf("part %q: Socket-Type %q, want PUSH", data, info.Metadata["Socket-Type"])
					}
					if src.p == nil {
						t.Errorf("part %q has no connection", data)
					}
					return true
				})
				if err == nil && n == 0 {
					t.Fatal("RecvBatch took nothing and reported no error")
				}
				if err != nil {
					if AsErrno(err) != eagain {
						t.Fatal(err)
					}
					waitForInput(t, pull)
				}
			}
			want := []string{"a1", "a2", "b", "c1", "c2", "c3"}
			wantMore := []bool{true, false, false, true, true, false}
			for i := range want {
				if got[i] != want[i] || more[i] != wantMore[i] {
					t.Fatalf("part %d: %q more=%v, want %q more=%v", i, got[i], more[i], want[i], wantMore[i])
				}
			}
			if _, err := pull.RecvBatch(func([]byte, PartInfo, PartSource) bool { return true }); AsErrno(err) != eagain {
				t.Fatalf("empty queue: %v, want EAGAIN", err)
			}
		})
	}
}

// RecvBatch stops when deliver says so, leaving the rest for the next call.
func TestRecvBatchStopsWhenAsked(t *testing.T) {
	push, pull := pairUp(t, "inproc", true, PUSH, PULL)
	sendParts(t, push, "x")
	sendParts(t, push, "y")
	n, err := pull.RecvBatch(func([]byte, PartInfo, PartSource) bool { return false })
	if err != nil || n != 1 {
		t.Fatalf("RecvBatch: %d, %v; want 1 part", n, err)
	}
	got, err := pull.Recv(DONTWAIT)
	if err != nil || got != "y" {
		t.Fatalf("next part: %q, %v; want \"y\"", got, err)
	}
}

// A part's PartSource says whether Disconnect dropped its connection.
func TestPartSourceDroppedBy(t *testing.T) {
	push, pull := pairUp(t, "tcp", true, PUSH, PULL)
	ep := push.opt.lastEndpoint
	sendParts(t, push, "m")
	var src PartSource
	for {
		n, err := pull.RecvBatch(func(_ []byte, _ PartInfo, s PartSource) bool { src = s; return true })
		if err == nil && n > 0 {
			break
		}
		if AsErrno(err) != eagain {
			t.Fatal(err)
		}
		waitForInput(t, pull)
	}
	if src.DroppedBy(ep) {
		t.Fatal("DroppedBy before Disconnect")
	}
	if src.DroppedBy("tcp://127.0.0.1:1") {
		t.Fatal("DroppedBy another endpoint")
	}
	must(t, pull.Disconnect(ep))
	if !src.DroppedBy(ep) {
		t.Fatal("not DroppedBy after Disconnect")
	}
	if (PartSource{}).DroppedBy(ep) {
		t.Fatal("a part with no connection is DroppedBy")
	}
}

// waitForInput waits until s has a message to receive.
func waitForInput(t *testing.T, s *Socket) {
	t.Helper()
	waitUntil(t, "a message to arrive", func() bool {
		ev, err := s.GetEvents()
		must(t, err)
		return ev&POLLIN != 0
	})
}

// SendRoom is exactly how many messages a PUSH socket takes before EAGAIN.
func TestSendRoomIsExact(t *testing.T) {
	ctx, err := NewContext()
	must(t, err)
	defer ctx.Term()
	push, err := ctx.NewSocket(PUSH)
	must(t, err)
	defer push.Close()
	pull, err := ctx.NewSocket(PULL)
	must(t, err)
	defer pull.Close()
	must(t, push.SetSndhwm(3))
	must(t, pull.SetRcvhwm(4))
	must(t, push.SetLinger(0))
	if n, _ := push.SendRoom(); n != 0 {
		t.Fatalf("no peer: SendRoom %d, want 0", n)
	}
	must(t, push.Bind("inproc://sendroom"))
	must(t, pull.Connect("inproc://sendroom"))
	room, inproc := push.SendRoom()
	if room <= 0 || !inproc {
		t.Fatalf("SendRoom %d, %v with a connected inproc peer", room, inproc)
	}
	for i := 0; i < room; i++ {
		if _, err := push.Send("m", DONTWAIT); err != nil {
			t.Fatalf("message %d of %d: %v", i+1, room, err)
		}
	}
	if _, err := push.Send("m", DONTWAIT); AsErrno(err) != eagain {
		t.Fatalf("message %d: %v, want EAGAIN", room+1, err)
	}
	if n, _ := push.SendRoom(); n != 0 {
		t.Fatalf("full: SendRoom %d, want 0", n)
	}
	// Once the peer reads, there is room again; a message in progress
	// takes one place of it.
	for i := 0; i < room; i++ {
		if _, err := pull.Recv(0); err != nil {
			t.Fatal(err)
		}
	}
	var before int
	waitUntil(t, "room after reading", func() bool { before, _ = push.SendRoom(); return before > 0 })
	if _, err := push.Send("first", SNDMORE|DONTWAIT); err != nil {
		t.Fatal(err)
	}
	if n, _ := push.SendRoom(); n != before-1 {
		t.Fatalf("message in progress: SendRoom %d, want %d", n, before-1)
	}
	if n, _ := pull.SendRoom(); n != 0 {
		t.Fatalf("PULL: SendRoom %d, want 0", n)
	}
}

// SendRoom is -1 when a pipe has no high-water mark.
func TestSendRoomUnlimited(t *testing.T) {
	ctx, err := NewContext()
	must(t, err)
	defer ctx.Term()
	push, err := ctx.NewSocket(PUSH)
	must(t, err)
	defer push.Close()
	pull, err := ctx.NewSocket(PULL)
	must(t, err)
	defer pull.Close()
	must(t, push.SetSndhwm(0))
	must(t, pull.SetRcvhwm(0))
	must(t, push.SetLinger(0))
	must(t, push.Bind("inproc://sendroom-unlimited"))
	must(t, pull.Connect("inproc://sendroom-unlimited"))
	if n, _ := push.SendRoom(); n != -1 {
		t.Fatalf("SendRoom %d, want -1", n)
	}
}

// SendRoom says when none of a socket's pipes is inproc.
func TestSendRoomTCP(t *testing.T) {
	push, _ := pairUp(t, "tcp", true, PUSH, PULL)
	var room int
	var inproc bool
	waitUntil(t, "room", func() bool { room, inproc = push.SendRoom(); return room > 0 })
	if inproc {
		t.Fatal("a tcp pipe reported as inproc")
	}
}

// SendBatch sends as many messages as there is room for, in order, and
// then reports EAGAIN, as that many SendBytes(DONTWAIT) calls would.
func TestSendBatchStopsAtHWM(t *testing.T) {
	ctx := newTestContext(t)
	push := newTestSocket(t, ctx, PUSH)
	pull := newTestSocket(t, ctx, PULL)
	must(t, push.SetSndhwm(3))
	must(t, pull.SetRcvhwm(4))
	must(t, push.SetLinger(0))
	must(t, push.Bind("inproc://sendbatch-hwm"))
	must(t, pull.Connect("inproc://sendbatch-hwm"))
	room, _ := push.SendRoom()
	var msgs [][]byte
	for i := 0; i < room+5; i++ {
		msgs = append(msgs, []byte{byte('a' + i)})
	}
	n, err := push.SendBatch(msgs)
	if n != room || AsErrno(err) != eagain {
		t.Fatalf("SendBatch: %d, %v; want %d, EAGAIN", n, err, room)
	}
	for i := 0; i < room; i++ {
		got, err := pull.RecvBytes(DONTWAIT)
		if err != nil || string(got) != string(msgs[i]) {
			t.Fatalf("message %d: %q, %v; want %q", i, got, err, msgs[i])
		}
	}
	if _, err := pull.RecvBytes(DONTWAIT); AsErrno(err) != eagain {
		t.Fatalf("after %d messages: %v, want EAGAIN", room, err)
	}
}

// With several peers, SendBatch deals the messages out in turn, and the
// next batch goes on where the last one stopped.
func TestSendBatchRoundRobin(t *testing.T) {
	ctx := newTestContext(t)
	push := newTestSocket(t, ctx, PUSH)
	must(t, push.Bind("inproc://sendbatch-rr"))
	pulls := []*Socket{newTestSocket(t, ctx, PULL), newTestSocket(t, ctx, PULL)}
	for _, p := range pulls {
		must(t, p.Connect("inproc://sendbatch-rr"))
	}
	for _, batch := range [][][]byte{{[]byte("a"), []byte("b"), []byte("c")}, {[]byte("d")}} {
		if n, err := push.SendBatch(batch); n != len(batch) || err != nil {
			t.Fatalf("SendBatch: %d, %v", n, err)
		}
	}
	want := [][]string{{"a", "c"}, {"b", "d"}}
	for i, p := range pulls {
		for _, w := range want[i] {
			got, err := p.Recv(0)
			if err != nil || got != w {
				t.Fatalf("peer %d: %q, %v; want %q", i, got, err, w)
			}
		}
	}
}

// A message begun with SNDMORE ends with the first message of a batch,
// as it would with SendBytes.
func TestSendBatchAfterSndmore(t *testing.T) {
	push, pull := pairUp(t, "inproc", true, PUSH, PULL)
	if _, err := push.Send("head", SNDMORE); err != nil {
		t.Fatal(err)
	}
	if n, err := push.SendBatch([][]byte{[]byte("tail"), []byte("next")}); n != 2 || err != nil {
		t.Fatalf("SendBatch: %d, %v", n, err)
	}
	expectParts(t, pull, "head", "tail")
	expectParts(t, pull, "next")
}

// Parts of one connection have the same properties by SameProperties;
// parts of two connections do not.
func TestPartSourceSameProperties(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	must(t, pull.Bind("tcp://127.0.0.1:*"))
	ep := pull.opt.lastEndpoint
	for _, id := range []string{"one", "two"} {
		push := newTestSocket(t, ctx, PUSH)
		must(t, push.SetIdentity(id))
		must(t, push.Connect(ep))
		sendParts(t, push, id+"-a")
		sendParts(t, push, id+"-b")
	}
	srcs := map[string]PartSource{}
	for len(srcs) < 4 {
		_, err := pull.RecvBatch(func(data []byte, _ PartInfo, src PartSource) bool {
			srcs[string(data)] = src
			return true
		})
		if err != nil {
			if AsErrno(err) != eagain {
				t.Fatal(err)
			}
			waitForInput(t, pull)
		}
	}
	if !srcs["one-a"].SameProperties(srcs["one-b"]) || !srcs["two-a"].SameProperties(srcs["two-b"]) {
		t.Fatal("parts of one connection: SameProperties false")
	}
	if srcs["one-a"].SameProperties(srcs["two-a"]) {
		t.Fatal("parts of two connections: SameProperties true")
	}
	if (PartSource{}).SameProperties(PartSource{}) {
		t.Fatal("parts with no connection: SameProperties true")
	}
}
