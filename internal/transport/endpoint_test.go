package transport

import (
	"errors"
	"syscall"
	"testing"
)

func TestParseEndpoint(t *testing.T) {
	good := []struct {
		in                   string
		scheme, addr, source string
	}{
		{"tcp://127.0.0.1:5555", "tcp", "127.0.0.1:5555", ""},
		{"tcp://*:*", "tcp", "*:*", ""},
		{"tcp://*:0", "tcp", "*:0", ""},
		{"tcp://[*]:*", "tcp", "[*]:*", ""},
		{"tcp://[::1]:5555", "tcp", "[::1]:5555", ""},
		{"tcp://::1:5555", "tcp", "::1:5555", ""},
		{"tcp://[fe80::1%eth0]:5555", "tcp", "[fe80::1%eth0]:5555", ""},
		{"tcp://localhost:5555", "tcp", "localhost:5555", ""},
		{"tcp://my-host.example_1.org:80", "tcp", "my-host.example_1.org:80", ""},
		{"tcp://lo:*", "tcp", "lo:*", ""},
		{"tcp://127.0.0.1:00080", "tcp", "127.0.0.1:00080", ""},
		{"tcp://127.0.0.1;127.0.0.1:5555", "tcp", "127.0.0.1:5555", "127.0.0.1"},
		{"tcp://127.0.0.1:0;127.0.0.1:5555", "tcp", "127.0.0.1:5555", "127.0.0.1:0"},
		{"tcp://127.0.0.1:*;localhost:5555", "tcp", "localhost:5555", "127.0.0.1:*"},
		{"tcp://[::1];[::1]:5555", "tcp", "[::1]:5555", "[::1]"},
		{"tcp://eth0:4000;10.0.0.1:5555", "tcp", "10.0.0.1:5555", "eth0:4000"},
		{"ipc:///tmp/x.sock", "ipc", "/tmp/x.sock", ""},
		{"ipc://rel/x.sock", "ipc", "rel/x.sock", ""},
		{"ipc://*", "ipc", "*", ""},
		{"ipc://@abstract", "ipc", "@abstract", ""},
		{"inproc://name", "inproc", "name", ""},
		{"inproc://*", "inproc", "*", ""},
		{"inproc://a://b", "inproc", "a://b", ""},
		{"ws://127.0.0.1:5555/path", "ws", "127.0.0.1:5555/path", ""},
		{"ws://*:*", "ws", "*:*", ""},
		{"ws://[::1]:80/a/b?c", "ws", "[::1]:80/a/b?c", ""},
		{"udp://127.0.0.1:5555", "udp", "127.0.0.1:5555", ""},
	}
	for _, tc := range good {
		ep, err := ParseEndpoint(tc.in)
		if err != nil {
			t.Errorf("ParseEndpoint(%q): %v", tc.in, err)
			continue
		}
		want := Endpoint{Scheme: tc.scheme, Addr: tc.addr, Source: tc.source, Raw: tc.in}
		if ep != want {
			t.Errorf("ParseEndpoint(%q) = %+v, want %+v", tc.in, ep, want)
		}
	}

	invalid := []string{
		"", "tcp", "tcp:/x", "tcp//x", "://x", "tcp://", "ipc://", "inproc://", "foo://",
		"tcp://*", "tcp://127.0.0.1", "tcp://*:", "tcp://*:abc", "tcp://*:!", "tcp://*:-1",
		"tcp://127.0.0.1:65536", "tcp://127.0.0.1:70000", "tcp://127.0.0.1:5a",
		"tcp://127.0.0.1:5555 ", "tcp://127.0.0.1:5555/path", "tcp://:5555", "tcp://[]:5555",
		"tcp://[::1:5555", "tcp://::1]:5555", "tcp://[::1]x:5555", "tcp://[fe80::1%]:5555",
		"tcp://;127.0.0.1:5555", "tcp://127.0.0.1:5555;", "tcp://a;b;127.0.0.1:5555",
		"tcp://127.0.0.1:x;127.0.0.1:5555", "tcp://h\x00:1", "ipc://@",
		"ws://127.0.0.1", "ws://h:1/a b", "ws://a;b:1/x", "ws://h:x/", "ws:///p",
	}
	for _, in := range invalid {
		_, err := ParseEndpoint(in)
		if !errors.Is(err, ErrInvalidEndpoint) || !errors.Is(err, syscall.EINVAL) {
			t.Errorf("ParseEndpoint(%q) error = %v, want ErrInvalidEndpoint wrapping EINVAL", in, err)
		}
	}

	unsupported := []string{"TCP://127.0.0.1:1", "foo://x", "pgm://x", "WSS://x", "vmci://1:1", "tipc://x"}
	for _, in := range unsupported {
		_, err := ParseEndpoint(in)
		if !errors.Is(err, ErrProtocolNotSupported) || !errors.Is(err, syscall.EPROTONOSUPPORT) {
			t.Errorf("ParseEndpoint(%q) error = %v, want ErrProtocolNotSupported", in, err)
		}
	}
}

func FuzzParseEndpoint(f *testing.F) {
	seeds := []string{
		"tcp://127.0.0.1:5555", "tcp://*:*", "tcp://[::1]:0", "tcp://[fe80::1%lo]:1",
		"tcp://127.0.0.1:*;localhost:5555", "tcp://[::1];[::1]:5555", "ipc:///tmp/x", "ipc://@a",
		"ipc://*", "inproc://x", "ws://a:1/p", "udp://a:1", "foo://x", "tcp://a;b;c:1", "tcp://::1:9",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ep, err := ParseEndpoint(s)
		if err != nil {
			if !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.EPROTONOSUPPORT) {
				t.Fatalf("ParseEndpoint(%q): error %v wraps neither EINVAL nor EPROTONOSUPPORT", s, err)
			}
			return
		}
		if ep.Raw != s || ep.Addr == "" {
			t.Fatalf("ParseEndpoint(%q) = %+v", s, ep)
		}
		rebuilt := ep.Scheme + "://" + ep.Addr
		if ep.Source != "" {
			rebuilt = ep.Scheme + "://" + ep.Source + ";" + ep.Addr
		}
		if rebuilt != s {
			t.Fatalf("ParseEndpoint(%q) = %+v does not rebuild the input", s, ep)
		}
		again, err := ParseEndpoint(rebuilt)
		if err != nil || again != ep {
			t.Fatalf("reparse of %q: %+v, %v", rebuilt, again, err)
		}
	})
}
