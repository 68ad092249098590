package zmq4

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a bytes.Buffer safe for the logger's goroutine and the
// test's.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Monitor events reach a slog.Logger, one record each, until the socket
// closes.
func TestMonitorLog(t *testing.T) {
	ctx := newTestContext(t)
	var out lockedBuffer
	logger := slog.New(slog.NewTextHandler(&out, nil))
	pull := newTestSocket(t, ctx, PULL)
	must(t, pull.MonitorLog(logger, EVENT_ALL))
	ep := boundTCP(t, pull)
	push := newTestSocket(t, ctx, PUSH)
	must(t, push.Connect(ep))
	sendParts(t, push, "x")
	expectParts(t, pull, "x")
	waitUntil(t, "the handshake to be logged", func() bool {
		return strings.Contains(out.String(), "event=EVENT_HANDSHAKE_SUCCEEDED")
	})
	for _, want := range []string{"msg=\"zmq event\"", "event=EVENT_LISTENING endpoint=" + ep, "event=EVENT_ACCEPTED"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, out.String())
		}
	}
	must(t, pull.Close())
	waitUntil(t, "the monitor's end to be logged", func() bool {
		return strings.Contains(out.String(), "event=EVENT_MONITOR_STOPPED")
	})
}

// The authenticator's verbose log goes to a slog.Logger when one is set,
// and nowhere when verbose is off.
func TestAuthLogger(t *testing.T) {
	ctx := newTestContext(t)
	var out lockedBuffer
	ctx.AuthSetLogger(slog.New(slog.NewTextHandler(&out, nil)))
	must(t, ctx.AuthStart())
	defer ctx.AuthStop()
	ctx.AuthAllow("test", "127.0.0.1")
	server := newTestSocket(t, ctx, PULL)
	must(t, server.SetZapDomain("test"))
	ep := boundTCP(t, server)
	client := newTestSocket(t, ctx, PUSH)
	must(t, client.Connect(ep))
	sendParts(t, client, "quiet")
	expectParts(t, server, "quiet")
	if strings.Contains(out.String(), "PASSED") {
		t.Fatalf("logged with verbose off:\n%s", out.String())
	}
	ctx.AuthSetVerbose(true)
	client2 := newTestSocket(t, ctx, PUSH)
	must(t, client2.Connect(ep))
	sendParts(t, client2, "loud")
	expectParts(t, server, "loud")
	if !strings.Contains(out.String(), "PASSED (whitelist)") || !strings.Contains(out.String(), "component=zmq4.auth") {
		t.Fatalf("no decision in the log:\n%s", out.String())
	}
}
