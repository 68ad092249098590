package zmq4

import (
	"errors"
	"testing"
)

// probeUp binds a ROUTER and connects a socket of type ct with
// PROBE_ROUTER set before it connects, over transport.
func probeUp(t *testing.T, transport string, bindFirst bool, ct Type) (router, c *Socket) {
	return probeUpTo(t, transport, bindFirst, ROUTER, ct)
}

// probeUpTo is probeUp with a binding socket of type bt.
func probeUpTo(t *testing.T, transport string, bindFirst bool, bt, ct Type) (router, c *Socket) {
	t.Helper()
	ctx := newTestContext(t)
	router = newTestSocket(t, ctx, bt)
	c = newTestSocket(t, ctx, ct)
	must(t, c.SetProbeRouter(1))
	must(t, c.SetIdentity("prober"))
	ep := endpointFor(t, transport)
	if transport == "tcp" || transport == "ws" || bindFirst {
		must(t, router.Bind(ep))
		must(t, c.Connect(router.opt.lastEndpoint))
	} else {
		must(t, c.Connect(ep))
		must(t, router.Bind(ep))
	}
	return router, c
}

// TestProbeRouterDealerReq: a DEALER or REQ with PROBE_ROUTER sends an
// empty one-part message to the ROUTER it connects to, which receives it as
// [routing id, ""] before anything the application sends.
func TestProbeRouterDealerReq(t *testing.T) {
	for _, ct := range []Type{DEALER, REQ} {
		t.Run(ct.String(), func(t *testing.T) {
			eachTransport(t, func(t *testing.T, transport string, bindFirst bool) {
				router, c := probeUp(t, transport, bindFirst, ct)
				m := recvParts(t, router)
				if len(m) != 2 || m[0] != "prober" || m[1] != "" {
					t.Fatalf("ROUTER got %q, want [id, \"\"]", m)
				}
				sendParts(t, c, "hello")
				got := recvParts(t, router)
				want := []string{m[0], "hello"}
				if ct == REQ {
					want = []string{m[0], "", "hello"}
				}
				if len(got) != len(want) || got[0] != want[0] || got[len(got)-1] != "hello" || (ct == REQ && got[1] != "") {
					t.Fatalf("ROUTER got %q after the probe, want %q", got, want)
				}
			})
		})
	}
}

// TestProbeRouterReqState: the probe is not a request, so a REQ with
// PROBE_ROUTER still refuses to receive before sending and then completes
// an ordinary request-reply round.
func TestProbeRouterReqState(t *testing.T) {
	router, req := probeUp(t, "tcp", true, REQ)
	m := recvParts(t, router)
	if len(m) != 2 || m[1] != "" {
		t.Fatalf("ROUTER got %q, want [id, \"\"]", m)
	}
	if _, err := req.Recv(DONTWAIT); !errors.Is(err, EFSM) {
		t.Fatalf("REQ Recv before any request: %v, want EFSM", err)
	}
	sendParts(t, req, "question")
	expectParts(t, router, m[0], "", "question")
	sendParts(t, router, m[0], "", "answer")
	expectParts(t, req, "answer")
}

// TestProbeRouterRep: REP is built on ROUTER in libzmq and probes too; its
// peers are REQ and DEALER, so a DEALER receives the probe as one empty part.
func TestProbeRouterRep(t *testing.T) {
	eachTransport(t, func(t *testing.T, transport string, bindFirst bool) {
		dealer, rep := probeUpTo(t, transport, bindFirst, DEALER, REP)
		expectParts(t, dealer, "")
		sendParts(t, dealer, "", "ping")
		expectParts(t, rep, "ping")
		sendParts(t, rep, "pong")
		expectParts(t, dealer, "", "pong")
	})
}

// TestProbeRouterOff: without the option nothing is sent on connection.
func TestProbeRouterOff(t *testing.T) {
	ctx := newTestContext(t)
	router := newTestSocket(t, ctx, ROUTER)
	dealer := newTestSocket(t, ctx, DEALER)
	must(t, router.Bind("tcp://127.0.0.1:*"))
	must(t, dealer.Connect(router.opt.lastEndpoint))
	sendParts(t, dealer, "first")
	got := recvParts(t, router)
	if len(got) != 2 || got[1] != "first" {
		t.Fatalf("ROUTER got %q, want [id, first]", got)
	}
}
