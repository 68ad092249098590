package zmq4

import (
	"errors"
	"testing"
)

// TestUDPEndpointErrors: Bind and Connect refuse bad udp endpoints as
// libzmq does, and a TTL over 255 when sending to a group.
func TestUDPEndpointErrors(t *testing.T) {
	ctx := newTestContext(t)
	dish := newTestSocket(t, ctx, DISH)
	radio := newTestSocket(t, ctx, RADIO)
	for _, c := range []struct {
		s        *Socket
		bind     bool
		endpoint string
		err      error
	}{
		{dish, true, "udp://127.0.0.1;1.2.3.4:5555", einval},
		{dish, true, "udp://239.0.0.1", einval},
		{dish, true, "udp://nosuchif0;239.0.0.1:5555", enodev},
		{dish, true, "udp://[ff02::1]:5555", enodev}, // IPv6 is off
		{radio, false, "udp://*:5555", einval},
		{radio, false, "udp://239.0.0.1:*", einval},
		{radio, false, "udp://[ff02::1]:5555", einval},
		{radio, false, "udp://10.0.0.1;10.0.0.2:5555", einval},
		{radio, true, "udp://239.0.0.1:5555", ENOCOMPATPROTO},
		{dish, false, "udp://239.0.0.1:5555", ENOCOMPATPROTO},
	} {
		var err error
		if c.bind {
			err = c.s.Bind(c.endpoint)
		} else {
			err = c.s.Connect(c.endpoint)
		}
		if !errors.Is(err, c.err) {
			t.Errorf("%v %s: got %v, want %v", c.s.typ, c.endpoint, err, c.err)
		}
	}
	must(t, radio.SetMulticastHops(256))
	if err := radio.Connect("udp://239.0.0.1:5555"); !errors.Is(err, einval) {
		t.Errorf("Connect with a TTL of 256: got %v, want EINVAL", err)
	}
	loop, err := radio.GetMulticastLoop()
	if err != nil || !loop {
		t.Errorf("MULTICAST_LOOP defaults to %v, %v; want true", loop, err)
	}
	must(t, radio.SetMulticastLoop(false))
	if loop, _ := radio.GetMulticastLoop(); loop {
		t.Error("MULTICAST_LOOP still on after SetMulticastLoop(false)")
	}
}
