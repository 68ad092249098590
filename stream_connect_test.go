package zmq4

import (
	"io"
	"net"
	"testing"
	"time"
)

// A STREAM's Connect is addressable at once: data sent to its
// CONNECT_ROUTING_ID before the connection is up waits for it, as in
// libzmq's test_connect_rid (STREAM to STREAM).
func TestStreamConnectRidAddressableAtOnce(t *testing.T) {
	ctx := newTestContext(t)
	rbind := newTestSocket(t, ctx, STREAM)
	must(t, rbind.SetStreamNotify(0))
	must(t, rbind.Bind("tcp://127.0.0.1:*"))
	rconn := newTestSocket(t, ctx, STREAM)
	must(t, rconn.SetConnectRid("conn1"))
	must(t, rconn.Connect(rbind.opt.lastEndpoint))
	if _, err := rconn.SendMessageDontwait("conn1", "hi 1"); err != nil {
		t.Fatalf("send to the connect's id at once: %v", err)
	}
	m := recvParts(t, rbind)
	if len(m) != 2 || len(m[0]) == 0 || m[0][0] != 0 || m[1] != "hi 1" {
		t.Fatalf("bound STREAM got %q, want [generated id][hi 1]", m)
	}
}

// acceptRaw accepts one connection on ln, closed when the test ends.
func acceptRaw(t *testing.T, ln net.Listener) net.Conn {
	t.Helper()
	c, err := ln.Accept()
	must(t, err)
	t.Cleanup(func() { c.Close() })
	must(t, c.SetDeadline(time.Now().Add(10*time.Second))) // hang guard
	return c
}

// A STREAM's connected pipe outlives its connection, as libzmq's session
// keeps it: when the peer goes, the application hears [id][], the id stays
// addressable, what it sends meanwhile waits, and the reconnection
// announces itself under the same id. That holds for a generated id too.
func TestStreamConnectPipeSurvivesReconnection(t *testing.T) {
	for _, rid := range []string{"web", ""} {
		t.Run("rid="+rid, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			must(t, err)
			t.Cleanup(func() { ln.Close() })
			ctx := newTestContext(t)
			st := newTestSocket(t, ctx, STREAM)
			must(t, st.SetReconnectIvl(10*time.Millisecond))
			if rid != "" {
				must(t, st.SetConnectRid(rid))
			}
			must(t, st.Connect("tcp://"+ln.Addr().String()))
			id := rid
			if id == "" {
				id, err = st.GetIdentity() // the id the Connect was given
				must(t, err)
			}

			first := acceptRaw(t, ln)
			expectParts(t, st, id, "") // connected
			first.Close()
			expectParts(t, st, id, "") // disconnected

			if _, err := st.SendMessageDontwait(id, "again"); err != nil {
				t.Fatalf("send to %q while reconnecting: %v", id, err)
			}
			second := acceptRaw(t, ln)
			expectParts(t, st, id, "") // reconnected, same id
			buf := make([]byte, len("again"))
			if _, err := io.ReadFull(second, buf); err != nil || string(buf) != "again" {
				t.Fatalf("second connection read %q, %v; want again", buf, err)
			}
		})
	}
}

// The application closing a STREAM's connected pipe ([id][empty]) ends
// the Connect, as libzmq's session ends with its raw pipe: the peer sees
// the connection close and the id becomes unknown.
func TestStreamConnectClosedByApplication(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	t.Cleanup(func() { ln.Close() })
	ctx := newTestContext(t)
	st := newTestSocket(t, ctx, STREAM)
	must(t, st.SetReconnectIvl(10*time.Millisecond))
	must(t, st.SetConnectRid("web"))
	must(t, st.Connect("tcp://"+ln.Addr().String()))
	c := acceptRaw(t, ln)
	expectParts(t, st, "web", "")
	sendParts(t, st, "web", "")
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("peer read: %v, want EOF", err)
	}
	waitUntil(t, "the id unknown", func() bool {
		_, err := st.SendMessageDontwait("web", "x")
		return err == EHOSTUNREACH
	})
}

// With RECONNECT_IVL -1 a STREAM's Connect ends with its connection, and
// the application still receives what arrived before, the disconnect
// notification last, as libzmq's pipe delivers its messages before it
// ends.
func TestStreamConnectNoReconnectKeepsNotification(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	t.Cleanup(func() { ln.Close() })
	ctx := newTestContext(t)
	st := newTestSocket(t, ctx, STREAM)
	must(t, st.SetReconnectIvl(-1))
	must(t, st.SetConnectRid("web"))
	must(t, st.Connect("tcp://"+ln.Addr().String()))
	c := acceptRaw(t, ln)
	expectParts(t, st, "web", "")
	_, err = c.Write([]byte("last words"))
	must(t, err)
	c.Close()
	must(t, st.SetRcvtimeo(10*time.Second)) // hang guard
	expectParts(t, st, "web", "last words")
	expectParts(t, st, "web", "")
}
