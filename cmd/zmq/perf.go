package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	zmq "github.com/purezmq/zmq4"
)

// perfArgs is a parsed `zmq perf` command line.
type perfArgs struct {
	mode     string
	endpoint string
	size     int
	count    int
	curve    bool
	sockets  int           // SUBS or SOCKETS of the modes in perfcases.go
	duration time.Duration // local_pub's SECONDS: 0 means send all COUNT
	rate     int           // RATE of remote_paced and local_pub_paced (perfpaced.go)
}

const perfUsage = "usage: zmq perf local_thr|remote_thr|local_lat|remote_lat ENDPOINT SIZE COUNT [curve]\n" +
	"       zmq perf inproc_thr|inproc_lat SIZE COUNT\n" +
	"       zmq perf local_thr_bytes|remote_latp ENDPOINT SIZE COUNT\n" +
	"       zmq perf local_pub ENDPOINT SIZE COUNT SUBS [SECONDS]\n" +
	"       zmq perf remote_sub ENDPOINT SIZE COUNT SUBS\n" +
	"       zmq perf poll_lat tcp|inproc SIZE COUNT SOCKETS\n" +
	"       zmq perf local_echo ENDPOINT SIZE COUNT\n" +
	"       zmq perf remote_paced ENDPOINT SIZE COUNT RATE\n" +
	"       zmq perf local_pub_paced ENDPOINT SIZE COUNT SUBS RATE"

// positiveArg parses a `zmq perf` argument that must be at least 1; what
// names it in the error ("rate", "count of sockets").
func positiveArg(text, what string) (int, error) {
	n, err := strconv.Atoi(text)
	if err != nil || n < 1 {
		return 0, usageError("bad " + what + " " + strconv.Quote(text) + "\n" + perfUsage)
	}
	return n, nil
}

// parsePerfArgs checks a `zmq perf` command line.
func parsePerfArgs(args []string) (perfArgs, error) {
	var p perfArgs
	if len(args) == 0 {
		return p, usageError(perfUsage)
	}
	if p, ok, err := parsePerfExtra(args); ok {
		return p, err
	}
	if p, ok, err := parsePerfPaced(args); ok {
		return p, err
	}
	p.mode = args[0]
	var sizeText, countText string
	switch p.mode {
	case "inproc_thr", "inproc_lat":
		if len(args) != 3 {
			return p, usageError(perfUsage)
		}
		sizeText, countText = args[1], args[2]
	case "local_thr", "remote_thr", "local_lat", "remote_lat":
		if len(args) != 4 && len(args) != 5 {
			return p, usageError(perfUsage)
		}
		p.endpoint, sizeText, countText = args[1], args[2], args[3]
		if len(args) == 5 {
			if args[4] != "curve" {
				return p, usageError(perfUsage)
			}
			p.curve = true
		}
	default:
		return p, usageError(perfUsage)
	}
	var err error
	if p.size, err = strconv.Atoi(sizeText); err != nil || p.size < 0 {
		return p, usageError("bad size " + strconv.Quote(sizeText) + "\n" + perfUsage)
	}
	if p.count, err = strconv.Atoi(countText); err != nil || p.count < 1 {
		return p, usageError("bad count " + strconv.Quote(countText) + "\n" + perfUsage)
	}
	return p, nil
}

// runPerf runs one of the libzmq-style perf tools.
func runPerf(args []string, stdout io.Writer) error {
	p, err := parsePerfArgs(args)
	if err != nil {
		return err
	}
	ctx, err := zmq.NewContext()
	if err != nil {
		return err
	}
	switch p.mode {
	case "local_thr":
		err = perfLocalThr(ctx, p, stdout)
	case "remote_thr":
		err = perfRemoteThr(ctx, p)
	case "local_lat":
		err = perfLocalLat(ctx, p)
	case "remote_lat":
		err = perfRemoteLat(ctx, p, stdout)
	case "inproc_thr":
		err = perfInprocThr(ctx, p, stdout)
	case "inproc_lat":
		err = perfInprocLat(ctx, p, stdout)
	case "local_echo", "remote_paced", "local_pub_paced":
		err = runPerfPaced(ctx, p, stdout)
	default:
		err = runPerfExtra(ctx, p, stdout)
	}
	// Term waits, with the sockets' default infinite linger, until every
	// queued message has been delivered: remote_thr relies on it.
	return errors.Join(err, ctx.Term())
}

// openSocket makes a socket of type t that binds (bind true) or connects to
// endpoint, as a CURVE server or client when curve is set.
func openSocket(ctx *zmq.Context, t zmq.Type, endpoint string, bind, curve bool) (*zmq.Socket, error) {
	s, err := ctx.NewSocket(t)
	if err != nil {
		return nil, err
	}
	if curve {
		if bind {
			err = makeCurveServer(s)
		} else {
			err = makeCurveClient(s)
		}
	}
	if err == nil {
		if bind {
			err = s.Bind(endpoint)
		} else {
			err = s.Connect(endpoint)
		}
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("%v %s: %w", t, endpoint, err)
	}
	return s, nil
}

// perfLocalThr binds PULL and times p.count messages.
func perfLocalThr(ctx *zmq.Context, p perfArgs, stdout io.Writer) error {
	s, err := openSocket(ctx, zmq.PULL, p.endpoint, true, p.curve)
	if err != nil {
		return err
	}
	elapsed, err := receiveMessages(s, p.size, p.count)
	if err == nil {
		printThroughput(stdout, p.size, p.count, elapsed)
	}
	return errors.Join(err, s.Close())
}

// perfRemoteThr connects PUSH and sends p.count messages.
func perfRemoteThr(ctx *zmq.Context, p perfArgs) error {
	s, err := openSocket(ctx, zmq.PUSH, p.endpoint, false, p.curve)
	if err != nil {
		return err
	}
	err = sendMessages(s, p.size, p.count)
	return errors.Join(err, s.Close())
}

// perfLocalLat binds REP and echoes p.count requests.
func perfLocalLat(ctx *zmq.Context, p perfArgs) error {
	s, err := openSocket(ctx, zmq.REP, p.endpoint, true, p.curve)
	if err != nil {
		return err
	}
	err = echoMessages(s, p.size, p.count)
	return errors.Join(err, s.Close())
}

// perfRemoteLat connects REQ and times p.count round trips.
func perfRemoteLat(ctx *zmq.Context, p perfArgs, stdout io.Writer) error {
	s, err := openSocket(ctx, zmq.REQ, p.endpoint, false, p.curve)
	if err != nil {
		return err
	}
	elapsed, err := pingMessages(s, p.size, p.count)
	if err == nil {
		printLatency(stdout, p.size, p.count, elapsed)
	}
	return errors.Join(err, s.Close())
}

// perfInprocThr is local_thr and remote_thr in one process over inproc:
// PULL binds in this goroutine, PUSH sends from another.
func perfInprocThr(ctx *zmq.Context, p perfArgs, stdout io.Writer) error {
	const endpoint = "inproc://thr_test"
	s, err := openSocket(ctx, zmq.PULL, endpoint, true, false)
	if err != nil {
		return err
	}
	worker := make(chan error, 1)
	received := make(chan struct{})
	go func() {
		push, err := openSocket(ctx, zmq.PUSH, endpoint, false, false)
		if err != nil {
			worker <- err
			return
		}
		err = sendMessages(push, p.size, p.count)
		// Keep the socket open until the last message has been read.
		<-received
		worker <- errors.Join(err, push.Close())
	}()
	elapsed, err := receiveMessages(s, p.size, p.count)
	close(received)
	if err == nil {
		printThroughput(stdout, p.size, p.count, elapsed)
	}
	err = errors.Join(err, <-worker)
	return errors.Join(err, s.Close())
}

// perfInprocLat is local_lat and remote_lat in one process over inproc:
// REQ binds in this goroutine, REP echoes from another.
func perfInprocLat(ctx *zmq.Context, p perfArgs, stdout io.Writer) error {
	const endpoint = "inproc://lat_test"
	s, err := openSocket(ctx, zmq.REQ, endpoint, true, false)
	if err != nil {
		return err
	}
	worker := make(chan error, 1)
	pinged := make(chan struct{})
	go func() {
		rep, err := openSocket(ctx, zmq.REP, endpoint, false, false)
		if err != nil {
			worker <- err
			return
		}
		err = echoMessages(rep, p.size, p.count)
		// Keep the socket open until the last reply has been read.
		<-pinged
		worker <- errors.Join(err, rep.Close())
	}()
	elapsed, err := pingMessages(s, p.size, p.count)
	close(pinged)
	if err == nil {
		printLatency(stdout, p.size, p.count, elapsed)
	}
	err = errors.Join(err, <-worker)
	return errors.Join(err, s.Close())
}
