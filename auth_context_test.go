package zmq4

import (
	"fmt"
	"testing"
)

// ctxCurveServer makes a CURVE server PULL socket in ctx, bound on tcp,
// with a monitor of its handshake events; it returns the socket, its
// endpoint and the monitor's PAIR socket.
func ctxCurveServer(t *testing.T, ctx *Context, domain string, cert *Cert) (*Socket, string, *Socket) {
	t.Helper()
	server := newTestSocket(t, ctx, PULL)
	must(t, server.ServerAuthCurve(domain, cert.SecretTxt()))
	addr := fmt.Sprintf("inproc://auth-ctx-monitor-%d", authMonitorSeq.Add(1))
	must(t, server.Monitor(addr, EVENT_HANDSHAKE_SUCCEEDED|EVENT_HANDSHAKE_FAILED_AUTH|EVENT_HANDSHAKE_FAILED_PROTOCOL|EVENT_HANDSHAKE_FAILED_NO_DETAIL))
	mon := newTestSocket(t, ctx, PAIR)
	must(t, mon.Connect(addr))
	must(t, server.Bind("tcp://127.0.0.1:*"))
	ep, err := server.GetLastEndpoint()
	must(t, err)
	return server, ep, mon
}

// ctxCurveClientHandshake connects a CURVE PUSH client with cert (made in
// ctx) to the server at ep and returns the server's next handshake event
// and value. On success it sends one message holding the client's key.
func ctxCurveClientHandshake(t *testing.T, ctx *Context, ep string, serverCert, cert *Cert, mon *Socket) (Event, int, *Socket) {
	t.Helper()
	client := newTestSocket(t, ctx, PUSH)
	must(t, cert.Apply(client))
	must(t, client.SetCurveServerkey(serverCert.PublicTxt()))
	must(t, client.Connect(ep))
	ev, _, value, err := mon.RecvEvent(0)
	must(t, err)
	if ev == EVENT_HANDSHAKE_FAILED_AUTH {
		// The client would retry for ever; it is of no more use.
		client.Close()
	}
	return ev, value, client
}

// A CURVE server in a context made with NewContext is checked by that
// context's authenticator: an unknown key is refused with status 400 and an
// allowed one is accepted, with its key as User-Id.
func TestContextAuthCurve(t *testing.T) {
	ctx := newTestContext(t)
	must(t, ctx.AuthStart())
	t.Cleanup(ctx.AuthStop)
	serverCert, _ := NewCert()
	allowed, _ := NewCert()
	unknown, _ := NewCert()
	ctx.AuthCurveAdd("ctx-curve", allowed.PublicTxt())

	server, ep, mon := ctxCurveServer(t, ctx, "ctx-curve", serverCert)
	if ev, value, _ := ctxCurveClientHandshake(t, ctx, ep, serverCert, unknown, mon); ev != EVENT_HANDSHAKE_FAILED_AUTH || value != 400 {
		t.Fatalf("unknown key: event %v value %d, want HANDSHAKE_FAILED_AUTH 400", ev, value)
	}
	ev, value, client := ctxCurveClientHandshake(t, ctx, ep, serverCert, allowed, mon)
	if ev != EVENT_HANDSHAKE_SUCCEEDED {
		t.Fatalf("allowed key: event %v value %d, want HANDSHAKE_SUCCEEDED", ev, value)
	}
	_, err := client.Send("hello", 0)
	must(t, err)
	msg, props, err := server.RecvWithMetadata(0, "User-Id")
	must(t, err)
	if msg != "hello" || props["User-Id"] != allowed.PublicTxt() {
		t.Fatalf("got %q %v, want hello with User-Id %s", msg, props, allowed.PublicTxt())
	}
}

// Two contexts with different policies, and the default context's
// authenticator, do not see each other's policies.
func TestContextAuthIsolated(t *testing.T) {
	authKeepState(t)
	ctxA, ctxB := newTestContext(t), newTestContext(t)
	must(t, ctxA.AuthStart())
	t.Cleanup(ctxA.AuthStop)
	must(t, ctxB.AuthStart())
	t.Cleanup(ctxB.AuthStop)
	serverCert, _ := NewCert()
	certA, _ := NewCert()
	certB, _ := NewCert()
	certDefault, _ := NewCert()
	ctxA.AuthCurveAdd("*", certA.PublicTxt())
	ctxB.AuthCurveAdd("*", certB.PublicTxt())
	AuthCurveAdd("*", certDefault.PublicTxt())

	for _, c := range []struct {
		name   string
		ctx    *Context
		accept *Cert
		refuse []*Cert
	}{
		{"A", ctxA, certA, []*Cert{certB, certDefault}},
		{"B", ctxB, certB, []*Cert{certA, certDefault}},
	} {
		_, ep, mon := ctxCurveServer(t, c.ctx, "iso", serverCert)
		for i, cert := range c.refuse {
			if ev, value, _ := ctxCurveClientHandshake(t, c.ctx, ep, serverCert, cert, mon); ev != EVENT_HANDSHAKE_FAILED_AUTH || value != 400 {
				t.Fatalf("context %s, foreign key %d: event %v value %d, want HANDSHAKE_FAILED_AUTH 400", c.name, i, ev, value)
			}
		}
		if ev, value, _ := ctxCurveClientHandshake(t, c.ctx, ep, serverCert, c.accept, mon); ev != EVENT_HANDSHAKE_SUCCEEDED {
			t.Fatalf("context %s, own key: event %v value %d, want HANDSHAKE_SUCCEEDED", c.name, ev, value)
		}
	}

	// The default context's authenticator knows neither context's keys.
	key := func(c *Cert) string { return string(c.PublicKey()) }
	authExpect(t, "400", authRequest("iso", "127.0.0.1", "CURVE", key(certA)))
	authExpect(t, "400", authRequest("iso", "127.0.0.1", "CURVE", key(certB)))
	authExpect(t, "200", authRequest("iso", "127.0.0.1", "CURVE", key(certDefault)))
}

// The default context's Context methods and the package-level functions
// drive one authenticator.
func TestContextAuthDefaultIsPackageLevel(t *testing.T) {
	authKeepState(t)
	if getDefaultContext().authenticator() != defaultAuth {
		t.Fatal("the default context has an authenticator of its own")
	}
	must(t, getDefaultContext().AuthStart())
	if err := AuthStart(); err == nil {
		AuthStop()
		t.Fatal("AuthStart succeeded with the default context's authenticator running")
	}
	AuthStop()
	if getDefaultContext().zapFunc() != nil {
		t.Fatal("ZAP handler still bound after AuthStop")
	}
}

// A context's authenticator stops with the context: Term does not wait for
// an AuthStop, and AuthStop afterwards returns.
func TestContextAuthEndsWithContext(t *testing.T) {
	ctx, err := NewContext()
	must(t, err)
	must(t, ctx.AuthStart())
	if ctx.zapFunc() == nil {
		t.Fatal("no ZAP handler bound in the context")
	}
	if getDefaultContext().zapFunc() != nil {
		t.Fatal("the context's handler is bound in the default context")
	}
	must(t, ctx.Term())
	ctx.AuthStop()
	if err := ctx.AuthStart(); err != ETERM {
		t.Fatalf("AuthStart on a terminated context: %v, want ETERM", err)
	}
}
