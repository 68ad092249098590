//go:build linux

package transport

import (
	"errors"
	"net"
	"syscall"
	"testing"
	"time"
)

// sockopt reads an integer socket option from c.
func sockopt(t *testing.T, c net.Conn, level, opt int) int {
	t.Helper()
	sc, ok := c.(syscall.Conn)
	if !ok {
		t.Fatalf("%T has no SyscallConn", c)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	err = controlFD(rc, func(fd int) error {
		var err error
		v, err = syscall.GetsockoptInt(fd, level, opt)
		return err
	})
	if err != nil {
		t.Fatalf("getsockopt(%d, %d): %v", level, opt, err)
	}
	return v
}

func TestKeepAliveApplied(t *testing.T) {
	opts := &Options{KeepAlive: 1, KeepAliveCnt: 3, KeepAliveIdle: 7, KeepAliveIntvl: 2, TCPMaxRT: 1500 * time.Millisecond}
	l := listen(t, "tcp://127.0.0.1:*", opts)
	dialed, accepted := roundTrip(t, l, "tcp://127.0.0.1:"+portOf(t, l.Endpoint()), opts)
	for name, c := range map[string]net.Conn{"dialed": dialed, "accepted": accepted} {
		checks := []struct {
			what       string
			level, opt int
			want       int
		}{
			{"SO_KEEPALIVE", syscall.SOL_SOCKET, syscall.SO_KEEPALIVE, 1},
			{"TCP_KEEPCNT", syscall.IPPROTO_TCP, syscall.TCP_KEEPCNT, 3},
			{"TCP_KEEPIDLE", syscall.IPPROTO_TCP, syscall.TCP_KEEPIDLE, 7},
			{"TCP_KEEPINTVL", syscall.IPPROTO_TCP, syscall.TCP_KEEPINTVL, 2},
			{"TCP_USER_TIMEOUT", syscall.IPPROTO_TCP, tcpUserTimeout, 1500},
			{"TCP_NODELAY", syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1},
		}
		for _, c2 := range checks {
			if got := sockopt(t, c, c2.level, c2.opt); got != c2.want {
				t.Errorf("%s: %s = %d, want %d", name, c2.what, got, c2.want)
			}
		}
	}
}

func TestKeepAliveDefaultAndOff(t *testing.T) {
	// nil options leave the OS default (off on Linux), unlike Go's dialer
	// default of 15 s keepalive; KeepAlive 0 turns it off explicitly.
	for _, opts := range []*Options{nil, {KeepAlive: 0}} {
		l := listen(t, "tcp://127.0.0.1:*", opts)
		dialed, accepted := roundTrip(t, l, "tcp://127.0.0.1:"+portOf(t, l.Endpoint()), opts)
		for name, c := range map[string]net.Conn{"dialed": dialed, "accepted": accepted} {
			if got := sockopt(t, c, syscall.SOL_SOCKET, syscall.SO_KEEPALIVE); got != 0 {
				t.Errorf("opts %+v, %s: SO_KEEPALIVE = %d, want 0", opts, name, got)
			}
		}
	}
}

func TestBuffersTOSAndPriorityApplied(t *testing.T) {
	opts := &Options{SndBuf: 65536, RcvBuf: 131072, TOS: 0x10, Priority: 3}
	l := listen(t, "tcp://127.0.0.1:*", opts)
	dialed, accepted := roundTrip(t, l, "tcp://127.0.0.1:"+portOf(t, l.Endpoint()), opts)
	for name, c := range map[string]net.Conn{"dialed": dialed, "accepted": accepted} {
		// Linux doubles the requested buffer sizes for bookkeeping.
		if got := sockopt(t, c, syscall.SOL_SOCKET, syscall.SO_SNDBUF); got != 2*65536 {
			t.Errorf("%s: SO_SNDBUF = %d, want %d", name, got, 2*65536)
		}
		if got := sockopt(t, c, syscall.SOL_SOCKET, syscall.SO_RCVBUF); got != 2*131072 {
			t.Errorf("%s: SO_RCVBUF = %d, want %d", name, got, 2*131072)
		}
		if got := sockopt(t, c, syscall.IPPROTO_IP, syscall.IP_TOS); got != 0x10 {
			t.Errorf("%s: IP_TOS = %#x, want 0x10", name, got)
		}
		if got := sockopt(t, c, syscall.SOL_SOCKET, syscall.SO_PRIORITY); got != 3 {
			t.Errorf("%s: SO_PRIORITY = %d, want 3", name, got)
		}
	}
}

func TestBindToDevice(t *testing.T) {
	opts := &Options{BindToDevice: "lo"}
	l, err := Listen(mustParse(t, "tcp://127.0.0.1:*"), opts)
	if errors.Is(err, syscall.EPERM) {
		t.Skip("SO_BINDTODEVICE not permitted here")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	roundTrip(t, l, "tcp://127.0.0.1:"+portOf(t, l.Endpoint()), opts)

	_, err = Listen(mustParse(t, "tcp://127.0.0.1:*"), &Options{BindToDevice: "nosuchdev0"})
	if !errors.Is(err, syscall.ENODEV) {
		t.Fatalf("bind to a missing device: %v, want ENODEV", err)
	}
}

func TestBacklogApplied(t *testing.T) {
	// The backlog is not readable back; a listen with a small backlog must
	// still accept.
	opts := &Options{Backlog: 1}
	l := listen(t, "tcp://127.0.0.1:*", opts)
	roundTrip(t, l, "tcp://127.0.0.1:"+portOf(t, l.Endpoint()), opts)
}
