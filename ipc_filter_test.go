//go:build linux

package zmq4

import (
	"os"
	"testing"
)

// With an IPC filter, an ipc Bind serves only peers whose credentials are
// listed, as libzmq's test_filter_ipc: this process passes by its pid, uid
// or gid, and is turned away when only another id is listed.
func TestIpcFilters(t *testing.T) {
	cases := []struct {
		name string
		set  func(*Socket) error
		pass bool
	}{
		{"own uid", func(s *Socket) error { return s.SetIpcFilterUid(os.Getuid()) }, true},
		{"other uid", func(s *Socket) error { return s.SetIpcFilterUid(os.Getuid() + 1) }, false},
		{"own gid", func(s *Socket) error { return s.SetIpcFilterGid(os.Getgid()) }, true},
		{"own pid", func(s *Socket) error { return s.SetIpcFilterPid(os.Getpid()) }, true},
		{"other pid", func(s *Socket) error { return s.SetIpcFilterPid(os.Getpid() + 1) }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := newTestContext(t)
			sb := newTestSocket(t, ctx, DEALER)
			must(t, c.set(sb))
			must(t, sb.Bind(endpointFor(t, "ipc")))
			sc := newTestSocket(t, ctx, DEALER)
			must(t, sc.SetReconnectIvl(-1))
			must(t, sc.Monitor("inproc://ipc-filter-mon", EVENT_DISCONNECTED|EVENT_HANDSHAKE_SUCCEEDED))
			mon := newTestSocket(t, ctx, PAIR)
			must(t, mon.Connect("inproc://ipc-filter-mon"))
			must(t, sc.Connect(sb.opt.lastEndpoint))
			ev, _, _, err := mon.RecvEvent(0)
			must(t, err)
			if c.pass {
				if ev != EVENT_HANDSHAKE_SUCCEEDED {
					t.Fatalf("event %v, want the handshake to succeed", ev)
				}
				sendParts(t, sc, "in")
				expectParts(t, sb, "in")
			} else if ev != EVENT_DISCONNECTED {
				t.Fatalf("event %v, want the connection turned away", ev)
			}
		})
	}
}
