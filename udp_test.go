package zmq4

import (
	"errors"
	"strings"
	"testing"
)

func TestRadioDishOverUDP(t *testing.T) {
	ctx := newTestContext(t)
	dish := newTestSocket(t, ctx, DISH)
	must(t, dish.Bind("udp://127.0.0.1:*"))
	must(t, dish.Join("weather"))
	radio := newTestSocket(t, ctx, RADIO)
	must(t, radio.Connect(dish.opt.lastEndpoint))
	radio.Send("goal", 0, OptGroup("sports"))
	radio.Send("rain", 0, OptGroup("weather"))
	msg, opts, err := dish.RecvWithOpts(0, OptGroup(""))
	must(t, err)
	if msg != "rain" || opts[0].(OptGroup) != "weather" {
		t.Fatalf("dish got %q in %v", msg, opts[0])
	}
}

func TestDgramEcho(t *testing.T) {
	ctx := newTestContext(t)
	a := newTestSocket(t, ctx, DGRAM)
	must(t, a.Bind("udp://127.0.0.1:*"))
	b := newTestSocket(t, ctx, DGRAM)
	must(t, b.Bind("udp://127.0.0.1:*"))
	aAddr := strings.TrimPrefix(a.opt.lastEndpoint, "udp://")
	sendParts(t, b, aAddr, "ping")
	m := recvParts(t, a)
	// libzmq's DGRAM gives the sender as "ip:port" plus a NUL byte.
	if m[1] != "ping" || m[0] != strings.TrimPrefix(b.opt.lastEndpoint, "udp://")+"\x00" {
		t.Fatalf("a got %q", m)
	}
	// The received address (with its NUL) and the bare one both work.
	sendParts(t, a, m[0], "pong")
	if got := recvParts(t, b); got[1] != "pong" || got[0] != aAddr+"\x00" {
		t.Fatalf("b got %q", got)
	}
	sendParts(t, a, strings.TrimSuffix(m[0], "\x00"), "pong again")
	if got := recvParts(t, b); got[1] != "pong again" {
		t.Fatalf("b got %q", got)
	}
	if err := a.Connect("udp://127.0.0.1:9"); err == nil {
		t.Fatal("DGRAM connect succeeded")
	}
}

func FuzzParseDishDatagram(f *testing.F) {
	f.Add([]byte("\x07weatherrain"))
	f.Add([]byte{})
	f.Add([]byte("\xffshort"))
	// The cases of libzmq's 2026 udp engine fixes: a group length byte of
	// 0x80 and more (read as negative by libzmq), a group length past the
	// end, and the largest group with a body.
	f.Add([]byte{0x80})
	f.Add(append([]byte{0x80}, make([]byte, 0x80)...))
	f.Add(append([]byte{0xff}, make([]byte, 0x100)...))
	f.Add([]byte{0x02, 'o'})
	f.Fuzz(func(t *testing.T, d []byte) {
		group, body, ok := parseDishDatagram(d)
		if !ok {
			return
		}
		if 1+len(group)+len(body) != len(d) || int(d[0]) != len(group) {
			t.Fatalf("split %q into %q + %q", d, group, body)
		}
	})
}

// TestRadioDishOverUDPIPv6: IPv6 udp endpoints need ZMQ_IPV6, as in
// libzmq: without it a bind gives ENODEV and a connect EINVAL.
func TestRadioDishOverUDPIPv6(t *testing.T) {
	ctx := newTestContext(t)
	dish := newTestSocket(t, ctx, DISH)
	radio := newTestSocket(t, ctx, RADIO)
	if err := dish.Bind("udp://[::1]:*"); !errors.Is(err, enodev) {
		t.Fatalf("IPv6 bind with IPv6 off: %v, want ENODEV", err)
	}
	if err := radio.Connect("udp://[::1]:5555"); !errors.Is(err, einval) {
		t.Fatalf("IPv6 connect with IPv6 off: %v, want EINVAL", err)
	}
	must(t, dish.SetIpv6(true))
	must(t, radio.SetIpv6(true))
	if err := dish.Bind("udp://[::1]:*"); err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	must(t, dish.Join("weather"))
	must(t, radio.Connect(dish.opt.lastEndpoint))
	radio.Send("rain", 0, OptGroup("weather"))
	msg, opts, err := dish.RecvWithOpts(0, OptGroup(""))
	must(t, err)
	if msg != "rain" || opts[0].(OptGroup) != "weather" {
		t.Fatalf("dish got %q in %v", msg, opts[0])
	}
}
