package main

import (
	"bytes"
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(nil, &out, &errOut); code != 2 {
		t.Errorf("no arguments: exit %d, want 2", code)
	}
	if !strings.Contains(errOut.String(), "zmq perf local_thr") {
		t.Errorf("no arguments: usage missing from stderr:\n%s", errOut.String())
	}
	out.Reset()
	if code := run([]string{"help"}, &out, &errOut); code != 0 {
		t.Errorf("help: exit %d, want 0", code)
	}
	for _, want := range []string{"zmq perf", "zmq demo", "zmq bench", "zmq send", "zmq recv", "zmq proxy", "zmq keygen", "zmq monitor", "zmq soak"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help does not mention %q", want)
		}
	}
	if code := run([]string{"frobnicate"}, &out, &errOut); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
}

func TestParsePerfArgs(t *testing.T) {
	good := []struct {
		args []string
		want perfArgs
	}{
		{[]string{"local_thr", "tcp://127.0.0.1:5555", "64", "1000"},
			perfArgs{mode: "local_thr", endpoint: "tcp://127.0.0.1:5555", size: 64, count: 1000}},
		{[]string{"remote_lat", "ipc:///tmp/x", "0", "5", "curve"},
			perfArgs{mode: "remote_lat", endpoint: "ipc:///tmp/x", size: 0, count: 5, curve: true}},
		{[]string{"inproc_thr", "1024", "7"},
			perfArgs{mode: "inproc_thr", size: 1024, count: 7}},
	}
	for _, g := range good {
		got, err := parsePerfArgs(g.args)
		if err != nil || got != g.want {
			t.Errorf("parsePerfArgs(%q) = %+v, %v; want %+v", g.args, got, err, g.want)
		}
	}
	bad := [][]string{
		nil,
		{"local_thr"},
		{"local_thr", "tcp://127.0.0.1:5555", "64"},
		{"local_thr", "tcp://127.0.0.1:5555", "64", "0"},
		{"local_thr", "tcp://127.0.0.1:5555", "-1", "10"},
		{"local_thr", "tcp://127.0.0.1:5555", "64", "10", "plain"},
		{"inproc_lat", "64", "10", "curve"},
		{"other_thr", "64", "10"},
	}
	for _, args := range bad {
		if _, err := parsePerfArgs(args); err == nil {
			t.Errorf("parsePerfArgs(%q) accepted a bad command line", args)
		}
	}
}

func TestFormulasMatchLibzmq(t *testing.T) {
	// 1000 messages in 2 ms: 500,000 msg/s; 64-byte payloads: 256 Mb/s.
	if got := throughputOf(1000, 2*time.Millisecond); got != 500000 {
		t.Errorf("throughputOf = %d, want 500000", got)
	}
	if got := megabitsOf(500000, 64); got != 256 {
		t.Errorf("megabitsOf = %v, want 256", got)
	}
	// A zero elapsed time counts as one microsecond, as in local_thr.
	if got := throughputOf(3, 0); got != 3000000 {
		t.Errorf("throughputOf(3, 0) = %d, want 3000000", got)
	}
	// 100 round trips in 5 ms: 25 us one way.
	if got := latencyOf(100, 5*time.Millisecond); got != 25 {
		t.Errorf("latencyOf = %v, want 25", got)
	}
	var out bytes.Buffer
	printThroughput(&out, 64, 1000, 2*time.Millisecond)
	want := "message size: 64 [B]\nmessage count: 1000\nmean throughput: 500000 [msg/s]\nmean throughput: 256.000 [Mb/s]\n"
	if out.String() != want {
		t.Errorf("printThroughput wrote\n%s\nwant\n%s", out.String(), want)
	}
	out.Reset()
	printLatency(&out, 64, 100, 5*time.Millisecond)
	want = "message size: 64 [B]\nroundtrip count: 100\naverage latency: 25.000 [us]\n"
	if out.String() != want {
		t.Errorf("printLatency wrote\n%s\nwant\n%s", out.String(), want)
	}
}

var (
	throughputReport = regexp.MustCompile(`^message size: 64 \[B\]\nmessage count: 500\nmean throughput: [0-9]+ \[msg/s\]\nmean throughput: [0-9]+\.[0-9]{3} \[Mb/s\]\n$`)
	latencyReport    = regexp.MustCompile(`^message size: 64 \[B\]\nroundtrip count: 50\naverage latency: [0-9]+\.[0-9]{3} \[us\]\n$`)
)

func TestPerfInproc(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"perf", "inproc_thr", "64", "500"}, &out, &errOut); code != 0 {
		t.Fatalf("inproc_thr: exit %d: %s", code, errOut.String())
	}
	if !throughputReport.MatchString(out.String()) {
		t.Errorf("inproc_thr report:\n%s", out.String())
	}
	out.Reset()
	if code := run([]string{"perf", "inproc_lat", "64", "50"}, &out, &errOut); code != 0 {
		t.Fatalf("inproc_lat: exit %d: %s", code, errOut.String())
	}
	if !latencyReport.MatchString(out.String()) {
		t.Errorf("inproc_lat report:\n%s", out.String())
	}
}

// freeTCPEndpoint returns a loopback endpoint nothing listens on right now.
func freeTCPEndpoint(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "tcp://" + addr
}

// runPerfPair runs the local and remote halves of one perf measurement and
// returns what each printed.
func runPerfPair(t *testing.T, local, remote []string) (string, string) {
	t.Helper()
	type result struct {
		code      int
		out, errs string
	}
	launch := func(args []string) chan result {
		ch := make(chan result, 1)
		go func() {
			var out, errOut bytes.Buffer
			code := run(append([]string{"perf"}, args...), &out, &errOut)
			ch <- result{code, out.String(), errOut.String()}
		}()
		return ch
	}
	localDone := launch(local)
	remoteDone := launch(remote)
	var results [2]result
	for i, ch := range []chan result{localDone, remoteDone} {
		select {
		case results[i] = <-ch:
		case <-time.After(30 * time.Second):
			t.Fatalf("perf %q did not finish", []string{fmt.Sprint(local), fmt.Sprint(remote)}[i])
		}
		if results[i].code != 0 {
			t.Fatalf("perf exit %d: %s", results[i].code, results[i].errs)
		}
	}
	return results[0].out, results[1].out
}

func TestPerfTCP(t *testing.T) {
	for _, curve := range []bool{false, true} {
		extra := []string{}
		if curve {
			extra = []string{"curve"}
		}
		ep := freeTCPEndpoint(t)
		localOut, remoteOut := runPerfPair(t,
			append([]string{"local_thr", ep, "64", "500"}, extra...),
			append([]string{"remote_thr", ep, "64", "500"}, extra...))
		if !throughputReport.MatchString(localOut) || remoteOut != "" {
			t.Errorf("curve=%v thr: local printed\n%s\nremote printed\n%s", curve, localOut, remoteOut)
		}
		ep = freeTCPEndpoint(t)
		localOut, remoteOut = runPerfPair(t,
			append([]string{"local_lat", ep, "64", "50"}, extra...),
			append([]string{"remote_lat", ep, "64", "50"}, extra...))
		if localOut != "" || !latencyReport.MatchString(remoteOut) {
			t.Errorf("curve=%v lat: local printed\n%s\nremote printed\n%s", curve, localOut, remoteOut)
		}
	}
}

func TestDemo(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"demo"}, &out, &errOut); code != 0 {
		t.Fatalf("demo: exit %d: %s\n%s", code, errOut.String(), out.String())
	}
	text := out.String()
	for _, want := range []string{
		`REQ receives "World, re: Hello 3"`,
		`SUB receives  "weather.london 12C drizzle"`,
		`SUB receives  "weather.paris 15C sunny"`,
		`PUB publishes "sports.football 2-1"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("demo output lacks %s:\n%s", want, text)
		}
	}
	if strings.Contains(text, `SUB receives  "sports`) {
		t.Errorf("the topic filter let sports through:\n%s", text)
	}
	// PUSH deals six tasks evenly to two connected workers.
	for _, worker := range []string{"worker 1", "worker 2"} {
		line := regexp.MustCompile(worker + ` received: (.*)\n`).FindStringSubmatch(text)
		if line == nil || len(strings.Split(line[1], ", ")) != 3 {
			t.Errorf("%s did not receive three tasks:\n%s", worker, text)
		}
	}
}

func TestBenchQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every benchmark case")
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"bench", "-quick", "-time", "500ms"}, &out, &errOut); code != 0 {
		t.Fatalf("bench: exit %d: %s", code, errOut.String())
	}
	text := out.String()
	if strings.Contains(text, "error") {
		t.Errorf("bench reported errors:\n%s", text)
	}
	for _, row := range []string{"tcp ", "tcp+curve", "ipc ", "inproc "} {
		if strings.Count(text, "\n"+row) != 3 {
			t.Errorf("bench table lacks three %q rows:\n%s", row, text)
		}
	}
	if code := run([]string{"bench", "extra"}, &out, &errOut); code != 2 {
		t.Errorf("bench with an argument: exit %d, want 2", code)
	}
}
