// Command zmq is purezmq's command-line tool: sending, receiving, proxying
// and monitoring messages from the shell, CURVE key generation, perf tools
// that mirror libzmq's (so the same measurement runs against either
// library), a short demonstration of the main messaging patterns, and a
// local benchmark.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
)

const usageText = `zmq: the purezmq command-line tool (pure-Go ZeroMQ)

Usage:
  zmq send -t TYPE (-b|-c) ENDPOINT [-n COUNT] [-d DELAY] [PART...]
        sends one message of the PART frames COUNT times, or each stdin line
        as a message; REQ prints each reply.
  zmq recv -t TYPE (-b|-c) ENDPOINT [-n COUNT] [-format text|hex|json|raw]
        prints each message on a line, frames separated by " | ", non-text
        frames as 0x-hex, or as -format says; REP echoes each request back.
  zmq monitor -t TYPE (-b|-c) ENDPOINT [-n COUNT] [-events LIST]
        prints each monitor event of the socket on a line:
        EVENT_NAME value=N endpoint=ENDPOINT.
        send, recv and monitor share the socket options -t TYPE, -b ENDPOINT
        and -c ENDPOINT (repeatable), -s TOPIC (SUB), -curve-server SECRET,
        -curve-client SERVERPUBLIC and -linger MS; "zmq send -h" lists them.
  zmq proxy -frontend TYPE@ENDPOINT -backend TYPE@ENDPOINT [-capture TYPE@ENDPOINT]
        runs a proxy until interrupted; TYPE@ENDPOINT binds, TYPE>ENDPOINT
        connects (quote the >).
  zmq keygen [-o BASENAME]
        prints a new CURVE key pair in Z85; -o also writes the CZMQ
        certificates BASENAME and BASENAME_secret.
  zmq perf local_thr|remote_thr|local_lat|remote_lat ENDPOINT SIZE COUNT [curve]
  zmq perf inproc_thr|inproc_lat SIZE COUNT
        the libzmq perf tools, argument for argument and line for line:
        local_thr binds a PULL socket and times COUNT messages of SIZE bytes
        sent by remote_thr's PUSH; local_lat binds a REP socket that echoes
        remote_lat's REQ for COUNT round trips. "curve" turns on CURVE with
        built-in test keys (local_* is the server).
  zmq perf local_thr_bytes|remote_latp ENDPOINT SIZE COUNT
  zmq perf local_pub ENDPOINT SIZE COUNT SUBS [SECONDS]
  zmq perf remote_sub ENDPOINT SIZE COUNT SUBS
  zmq perf poll_lat tcp|inproc SIZE COUNT SOCKETS
        cases beyond libzmq's tools, with twins in bench/c/zmqperf.c:
        local_thr receiving with RecvBytes; remote_lat with p50, p99,
        p99.9 and max; a PUB (XPUB) fanning out to SUBS subscribers, its
        send rate and the messages delivered; ping-pong over SOCKETS pairs
        with a Poller over all of them on each side.
  zmq perf local_echo ENDPOINT SIZE COUNT
  zmq perf remote_paced ENDPOINT SIZE COUNT RATE
        a ROUTER echoing to a DEALER that sends COUNT messages at RATE a
        second; each prints the CPU time (user+system) per message of its
        process (Linux; twins in bench/c/zmqperf.c).
  zmq perf local_pub_paced ENDPOINT SIZE COUNT SUBS RATE
        a PUB (XPUB) sending COUNT messages at RATE a second to SUBS
        subscribers (remote_sub); prints the CPU time per message of its
        process.
  zmq demo
        request-reply, publish-subscribe and pipeline, shown in a few messages.
  zmq bench [-quick] [-time DURATION]
        throughput and latency over tcp, ipc and inproc, with and without
        CURVE, both ends in this process; prints a table.
  zmq bench fanout|latency|poller [-size N] [-count N] [-subs LIST] [-sockets N]
        the perf cases above with both halves in this process over tcp:
        PUB to 10, 100 and 1000 subscribers; REQ/REP round-trip
        percentiles; a Poller over 1000 sockets on each side.
  zmq soak [-duration 60s] [-report 5s] [-seed N]
        runs PUSH/PULL, REQ/REP, DEALER/ROUTER and PUB/SUB at once over tcp
        (through a fault proxy), ipc, inproc and ws while connections are
        cut and peers restart; prints RSS, heap, goroutines, descriptors and
        message counts every -report; exits 1 on any invariant breach or
        growth.
  zmq help [TOPIC]
        this text, or a page: a command's name, types, endpoints, formats,
        security.

Environment: ZMQ_CPUPROFILE=FILE writes a CPU profile of the run to FILE
(go tool pprof FILE).
`

func main() {
	stop, err := startCPUProfile(os.Getenv("ZMQ_CPUPROFILE"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "zmq:", err)
		os.Exit(1)
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runWith(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	cancel()
	stop()
	os.Exit(code)
}

// startCPUProfile starts writing a CPU profile to path, if path is set, and
// returns the function that finishes it.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err = pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// run executes one command line with no input and no interruption and
// returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	return runWith(context.Background(), args, nil, stdout, stderr)
}

// runWith executes one command line and returns the process exit code.
// Commands that run until interrupted stop cleanly when ctx ends.
func runWith(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return 2
	}
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	var err error
	switch args[0] {
	case "-h", "-help", "--help":
		fmt.Fprint(stdout, usageText)
		return 0
	case "help":
		err = runHelp(args[1:], stdout, stderr)
	case "send":
		err = runSend(ctx, args[1:], stdin, stdout, stderr)
	case "recv":
		err = runRecv(ctx, args[1:], stdout, stderr)
	case "monitor":
		err = runMonitor(ctx, args[1:], stdout, stderr)
	case "proxy":
		err = runProxy(ctx, args[1:], stderr)
	case "keygen":
		err = runKeygen(args[1:], stdout)
	case "perf":
		err = runPerf(args[1:], stdout)
	case "demo":
		err = runDemo(stdout)
	case "bench":
		err = runBench(args[1:], stdout, stderr)
	case "soak":
		err = runSoak(ctx, args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "zmq: unknown command %q\n\n%s", args[0], usageText)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "zmq %s: %v\n", args[0], err)
		if _, ok := err.(usageError); ok {
			return 2
		}
		return 1
	}
	return 0
}

// usageError reports a malformed command line.
type usageError string

func (e usageError) Error() string { return string(e) }
