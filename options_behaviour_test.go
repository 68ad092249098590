package zmq4

import (
	"strconv"
	"testing"
	"time"
)

func TestConflateKeepsNewest(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, PULL)
	must(t, pull.SetConflate(true))
	must(t, pull.Bind("tcp://127.0.0.1:*"))
	push := newTestSocket(t, ctx, PUSH)
	must(t, push.Connect(pull.opt.lastEndpoint))
	for i := 0; i < 100; i++ {
		sendParts(t, push, strconv.Itoa(i))
	}
	sendParts(t, push, "last")
	// Whatever else survived, the newest message arrives and nothing older
	// follows it.
	for {
		m := recvParts(t, pull)
		if m[0] == "last" {
			break
		}
	}
	if _, err := pull.Recv(DONTWAIT); err == nil {
		t.Fatal("a message arrived after the newest one")
	}
}

func TestHelloAndDisconnectMessages(t *testing.T) {
	ctx := newTestContext(t)
	router := newTestSocket(t, ctx, ROUTER)
	must(t, router.SetDisconnectMsg("GONE"))
	must(t, router.Bind("tcp://127.0.0.1:*"))
	dealer := newTestSocket(t, ctx, DEALER)
	must(t, dealer.SetIdentity("d1"))
	must(t, dealer.SetHelloMsg("HELLO"))
	must(t, dealer.Connect(router.opt.lastEndpoint))
	expectParts(t, router, "d1", "HELLO")
	dealer.Close()
	expectParts(t, router, "d1", "GONE")
}

func TestHiccupMessage(t *testing.T) {
	ctx := newTestContext(t)
	pull := newTestSocket(t, ctx, ROUTER)
	must(t, pull.Bind("tcp://127.0.0.1:*"))
	dealer := newTestSocket(t, ctx, DEALER)
	must(t, dealer.SetHiccupMsg("HICCUP"))
	must(t, dealer.Connect(pull.opt.lastEndpoint))
	sendParts(t, dealer, "hi")
	recvParts(t, pull)
	pull.Close()
	expectParts(t, dealer, "HICCUP")
}

func TestRouterNotify(t *testing.T) {
	ctx := newTestContext(t)
	router := newTestSocket(t, ctx, ROUTER)
	must(t, router.SetRouterNotify(NotifyConnect|NotifyDisconnect))
	must(t, router.Bind("tcp://127.0.0.1:*"))
	dealer := newTestSocket(t, ctx, DEALER)
	must(t, dealer.SetIdentity("n1"))
	must(t, dealer.Connect(router.opt.lastEndpoint))
	expectParts(t, router, "n1", "")
	dealer.Close()
	expectParts(t, router, "n1", "")
}

func TestReconnectStopOnRefused(t *testing.T) {
	ctx := newTestContext(t)
	probe := newTestSocket(t, ctx, PULL)
	must(t, probe.Bind("tcp://127.0.0.1:*"))
	ep := probe.opt.lastEndpoint
	probe.Close()
	push := newTestSocket(t, ctx, PUSH)
	must(t, push.SetReconnectStop(ReconnectStopConnRefused))
	must(t, push.Connect(ep))
	push.mu.Lock()
	c := push.connects[ep][0]
	push.mu.Unlock()
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the connecter kept retrying after a refused connect")
	}
}
