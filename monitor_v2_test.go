package zmq4

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// monitorV2Of starts a version-2 monitor of s on a socket of type typ and
// returns the socket reading its events (PAIR, PULL or SUB).
func monitorV2Of(t *testing.T, s *Socket, events Event, typ Type) *Socket {
	t.Helper()
	addr := fmt.Sprintf("inproc://monitor-v2-%d", ipcCounter.Add(1))
	must(t, s.MonitorVersioned(addr, uint64(events), 2, typ))
	readers := map[Type]Type{PAIR: PAIR, PUSH: PULL, PUB: SUB}
	m := newTestSocket(t, s.ctx, readers[typ])
	if typ == PUB {
		must(t, m.SetSubscribe(""))
	}
	must(t, m.SetRcvtimeo(10*time.Second)) // hang guard only
	must(t, m.Connect(addr))
	return m
}

type eventV2 struct {
	event         Event
	values        []uint64
	local, remote string
}

// expectEventV2 reads events until one of kind want arrives and returns it.
func expectEventV2(t *testing.T, m *Socket, want Event) eventV2 {
	t.Helper()
	for {
		ev, values, local, remote, err := m.RecvEventV2(0)
		if err != nil {
			t.Fatalf("waiting for %v: %v", want, err)
		}
		if Event(ev) == want {
			return eventV2{Event(ev), values, local, remote}
		}
	}
}

func checkEventV2(t *testing.T, got eventV2, values []uint64, local, remote string) {
	t.Helper()
	if values != nil && !slices.Equal(got.values, values) {
		t.Errorf("%v values %v, want %v", got.event, got.values, values)
	}
	if len(got.values) != 1 && values == nil {
		t.Errorf("%v has %d values, want 1", got.event, len(got.values))
	}
	if got.local != local || got.remote != remote {
		t.Errorf("%v local %q remote %q, want %q %q", got.event, got.local, got.remote, local, remote)
	}
}

func TestMonitorV2ConnectionLifecycle(t *testing.T) {
	ctx := newTestContext(t)
	srv := newTestSocket(t, ctx, PULL)
	smon := monitorV2Of(t, srv, EVENT_ALL_V2, PAIR)
	must(t, srv.Bind("tcp://127.0.0.1:*"))
	ep := srv.opt.lastEndpoint
	cli := newTestSocket(t, ctx, PUSH)
	cmon := monitorV2Of(t, cli, EVENT_ALL_V2, PAIR)
	must(t, cli.Connect(ep))

	checkEventV2(t, expectEventV2(t, smon, EVENT_LISTENING), nil, ep, "")
	checkEventV2(t, expectEventV2(t, smon, EVENT_ACCEPTED), nil, ep, "")
	checkEventV2(t, expectEventV2(t, smon, EVENT_HANDSHAKE_SUCCEEDED), []uint64{0}, ep, "")

	checkEventV2(t, expectEventV2(t, cmon, EVENT_CONNECT_DELAYED), []uint64{uint64(EINPROGRESS)}, "", ep)
	checkEventV2(t, expectEventV2(t, cmon, EVENT_CONNECTED), nil, "", ep)
	checkEventV2(t, expectEventV2(t, cmon, EVENT_HANDSHAKE_SUCCEEDED), []uint64{0}, "", ep)

	must(t, cli.Close())
	checkEventV2(t, expectEventV2(t, smon, EVENT_DISCONNECTED), nil, ep, "")

	must(t, srv.MonitorVersioned("", 0, 2, PAIR))
	checkEventV2(t, expectEventV2(t, smon, EVENT_MONITOR_STOPPED), []uint64{0}, "", "")
}

// TestMonitorV2SocketTypes reads version-2 events through PUSH and PUB
// monitor sockets; with PUB the event number is the topic.
func TestMonitorV2SocketTypes(t *testing.T) {
	for _, typ := range []Type{PUSH, PUB} {
		t.Run(typ.String(), func(t *testing.T) {
			ctx := newTestContext(t)
			s := newTestSocket(t, ctx, PULL)
			m := monitorV2Of(t, s, EVENT_LISTENING, typ)
			// A SUB's subscription reaches the PUB asynchronously, so bind
			// until one LISTENING event gets through.
			bound := map[string]bool{}
			for {
				must(t, s.Bind("tcp://127.0.0.1:*"))
				bound[s.opt.lastEndpoint] = true
				m.SetRcvtimeo(50 * time.Millisecond)
				ev, values, local, remote, err := m.RecvEventV2(0)
				if err != nil {
					if typ == PUB {
						continue
					}
					t.Fatal(err)
				}
				if Event(ev) != EVENT_LISTENING || len(values) != 1 || !bound[local] || remote != "" {
					t.Fatalf("got %v %v %q %q", Event(ev), values, local, remote)
				}
				return
			}
		})
	}
}

func TestMonitorV2PubTopicIsEventNumber(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, PULL)
	addr := fmt.Sprintf("inproc://monitor-v2-%d", ipcCounter.Add(1))
	must(t, s.MonitorVersioned(addr, uint64(EVENT_ALL_V2), 2, PUB))
	m := newTestSocket(t, ctx, SUB)
	must(t, m.SetSubscribe(string(encodeEventV2(uint64(EVENT_CLOSED), nil, "", "")[0])))
	must(t, m.Connect(addr))
	for {
		must(t, s.Bind("tcp://127.0.0.1:*"))
		must(t, s.Unbind(s.opt.lastEndpoint))
		m.SetRcvtimeo(50 * time.Millisecond)
		ev, _, local, _, err := m.RecvEventV2(0)
		if err != nil {
			continue
		}
		if Event(ev) != EVENT_CLOSED || local == "" {
			t.Fatalf("got %v local %q, want only EVENT_CLOSED", Event(ev), local)
		}
		return
	}
}

func TestMonitorVersionedErrors(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, DEALER)
	cases := []struct {
		name    string
		events  uint64
		version int
		typ     Type
		want    error
	}{
		{"version 0", uint64(EVENT_ALL), 0, PAIR, einval},
		{"version 3", uint64(EVENT_ALL), 3, PAIR, einval},
		{"v1 bit 16", uint64(EVENT_ALL_V2), 1, PAIR, einval},
		{"v1 high bit", 1 << 40, 1, PAIR, einval},
		{"type SUB", uint64(EVENT_ALL), 2, SUB, einval},
		{"type DEALER", uint64(EVENT_ALL), 1, DEALER, einval},
		{"tcp", uint64(EVENT_ALL), 2, PAIR, EPROTONOSUPPORT},
	}
	for _, c := range cases {
		addr := "inproc://monitor-errors"
		if c.name == "tcp" {
			addr = "tcp://127.0.0.1:9"
		}
		if err := s.MonitorVersioned(addr, c.events, c.version, c.typ); err != c.want {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	must(t, s.MonitorVersioned("inproc://monitor-ok", uint64(EVENT_ALL_V2), 2, PUSH))
	must(t, s.Close())
	if err := s.MonitorVersioned("inproc://monitor-closed", 1, 2, PAIR); err != ErrorSocketClosed {
		t.Errorf("closed socket: got %v", err)
	}
}

// TestMonitorVersionedV1Format checks that version 1 sends Monitor's format.
func TestMonitorVersionedV1Format(t *testing.T) {
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, PULL)
	must(t, s.MonitorVersioned("inproc://monitor-v1", uint64(EVENT_LISTENING), 1, PAIR))
	m := newTestSocket(t, ctx, PAIR)
	must(t, m.Connect("inproc://monitor-v1"))
	must(t, s.Bind("tcp://127.0.0.1:*"))
	ev, addr, _, err := m.RecvEvent(0)
	must(t, err)
	if ev != EVENT_LISTENING || addr != s.opt.lastEndpoint {
		t.Fatalf("got %v %q", ev, addr)
	}
}

func TestMonitorPipesStats(t *testing.T) {
	ctx := newTestContext(t)
	srv := newTestSocket(t, ctx, PULL)
	if err := srv.MonitorPipesStats(); err != einval {
		t.Fatalf("without monitor: got %v, want EINVAL", err)
	}
	smon := monitorV2Of(t, srv, EVENT_PIPES_STATS, PAIR)
	if err := srv.MonitorPipesStats(); err != eagain {
		t.Fatalf("without peers: got %v, want EAGAIN", err)
	}
	must(t, srv.Bind("tcp://127.0.0.1:*"))
	ep := srv.opt.lastEndpoint
	cli := newTestSocket(t, ctx, PUSH)
	must(t, cli.Connect(ep))
	for i := 0; i < 3; i++ {
		sendParts(t, cli, "queued")
	}
	// The messages reach the server's queue asynchronously: ask until the
	// inbound count shows all three (the monitor's timeout guards a hang).
	for {
		err := srv.MonitorPipesStats()
		if err == eagain {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		must(t, err)
		got := expectEventV2(t, smon, EVENT_PIPES_STATS)
		if len(got.values) != 2 || got.values[0] != 0 {
			t.Fatalf("values %v, want [0 inbound]", got.values)
		}
		if got.local != ep || got.remote == "" || got.remote == ep {
			t.Fatalf("local %q remote %q, want %q and the peer's address", got.local, got.remote, ep)
		}
		if got.values[1] == 3 {
			return
		}
		if got.values[1] > 3 {
			t.Fatalf("inbound %d, want at most 3", got.values[1])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestParseEventV2(t *testing.T) {
	parts := encodeEventV2(uint64(EVENT_PIPES_STATS), []uint64{7, 9}, "tcp://a:1", "tcp://b:2")
	ev, values, local, remote, err := parseEventV2(parts)
	must(t, err)
	if Event(ev) != EVENT_PIPES_STATS || !slices.Equal(values, []uint64{7, 9}) || local != "tcp://a:1" || remote != "tcp://b:2" {
		t.Fatalf("got %v %v %q %q", ev, values, local, remote)
	}
	bad := [][][]byte{
		nil,
		parts[:3],
		append(slices.Clone(parts[:4]), parts[4:]...)[:5],
		{parts[0][:4], parts[1], parts[2], parts[3], parts[4], parts[5]},
		{parts[0], parts[1], []byte{1}, parts[3], parts[4], parts[5]},
		{parts[0], encodeEventV2(0, make([]uint64, 1<<20), "", "")[1], parts[4], parts[5]},
	}
	for i, b := range bad {
		if _, _, _, _, err := parseEventV2(b); err != einval {
			t.Errorf("case %d: got %v, want EINVAL", i, err)
		}
	}
}

// FuzzParseEventV2 feeds parseEventV2 messages split from one input: each
// part is a length byte followed by that many bytes.
func FuzzParseEventV2(f *testing.F) {
	for _, parts := range [][][]byte{
		encodeEventV2(uint64(EVENT_CONNECTED), []uint64{12}, "", "tcp://127.0.0.1:5555"),
		encodeEventV2(uint64(EVENT_PIPES_STATS), []uint64{1, 2}, "tcp://a:1", "tcp://b:2"),
		encodeEventV2(uint64(EVENT_MONITOR_STOPPED), nil, "", ""),
	} {
		var in []byte
		for _, p := range parts {
			in = append(in, byte(len(p)))
			in = append(in, p...)
		}
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var parts [][]byte
		for len(in) > 0 {
			n := int(in[0])
			in = in[1:]
			if n > len(in) {
				n = len(in)
			}
			parts = append(parts, in[:n])
			in = in[n:]
		}
		ev, values, local, remote, err := parseEventV2(parts)
		if err != nil {
			return
		}
		again := encodeEventV2(ev, values, local, remote)
		if !slices.EqualFunc(again, parts, func(a, b []byte) bool { return string(a) == string(b) }) {
			t.Fatalf("re-encoding differs: %q vs %q", again, parts)
		}
	})
}
