// Package prometheus exports purezmq sockets' Stats as Prometheus metrics.
// It is a module of its own, so that the zmq4 module does not depend on
// the Prometheus client.
//
//	c := prometheus.NewCollector()
//	c.Add("frontend", frontend)
//	registry.MustRegister(c)
//
// Every metric has a "socket" label with the name given to Add.
package prometheus

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	zmq "github.com/purezmq/zmq4"
)

// Collector is a prometheus.Collector for a set of named sockets. It is
// safe for concurrent use.
type Collector struct {
	mu      sync.Mutex
	sockets map[string]*zmq.Socket
}

// NewCollector returns a Collector with no sockets.
func NewCollector() *Collector {
	return &Collector{sockets: map[string]*zmq.Socket{}}
}

// Add reports s under name; a socket already under name is replaced.
func (c *Collector) Add(name string, s *zmq.Socket) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sockets[name] = s
}

// Remove stops reporting the socket under name.
func (c *Collector) Remove(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.sockets, name)
}

var (
	socketLabel = []string{"socket"}
	descMsgs    = prometheus.NewDesc("zmq_socket_messages_total",
		"Whole messages the application sent or received on the socket.",
		[]string{"socket", "direction"}, nil)
	descBytes = prometheus.NewDesc("zmq_socket_bytes_total",
		"Bytes of the messages the application sent or received on the socket.",
		[]string{"socket", "direction"}, nil)
	descQueued = prometheus.NewDesc("zmq_socket_queued_messages",
		"Messages waiting now in the socket's queues to or from its peers.",
		[]string{"socket", "direction"}, nil)
	descDrops = prometheus.NewDesc("zmq_socket_dropped_messages_total",
		"Messages the socket dropped, by cause.",
		[]string{"socket", "cause"}, nil)
	descEvents = prometheus.NewDesc("zmq_socket_connection_events_total",
		"Connection events of the socket, by event.",
		[]string{"socket", "event"}, nil)
	descPeers = prometheus.NewDesc("zmq_socket_peers",
		"Peers (pipes) the socket has now.", socketLabel, nil)
)

// Describe sends the descriptions of every metric the Collector reports.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descMsgs, descBytes, descQueued, descDrops, descEvents, descPeers} {
		ch <- d
	}
}

// Collect takes a snapshot of every socket's Stats; a closed socket is
// left out.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	sockets := make(map[string]*zmq.Socket, len(c.sockets))
	for name, s := range c.sockets {
		sockets[name] = s
	}
	c.mu.Unlock()
	for name, s := range sockets {
		st, err := s.Stats()
		if err != nil {
			continue
		}
		counter := func(d *prometheus.Desc, v uint64, labels ...string) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), append([]string{name}, labels...)...)
		}
		gauge := func(d *prometheus.Desc, v int, labels ...string) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v), append([]string{name}, labels...)...)
		}
		counter(descMsgs, st.MsgsSent, "sent")
		counter(descMsgs, st.MsgsReceived, "received")
		counter(descBytes, st.BytesSent, "sent")
		counter(descBytes, st.BytesReceived, "received")
		gauge(descQueued, st.QueuedOut, "out")
		gauge(descQueued, st.QueuedIn, "in")
		counter(descDrops, st.Drops.HWM, "hwm")
		counter(descDrops, st.Drops.Unroutable, "unroutable")
		counter(descDrops, st.Drops.NoSubscriber, "no_subscriber")
		counter(descDrops, st.Drops.Conflated, "conflated")
		e := st.Connections
		for _, ev := range []struct {
			name string
			v    uint64
		}{
			{"connected", e.Connected}, {"accepted", e.Accepted}, {"disconnected", e.Disconnected},
			{"connect_retried", e.ConnectRetried}, {"accept_failed", e.AcceptFailed},
			{"handshake_succeeded", e.HandshakesSucceeded},
			{"handshake_failed_no_detail", e.HandshakesFailedNoDetail},
			{"handshake_failed_protocol", e.HandshakesFailedProtocol},
			{"handshake_failed_auth", e.HandshakesFailedAuth},
		} {
			counter(descEvents, ev.v, ev.name)
		}
		gauge(descPeers, len(st.Peers))
	}
}
