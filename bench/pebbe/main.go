// Command pebbeperf is the pebbe/zmq4 side of bench/compare_cases.sh: a
// program written against github.com/pebbe/zmq4 (the cgo binding of
// libzmq) with the command line and report of `zmq perf`, so a program
// that switches from pebbe's package to purezmq can be measured against
// the binding it left, in the same run:
//
//	pebbeperf local_thr_bytes ENDPOINT SIZE COUNT
//	pebbeperf local_thr_string ENDPOINT SIZE COUNT
//	pebbeperf remote_thr ENDPOINT SIZE COUNT
//
// local_thr_bytes binds a PULL socket and receives COUNT messages with
// RecvBytes (local_thr_string with Recv); the clock starts after the
// first message, as in libzmq's local_thr, and the rate counts all COUNT.
// remote_thr connects a PUSH socket and sends COUNT zero-filled messages
// with SendBytes.
//
// It is a module of its own (cgo, libzmq3-dev) so that the library's
// module, which needs no cgo, never builds it.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	zmq "github.com/pebbe/zmq4"
)

const usage = "usage: pebbeperf local_thr_bytes|local_thr_string|remote_thr ENDPOINT SIZE COUNT"

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "pebbeperf:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 4 {
		return fmt.Errorf("%s", usage)
	}
	mode, endpoint := args[0], args[1]
	size, err := strconv.Atoi(args[2])
	if err != nil || size < 0 {
		return fmt.Errorf("bad size %q\n%s", args[2], usage)
	}
	count, err := strconv.Atoi(args[3])
	if err != nil || count < 1 {
		return fmt.Errorf("bad count %q\n%s", args[3], usage)
	}
	ctx, err := zmq.NewContext()
	if err != nil {
		return err
	}
	switch mode {
	case "local_thr_bytes", "local_thr_string":
		err = localThr(ctx, endpoint, size, count, mode == "local_thr_string")
	case "remote_thr":
		err = remoteThr(ctx, endpoint, size, count)
	default:
		err = fmt.Errorf("%s", usage)
	}
	// Term waits, with the default infinite linger, until every queued
	// message has been delivered: remote_thr relies on it.
	if terr := ctx.Term(); err == nil {
		err = terr
	}
	return err
}

// localThr binds PULL and times count messages received with RecvBytes,
// or with Recv when str is set.
func localThr(ctx *zmq.Context, endpoint string, size, count int, str bool) error {
	s, err := ctx.NewSocket(zmq.PULL)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Bind(endpoint); err != nil {
		return err
	}
	recv := func() error {
		var n int
		if str {
			m, err := s.Recv(0)
			if err != nil {
				return err
			}
			n = len(m)
		} else {
			b, err := s.RecvBytes(0)
			if err != nil {
				return err
			}
			n = len(b)
		}
		if n != size {
			return fmt.Errorf("message of wrong size: %d, want %d", n, size)
		}
		return nil
	}
	if err := recv(); err != nil {
		return err
	}
	start := time.Now()
	for i := 1; i < count; i++ {
		if err := recv(); err != nil {
			return err
		}
	}
	printThroughput(size, count, time.Since(start))
	return nil
}

// remoteThr connects PUSH and sends count zero-filled messages.
func remoteThr(ctx *zmq.Context, endpoint string, size, count int) error {
	s, err := ctx.NewSocket(zmq.PUSH)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Connect(endpoint); err != nil {
		return err
	}
	buf := make([]byte, size)
	for i := 0; i < count; i++ {
		if _, err := s.SendBytes(buf, 0); err != nil {
			return err
		}
	}
	return nil
}

// printThroughput writes local_thr's report, the lines and rounding of
// libzmq's local_thr and `zmq perf`: count over the whole microseconds
// elapsed.
func printThroughput(size, count int, elapsed time.Duration) {
	us := elapsed.Microseconds()
	if us <= 0 {
		us = 1
	}
	throughput := int64(float64(count) / float64(us) * 1e6)
	fmt.Printf("message size: %d [B]\n", size)
	fmt.Printf("message count: %d\n", count)
	fmt.Printf("mean throughput: %d [msg/s]\n", throughput)
	fmt.Printf("mean throughput: %.3f [Mb/s]\n", float64(throughput)*float64(size)*8/1e6)
}
