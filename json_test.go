package zmq4

import (
	"encoding/json"
	"errors"
	"strconv"
	"testing"
)

func TestSendRecvJSON(t *testing.T) {
	eachTransport(t, func(t *testing.T, transport string, bindFirst bool) {
		b, c := pairUp(t, transport, bindFirst, PULL, PUSH)
		type reading struct {
			Sensor string  `json:"sensor"`
			Value  float64 `json:"value"`
		}
		must(t, c.SendJSON(reading{"t1", 21.5}, 0))
		var got reading
		must(t, b.RecvJSON(&got, 0))
		if got != (reading{"t1", 21.5}) {
			t.Fatalf("RecvJSON = %+v", got)
		}
		// The wire carries plain JSON, as pyzmq's send_json writes it.
		must(t, c.SendJSON(map[string]int{"a": 1}, 0))
		if raw := recvParts(t, b); raw[0] != `{"a":1}` {
			t.Fatalf("on the wire: %q", raw)
		}
		sendParts(t, c, "not json")
		var v any
		var syntaxErr *json.SyntaxError
		if err := b.RecvJSON(&v, 0); !errors.As(err, &syntaxErr) {
			t.Fatalf("RecvJSON of text: %v, want a JSON syntax error", err)
		}
		if err := c.SendJSON(make(chan int), 0); err == nil {
			t.Fatal("SendJSON of a channel succeeded")
		}
	})
}

func TestBindToRandomPort(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, PULL)
	port, err := s.BindToRandomPort("tcp://127.0.0.1", 40000, 40100, 100)
	must(t, err)
	if port < 40000 || port >= 40100 {
		t.Fatalf("port %d outside [40000, 40100)", port)
	}
	if ep, _ := s.GetLastEndpoint(); ep != "tcp://127.0.0.1:"+strconv.Itoa(port) {
		t.Fatalf("bound %s, reported %d", ep, port)
	}
	// A range of one port that is taken: every try fails with EADDRINUSE.
	other := newTestSocket(t, ctx, PULL)
	if _, err := other.BindToRandomPort("tcp://127.0.0.1", port, port+1, 5); !errors.Is(err, EADDRINUSE) {
		t.Fatalf("taken range: %v, want EADDRINUSE", err)
	}
	// The system's choice.
	sys, err := other.BindToRandomPort("tcp://127.0.0.1", 0, 0, 0)
	must(t, err)
	if sys == 0 || sys == port {
		t.Fatalf("system port %d", sys)
	}
	if _, err := other.BindToRandomPort("tcp://127.0.0.1", 10, 5, 1); !errors.Is(err, einval) {
		t.Fatalf("empty range: %v, want EINVAL", err)
	}
	if _, err := other.BindToRandomPort("nosuch://x", 1000, 2000, 3); err == nil || errors.Is(err, EADDRINUSE) {
		t.Fatalf("bad transport: %v, want its own error at once", err)
	}
}
