package main

import (
	"context"
	"errors"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The soak's checks, fed made-up observations, and a short soak run.

func TestSoakFaultBetween(t *testing.T) {
	cases := []struct {
		sent, received uint64
		want           bool
	}{
		{0, 0, false}, // quiet path: nothing may be lost
		{4, 4, false},
		{4, 5, true}, // a fault under way on arrival
		{5, 5, true}, // under way when sent
		{4, 6, true}, // one began and ended in between
		{5, 6, true},
	}
	for _, c := range cases {
		if got := faultBetween(c.sent, c.received); got != c.want {
			t.Errorf("faultBetween(%d, %d) = %v, want %v", c.sent, c.received, got, c.want)
		}
	}
	var e faultEpoch
	before := e.load()
	e.begin()
	if !faultBetween(before, e.load()) {
		t.Error("a fault that has begun is not seen")
	}
	e.end()
	if !faultBetween(before, e.load()) || faultBetween(e.load(), e.load()) {
		t.Error("a finished fault is misjudged")
	}
}

// observeAll feeds (seq, sent, received) triples to stream "s" and returns
// the lost total, failing the test on a breach.
func observeAll(t *testing.T, c *seqCheck, obs [][3]uint64) int64 {
	t.Helper()
	var lost int64
	for _, o := range obs {
		n, err := c.observe("s", o[0], o[1], o[2], false)
		if err != nil {
			t.Fatalf("observe %v: %v", o, err)
		}
		lost += n
	}
	return lost
}

func TestSoakSeqCheckAcceptsOrderAndAllowedLosses(t *testing.T) {
	c := newSeqCheck(false)
	lost := observeAll(t, c, [][3]uint64{
		{1, 0, 0}, {2, 0, 0}, {3, 0, 0},
		// 4 and 5 lost: a cut (epoch 0 -> 2) came between 3's sending
		// and 6's arrival.
		{6, 2, 2},
		{7, 2, 3}, // a fault under way, nothing lost
		// 8 travelled on a connection that was cut; 9 overtook it on the
		// new one. Both are allowed because a fault struck in between.
		{9, 4, 4}, {8, 2, 4},
	})
	if lost != 2 {
		t.Errorf("lost %d, want 2 (4 and 5; 8 came late)", lost)
	}
}

func TestSoakSeqCheckFlagsBreaches(t *testing.T) {
	cases := []struct {
		name string
		obs  [][3]uint64 // the last one breaks the invariant
		want string
	}{
		{"duplicate", [][3]uint64{{1, 0, 0}, {2, 0, 0}, {2, 0, 0}}, "duplicate"},
		{"duplicate across a fault", [][3]uint64{{1, 0, 0}, {2, 0, 2}, {1, 0, 2}}, "duplicate"},
		{"first message missing on a quiet path", [][3]uint64{{2, 0, 0}}, "lost without a fault"},
		{"gap on a quiet path", [][3]uint64{{1, 2, 2}, {2, 2, 2}, {4, 2, 2}}, "lost without a fault"},
		{"reordered on a quiet path", [][3]uint64{{1, 0, 0}, {3, 2, 2}, {2, 2, 2}}, "reordered without a fault"},
		{"late arrival twice", [][3]uint64{{1, 0, 0}, {3, 2, 2}, {2, 0, 2}, {2, 0, 2}}, "duplicate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			chk := newSeqCheck(false)
			for i, o := range c.obs {
				_, err := chk.observe("pushpull/tcp", o[0], o[1], o[2], false)
				if i < len(c.obs)-1 {
					if err != nil {
						t.Fatalf("observation %d %v: %v", i, o, err)
					}
					continue
				}
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("last observation %v: error %v, want one saying %q", o, err, c.want)
				}
				if !strings.Contains(err.Error(), "pushpull/tcp") {
					t.Errorf("error %q does not name the stream", err)
				}
			}
		})
	}
}

func TestSoakSeqCheckLossyStreams(t *testing.T) {
	// PUB/SUB: gaps are allowed without a fault but counted; a gap while
	// unsubscribed is not counted; duplicates are still breaches.
	c := newSeqCheck(true)
	var lost int64
	for _, o := range []struct {
		seq       uint64
		uncounted bool
	}{{1, false}, {5, false}, {20, true}, {21, false}} {
		n, err := c.observe("A", o.seq, 0, 0, o.uncounted)
		if err != nil {
			t.Fatal(err)
		}
		lost += n
	}
	if lost != 3 {
		t.Errorf("lost %d, want 3 (2 to 4; 6 to 19 were not subscribed)", lost)
	}
	if _, err := c.observe("A", 21, 0, 0, false); err == nil {
		t.Error("a duplicate on a lossy stream was accepted")
	}
	// Streams are independent.
	if _, err := c.observe("B", 1, 0, 0, false); err != nil {
		t.Errorf("stream B: %v", err)
	}
}

func newTestGrowth() *growthCheck {
	return &growthCheck{name: "goroutines", abs: soakGoroutineSlack, rel: 0.1, window: soakWindow}
}

// A leak of one goroutine per churn cycle is a steady climb: it is flagged
// once the floor passes the bound, and the error says what grew.
func TestSoakGrowthCheckFlagsSteadyClimb(t *testing.T) {
	g := newTestGrowth()
	rng := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < 10; i++ {
		if err := g.add(float64(90+rng.IntN(7)), true); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	v := 96.0
	samples := 0
	for ; samples < 600 && err == nil; samples++ {
		v++ // one more each sample
		err = g.add(v+float64(rng.IntN(7))-3, false)
	}
	if err == nil {
		t.Fatal("a climb of 600 over 600 samples was not flagged")
	}
	if !strings.Contains(err.Error(), "goroutines") || !strings.Contains(err.Error(), "growth") {
		t.Errorf("error %q does not say what grew", err)
	}
	// The floor must have risen past the bound, and not much further.
	if over := v - g.limit(); over < 0 || over > float64(soakWindow)+4 {
		t.Errorf("flagged at %v with limit %v: the bound is not what was applied", v, g.limit())
	}
	t.Logf("flagged after %d samples: %v", samples, err)
}

// Noise and short peaks (a reconnect storm) are accepted however long the
// run: only the floor counts.
func TestSoakGrowthCheckAcceptsNoise(t *testing.T) {
	g := newTestGrowth()
	rng := rand.New(rand.NewPCG(2, 2))
	for i := 0; i < 10; i++ {
		if err := g.add(float64(90+rng.IntN(7)), true); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 5000; i++ {
		v := float64(90 + rng.IntN(7))
		if rng.IntN(10) == 0 {
			v += float64(100 + rng.IntN(100)) // a peak lasting a sample
		}
		if err := g.add(v, false); err != nil {
			t.Fatalf("sample %d: noise flagged: %v", i, err)
		}
	}
	// A level shift that stays is a leak, even without a climb.
	var err error
	for i := 0; i < soakWindow && err == nil; i++ {
		err = g.add(96+soakGoroutineSlack+20, false)
	}
	if err == nil {
		t.Error("a floor that stays above the bound was not flagged")
	}
}

// Heap bounds scale with the reference: rel lets a larger heap move more.
func TestSoakGrowthCheckHeapBound(t *testing.T) {
	g := &growthCheck{name: "heap in use", unit: "MiB", abs: soakHeapSlack, rel: 0.5, window: 1}
	g.add(4<<20, true)
	if err := g.add(4<<20+soakHeapSlack, false); err != nil {
		t.Errorf("within the bound: %v", err)
	}
	err := g.add(4<<20+soakHeapSlack+3<<20, false)
	if err == nil || !strings.Contains(err.Error(), "MiB") {
		t.Errorf("past the bound: error %v, want a growth error in MiB", err)
	}
}

func TestSoakCheckTopic(t *testing.T) {
	subscribed := map[string]bool{"A": true, "B": true, "C": false}
	if topic, err := checkTopic("A:1:0.0.0.0", subscribed); err != nil || topic != "A" {
		t.Errorf("subscribed topic: %q, %v", topic, err)
	}
	for _, m := range []string{"C:1:0.0.0.0", "E:7:0.0.0.0", "nocolon"} {
		if _, err := checkTopic(m, subscribed); err == nil {
			t.Errorf("%q accepted", m)
		}
	}
	if _, err := checkTopic("E:7:0.0.0.0", subscribed); !strings.Contains(err.Error(), "unsubscribed topic") {
		t.Errorf("error %q does not name the invariant", err)
	}
}

func TestSoakParseMessages(t *testing.T) {
	sender, seq, ep, err := parseStamp(stamp("ws", 12, 7))
	if err != nil || sender != "ws" || seq != 12 || ep != 7 {
		t.Errorf("stamp round trip: %q %d %d %v", sender, seq, ep, err)
	}
	seq, ep, err = parsePublished("B:9:1.2.3.4", 2)
	if err != nil || seq != 9 || ep != 3 {
		t.Errorf("parsePublished: %d %d %v", seq, ep, err)
	}
	for _, bad := range []string{"ws|x|1", "ws|1", "B:9:1.2"} {
		_, _, _, e1 := parseStamp(bad)
		_, _, e2 := parsePublished(bad, 0)
		if e1 == nil && e2 == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// The first breach ends the run and is the one reported.
func TestSoakFirstBreachEndsRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := &soaker{ctx: ctx, cancel: cancel}
	s.fail("pushpull", errors.New("duplicate: tcp's message 3 received twice"))
	s.fail("pubsub", errors.New("later"))
	if !s.stopped() {
		t.Error("a breach did not end the run")
	}
	var b breach
	if !errors.As(s.failure, &b) || b.pattern != "pushpull" {
		t.Fatalf("failure %v, want the first breach", s.failure)
	}
	if got := s.failure.Error(); got != "FAIL pushpull: duplicate: tcp's message 3 received twice" {
		t.Errorf("breach reads %q", got)
	}
}

func TestSoakWarmup(t *testing.T) {
	for _, c := range []struct{ d, want string }{{"5s", "2.5s"}, {"60s", "12s"}, {"30s", "10s"}, {"30m", "6m0s"}} {
		d, _ := time.ParseDuration(c.d)
		if got := warmupFor(d).String(); got != c.want {
			t.Errorf("warm-up of %s: %s, want %s", c.d, got, c.want)
		}
	}
}

func TestSoakUsage(t *testing.T) {
	var out, errOut syncBuffer
	for _, args := range [][]string{{"soak", "-duration", "0s"}, {"soak", "extra"}, {"soak", "-report", "x"}} {
		if code := run(args, &out, &errOut); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}

// A breach in a running pattern ends the soak with exit 1 and a line that
// names the pattern and the invariant: here the ipc PUSH sends every 100th
// message twice.
func TestSoakReportsBreach(t *testing.T) {
	soakPushTwice = func(transport string, seq uint64) bool { return transport == "ipc" && seq%100 == 0 }
	defer func() { soakPushTwice = nil }()
	var out, errOut syncBuffer
	code := run([]string{"soak", "-duration", "30s", "-report", "1s"}, &out, &errOut)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, out.String(), errOut.String())
	}
	want := regexp.MustCompile(`zmq soak: FAIL pushpull: duplicate: ipc's message \d+00 received twice`)
	if !want.MatchString(errOut.String()) {
		t.Errorf("stderr %q does not match %q", errOut.String(), want)
	}
	if strings.Contains(out.String(), "soak: PASS") {
		t.Error("a failed soak says PASS")
	}
}

var soakLine = regexp.MustCompile(`soak: +\d+s rss=[\d.]+MiB heap=[\d.]+MiB goroutines=\d+ fds=\d+ cpu=\d+% faults=\d+ \| pushpull sent=\d+`)

// A short run of the real soak: every pattern moves messages under faults,
// figures are printed every interval, and it passes (with -race, the
// usual way to run these tests, it also shows the soak itself race-free).
func TestSoakShortRun(t *testing.T) {
	var out, errOut syncBuffer
	code := run([]string{"soak", "-duration", "5s", "-report", "1s"}, &out, &errOut)
	t.Log(out.String())
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	text := out.String()
	if !soakLine.MatchString(text) {
		t.Error("no line of figures")
	}
	if !strings.Contains(text, "soak: PASS") {
		t.Error("no PASS line")
	}
	for _, p := range []string{"pushpull", "reqrep", "dealer", "pubsub"} {
		m := regexp.MustCompile(p+` sent=(\d+) recv=(\d+)`).FindAllStringSubmatch(text, -1)
		if len(m) == 0 {
			t.Errorf("%s: no counts", p)
			continue
		}
		last := m[len(m)-1]
		if n, _ := strconv.Atoi(last[2]); n == 0 {
			t.Errorf("%s received nothing: %s", p, last[0])
		}
	}
	if m := regexp.MustCompile(`soak: churn cuts=(\d+) resets=(\d+)`).FindStringSubmatch(text); m == nil {
		t.Error("no churn summary")
	}
}

// An interrupted soak closes everything and fails: it did not run its
// course.
func TestSoakInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- runWith(ctx, []string{"soak", "-duration", "10m", "-report", "1s"}, nil, &out, &errOut)
	}()
	deadline := time.Now().Add(hangGuard)
	for !soakLine.MatchString(out.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("no line of figures:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	select {
	case code := <-done:
		if code != 1 || !strings.Contains(errOut.String(), "zmq soak: interrupted after") {
			t.Errorf("exit %d, stderr %q; want 1 and an interruption", code, errOut.String())
		}
	case <-time.After(hangGuard):
		t.Fatal("the soak did not stop when interrupted")
	}
	if !strings.Contains(out.String(), "soak: end (all closed)") {
		t.Errorf("no end line:\n%s", out.String())
	}
}
