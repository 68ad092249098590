package transport

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"sync/atomic"
	"testing"
)

// listenOn listens on ip:port (port 0: any) and returns the listener.
func listenOn(t *testing.T, ip string, port int) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp4", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return ln
}

// A dial tries each address a name resolves to until one answers.
func TestDialTriesEveryResolvedAddress(t *testing.T) {
	ln := listenOn(t, "127.0.0.1", 0)
	port := ln.Addr().(*net.TCPAddr).Port
	restore := SetLookup(func(ctx context.Context, network, host string) ([]netip.Addr, error) {
		// 127.0.0.2 has no listener on that port: refused.
		return []netip.Addr{netip.MustParseAddr("127.0.0.2"), netip.MustParseAddr("127.0.0.1")}, nil
	})
	defer restore()
	ep, err := ParseEndpoint("tcp://two-addresses.test:" + strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Dial(context.Background(), ep, nil)
	if err != nil {
		t.Fatalf("dial with a dead first address: %v", err)
	}
	defer c.Close()
	if got := c.RemoteAddr().(*net.TCPAddr).IP.String(); got != "127.0.0.1" {
		t.Errorf("connected to %s, want 127.0.0.1", got)
	}
}

// Every dial looks the name up again, so a reconnection follows a name
// whose address changed.
func TestDialResolvesAgainEachTime(t *testing.T) {
	first := listenOn(t, "127.0.0.1", 0)
	port := first.Addr().(*net.TCPAddr).Port
	listenOn(t, "127.0.0.3", port)
	var lookups atomic.Int32
	restore := SetLookup(func(ctx context.Context, network, host string) ([]netip.Addr, error) {
		if lookups.Add(1) == 1 {
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
		}
		return []netip.Addr{netip.MustParseAddr("127.0.0.3")}, nil
	})
	defer restore()
	ep, err := ParseEndpoint("tcp://moving.test:" + strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"127.0.0.1", "127.0.0.3"} {
		c, err := Dial(context.Background(), ep, nil)
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		if got := c.RemoteAddr().(*net.TCPAddr).IP.String(); got != want {
			t.Errorf("dial %d connected to %s, want %s", i, got, want)
		}
		c.Close()
	}
}

// A name whose every address refuses reports the first address's error.
func TestDialAllAddressesRefused(t *testing.T) {
	restore := SetLookup(func(ctx context.Context, network, host string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("127.0.0.2"), netip.MustParseAddr("127.0.0.4")}, nil
	})
	defer restore()
	ep, err := ParseEndpoint("tcp://nobody.test:1")
	if err != nil {
		t.Fatal(err)
	}
	if c, err := Dial(context.Background(), ep, nil); err == nil {
		c.Close()
		t.Fatal("dial succeeded with no listener")
	}
}
