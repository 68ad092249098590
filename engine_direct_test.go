package zmq4

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// onlyEngine returns the engine of s's only pipe, or nil.
func onlyEngine(s *Socket) *engine {
	s.mu.Lock()
	defer s.mu.Unlock()
	for p := range s.pipes {
		return p.engine.Load()
	}
	return nil
}

// readState returns the state of the read token of s's only connection,
// and the number of Recvs that took it.
func readState(t *testing.T, s *Socket) (int32, uint32) {
	t.Helper()
	e := onlyEngine(s)
	if e == nil || e.direct == nil {
		t.Fatal("the socket's connection cannot be read in place")
	}
	return e.direct.state.Load(), e.direct.turns.Load()
}

// roundTrip sends req from the REQ socket and echoes it back from REP.
func roundTrip(t *testing.T, req, rep *Socket, msg []byte) {
	t.Helper()
	if _, err := req.SendBytes(msg, 0); err != nil {
		t.Fatal(err)
	}
	got, err := rep.RecvBytes(0)
	must(t, err)
	if !bytes.Equal(got, msg) {
		t.Fatalf("request of %d bytes arrived as %d bytes, different", len(msg), len(got))
	}
	if _, err := rep.SendBytes(got, 0); err != nil {
		t.Fatal(err)
	}
	got, err = req.RecvBytes(0)
	must(t, err)
	if !bytes.Equal(got, msg) {
		t.Fatalf("reply of %d bytes arrived as %d bytes, different", len(msg), len(got))
	}
}

// TestRecvReadsInPlace runs REQ/REP round trips over tcp and ipc, with and
// without CURVE, with and without a receive timeout, in sizes that take
// every path of the decoder (small frames, large frames in buffers of
// their own, frames larger than a socket buffer): every message arrives
// whole, and both sides' Recv read their connection themselves.
func TestRecvReadsInPlace(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reading in place is for Linux")
	}
	sizes := []int{0, 1, 64, 1000, largeFrame, 100 << 10, 3 << 20}
	for _, tr := range []string{"tcp", "ipc"} {
		for _, curve := range []bool{false, true} {
			for _, timeout := range []time.Duration{-1, 10 * time.Second} {
				t.Run(fmt.Sprintf("%s/curve=%v/rcvtimeo=%v", tr, curve, timeout), func(t *testing.T) {
					req, rep := connectReqRep(t, tr, curve, timeout)
					for round := range 3 {
						for i, size := range sizes {
							roundTrip(t, req, rep, payload(round*len(sizes)+i, size))
						}
					}
					for _, s := range []*Socket{req, rep} {
						if _, turns := readState(t, s); turns == 0 {
							t.Errorf("%v: no Recv read its connection", s.typ)
						}
					}
				})
			}
		}
	}
}

// lendToApp makes a round trip, after which both sockets' Recv hold their
// connection's read token.
func lendToApp(t *testing.T, req, rep *Socket) {
	t.Helper()
	roundTrip(t, req, rep, []byte("lend"))
	for _, s := range []*Socket{req, rep} {
		if st, _ := readState(t, s); st != readIdle {
			// A tick of the reclaiming clock may have come between
			// this Recv and the check: one more round trip lends it
			// again, within far less than the clock's period.
			roundTrip(t, req, rep, []byte("lend"))
		}
	}
}

// recvResult is what a Recv started by recvInPlace returned.
type recvResult struct {
	msg string
	err error
}

// recvInPlace starts a Recv on s in another goroutine and waits until it
// reads s's connection in place; its result arrives on the channel
// returned.
func recvInPlace(t *testing.T, s *Socket) <-chan recvResult {
	t.Helper()
	got := make(chan recvResult, 1)
	go func() {
		m, err := s.Recv(0)
		got <- recvResult{m, err}
	}()
	waitUntil(t, fmt.Sprintf("the %v's Recv reading in place", s.typ), func() bool {
		st, _ := readState(t, s)
		return st == readAppWaits
	})
	return got
}

// recvUnanswered sends a request that rep receives and never answers, and
// starts a Recv on req, which reads its connection in place.
func recvUnanswered(t *testing.T, req, rep *Socket) <-chan recvResult {
	t.Helper()
	lendToApp(t, req, rep)
	sendParts(t, req, "never answered")
	expectParts(t, rep, "never answered")
	return recvInPlace(t, req)
}

// TestRecvInPlaceSecondPeer: a REP whose Recv reads its only connection
// gets a second one. The new connection kicks the read, so the Recv
// receives the second client's request although the first says nothing.
func TestRecvInPlaceSecondPeer(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reading in place is for Linux")
	}
	ctx := newTestContext(t)
	rep := newTestSocket(t, ctx, REP)
	must(t, rep.SetRcvtimeo(-1))
	must(t, rep.Bind("tcp://127.0.0.1:*"))
	first := newTestSocket(t, ctx, REQ)
	must(t, first.Connect(rep.opt.lastEndpoint))
	lendToApp(t, first, rep)

	got := recvInPlace(t, rep)
	second := newTestSocket(t, ctx, REQ)
	must(t, second.Connect(rep.opt.lastEndpoint))
	sendParts(t, second, "from the second")
	select {
	case r := <-got:
		if r.msg != "from the second" || r.err != nil {
			t.Fatalf("REP received %q, %v", r.msg, r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the REP's Recv did not receive the second client's request")
	}
	sendParts(t, rep, "reply")
	expectParts(t, second, "reply")
}

// TestRecvInPlaceTerm: the reclaiming clock stops while a Recv reads its
// connection in place, and Term ends that Recv with ETERM.
func TestRecvInPlaceTerm(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reading in place is for Linux")
	}
	ctx, err := NewContext()
	must(t, err)
	rep, err := ctx.NewSocket(REP)
	must(t, err)
	req, err := ctx.NewSocket(REQ)
	must(t, err)
	for _, s := range []*Socket{req, rep} {
		must(t, s.SetLinger(0))
	}
	must(t, rep.Bind("tcp://127.0.0.1:*"))
	must(t, req.Connect(rep.opt.lastEndpoint))
	got := recvUnanswered(t, req, rep)
	// The clock that takes an idle connection back stops while a Recv
	// reads, so a Recv that waits long costs no wake-ups.
	waitUntil(t, "the reclaiming clock to stop", func() bool {
		return !onlyEngine(req).direct.ticking.Load()
	})
	termed := make(chan error, 1)
	go func() { termed <- ctx.Term() }()
	select {
	case r := <-got:
		if !errors.Is(r.err, ETERM) {
			t.Fatalf("Recv returned %v, want ETERM", r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Term did not end the Recv reading in place")
	}
	must(t, req.Close())
	must(t, rep.Close())
	must(t, <-termed)
}

// TestRecvInPlaceGivesBack: a connection lent to the application goes back
// to its connection goroutine when the application asks for ZMQ_EVENTS, and
// by itself when no Recv takes it; then a peer that goes away while the
// application is not receiving is noticed (EVENT_DISCONNECTED).
func TestRecvInPlaceGivesBack(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reading in place is for Linux")
	}
	req, rep := connectReqRep(t, "tcp", false, 10*time.Second)
	mon := monitorOf(t, req, EVENT_DISCONNECTED)

	lendToApp(t, req, rep)
	if _, err := req.GetEvents(); err != nil {
		t.Fatal(err)
	}
	if st, _ := readState(t, req); st != readByReader {
		t.Fatalf("after GetEvents the read token is in state %d, want the connection goroutine's", st)
	}

	lendToApp(t, req, rep)
	waitUntil(t, "the idle read token to go back", func() bool {
		st, _ := readState(t, rep)
		return st == readByReader
	})

	lendToApp(t, req, rep)
	must(t, rep.Close())
	expectEvents(t, mon, EVENT_DISCONNECTED)
}

// TestRecvInPlacePeerGone: the peer goes away while a Recv reads in place.
// The connection ends as if its goroutine had met the error itself
// (EVENT_DISCONNECTED), and the Recv goes on waiting, as a REQ does.
func TestRecvInPlacePeerGone(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reading in place is for Linux")
	}
	req, rep := connectReqRep(t, "tcp", false, -1)
	mon := monitorOf(t, req, EVENT_DISCONNECTED)
	got := recvUnanswered(t, req, rep)
	must(t, rep.Close())
	expectEvents(t, mon, EVENT_DISCONNECTED)
	select {
	case r := <-got:
		t.Fatalf("Recv returned %q, %v while no reply can come", r.msg, r.err)
	default:
	}
	must(t, req.Close())
	if r := <-got; !errors.Is(r.err, ErrorSocketClosed) {
		t.Fatalf("Recv returned %v after Close, want %v", r.err, ErrorSocketClosed)
	}
}

// TestRecvInPlaceKeepsUndelivered: a peer that pipelines requests to a REP
// with RCVHWM 1 has several decoded in one read in place; those that do
// not fit are kept and delivered by later Recvs, in order.
func TestRecvInPlaceKeepsUndelivered(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reading in place is for Linux")
	}
	ctx := newTestContext(t)
	rep := newTestSocket(t, ctx, REP)
	must(t, rep.SetRcvhwm(1))
	// The replies wait until every request is in, so REP must not drop
	// them at its SNDHWM, as it does (like libzmq's) when the DEALER's
	// side stops taking them: each reply is a write of its own, and the
	// kernel counts a buffer's worth per write.
	must(t, rep.SetSndhwm(0))
	dealer := newTestSocket(t, ctx, DEALER)
	must(t, rep.Bind("tcp://127.0.0.1:*"))
	must(t, dealer.Connect(rep.opt.lastEndpoint))
	const count = 2000
	go func() {
		for i := range count {
			if _, err := dealer.SendMessage("", fmt.Sprint(i)); err != nil {
				return
			}
		}
	}()
	for i := range count {
		m, err := rep.Recv(0)
		must(t, err)
		if m != fmt.Sprint(i) {
			t.Fatalf("request %d arrived as %q", i, m)
		}
		_, err = rep.Send(m, 0)
		must(t, err)
	}
	for i := range count {
		expectParts(t, dealer, "", fmt.Sprint(i))
	}
	if _, turns := readState(t, rep); turns == 0 {
		t.Error("no Recv read the REP's connection")
	}
}

// TestRecvInPlaceStaleDeadline: a read deadline left on a lent connection
// (takeRead asks the connection goroutine for the token with one, and may
// set it after that goroutine has lent the token and cleared the
// deadline) does not end a Recv that waits with no time limit.
func TestRecvInPlaceStaleDeadline(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reading in place is for Linux")
	}
	req, rep := connectReqRep(t, "tcp", false, -1)
	for range 20 {
		lendToApp(t, req, rep)
		onlyEngine(req).conn.SetReadDeadline(aLongTimeAgo)
		roundTrip(t, req, rep, []byte("after a stale deadline"))
	}
}

// TestRecvInPlaceConcurrentRecv: a second goroutine's Recv while one reads
// in place (a Socket may be used by several goroutines) waits for what the
// first delivers, and later Recvs still ask for the connection and read
// in place.
func TestRecvInPlaceConcurrentRecv(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reading in place is for Linux")
	}
	req, rep := connectReqRep(t, "tcp", false, -1)
	lendToApp(t, req, rep)
	first := recvInPlace(t, rep)
	second := make(chan recvResult, 1)
	go func() {
		m, err := rep.Recv(0)
		second <- recvResult{m, err}
	}()
	// The second Recv waits without asking for the connection.
	waitUntil(t, "the second Recv to wait", func() bool {
		buf := make([]byte, 1<<20)
		return bytes.Contains(buf[:runtime.Stack(buf, true)], []byte("takeRead"))
	})
	sendParts(t, req, "one")
	// Whichever Recv takes the request first gets it; REP then owes a
	// reply, so the other fails as a Recv there does.
	r1, r2 := <-first, <-second
	if r1.err != nil {
		r1, r2 = r2, r1
	}
	if r1.msg != "one" || r1.err != nil || !errors.Is(r2.err, EFSM) {
		t.Fatalf("the Recvs returned %q, %v and %q, %v; want the request and EFSM", r1.msg, r1.err, r2.msg, r2.err)
	}
	sendParts(t, rep, "one")
	expectParts(t, req, "one")
	// The connection goes back to its goroutine, and the next Recv must
	// ask for it again.
	if _, err := rep.GetEvents(); err != nil {
		t.Fatal(err)
	}
	if st, _ := readState(t, rep); st != readByReader {
		t.Fatalf("after GetEvents the read token is in state %d", st)
	}
	third := recvInPlace(t, rep)
	sendParts(t, req, "two")
	if r := <-third; r.msg != "two" {
		t.Fatalf("third Recv got %q, %v", r.msg, r.err)
	}
}
