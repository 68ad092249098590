package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// hangGuard bounds every wait in these tests; nothing is timed.
const hangGuard = 30 * time.Second

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// commandRun is one zmq command running in a goroutine.
type commandRun struct {
	args   []string
	cancel context.CancelFunc
	done   chan int
	stdout *syncBuffer
	stderr *syncBuffer
}

// startCommand runs `zmq args...` in the background with stdin.
func startCommand(t *testing.T, stdin io.Reader, args ...string) *commandRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &commandRun{args: args, cancel: cancel, done: make(chan int, 1),
		stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	go func() { r.done <- runWith(ctx, args, stdin, r.stdout, r.stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(hangGuard):
			t.Errorf("zmq %q did not stop when cancelled", args)
		}
	})
	return r
}

// wait returns the command's exit code once it finishes by itself.
func (r *commandRun) wait(t *testing.T) int {
	t.Helper()
	select {
	case code := <-r.done:
		r.done <- code // for the cleanup
		return code
	case <-time.After(hangGuard):
		t.Fatalf("zmq %q did not finish; stdout:\n%s\nstderr:\n%s", r.args, r.stdout, r.stderr)
		return -1
	}
}

// stop interrupts the command and returns its exit code.
func (r *commandRun) stop(t *testing.T) int {
	t.Helper()
	r.cancel()
	return r.wait(t)
}

// awaitOutput waits until re matches what the command wrote to w and
// returns the submatches.
func (r *commandRun) awaitOutput(t *testing.T, w *syncBuffer, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(w.String()); m != nil {
			return m
		}
		select {
		case code := <-r.done:
			r.done <- code
			if m := re.FindStringSubmatch(w.String()); m != nil {
				return m
			}
			t.Fatalf("zmq %q exited %d before printing %v; stdout:\n%s\nstderr:\n%s",
				r.args, code, re, r.stdout, r.stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("zmq %q never printed %v; stdout:\n%s\nstderr:\n%s", r.args, re, r.stdout, r.stderr)
	return nil
}

var boundEndpoint = regexp.MustCompile(`bound (tcp://\S+)`)

// startBound starts a command that binds tcp://127.0.0.1:* and returns it
// with the endpoint it bound.
func startBound(t *testing.T, stdin io.Reader, args ...string) (*commandRun, string) {
	t.Helper()
	r := startCommand(t, stdin, append(args, "-b", "tcp://127.0.0.1:*")...)
	return r, r.awaitOutput(t, r.stderr, boundEndpoint)[1]
}

// runToEnd runs a command to completion and returns its exit code and output.
func runToEnd(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	r := startCommand(t, strings.NewReader(stdin), args...)
	code := r.wait(t)
	return code, r.stdout.String(), r.stderr.String()
}
