package zmq4

import (
	"bytes"
	"net"
	"testing"
)

func TestConnectRoutingIDNamesThePeer(t *testing.T) {
	ctx := newTestContext(t)
	a := newTestSocket(t, ctx, ROUTER)
	must(t, a.SetIdentity("A"))
	must(t, a.Bind("tcp://127.0.0.1:*"))
	b := newTestSocket(t, ctx, ROUTER)
	must(t, b.SetIdentity("B"))
	must(t, b.SetRouterMandatory(1))
	must(t, b.SetConnectRid("peerA"))
	must(t, b.Connect(a.opt.lastEndpoint))
	waitUntil(t, "peerA routable", func() bool {
		_, err := b.SendMessage("peerA", "hello")
		return err == nil
	})
	expectParts(t, a, "B", "hello")
}

func TestStreamConnectRoutingID(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer ln.Close()
	ctx := newTestContext(t)
	st := newTestSocket(t, ctx, STREAM)
	must(t, st.SetConnectRid("web"))
	must(t, st.Connect("tcp://"+ln.Addr().String()))
	c, err := ln.Accept()
	must(t, err)
	defer c.Close()
	m, err := st.RecvMessageBytes(0) // connect notification carries the id
	must(t, err)
	if string(m[0]) != "web" || len(m[1]) != 0 {
		t.Fatalf("notification %q", m)
	}
	st.SendMessage("web", "GET")
	buf := make([]byte, 3)
	c.Read(buf)
	if !bytes.Equal(buf, []byte("GET")) {
		t.Fatalf("server got %q", buf)
	}
}
