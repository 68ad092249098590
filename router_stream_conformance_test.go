package zmq4

import "testing"

// A ROUTER's Connect with CONNECT_ROUTING_ID is addressable at once: a
// message sent to that id before the connection is up waits for it, as in
// libzmq (test_connect_rid), even under ROUTER_MANDATORY.
func TestRouterConnectRidAddressableAtOnce(t *testing.T) {
	ctx := newTestContext(t)
	rbind := newTestSocket(t, ctx, ROUTER)
	must(t, rbind.Bind("tcp://127.0.0.1:*"))
	ep := rbind.opt.lastEndpoint
	rconn := newTestSocket(t, ctx, ROUTER)
	must(t, rconn.SetRouterMandatory(1))
	must(t, rconn.SetConnectRid("conn1"))
	must(t, rconn.Connect(ep))
	if _, err := rconn.SendMessageDontwait("conn1", "hi 1"); err != nil {
		t.Fatalf("send to the connect's id at once: %v", err)
	}
	m := recvParts(t, rbind)
	if len(m) != 2 || m[1] != "hi 1" {
		t.Fatalf("got %q", m)
	}
	sendParts(t, rbind, m[0], "ok")
	expectParts(t, rconn, "conn1", "ok")
}

// STREAM's message is [id][data]: the data part ends it even with SNDMORE,
// and ROUTING_ID reads the id the socket gave its last connection, as in
// libzmq (test_stream's STREAM to STREAM dialogue).
func TestStreamToStream(t *testing.T) {
	ctx := newTestContext(t)
	server := newTestSocket(t, ctx, STREAM)
	must(t, server.SetStreamNotify(1))
	must(t, server.Bind("tcp://127.0.0.1:*"))
	client := newTestSocket(t, ctx, STREAM)
	must(t, client.SetStreamNotify(1))
	must(t, client.Connect(server.opt.lastEndpoint))
	note := recvParts(t, client) // [id][] on connect
	if len(note) != 2 || note[1] != "" {
		t.Fatalf("connect notification %q", note)
	}
	recvParts(t, server)
	id, err := client.GetIdentity()
	must(t, err)
	if id != note[0] {
		t.Errorf("ROUTING_ID %q, want the connection's id %q", id, note[0])
	}
	_, err = client.Send(note[0], SNDMORE)
	must(t, err)
	_, err = client.Send("GET /\n\n", SNDMORE) // ends the message
	must(t, err)
	m := recvParts(t, server)
	if len(m) != 2 || m[1] != "GET /\n\n" {
		t.Fatalf("server got %q", m)
	}
}
