package main

import (
	"regexp"
	"testing"

	zmq "github.com/purezmq/zmq4"
)

func TestParseProxyEnd(t *testing.T) {
	got, err := parseProxyEnd("router@tcp://*:5555")
	if err != nil || got != (proxyEnd{zmq.ROUTER, "tcp://*:5555", true}) {
		t.Errorf("bind form: %+v, %v", got, err)
	}
	got, err = parseProxyEnd("DEALER>tcp://host:5556")
	if err != nil || got != (proxyEnd{zmq.DEALER, "tcp://host:5556", false}) {
		t.Errorf("connect form: %+v, %v", got, err)
	}
	for _, bad := range []string{"", "ROUTER", "@tcp://*:1", "ROUTER@", "NOPE@tcp://*:1"} {
		if _, err := parseProxyEnd(bad); err == nil {
			t.Errorf("parseProxyEnd(%q) accepted it", bad)
		}
	}
}

func TestProxyForwardsPushToPull(t *testing.T) {
	proxy := startCommand(t, nil, "proxy",
		"-frontend", "PULL@tcp://127.0.0.1:*", "-backend", "PUSH@tcp://127.0.0.1:*",
		"-capture", "PUSH@tcp://127.0.0.1:*")
	m := proxy.awaitOutput(t, proxy.stderr, regexp.MustCompile(
		`frontend bound (tcp://\S+)\n.*backend bound (tcp://\S+)\n.*capture bound (tcp://\S+)\n`))
	front, back, capture := m[1], m[2], m[3]

	recv := startCommand(t, nil, "recv", "-t", "PULL", "-c", back, "-n", "2")
	captured := startCommand(t, nil, "recv", "-t", "PULL", "-c", capture, "-n", "2")
	if code, _, errs := runToEnd(t, "", "send", "-t", "PUSH", "-c", front, "-n", "2", "through", "the proxy"); code != 0 {
		t.Fatalf("send: exit %d: %s", code, errs)
	}
	for _, r := range []*commandRun{recv, captured} {
		if code := r.wait(t); code != 0 {
			t.Fatalf("recv: exit %d: %s", code, r.stderr)
		}
		if got, want := r.stdout.String(), "through | the proxy\nthrough | the proxy\n"; got != want {
			t.Errorf("zmq %q printed %q, want %q", r.args, got, want)
		}
	}
	if code := proxy.stop(t); code != 0 {
		t.Errorf("interrupted proxy: exit %d: %s", code, proxy.stderr)
	}
}

func TestProxyBadCommandLines(t *testing.T) {
	for _, args := range [][]string{
		{"proxy"},
		{"proxy", "-frontend", "PULL@tcp://127.0.0.1:*"},
		{"proxy", "-frontend", "PULL:tcp://127.0.0.1:*", "-backend", "PUSH@tcp://127.0.0.1:*"},
	} {
		if code, _, _ := runToEnd(t, "", args...); code != 2 {
			t.Errorf("zmq %q: exit %d, want 2", args, code)
		}
	}
	code, _, errs := runToEnd(t, "", "proxy", "-frontend", "PULL@nonsense://x", "-backend", "PUSH@tcp://127.0.0.1:*")
	if code != 1 || errs == "" {
		t.Errorf("bad endpoint: exit %d, stderr %q", code, errs)
	}
}

// -stats prints both sockets' counters as JSON lines.
func TestProxyStats(t *testing.T) {
	proxy := startCommand(t, nil, "proxy", "-stats", "20ms",
		"-frontend", "PULL@tcp://127.0.0.1:*", "-backend", "PUSH@tcp://127.0.0.1:*")
	m := proxy.awaitOutput(t, proxy.stderr, regexp.MustCompile(
		`frontend bound (tcp://\S+)\n.*backend bound (tcp://\S+)\n`))
	recv := startCommand(t, nil, "recv", "-t", "PULL", "-c", m[2], "-n", "1")
	if code, _, errs := runToEnd(t, "", "send", "-t", "PUSH", "-c", m[1], "counted"); code != 0 {
		t.Fatalf("send: exit %d: %s", code, errs)
	}
	recv.wait(t)
	proxy.awaitOutput(t, proxy.stderr, regexp.MustCompile(
		`\{"time":"[^"]+","frontend":\{"MsgsSent":0,"BytesSent":0,"MsgsReceived":1,"BytesReceived":7,.*"backend":\{"MsgsSent":1,"BytesSent":7,`))
	if code := proxy.stop(t); code != 0 {
		t.Errorf("interrupted proxy: exit %d: %s", code, proxy.stderr)
	}
}
