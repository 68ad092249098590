package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"syscall"
	"time"

	zmq "github.com/purezmq/zmq4"
)

// The paced pair: the CPU a moderate, steady load costs, rather than the
// most a connection can carry. Its twin of the same command line and
// output is in bench/c/zmqperf.c.
//
//	local_echo ENDPOINT SIZE COUNT         a ROUTER that binds and echoes
//	                                       COUNT messages to their sender
//	remote_paced ENDPOINT SIZE COUNT RATE  a DEALER that connects and sends
//	                                       COUNT messages at RATE a second
//
// The first message is a warm-up: the DEALER waits for its echo, then
// sends the other COUNT-1 on a fixed schedule (message i is due at
// start + (i-1)/RATE), sending whatever is due, taking whatever echoes have
// arrived without blocking, and sleeping until the next one is due. Each
// side prints the CPU time its whole process used (user plus system, from
// getrusage) from the warm-up's end to the last echo, divided by COUNT-1.
// The ROUTER's SNDHWM is 0: at its HWM a ROUTER drops, and a sender
// descheduled for a while on a busy machine would then wait forever for the
// echoes lost.
//
// The paced publisher is fan-out at a moderate load:
//
//	local_pub_paced ENDPOINT SIZE COUNT SUBS RATE
//	                an XPUB that waits for SUBS subscribers (remote_sub)
//	                as local_pub does, sends COUNT messages at RATE a
//	                second on the same schedule as remote_paced, and ends
//	                the run as local_pub does
//
// It prints the CPU time its process used from the first send to the last,
// divided by COUNT, and the rate it achieved: COUNT-1 intervals over the
// time from the first send to the last.

// parsePerfPaced reports whether args[0] is local_echo, remote_paced or
// local_pub_paced, and parses their command line.
func parsePerfPaced(args []string) (perfArgs, bool, error) {
	var p perfArgs
	switch args[0] {
	case "local_echo":
		if len(args) != 4 {
			return p, true, usageError(perfUsage)
		}
	case "remote_paced":
		if len(args) != 5 {
			return p, true, usageError(perfUsage)
		}
		rate, err := positiveArg(args[4], "rate")
		if err != nil {
			return p, true, err
		}
		p.rate = rate
	case "local_pub_paced":
		if len(args) != 6 {
			return p, true, usageError(perfUsage)
		}
		subs, err := positiveArg(args[4], "count of sockets")
		if err != nil {
			return p, true, err
		}
		rate, err := positiveArg(args[5], "rate")
		if err != nil {
			return p, true, err
		}
		p.sockets, p.rate = subs, rate
	default:
		return p, false, nil
	}
	p.mode, p.endpoint = args[0], args[1]
	var err error
	if p.size, err = strconv.Atoi(args[2]); err != nil || p.size < 0 {
		return p, true, usageError("bad size " + strconv.Quote(args[2]) + "\n" + perfUsage)
	}
	atLeastTwo := " (at least 2: the first is a warm-up)"
	if p.mode == "local_pub_paced" {
		atLeastTwo = " (at least 2: the rate is timed from the first to the last)"
	}
	if p.count, err = strconv.Atoi(args[3]); err != nil || p.count < 2 {
		return p, true, usageError("bad count " + strconv.Quote(args[3]) + atLeastTwo + "\n" + perfUsage)
	}
	if p.mode == "local_pub_paced" && p.size < 1 {
		return p, true, usageError("local_pub_paced needs SIZE of at least 1 (an empty message ends the run)")
	}
	return p, true, nil
}

// runPerfPaced runs local_echo, remote_paced or local_pub_paced.
func runPerfPaced(ctx *zmq.Context, p perfArgs, stdout io.Writer) error {
	switch p.mode {
	case "local_echo":
		return perfLocalEcho(ctx, p, stdout)
	case "local_pub_paced":
		return perfLocalPubPaced(ctx, p, stdout)
	}
	return perfRemotePaced(ctx, p, stdout)
}

// perfLocalPubPaced binds an XPUB, waits for SUBS subscribers and sends
// them COUNT messages at RATE a second.
func perfLocalPubPaced(ctx *zmq.Context, p perfArgs, stdout io.Writer) error {
	s, err := openPublisher(ctx, p)
	if err != nil {
		return err
	}
	buf := make([]byte, p.size)
	buf[0] = 'm'
	var cpu1, elapsed time.Duration
	cpu0, err := processCPUTime()
	if err == nil {
		elapsed, err = pacedPublish(s, buf, p.count, time.Second/time.Duration(p.rate))
	}
	if err == nil {
		cpu1, err = processCPUTime()
	}
	if err == nil {
		err = endFanout(s, p.sockets)
	}
	if err == nil {
		fmt.Fprintf(stdout, "message size: %d [B]\n", p.size)
		fmt.Fprintf(stdout, "message count: %d\n", p.count)
		fmt.Fprintf(stdout, "subscribers: %d\n", p.sockets)
		fmt.Fprintf(stdout, "target rate: %d [msg/s]\n", p.rate)
		fmt.Fprintf(stdout, "achieved rate: %d [msg/s]\n", throughputOf(p.count-1, elapsed))
		printCPUPerMessage(stdout, cpu1-cpu0, p.count)
	}
	return errors.Join(err, s.Close())
}

// pacedPublish sends count messages from buf, message i (from 0) due at
// start + i*period and never sent before, sleeping until the next is due.
// It returns the time from the first send to the last.
func pacedPublish(s *zmq.Socket, buf []byte, count int, period time.Duration) (time.Duration, error) {
	start := time.Now()
	for sent := 0; sent < count; {
		for sent < count && time.Since(start) >= time.Duration(sent)*period {
			if _, err := s.SendBytes(buf, 0); err != nil {
				return 0, err
			}
			sent++
		}
		if wait := time.Duration(sent)*period - time.Since(start); sent < count && wait > 0 {
			sleepFor(wait)
		}
	}
	return time.Since(start), nil
}

// perfLocalEcho binds a ROUTER and sends each of COUNT messages back to
// the peer it came from.
func perfLocalEcho(ctx *zmq.Context, p perfArgs, stdout io.Writer) error {
	s, err := ctx.NewSocket(zmq.ROUTER)
	if err != nil {
		return err
	}
	if err := errors.Join(s.SetSndhwm(0), s.Bind(p.endpoint)); err != nil {
		return errors.Join(fmt.Errorf("ROUTER %s: %w", p.endpoint, err), s.Close())
	}
	id := make([]byte, 256)
	buf := make([]byte, p.size)
	echo := func() error {
		n, err := s.RecvInto(id, 0)
		if err != nil {
			return err
		}
		if n > len(id) {
			return fmt.Errorf("routing id of %d bytes", n)
		}
		if err := receiveSized(s, buf); err != nil {
			return err
		}
		if _, err := s.SendBytes(id[:n], zmq.SNDMORE); err != nil {
			return err
		}
		_, err = s.SendBytes(buf, 0)
		return err
	}
	err = echo()
	var cpu0 time.Duration
	if err == nil {
		cpu0, err = processCPUTime()
	}
	for i := 1; i < p.count && err == nil; i++ {
		err = echo()
	}
	var cpu1 time.Duration
	if err == nil {
		cpu1, err = processCPUTime()
	}
	if err == nil {
		fmt.Fprintf(stdout, "message size: %d [B]\n", p.size)
		fmt.Fprintf(stdout, "message count: %d\n", p.count)
		printCPUPerMessage(stdout, cpu1-cpu0, p.count-1)
	}
	return errors.Join(err, s.Close())
}

// perfRemotePaced connects a DEALER and sends COUNT messages at RATE a
// second, taking their echoes as they come.
func perfRemotePaced(ctx *zmq.Context, p perfArgs, stdout io.Writer) error {
	s, err := openSocket(ctx, zmq.DEALER, p.endpoint, false, false)
	if err != nil {
		return err
	}
	buf := make([]byte, p.size)
	if _, err = s.SendBytes(buf, 0); err == nil {
		err = receiveSized(s, buf)
	}
	var cpu0, cpu1 time.Duration
	var elapsed time.Duration
	if err == nil {
		cpu0, err = processCPUTime()
	}
	if err == nil {
		elapsed, err = pacedRun(s, buf, p.count-1, time.Second/time.Duration(p.rate))
	}
	if err == nil {
		cpu1, err = processCPUTime()
	}
	if err == nil {
		fmt.Fprintf(stdout, "message size: %d [B]\n", p.size)
		fmt.Fprintf(stdout, "message count: %d\n", p.count)
		fmt.Fprintf(stdout, "target rate: %d [msg/s]\n", p.rate)
		fmt.Fprintf(stdout, "achieved rate: %d [msg/s]\n", throughputOf(p.count-1, elapsed))
		printCPUPerMessage(stdout, cpu1-cpu0, p.count-1)
	}
	return errors.Join(err, s.Close())
}

// pacedRun sends count messages from buf, message i (from 0) due at
// start + i*period, and receives as many echoes. It returns the time from
// the first send to the last echo.
func pacedRun(s *zmq.Socket, buf []byte, count int, period time.Duration) (time.Duration, error) {
	start := time.Now()
	sent, got := 0, 0
	for got < count {
		for sent < count && time.Since(start) >= time.Duration(sent)*period {
			if _, err := s.SendBytes(buf, 0); err != nil {
				return 0, err
			}
			sent++
		}
		for got < sent {
			n, err := s.RecvInto(buf, zmq.DONTWAIT)
			if zmq.AsErrno(err) == zmq.Errno(syscall.EAGAIN) {
				break
			}
			if err != nil {
				return 0, err
			}
			if n != len(buf) {
				return 0, fmt.Errorf("message of wrong size: %d, want %d", n, len(buf))
			}
			got++
		}
		switch {
		case sent < count:
			if wait := time.Duration(sent)*period - time.Since(start); wait > 0 {
				sleepFor(wait)
			}
		case got < count:
			if err := receiveSized(s, buf); err != nil {
				return 0, err
			}
			got++
		}
	}
	return time.Since(start), nil
}

// printCPUPerMessage writes the CPU time per message in microseconds.
func printCPUPerMessage(w io.Writer, cpu time.Duration, count int) {
	fmt.Fprintf(w, "cpu per message: %.3f [us]\n", float64(cpu.Nanoseconds())/1e3/float64(count))
}
