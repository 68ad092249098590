package zmq4

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"syscall"
	"testing"
	"time"
)

func TestPairExchangesMultipart(t *testing.T) {
	eachTransport(t, func(t *testing.T, tr string, bf bool) {
		b, c := pairUp(t, tr, bf, PAIR, PAIR)
		sendParts(t, c, "a", "", "ccc")
		expectParts(t, b, "a", "", "ccc")
		sendParts(t, b, "reply")
		expectParts(t, c, "reply")
	})
}

func TestPushPullDeliversInOrder(t *testing.T) {
	eachTransport(t, func(t *testing.T, tr string, bf bool) {
		pull, push := pairUp(t, tr, bf, PULL, PUSH)
		const n = 5000
		go func() {
			for i := 0; i < n; i++ {
				push.Send(strconv.Itoa(i), 0)
			}
		}()
		for i := 0; i < n; i++ {
			got, err := pull.Recv(0)
			must(t, err)
			if got != strconv.Itoa(i) {
				t.Fatalf("message %d: got %q", i, got)
			}
		}
	})
}

func TestPushRoundRobinsOverPullers(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			ctx := newTestContext(t)
			push := newTestSocket(t, ctx, PUSH)
			must(t, push.Bind(endpointFor(t, tr)))
			ep := push.opt.lastEndpoint
			pulls := []*Socket{newTestSocket(t, ctx, PULL), newTestSocket(t, ctx, PULL)}
			for _, p := range pulls {
				must(t, p.Connect(ep))
			}
			waitUntil(t, "both pullers attached", func() bool {
				push.mu.Lock()
				defer push.mu.Unlock()
				return len(push.pipes) == 2 && allReady(push)
			})
			for i := 0; i < 4; i++ {
				sendParts(t, push, strconv.Itoa(i))
			}
			a, b := recvParts(t, pulls[0])[0], recvParts(t, pulls[1])[0]
			a2, b2 := recvParts(t, pulls[0])[0], recvParts(t, pulls[1])[0]
			// Each puller gets every second message.
			ai, _ := strconv.Atoi(a)
			a2i, _ := strconv.Atoi(a2)
			bi, _ := strconv.Atoi(b)
			b2i, _ := strconv.Atoi(b2)
			if a2i-ai != 2 || b2i-bi != 2 {
				t.Fatalf("not round robin: %s %s / %s %s", a, a2, b, b2)
			}
		})
	}
}

func allReady(s *Socket) bool {
	for p := range s.pipes {
		p.propsMu.Lock()
		r := p.ready
		p.propsMu.Unlock()
		if !r {
			return false
		}
	}
	return true
}

func TestPullFairQueues(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	must(t, pull.Bind("inproc://fq"))
	p1, p2 := newTestSocket(t, ctx, PUSH), newTestSocket(t, ctx, PUSH)
	must(t, p1.Connect("inproc://fq"))
	must(t, p2.Connect("inproc://fq"))
	for i := 0; i < 3; i++ {
		sendParts(t, p1, "one")
	}
	for i := 0; i < 3; i++ {
		sendParts(t, p2, "two")
	}
	var got []string
	for i := 0; i < 4; i++ {
		got = append(got, recvParts(t, pull)[0])
	}
	if got[0] == got[1] || got[1] == got[2] || got[2] == got[3] {
		t.Fatalf("not fair-queued: %q", got)
	}
}

func TestReqRep(t *testing.T) {
	eachTransport(t, func(t *testing.T, tr string, bf bool) {
		rep, req := pairUp(t, tr, bf, REP, REQ)
		for i := 0; i < 3; i++ {
			sendParts(t, req, "hello", strconv.Itoa(i))
			expectParts(t, rep, "hello", strconv.Itoa(i))
			sendParts(t, rep, "world", strconv.Itoa(i))
			expectParts(t, req, "world", strconv.Itoa(i))
		}
	})
}

func TestReqStateMachine(t *testing.T) {
	ctx := newTestContext(t)
	req := newTestSocket(t, ctx, REQ)
	rep := newTestSocket(t, ctx, REP)
	must(t, rep.Bind("inproc://fsm"))
	must(t, req.Connect("inproc://fsm"))
	if _, err := req.Recv(0); !errors.Is(err, EFSM) {
		t.Fatalf("recv before send: %v, want EFSM", err)
	}
	if _, err := rep.Send("x", 0); !errors.Is(err, EFSM) {
		t.Fatalf("rep send before recv: %v, want EFSM", err)
	}
	sendParts(t, req, "q")
	if _, err := req.Send("q2", 0); !errors.Is(err, EFSM) {
		t.Fatalf("second send: %v, want EFSM", err)
	}
	expectParts(t, rep, "q")
	sendParts(t, rep, "a")
	expectParts(t, req, "a")
}

func TestReqRelaxedAndCorrelate(t *testing.T) {
	ctx := newTestContext(t)
	req := newTestSocket(t, ctx, REQ)
	router := newTestSocket(t, ctx, ROUTER)
	must(t, router.Bind("inproc://relaxed"))
	req.opt.reqRelaxed, req.opt.reqCorrelate = true, true
	must(t, req.Connect("inproc://relaxed"))
	sendParts(t, req, "first")
	m1, err := router.RecvMessageBytes(0)
	must(t, err)
	sendParts(t, req, "second")
	m2, err := router.RecvMessageBytes(0)
	must(t, err)
	if len(m1) != 4 || len(m1[1]) != 4 || len(m1[2]) != 0 || string(m1[3]) != "first" {
		t.Fatalf("correlated request: %q", m1)
	}
	// A reply to the first request is dropped; the second one's arrives.
	router.SendMessage(m1[0], m1[1], "", "late")
	router.SendMessage(m2[0], m2[1], "", "right")
	expectParts(t, req, "right")
}

func TestDealerRouterIdentities(t *testing.T) {
	eachTransport(t, func(t *testing.T, tr string, bf bool) {
		router, dealer := pairUp(t, tr, bf, ROUTER, DEALER)
		_ = dealer
		ctx := router.ctx
		named := newTestSocket(t, ctx, DEALER)
		named.opt.identity = "alice"
		must(t, named.Connect(router.opt.lastEndpoint))
		sendParts(t, named, "hi")
		m := recvParts(t, router)
		if len(m) != 2 || m[0] != "alice" || m[1] != "hi" {
			t.Fatalf("router got %q", m)
		}
		sendParts(t, router, "alice", "back")
		expectParts(t, named, "back")

		sendParts(t, dealer, "anon")
		m2, err := router.RecvMessageBytes(0)
		must(t, err)
		if len(m2[0]) != 5 || m2[0][0] != 0 || string(m2[1]) != "anon" {
			t.Fatalf("generated id: %q", m2)
		}
		router.SendMessage(m2[0], "to anon")
		expectParts(t, dealer, "to anon")
	})
}

func TestRouterMandatory(t *testing.T) {
	ctx := newTestContext(t)
	router := newTestSocket(t, ctx, ROUTER)
	if _, err := router.SendMessage("nobody", "x"); err != nil {
		t.Fatalf("unknown peer without mandatory: %v", err)
	}
	router.opt.routerMandatory = true
	if _, err := router.SendMessage("nobody", "x"); !errors.Is(err, EHOSTUNREACH) {
		t.Fatalf("unknown peer with mandatory: %v, want EHOSTUNREACH", err)
	}
}

func TestRouterHandover(t *testing.T) {
	ctx := newTestContext(t)
	router := newTestSocket(t, ctx, ROUTER)
	router.opt.routerHandover = true
	must(t, router.Bind("tcp://127.0.0.1:*"))
	ep := router.opt.lastEndpoint
	d1 := newTestSocket(t, ctx, DEALER)
	d1.opt.identity = "X"
	must(t, d1.Connect(ep))
	sendParts(t, d1, "from d1")
	expectParts(t, router, "X", "from d1")
	d2 := newTestSocket(t, ctx, DEALER)
	d2.opt.identity = "X"
	must(t, d2.Connect(ep))
	sendParts(t, d2, "from d2")
	expectParts(t, router, "X", "from d2")
	sendParts(t, router, "X", "to X")
	expectParts(t, d2, "to X")
}

func TestPubSubFiltersByPrefix(t *testing.T) {
	eachTransport(t, func(t *testing.T, tr string, bf bool) {
		pub, sub := pairUp(t, tr, bf, PUB, SUB)
		must(t, sub.subscribeLocked([]byte("weather"), true))
		// Publish until the subscription has arrived (slow joiner).
		waitUntil(t, "subscription", func() bool {
			sendParts(t, pub, "weather", "sunny")
			ok, _ := pollIn(sub)
			return ok
		})
		sendParts(t, pub, "news", "x")
		sendParts(t, pub, "weather.today", "rain")
		for {
			m := recvParts(t, sub)
			if m[0] == "weather.today" {
				break
			}
			if m[0] != "weather" {
				t.Fatalf("unwanted %q", m)
			}
		}
	})
}

func pollIn(s *Socket) (bool, error) {
	st, err := s.GetEvents()
	return st&POLLIN != 0, err
}

func TestXPubSeesSubscriptions(t *testing.T) {
	eachTransport(t, func(t *testing.T, tr string, bf bool) {
		xpub, sub := pairUp(t, tr, bf, XPUB, SUB)
		sub.mu.Lock()
		must(t, sub.subscribeLocked([]byte("A"), true))
		sub.mu.Unlock()
		m, err := xpub.RecvBytes(0)
		must(t, err)
		if !bytes.Equal(m, []byte("\x01A")) {
			t.Fatalf("xpub got %q", m)
		}
		sub.mu.Lock()
		must(t, sub.subscribeLocked([]byte("A"), false))
		sub.mu.Unlock()
		m, err = xpub.RecvBytes(0)
		must(t, err)
		if !bytes.Equal(m, []byte("\x00A")) {
			t.Fatalf("xpub got %q", m)
		}
	})
}

func TestXSubForwardsSubscriptions(t *testing.T) {
	eachTransport(t, func(t *testing.T, tr string, bf bool) {
		xpub, xsub := pairUp(t, tr, bf, XPUB, XSUB)
		sendParts(t, xsub, "\x01topic")
		expectParts(t, xpub, "\x01topic")
		sendParts(t, xpub, "topic1", "data")
		expectParts(t, xsub, "topic1", "data")
		sendParts(t, xpub, "other")
		sendParts(t, xsub, "\x00topic")
		expectParts(t, xpub, "\x00topic")
	})
}

func TestSubscriptionsScale(t *testing.T) {
	ctx := newTestContext(t)
	pub := newTestSocket(t, ctx, PUB)
	sub := newTestSocket(t, ctx, SUB)
	must(t, pub.Bind("inproc://scale"))
	must(t, sub.Connect("inproc://scale"))
	const n = 100000
	sub.mu.Lock()
	for i := 0; i < n; i++ {
		sub.subscribeLocked([]byte(fmt.Sprintf("topic-%06d", i)), true)
	}
	sub.mu.Unlock()
	waitUntil(t, "all subscriptions", func() bool {
		pub.mu.Lock()
		defer pub.mu.Unlock()
		pub.pat.(*pubPattern).processInput()
		return pub.pat.(*pubPattern).all.Len() == n
	})
	sendParts(t, pub, "topic-099999-x", "hit")
	sendParts(t, pub, "nomatch", "miss")
	sendParts(t, pub, "topic-000000", "hit2")
	expectParts(t, sub, "topic-099999-x", "hit")
	expectParts(t, sub, "topic-000000", "hit2")
}

func TestRecvTimeoutGivesEAGAIN(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	pull.opt.rcvtimeo = 20 * time.Millisecond
	_, err := pull.Recv(0)
	if !errors.Is(err, syscall.EAGAIN) {
		t.Fatalf("got %v, want EAGAIN", err)
	}
	if _, err := pull.Recv(DONTWAIT); AsErrno(err) != Errno(syscall.EAGAIN) {
		t.Fatalf("DONTWAIT: %v", err)
	}
}

func TestSendHWMBlocksThenEAGAIN(t *testing.T) {
	ctx := newTestContext(t)
	push := newTestSocket(t, ctx, PUSH)
	pull := newTestSocket(t, ctx, PULL)
	must(t, pull.Bind("inproc://hwm"))
	must(t, push.Connect("inproc://hwm"))
	sent := 0
	for {
		if _, err := push.Send("x", DONTWAIT); err != nil {
			if !errors.Is(err, syscall.EAGAIN) {
				t.Fatal(err)
			}
			break
		}
		sent++
	}
	// libzmq: inproc queue = SNDHWM + RCVHWM.
	if sent != 2000 {
		t.Fatalf("sent %d before EAGAIN, want 2000", sent)
	}
	for i := 0; i < sent; i++ {
		if _, err := pull.Recv(0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := push.Send("again", DONTWAIT); err != nil {
		t.Fatalf("after draining: %v", err)
	}
}

func TestTermUnblocksWithETERM(t *testing.T) {
	ctx, _ := NewContext()
	pull, _ := ctx.NewSocket(PULL)
	errc := make(chan error, 1)
	go func() {
		_, err := pull.Recv(0)
		errc <- err
	}()
	time.Sleep(10 * time.Millisecond)
	done := make(chan struct{})
	go func() { ctx.Term(); close(done) }()
	select {
	case err := <-errc:
		if !errors.Is(err, ETERM) {
			t.Fatalf("got %v, want ETERM", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Recv not unblocked by Term")
	}
	pull.Close()
	<-done
}

func TestLingerDeliversAfterClose(t *testing.T) {
	for _, tr := range []string{"tcp", "ipc", "inproc"} {
		t.Run(tr, func(t *testing.T) {
			ctx := newTestContext(t)
			pull := newTestSocket(t, ctx, PULL)
			must(t, pull.Bind(endpointFor(t, tr)))
			push, _ := ctx.NewSocket(PUSH)
			must(t, push.Connect(pull.opt.lastEndpoint))
			for i := 0; i < 100; i++ {
				push.Send(strconv.Itoa(i), 0)
			}
			push.Close() // default linger: deliver everything
			for i := 0; i < 100; i++ {
				got, err := pull.Recv(0)
				must(t, err)
				if got != strconv.Itoa(i) {
					t.Fatalf("got %q want %d", got, i)
				}
			}
		})
	}
}

func TestConnectBeforePeerExistsQueues(t *testing.T) {
	ctx := newTestContext(t)
	push := newTestSocket(t, ctx, PUSH)
	pull := newTestSocket(t, ctx, PULL)
	// Find a free port, then connect before anyone binds it.
	probe := newTestSocket(t, ctx, PULL)
	must(t, probe.Bind("tcp://127.0.0.1:*"))
	ep := probe.opt.lastEndpoint
	probe.Close()
	must(t, push.Connect(ep))
	sendParts(t, push, "queued")
	must(t, pull.Bind(ep))
	expectParts(t, pull, "queued")
}

func TestReconnectAfterPeerRestarts(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	must(t, pull.Bind("tcp://127.0.0.1:*"))
	ep := pull.opt.lastEndpoint
	push := newTestSocket(t, ctx, PUSH)
	must(t, push.Connect(ep))
	sendParts(t, push, "one")
	expectParts(t, pull, "one")
	pull.Close()
	pull2 := newTestSocket(t, ctx, PULL)
	waitUntil(t, "rebind", func() bool { return pull2.Bind(ep) == nil })
	// Messages written before the old connection's end was noticed are
	// lost, as with libzmq; keep sending until the new peer hears one.
	waitUntil(t, "delivery after reconnect", func() bool {
		sendParts(t, push, "two")
		m, err := pull2.Recv(DONTWAIT)
		return err == nil && m == "two"
	})
}

func TestUnbindAndDisconnect(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	must(t, pull.Bind("tcp://127.0.0.1:*"))
	ep := pull.opt.lastEndpoint
	must(t, pull.Unbind(ep))
	if err := pull.Unbind(ep); err == nil {
		t.Fatal("second unbind succeeded")
	}
	must(t, pull.Bind(ep)) // the port is free again
	push := newTestSocket(t, ctx, PUSH)
	must(t, push.Connect(ep))
	must(t, push.Disconnect(ep))
	if err := push.Disconnect(ep); err == nil {
		t.Fatal("second disconnect succeeded")
	}
}

func TestIncompatiblePeerRefused(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	must(t, pull.Bind("tcp://127.0.0.1:*"))
	sub := newTestSocket(t, ctx, PUB)
	must(t, sub.Connect(pull.opt.lastEndpoint))
	time.Sleep(50 * time.Millisecond)
	pull.mu.Lock()
	n := len(pull.pipes)
	pull.mu.Unlock()
	if n != 0 {
		t.Fatalf("PULL accepted a PUB peer")
	}
}

func TestConcurrentSendersDoNotInterleave(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	push := newTestSocket(t, ctx, PUSH)
	must(t, pull.Bind("tcp://127.0.0.1:*"))
	must(t, push.Connect(pull.opt.lastEndpoint))
	const workers, each = 4, 500
	for w := 0; w < workers; w++ {
		go func(w int) {
			for i := 0; i < each; i++ {
				push.SendMessage(strconv.Itoa(w), "a", "b", strconv.Itoa(w))
			}
		}(w)
	}
	for i := 0; i < workers*each; i++ {
		m := recvParts(t, pull)
		if len(m) != 4 || m[0] != m[3] || m[1] != "a" || m[2] != "b" {
			t.Fatalf("interleaved: %q", m)
		}
	}
}

func TestStreamTalksRawTCP(t *testing.T) {
	ctx := newTestContext(t)
	st := newTestSocket(t, ctx, STREAM)
	must(t, st.Bind("tcp://127.0.0.1:*"))
	ep := st.opt.lastEndpoint[len("tcp://"):]
	conn, err := netDial(ep)
	must(t, err)
	defer conn.Close()
	m, err := st.RecvMessageBytes(0) // connect notification
	must(t, err)
	if len(m) != 2 || len(m[1]) != 0 {
		t.Fatalf("notification %q", m)
	}
	id := m[0]
	conn.Write([]byte("GET /"))
	m, err = st.RecvMessageBytes(0)
	must(t, err)
	if !bytes.Equal(m[0], id) || string(m[1]) != "GET /" {
		t.Fatalf("got %q", m)
	}
	st.SendMessage(id, "HTTP/1.0 200 OK\r\n")
	buf := make([]byte, 100)
	n, _ := conn.Read(buf)
	if string(buf[:n]) != "HTTP/1.0 200 OK\r\n" {
		t.Fatalf("client got %q", buf[:n])
	}
	st.SendMessage(id, "") // closes the connection
	if _, err := conn.Read(buf); err == nil {
		t.Fatal("connection still open")
	}
}

func TestInprocSubscribersDoNotShareMemory(t *testing.T) {
	ctx := newTestContext(t)
	pub := newTestSocket(t, ctx, PUB)
	must(t, pub.Bind("inproc://share"))
	a, b := newTestSocket(t, ctx, SUB), newTestSocket(t, ctx, SUB)
	for _, s := range []*Socket{a, b} {
		must(t, s.SetSubscribe(""))
		must(t, s.Connect("inproc://share"))
	}
	waitUntil(t, "subscriptions", func() bool {
		pub.mu.Lock()
		defer pub.mu.Unlock()
		x := pub.pat.(*pubPattern)
		x.processInput()
		return x.all.Len() == 1 && len(x.pipes) == 2 && x.pipes[0].subs.Len() == 1 && x.pipes[1].subs.Len() == 1
	})
	sendParts(t, pub, "original")
	got, err := a.RecvBytes(0)
	must(t, err)
	copy(got, "MUTATED!")
	if s := recvParts(t, b)[0]; s != "original" {
		t.Fatalf("second subscriber saw %q", s)
	}
}

func TestReqGetsReplyFromPeerThatLeft(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			ctx := newTestContext(t)
			rep := newTestSocket(t, ctx, REP)
			must(t, rep.Bind(endpointFor(t, tr)))
			req := newTestSocket(t, ctx, REQ)
			mon := monitorOf(t, req, EVENT_DISCONNECTED)
			must(t, req.Connect(rep.opt.lastEndpoint))
			sendParts(t, req, "q")
			expectParts(t, rep, "q")
			sendParts(t, rep, "last words")
			// Wait until the reply has reached the REQ, then let the REP go.
			waitUntil(t, "reply queued", func() bool { ok, _ := pollIn(req); return ok })
			rep.Close()
			if tr == "inproc" {
				waitUntil(t, "peer gone", func() bool {
					req.mu.Lock()
					defer req.mu.Unlock()
					return len(req.pipes) == 0
				})
			} else {
				expectEvents(t, mon, EVENT_DISCONNECTED)
			}
			expectParts(t, req, "last words")
		})
	}
}
