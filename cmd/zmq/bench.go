package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	zmq "github.com/purezmq/zmq4"
)

// benchHangGuard bounds every blocking call in `zmq bench`, so a broken
// transport shows up as an error in the table instead of a hang.
const benchHangGuard = 20 * time.Second

// benchTransport is one row group of the benchmark table.
type benchTransport struct {
	name   string // shown in the table
	scheme string // tcp, ipc or inproc
	curve  bool
}

var benchTransports = []benchTransport{
	{"tcp", "tcp", false},
	{"tcp+curve", "tcp", true},
	{"ipc", "ipc", false},
	{"inproc", "inproc", false},
}

var benchSizes = []int{64, 1024, 64 * 1024}

// benchRow holds the results for one transport and message size.
type benchRow struct {
	transport  benchTransport
	size       int
	throughput int64   // messages per second
	latency    float64 // microseconds, half a round trip
	thrErr     error
	latErr     error
}

// benchPlan sizes the measurements.
type benchPlan struct {
	perMeasurement time.Duration // target duration of each timed run
	pilotThr       int           // messages in the calibration run
	pilotLat       int           // round trips in the calibration run
	maxCount       int
}

// runBench runs every transport, size and pattern in this process and
// prints a table.
func runBench(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && benchCases[args[0]] {
		return runBenchCase(args[0], args[1:], stdout, stderr)
	}
	flags := flag.NewFlagSet("zmq bench", flag.ContinueOnError)
	flags.SetOutput(stderr)
	quick := flags.Bool("quick", false, "smaller message counts (a few seconds in all)")
	budget := flags.Duration("time", 0, "total time to spend measuring (default 24s, 5s with -quick)")
	if err := flags.Parse(args); err != nil {
		return usageError("bad flags")
	}
	if flags.NArg() != 0 {
		return usageError("usage: zmq bench [-quick] [-time DURATION]")
	}
	plan := benchPlan{pilotThr: 2000, pilotLat: 200, maxCount: 50_000_000}
	total := 24 * time.Second
	if *quick {
		plan.pilotThr, plan.pilotLat = 200, 50
		total = 5 * time.Second
	}
	if *budget > 0 {
		total = *budget
	}
	measurements := 2 * len(benchTransports) * len(benchSizes)
	plan.perMeasurement = total / time.Duration(measurements)

	fmt.Fprintf(stdout, "purezmq in-process benchmark: both ends in this process, one goroutine each (GOMAXPROCS=%d, %s)\n",
		runtime.GOMAXPROCS(0), runtime.Version())
	var rows []benchRow
	done := 0
	progress := func(what string) {
		done++
		fmt.Fprintf(stderr, "\r%-72s", fmt.Sprintf("zmq bench: [%2d/%d] %s", done, measurements, what))
	}
	for _, t := range benchTransports {
		for _, size := range benchSizes {
			row := benchRow{transport: t, size: size}
			progress(fmt.Sprintf("%s %s throughput", t.name, sizeText(size)))
			row.throughput, row.thrErr = benchThroughput(t, size, plan)
			progress(fmt.Sprintf("%s %s latency", t.name, sizeText(size)))
			row.latency, row.latErr = benchLatency(t, size, plan)
			rows = append(rows, row)
		}
	}
	fmt.Fprintf(stderr, "\r%-72s\r", "")
	printBenchTable(stdout, rows)
	return nil
}

// sizeText shows a message size the way the table does.
func sizeText(size int) string {
	if size >= 1024 && size%1024 == 0 {
		return fmt.Sprintf("%d KiB", size/1024)
	}
	return fmt.Sprintf("%d B", size)
}

// printBenchTable writes the aligned results table.
func printBenchTable(w io.Writer, rows []benchRow) {
	fmt.Fprintf(w, "\n%-10s %7s %14s %11s %14s\n", "transport", "size", "thr [msg/s]", "thr [Mb/s]", "latency [us]")
	fmt.Fprintf(w, "%-10s %7s %14s %11s %14s\n", "---------", "----", "-----------", "----------", "------------")
	var errs []string
	for _, r := range rows {
		thr, mbits, lat := "error", "error", "error"
		if r.thrErr == nil {
			thr = fmt.Sprintf("%d", r.throughput)
			mbits = fmt.Sprintf("%.1f", megabitsOf(r.throughput, r.size))
		} else {
			errs = append(errs, fmt.Sprintf("%s %s throughput: %v", r.transport.name, sizeText(r.size), r.thrErr))
		}
		if r.latErr == nil {
			lat = fmt.Sprintf("%.2f", r.latency)
		} else {
			errs = append(errs, fmt.Sprintf("%s %s latency: %v", r.transport.name, sizeText(r.size), r.latErr))
		}
		fmt.Fprintf(w, "%-10s %7s %14s %11s %14s\n", r.transport.name, sizeText(r.size), thr, mbits, lat)
	}
	fmt.Fprintln(w, "\nthroughput: PUSH -> PULL, first message untimed; latency: REQ <-> REP, half the mean round trip.")
	for _, e := range errs {
		fmt.Fprintln(w, "error:", e)
	}
}

// benchEndpointCounter makes each run's endpoint fresh.
var benchEndpointCounter int

// benchBindEndpoint is the endpoint the receiving side binds for one run.
func benchBindEndpoint(scheme string) string {
	benchEndpointCounter++
	switch scheme {
	case "tcp":
		return "tcp://127.0.0.1:*"
	case "ipc":
		name := fmt.Sprintf("zmq-bench-%d-%d.sock", os.Getpid(), benchEndpointCounter)
		return "ipc://" + filepath.Join(os.TempDir(), name)
	default:
		return fmt.Sprintf("inproc://zmq-bench-%d", benchEndpointCounter)
	}
}

// removeIpcFile removes the socket file an ipc endpoint left behind.
func removeIpcFile(endpoint string) {
	if path, ok := cutPrefix(endpoint, "ipc://"); ok {
		os.Remove(path)
	}
}

// cutPrefix is strings.CutPrefix, kept local to keep the imports short.
func cutPrefix(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return s, false
}

// benchSocket makes a socket whose blocking calls give up after the hang
// guard.
func benchSocket(ctx *zmq.Context, t zmq.Type, curveServer, curveClient bool) (*zmq.Socket, error) {
	s, err := ctx.NewSocket(t)
	if err != nil {
		return nil, err
	}
	err = s.SetRcvtimeo(benchHangGuard)
	if err == nil {
		err = s.SetSndtimeo(benchHangGuard)
	}
	if err == nil {
		err = s.SetLinger(benchHangGuard)
	}
	if err == nil && curveServer {
		err = makeCurveServer(s)
	}
	if err == nil && curveClient {
		err = makeCurveClient(s)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// benchPair runs one measurement: a receiving socket of type bindType binds
// in this goroutine and runs measure; a socket of type connectType connects
// from another goroutine and runs peer.
func benchPair(t benchTransport, bindType, connectType zmq.Type,
	measure func(*zmq.Socket) (time.Duration, error),
	peer func(*zmq.Socket) error) (time.Duration, error) {

	ctx, err := zmq.NewContext()
	if err != nil {
		return 0, err
	}
	bound, err := benchSocket(ctx, bindType, t.curve, false)
	if err != nil {
		return 0, errors.Join(err, ctx.Term())
	}
	endpoint := benchBindEndpoint(t.scheme)
	defer removeIpcFile(endpoint)
	if err = bound.Bind(endpoint); err != nil {
		return 0, errors.Join(err, bound.Close(), ctx.Term())
	}
	if endpoint, err = bound.GetLastEndpoint(); err != nil {
		return 0, errors.Join(err, bound.Close(), ctx.Term())
	}
	peerDone := make(chan error, 1)
	measured := make(chan struct{})
	go func() {
		s, err := benchSocket(ctx, connectType, false, t.curve)
		if err != nil {
			peerDone <- err
			return
		}
		if err = s.Connect(endpoint); err == nil {
			err = peer(s)
		}
		// Keep the socket open until the measuring side is done with it.
		<-measured
		peerDone <- errors.Join(err, s.Close())
	}()
	elapsed, err := measure(bound)
	close(measured)
	err = errors.Join(err, <-peerDone, bound.Close(), ctx.Term())
	return elapsed, err
}

// throughputRun times count messages of size bytes from PUSH to PULL.
func throughputRun(t benchTransport, size, count int) (time.Duration, error) {
	return benchPair(t, zmq.PULL, zmq.PUSH,
		func(s *zmq.Socket) (time.Duration, error) { return receiveMessages(s, size, count) },
		func(s *zmq.Socket) error { return sendMessages(s, size, count) })
}

// latencyRun times count REQ/REP round trips of size bytes.
func latencyRun(t benchTransport, size, count int) (time.Duration, error) {
	return benchPair(t, zmq.REQ, zmq.REP,
		func(s *zmq.Socket) (time.Duration, error) { return pingMessages(s, size, count) },
		func(s *zmq.Socket) error { return echoMessages(s, size, count) })
}

// calibratedRun runs run with growing counts, starting at first, until one
// run lasts at least half the target duration; it returns that run's count
// and time. Each guess aims at the target from the last run's rate, growing
// at most a hundredfold, so a short run that happened to find its messages
// already queued cannot blow the count up.
func calibratedRun(run func(count int) (time.Duration, error), first int, plan benchPlan) (int, time.Duration, error) {
	count := first
	for {
		elapsed, err := run(count)
		if err != nil {
			return 0, 0, err
		}
		if elapsed >= plan.perMeasurement/2 || count >= plan.maxCount {
			return count, elapsed, nil
		}
		next := count * 100
		if elapsed > 0 {
			next = min(next, int(1.2*float64(count)*float64(plan.perMeasurement)/float64(elapsed)))
		}
		count = min(max(next, count+1), plan.maxCount)
	}
}

// benchThroughput measures PUSH/PULL throughput in messages per second.
func benchThroughput(t benchTransport, size int, plan benchPlan) (int64, error) {
	run := func(count int) (time.Duration, error) { return throughputRun(t, size, count) }
	count, elapsed, err := calibratedRun(run, plan.pilotThr, plan)
	if err != nil {
		return 0, err
	}
	return throughputOf(count, elapsed), nil
}

// benchLatency measures REQ/REP latency in microseconds.
func benchLatency(t benchTransport, size int, plan benchPlan) (float64, error) {
	run := func(count int) (time.Duration, error) { return latencyRun(t, size, count) }
	count, elapsed, err := calibratedRun(run, plan.pilotLat, plan)
	if err != nil {
		return 0, err
	}
	return latencyOf(count, elapsed), nil
}
