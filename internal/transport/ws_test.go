package transport

import (
	"context"
	"strings"
	"testing"

	"github.com/purezmq/zmq4/internal/transport/ws"
)

func TestWSListenEndpointKeepsPath(t *testing.T) {
	for in, wantPath := range map[string]string{
		"ws://127.0.0.1:*/zmq/a": "/zmq/a",
		"ws://127.0.0.1:*":       "/",
		"ws://127.0.0.1:0/":      "/",
	} {
		l := listen(t, in, nil)
		ep := l.Endpoint()
		port := portOf(t, strings.TrimSuffix(ep, wantPath))
		if !strings.HasPrefix(ep, "ws://127.0.0.1:") || !strings.HasSuffix(ep, wantPath) ||
			port == "0" || port == "*" || l.FD() <= 0 {
			t.Errorf("Listen(%s): endpoint %q, fd %d", in, ep, l.FD())
		}
	}
}

func TestWSDialAndAcceptWrapConnections(t *testing.T) {
	l := listen(t, "ws://127.0.0.1:*/p", nil)
	accepted := make(chan error, 1)
	go func() {
		c, err := l.Accept()
		if err == nil {
			if _, ok := c.(*ws.Conn); !ok {
				t.Errorf("Accept returned %T, want *ws.Conn", c)
			}
			c.Close()
		}
		accepted <- err
	}()
	c, err := Dial(context.Background(), mustParse(t, l.Endpoint()), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, ok := c.(*ws.Conn); !ok {
		t.Fatalf("Dial returned %T, want *ws.Conn", c)
	}
	if err := <-accepted; err != nil {
		t.Fatal(err)
	}
	if PeerAddress(c) != "127.0.0.1" {
		t.Fatalf("PeerAddress = %q", PeerAddress(c))
	}
}
