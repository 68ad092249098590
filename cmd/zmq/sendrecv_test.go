package main

import (
	"io"
	"strings"
	"testing"

	zmq "github.com/purezmq/zmq4"
)

func TestFormatMessage(t *testing.T) {
	parts := [][]byte{[]byte("hello"), {0, 1, 0xff}, {}, []byte("tab\there")}
	if got, want := formatMessage(parts, false), "hello | 0x0001ff |  | 0x7461620968657265"; got != want {
		t.Errorf("formatMessage = %q, want %q", got, want)
	}
	if got, want := formatMessage(parts[:1], true), "0x68656c6c6f"; got != want {
		t.Errorf("formatMessage(hex) = %q, want %q", got, want)
	}
}

func TestParseSocketType(t *testing.T) {
	for name, want := range map[string]zmq.Type{"push": zmq.PUSH, "Sub": zmq.SUB, "ROUTER": zmq.ROUTER, "xrep": zmq.ROUTER} {
		if got, err := parseSocketType(name); err != nil || got != want {
			t.Errorf("parseSocketType(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	if _, err := parseSocketType("PUSHY"); err == nil {
		t.Error("parseSocketType accepted PUSHY")
	}
}

func TestSendRecvPushPull(t *testing.T) {
	recv, ep := startBound(t, nil, "recv", "-t", "pull", "-n", "3")
	code, out, errs := runToEnd(t, "", "send", "-t", "PUSH", "-c", ep, "-n", "3", "hello", "world")
	if code != 0 || out != "" {
		t.Fatalf("send: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if code := recv.wait(t); code != 0 {
		t.Fatalf("recv: exit %d: %s", code, recv.stderr)
	}
	if got, want := recv.stdout.String(), strings.Repeat("hello | world\n", 3); got != want {
		t.Errorf("recv printed %q, want %q", got, want)
	}
}

func TestSendStdinLinesHex(t *testing.T) {
	recv, ep := startBound(t, nil, "recv", "-t", "PULL", "-n", "2", "-hex")
	if code, _, errs := runToEnd(t, "ab\nc\n", "send", "-t", "PUSH", "-c", ep); code != 0 {
		t.Fatalf("send: exit %d: %s", code, errs)
	}
	recv.wait(t)
	if got, want := recv.stdout.String(), "0x6162\n0x63\n"; got != want {
		t.Errorf("recv printed %q, want %q", got, want)
	}
}

func TestSendReqRecvRepEcho(t *testing.T) {
	recv, ep := startBound(t, nil, "recv", "-t", "REP", "-n", "2")
	code, out, errs := runToEnd(t, "", "send", "-t", "REQ", "-c", ep, "-n", "2", "ping", "42")
	if code != 0 {
		t.Fatalf("send: exit %d: %s", code, errs)
	}
	if want := "ping | 42\nping | 42\n"; out != want {
		t.Errorf("REQ printed replies %q, want %q", out, want)
	}
	recv.wait(t)
	if got, want := recv.stdout.String(), "ping | 42\nping | 42\n"; got != want {
		t.Errorf("REP printed %q, want %q", got, want)
	}
}

func TestSendPubRecvSubTopic(t *testing.T) {
	recv, ep := startBound(t, nil, "recv", "-t", "SUB", "-s", "weather", "-n", "3")
	// PUB drops messages until the subscription arrives, so feed lines until
	// the subscriber has had three.
	lines, feed := io.Pipe()
	send := startCommand(t, lines, "send", "-t", "PUB", "-c", ep)
	go func() {
		for {
			if _, err := io.WriteString(feed, "news today\nweather sunny\n"); err != nil {
				return
			}
		}
	}()
	if code := recv.wait(t); code != 0 {
		t.Fatalf("recv: exit %d: %s", code, recv.stderr)
	}
	feed.Close()
	if code := send.wait(t); code != 0 {
		t.Fatalf("send: exit %d: %s", code, send.stderr)
	}
	if got, want := recv.stdout.String(), strings.Repeat("weather sunny\n", 3); got != want {
		t.Errorf("SUB printed %q, want %q", got, want)
	}
}

func TestSendRecvCurve(t *testing.T) {
	public, secret, err := zmq.NewCurveKeypair()
	if err != nil {
		t.Fatal(err)
	}
	recv, ep := startBound(t, nil, "recv", "-t", "PULL", "-n", "1", "-curve-server", secret)
	if code, _, errs := runToEnd(t, "", "send", "-t", "PUSH", "-c", ep, "-curve-client", public, "secret message"); code != 0 {
		t.Fatalf("send: exit %d: %s", code, errs)
	}
	recv.wait(t)
	if got := recv.stdout.String(); got != "secret message\n" {
		t.Errorf("recv printed %q", got)
	}
}

func TestRecvStopsWhenInterrupted(t *testing.T) {
	recv, _ := startBound(t, nil, "recv", "-t", "PULL")
	if code := recv.stop(t); code != 0 {
		t.Errorf("interrupted recv: exit %d: %s", code, recv.stderr)
	}
}

func TestSendRecvBadCommandLines(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"send", "x"}, 2},
		{[]string{"send", "-t", "PUSH", "x"}, 2},
		{[]string{"send", "-t", "SHOVE", "-c", "tcp://127.0.0.1:1", "x"}, 2},
		{[]string{"send", "-t", "PUSH", "-c", "tcp://127.0.0.1:1", "-n", "0", "x"}, 2},
		{[]string{"recv", "-t", "PULL", "-b", "tcp://127.0.0.1:*", "extra"}, 2},
		{[]string{"recv", "-bogus"}, 2},
		{[]string{"recv", "-t", "PULL", "-b", "nonsense://here"}, 1},
	} {
		code, _, errs := runToEnd(t, "", c.args...)
		if code != c.code || errs == "" {
			t.Errorf("zmq %q: exit %d (want %d), stderr %q", c.args, code, c.code, errs)
		}
	}
}
