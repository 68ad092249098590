package main

import (
	"fmt"
	"io"
	"time"

	zmq "github.com/purezmq/zmq4"
)

// Test-only CURVE keys (Z85), the same ones bench/c/zmqperf.c uses, so either
// end of a perf run can be purezmq or libzmq. Never use them for anything real.
const (
	testServerPublic = "UivwOm[1.k6D<{gaxp#4yRiqOq?SIGSGv./xj#*4"
	testServerSecret = "Mp$12t3Evak+J1aU78)2/%kOl?lCQQk?r9!n$ibP"
	testClientPublic = "B8sFz-FpdY6F1<^o$hfHyqL(YR(VbC7=3e/r^aiy"
	testClientSecret = "HQIwG-Z@8]Th[jSj=ud-)&Lb^y)B!=}ePc{p4hvl"
)

// makeCurveServer makes s a CURVE server with the test server key.
func makeCurveServer(s *zmq.Socket) error {
	if err := s.SetCurveServer(1); err != nil {
		return err
	}
	return s.SetCurveSecretkey(testServerSecret)
}

// makeCurveClient makes s a CURVE client of the test server.
func makeCurveClient(s *zmq.Socket) error {
	if err := s.SetCurveServerkey(testServerPublic); err != nil {
		return err
	}
	if err := s.SetCurvePublickey(testClientPublic); err != nil {
		return err
	}
	return s.SetCurveSecretkey(testClientSecret)
}

// receiveSized receives one message into buf and checks that it has
// len(buf) bytes. Receiving into one buffer, as libzmq's perf tools reuse
// one zmq_msg_t, allocates nothing per message.
func receiveSized(s *zmq.Socket, buf []byte) error {
	n, err := s.RecvInto(buf, 0)
	if err != nil {
		return err
	}
	if n != len(buf) {
		return fmt.Errorf("message of wrong size: %d, want %d", n, len(buf))
	}
	return nil
}

// receiveMessages receives count messages of size bytes. The clock starts
// after the first message, as in libzmq's local_thr.
func receiveMessages(s *zmq.Socket, size, count int) (time.Duration, error) {
	buf := make([]byte, size)
	if err := receiveSized(s, buf); err != nil {
		return 0, err
	}
	start := time.Now()
	for i := 1; i < count; i++ {
		if err := receiveSized(s, buf); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// sendMessages sends count zero-filled messages of size bytes.
func sendMessages(s *zmq.Socket, size, count int) error {
	buf := make([]byte, size)
	for i := 0; i < count; i++ {
		if _, err := s.SendBytes(buf, 0); err != nil {
			return err
		}
	}
	return nil
}

// echoMessages answers count requests of size bytes with the request itself.
func echoMessages(s *zmq.Socket, size, count int) error {
	buf := make([]byte, size)
	for i := 0; i < count; i++ {
		if err := receiveSized(s, buf); err != nil {
			return err
		}
		if _, err := s.SendBytes(buf, 0); err != nil {
			return err
		}
	}
	return nil
}

// pingMessages times count request/reply round trips of size bytes.
func pingMessages(s *zmq.Socket, size, count int) (time.Duration, error) {
	buf := make([]byte, size)
	start := time.Now()
	for i := 0; i < count; i++ {
		if _, err := s.SendBytes(buf, 0); err != nil {
			return 0, err
		}
		if err := receiveSized(s, buf); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// wholeMicroseconds is d in whole microseconds, as libzmq's stopwatch
// reports it.
func wholeMicroseconds(d time.Duration) int64 {
	return d.Microseconds()
}

// throughputOf is libzmq's local_thr figure: count (not count-1) over the
// elapsed microseconds, in whole messages per second.
func throughputOf(count int, elapsed time.Duration) int64 {
	us := wholeMicroseconds(elapsed)
	if us <= 0 {
		us = 1
	}
	return int64(float64(count) / float64(us) * 1e6)
}

// megabitsOf converts a message rate to megabits of payload per second.
func megabitsOf(throughput int64, size int) float64 {
	return float64(throughput) * float64(size) * 8 / 1e6
}

// latencyOf is libzmq's remote_lat figure: half the mean round trip, in
// microseconds.
func latencyOf(roundtrips int, elapsed time.Duration) float64 {
	return float64(wholeMicroseconds(elapsed)) / (float64(roundtrips) * 2)
}

// printThroughput writes local_thr's report.
func printThroughput(w io.Writer, size, count int, elapsed time.Duration) {
	throughput := throughputOf(count, elapsed)
	fmt.Fprintf(w, "message size: %d [B]\n", size)
	fmt.Fprintf(w, "message count: %d\n", count)
	fmt.Fprintf(w, "mean throughput: %d [msg/s]\n", throughput)
	fmt.Fprintf(w, "mean throughput: %.3f [Mb/s]\n", megabitsOf(throughput, size))
}

// printLatency writes remote_lat's report.
func printLatency(w io.Writer, size, roundtrips int, elapsed time.Duration) {
	fmt.Fprintf(w, "message size: %d [B]\n", size)
	fmt.Fprintf(w, "roundtrip count: %d\n", roundtrips)
	fmt.Fprintf(w, "average latency: %.3f [us]\n", latencyOf(roundtrips, elapsed))
}
