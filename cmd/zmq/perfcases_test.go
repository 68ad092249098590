package main

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq4"
)

func TestParsePerfCases(t *testing.T) {
	good := map[string]perfArgs{
		"local_thr_bytes tcp://127.0.0.1:1 65536 10": {mode: "local_thr_bytes", endpoint: "tcp://127.0.0.1:1", size: 65536, count: 10},
		"remote_latp tcp://127.0.0.1:1 64 10":        {mode: "remote_latp", endpoint: "tcp://127.0.0.1:1", size: 64, count: 10},
		"local_pub tcp://127.0.0.1:1 64 10 100":      {mode: "local_pub", endpoint: "tcp://127.0.0.1:1", size: 64, count: 10, sockets: 100},
		"poll_lat inproc 64 10 1000":                 {mode: "poll_lat", endpoint: "inproc", size: 64, count: 10, sockets: 1000},
		"local_pub tcp://127.0.0.1:1 64 10 100 1.5":  {mode: "local_pub", endpoint: "tcp://127.0.0.1:1", size: 64, count: 10, sockets: 100, duration: 1500 * time.Millisecond},
	}
	for line, want := range good {
		got, err := parsePerfArgs(splitArgs(line))
		if err != nil || got != want {
			t.Errorf("%q: %+v, %v; want %+v", line, got, err, want)
		}
	}
	for _, line := range []string{
		"local_pub tcp://127.0.0.1:1 64 10",    // no SUBS
		"local_pub tcp://127.0.0.1:1 0 10 1",   // an empty message ends the run
		"remote_sub tcp://127.0.0.1:1 64 10 0", // no subscriber
		"poll_lat ipc 64 10 10",                // tcp or inproc only
		"remote_latp tcp://127.0.0.1:1 64 10 curve",
		"local_pub tcp://127.0.0.1:1 64 10 1 0",  // SECONDS must be positive
		"remote_sub tcp://127.0.0.1:1 64 10 1 2", // SECONDS is local_pub's
	} {
		if _, err := parsePerfArgs(splitArgs(line)); err == nil {
			t.Errorf("%q accepted", line)
		}
	}
}

func splitArgs(line string) []string { return regexp.MustCompile(` +`).Split(line, -1) }

func TestPerfCasesRun(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"perf", "poll_lat", "inproc", "64", "200", "50"}, &out, &errOut); code != 0 {
		t.Fatalf("poll_lat: exit %d: %s", code, errOut.String())
	}
	if !regexp.MustCompile(`sockets: 50\nroundtrip count: 200\nmean throughput: [0-9]+ \[msg/s\]\naverage latency: `).MatchString(out.String()) {
		t.Errorf("poll_lat report:\n%s", out.String())
	}

	ep := freeTCPEndpoint(t)
	_, remote := runPerfPair(t, []string{"local_lat", ep, "64", "100"}, []string{"remote_latp", ep, "64", "100"})
	if !regexp.MustCompile(`roundtrip p50: [0-9.]+ \[us\]\nroundtrip p99: [0-9.]+ \[us\]\nroundtrip p99.9: [0-9.]+ \[us\]\nroundtrip max: [0-9.]+ \[us\]\n$`).MatchString(remote) {
		t.Errorf("remote_latp report:\n%s", remote)
	}

	ep = freeTCPEndpoint(t)
	local, _ := runPerfPair(t, []string{"local_thr_bytes", ep, "65536", "50"}, []string{"remote_thr", ep, "65536", "50"})
	if !regexp.MustCompile(`message count: 50\nmean throughput: [0-9]+ \[msg/s\]`).MatchString(local) {
		t.Errorf("local_thr_bytes report:\n%s", local)
	}

	ep = freeTCPEndpoint(t)
	pub, sub := runPerfPair(t, []string{"local_pub", ep, "64", "1000", "3"}, []string{"remote_sub", ep, "64", "1000", "3"})
	if !regexp.MustCompile(`subscribers: 3\nsend rate: [0-9]+ \[msg/s\]\n$`).MatchString(pub) {
		t.Errorf("local_pub report:\n%s", pub)
	}
	if !regexp.MustCompile(`subscribers: 3\nreceived: [0-9]+ of 3000\ndelivered: [0-9]+ \[msg/s\]\n$`).MatchString(sub) {
		t.Errorf("remote_sub report:\n%s", sub)
	}

	// With SECONDS the publisher stops long before a count it could not
	// send in that time, at a multiple of 1,024 messages.
	ep = freeTCPEndpoint(t)
	pub, _ = runPerfPair(t, []string{"local_pub", ep, "64", "1000000000000", "2", "0.2"}, []string{"remote_sub", ep, "64", "1000000000000", "2"})
	m := regexp.MustCompile(`message count: ([0-9]+)\n`).FindStringSubmatch(pub)
	if m == nil {
		t.Fatalf("local_pub report:\n%s", pub)
	}
	if n, _ := strconv.Atoi(m[1]); n == 0 || n%1024 != 0 || n >= 1000000000000 {
		t.Errorf("local_pub with SECONDS sent %s messages; want a multiple of 1024 below the count", m[1])
	}
}

func TestBenchCases(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "fanout", "-subs", "2,3", "-count", "200"},
		{"bench", "latency", "-count", "50"},
		{"bench", "poller", "-sockets", "20", "-count", "50"},
	} {
		var out, errOut bytes.Buffer
		if code := run(args, &out, &errOut); code != 0 {
			t.Fatalf("%q: exit %d: %s", args, code, errOut.String())
		}
		for _, want := range map[string][]string{
			"fanout":  {"PUB to 2 tcp", "PUB to 3 tcp", "send rate:", "delivered:"},
			"latency": {"roundtrip p99.9:", "roundtrip max:"},
			"poller":  {"sockets: 20", "mean throughput:"},
		}[args[1]] {
			if !bytes.Contains(out.Bytes(), []byte(want)) {
				t.Errorf("%q: no %q in\n%s", args, want, out.String())
			}
		}
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"bench", "latency", "extra"}, &out, &errOut); code == 0 {
		t.Error("bench latency with an extra argument succeeded")
	}
}

// TestEndFanoutGivesUp: a publisher whose subscriber never says it saw the
// end fails after fanoutEndLimit instead of waiting for ever.
func TestEndFanoutGivesUp(t *testing.T) {
	defer func(d time.Duration) { fanoutEndLimit = d }(fanoutEndLimit)
	fanoutEndLimit = 50 * time.Millisecond
	ctx, err := zmq.NewContext()
	if err != nil {
		t.Fatal(err)
	}
	defer ctx.Term()
	s, err := ctx.NewSocket(zmq.XPUB)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SetLinger(0); err != nil {
		t.Fatal(err)
	}
	if err := s.Bind("inproc://end-fanout"); err != nil {
		t.Fatal(err)
	}
	err = endFanout(s, 1)
	if err == nil || !strings.Contains(err.Error(), "0 of 1 subscribers") {
		t.Fatalf("endFanout with no subscriber: %v; want the 0 of 1 error", err)
	}
}
