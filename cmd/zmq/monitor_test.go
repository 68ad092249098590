package main

import (
	"regexp"
	"testing"

	zmq "github.com/purezmq/zmq4"
)

func TestParseEvents(t *testing.T) {
	got, err := parseEvents("listening, event_Accepted")
	if err != nil || got != zmq.EVENT_LISTENING|zmq.EVENT_ACCEPTED {
		t.Errorf("parseEvents = %v, %v", got, err)
	}
	if got, err := parseEvents("ALL"); err != nil || got != zmq.EVENT_ALL {
		t.Errorf("parseEvents(ALL) = %v, %v", got, err)
	}
	for _, bad := range []string{"", "LISTEN", "LISTENING,,ACCEPTED"} {
		if _, err := parseEvents(bad); err == nil {
			t.Errorf("parseEvents(%q) accepted it", bad)
		}
	}
}

func TestMonitorPrintsListeningAndAccepted(t *testing.T) {
	mon, ep := startBound(t, nil, "monitor", "-t", "PULL", "-events", "listening,accepted", "-n", "2")
	push, err := zmq.NewSocket(zmq.PUSH)
	if err != nil {
		t.Fatal(err)
	}
	defer push.Close()
	push.SetLinger(0)
	if err := push.Connect(ep); err != nil {
		t.Fatal(err)
	}
	if code := mon.wait(t); code != 0 {
		t.Fatalf("monitor: exit %d: %s", code, mon.stderr)
	}
	want := regexp.MustCompile(`^EVENT_LISTENING value=\d+ endpoint=` + regexp.QuoteMeta(ep) +
		`\nEVENT_ACCEPTED value=\d+ endpoint=` + regexp.QuoteMeta(ep) + `\n$`)
	if got := mon.stdout.String(); !want.MatchString(got) {
		t.Errorf("monitor printed\n%s", got)
	}
}

func TestMonitorStopsWhenInterrupted(t *testing.T) {
	mon, _ := startBound(t, nil, "monitor", "-t", "REP")
	mon.awaitOutput(t, mon.stdout, regexp.MustCompile(`EVENT_LISTENING`))
	if code := mon.stop(t); code != 0 {
		t.Errorf("interrupted monitor: exit %d: %s", code, mon.stderr)
	}
}

func TestMonitorBadCommandLines(t *testing.T) {
	for _, args := range [][]string{
		{"monitor", "-t", "PULL"},
		{"monitor", "-t", "PULL", "-b", "tcp://127.0.0.1:*", "-events", "NOPE"},
	} {
		if code, _, _ := runToEnd(t, "", args...); code != 2 {
			t.Errorf("zmq %q: exit %d, want 2", args, code)
		}
	}
}
