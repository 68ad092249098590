package prometheus

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	zmq "github.com/purezmq/zmq4"
)

func TestCollectorReportsStats(t *testing.T) {
	ctx, err := zmq.NewContext()
	if err != nil {
		t.Fatal(err)
	}
	defer ctx.Term()
	pull, _ := ctx.NewSocket(zmq.PULL)
	push, _ := ctx.NewSocket(zmq.PUSH)
	defer pull.Close()
	defer push.Close()
	pull.SetLinger(0)
	push.SetLinger(0)
	if err := pull.Bind("inproc://prom"); err != nil {
		t.Fatal(err)
	}
	if err := push.Connect("inproc://prom"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		push.Send("abcd", 0)
	}
	pull.Recv(0)

	c := NewCollector()
	c.Add("in", pull)
	c.Add("out", push)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	want := `
# HELP zmq_socket_messages_total Whole messages the application sent or received on the socket.
# TYPE zmq_socket_messages_total counter
zmq_socket_messages_total{direction="received",socket="in"} 1
zmq_socket_messages_total{direction="received",socket="out"} 0
zmq_socket_messages_total{direction="sent",socket="in"} 0
zmq_socket_messages_total{direction="sent",socket="out"} 3
# HELP zmq_socket_bytes_total Bytes of the messages the application sent or received on the socket.
# TYPE zmq_socket_bytes_total counter
zmq_socket_bytes_total{direction="received",socket="in"} 4
zmq_socket_bytes_total{direction="received",socket="out"} 0
zmq_socket_bytes_total{direction="sent",socket="in"} 0
zmq_socket_bytes_total{direction="sent",socket="out"} 12
# HELP zmq_socket_peers Peers (pipes) the socket has now.
# TYPE zmq_socket_peers gauge
zmq_socket_peers{socket="in"} 1
zmq_socket_peers{socket="out"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"zmq_socket_messages_total", "zmq_socket_bytes_total", "zmq_socket_peers"); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(c, "zmq_socket_dropped_messages_total"); n != 8 {
		t.Fatalf("%d drop series, want 4 causes for 2 sockets", n)
	}
	c.Remove("out")
	push.Close()
	if n := testutil.CollectAndCount(c, "zmq_socket_peers"); n != 1 {
		t.Fatalf("%d peer series after Remove, want 1", n)
	}
}
