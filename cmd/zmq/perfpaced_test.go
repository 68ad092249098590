package main

import (
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestParsePerfPaced(t *testing.T) {
	good := map[string]perfArgs{
		"local_echo tcp://127.0.0.1:1 64 10":         {mode: "local_echo", endpoint: "tcp://127.0.0.1:1", size: 64, count: 10},
		"remote_paced tcp://127.0.0.1:1 64 10 20000": {mode: "remote_paced", endpoint: "tcp://127.0.0.1:1", size: 64, count: 10, rate: 20000},
		"local_pub_paced tcp://127.0.0.1:1 64 2 100 2000": {mode: "local_pub_paced", endpoint: "tcp://127.0.0.1:1", size: 64, count: 2,
			sockets: 100, rate: 2000},
	}
	for line, want := range good {
		got, err := parsePerfArgs(splitArgs(line))
		if err != nil || got != want {
			t.Errorf("%q: %+v, %v; want %+v", line, got, err, want)
		}
	}
	for _, line := range []string{
		"local_echo tcp://127.0.0.1:1 64 1",                // only the warm-up
		"local_echo tcp://127.0.0.1:1 64 10 20000",         // no RATE on this side
		"remote_paced tcp://127.0.0.1:1 64 10",             // no RATE
		"remote_paced tcp://127.0.0.1:1 64 10 0",           // rate of zero
		"remote_paced tcp://127.0.0.1:1 64 10 fast",        // not a number
		"remote_paced tcp://127.0.0.1:1 -1 10 20000",       // negative size
		"local_pub_paced tcp://127.0.0.1:1 64 10 100",      // no RATE
		"local_pub_paced tcp://127.0.0.1:1 64 10 0 2000",   // no subscribers
		"local_pub_paced tcp://127.0.0.1:1 64 0 100 2000",  // no messages
		"local_pub_paced tcp://127.0.0.1:1 0 10 100 2000",  // an empty message ends the run
		"local_pub_paced tcp://127.0.0.1:1 64 10 100 slow", // not a number
	} {
		if _, err := parsePerfArgs(splitArgs(line)); err == nil {
			t.Errorf("%q accepted", line)
		}
	}
}

func TestPerfPacedRun(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("local_echo and remote_paced measure CPU time on Linux only")
	}
	ep := freeTCPEndpoint(t)
	local, remote := runPerfPair(t, []string{"local_echo", ep, "64", "201"}, []string{"remote_paced", ep, "64", "201", "20000"})
	if !regexp.MustCompile(`^message size: 64 \[B\]\nmessage count: 201\ncpu per message: [0-9.]+ \[us\]\n$`).MatchString(local) {
		t.Errorf("local_echo report:\n%s", local)
	}
	if !regexp.MustCompile(`^message size: 64 \[B\]\nmessage count: 201\ntarget rate: 20000 \[msg/s\]\nachieved rate: [0-9]+ \[msg/s\]\ncpu per message: [0-9.]+ \[us\]\n$`).MatchString(remote) {
		t.Errorf("remote_paced report:\n%s", remote)
	}
}

// The paced publisher sends every message to every subscriber, none
// before its time on the schedule (so a slow machine may fall behind the
// rate asked, never ahead of it), and says what its process spent per
// message.
func TestPerfPubPacedRun(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("local_pub_paced measures CPU time on Linux only")
	}
	ep := freeTCPEndpoint(t)
	local, remote := runPerfPair(t, []string{"local_pub_paced", ep, "64", "300", "3", "1000"}, []string{"remote_sub", ep, "64", "300", "3"})
	m := regexp.MustCompile(`^message size: 64 \[B\]\nmessage count: 300\nsubscribers: 3\ntarget rate: 1000 \[msg/s\]\nachieved rate: ([0-9]+) \[msg/s\]\ncpu per message: [0-9.]+ \[us\]\n$`).FindStringSubmatch(local)
	if m == nil {
		t.Fatalf("local_pub_paced report:\n%s", local)
	}
	if rate, _ := strconv.Atoi(m[1]); rate > 1000 {
		t.Errorf("achieved %d messages a second, above the 1000 asked", rate)
	}
	if !strings.Contains(remote, "received: 900 of 900\n") {
		t.Errorf("remote_sub report:\n%s", remote)
	}
}
