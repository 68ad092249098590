package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	zmq "github.com/purezmq/zmq4"
)

// The perf modes beyond libzmq's four tools, each with a twin of the same
// command line and output in bench/c/zmqperf.c:
//
//	local_thr_bytes ENDPOINT SIZE COUNT  local_thr receiving with RecvBytes,
//	                                     a fresh buffer per message (C:
//	                                     zmq_recv into a fresh malloc'd one)
//	remote_latp ENDPOINT SIZE COUNT      remote_lat printing percentiles
//	local_pub ENDPOINT SIZE COUNT SUBS [SECONDS]
//	                                     a publisher for SUBS subscribers;
//	                                     with SECONDS it stops sending after
//	                                     that long if COUNT is not sent yet
//	remote_sub ENDPOINT SIZE COUNT SUBS  SUBS subscribers in one process
//	poll_lat TRANSPORT SIZE COUNT SOCKETS  ping-pong over SOCKETS PAIR
//	                                     pairs, each side in one Poller

// parsePerfExtra reports whether args[0] is one of the modes above, and parses
// their command line: the fifth argument is SUBS or SOCKETS.
func parsePerfExtra(args []string) (perfArgs, bool, error) {
	var p perfArgs
	switch args[0] {
	case "local_thr_bytes", "remote_latp":
		if len(args) != 4 {
			return p, true, usageError(perfUsage)
		}
	case "local_pub", "remote_sub", "poll_lat":
		if len(args) == 6 && args[0] == "local_pub" {
			sec, err := strconv.ParseFloat(args[5], 64)
			if err != nil || sec <= 0 {
				return p, true, usageError("bad seconds " + strconv.Quote(args[5]) + "\n" + perfUsage)
			}
			p.duration = time.Duration(sec * float64(time.Second))
			args = args[:5]
		}
		if len(args) != 5 {
			return p, true, usageError(perfUsage)
		}
		n, err := positiveArg(args[4], "count of sockets")
		if err != nil {
			return p, true, err
		}
		p.sockets = n
	default:
		return p, false, nil
	}
	p.mode, p.endpoint = args[0], args[1]
	var err error
	if p.size, err = strconv.Atoi(args[2]); err != nil || p.size < 0 {
		return p, true, usageError("bad size " + strconv.Quote(args[2]) + "\n" + perfUsage)
	}
	if p.count, err = strconv.Atoi(args[3]); err != nil || p.count < 1 {
		return p, true, usageError("bad count " + strconv.Quote(args[3]) + "\n" + perfUsage)
	}
	if (p.mode == "local_pub" || p.mode == "remote_sub") && p.size < 1 {
		return p, true, usageError("local_pub and remote_sub need SIZE of at least 1 (an empty message ends the run)")
	}
	if p.mode == "poll_lat" && p.endpoint != "tcp" && p.endpoint != "inproc" {
		return p, true, usageError("poll_lat takes tcp or inproc, not " + strconv.Quote(p.endpoint))
	}
	return p, true, nil
}

// runPerfExtra runs one of the modes above.
func runPerfExtra(ctx *zmq.Context, p perfArgs, stdout io.Writer) error {
	switch p.mode {
	case "local_thr_bytes":
		return perfLocalThrBytes(ctx, p, stdout)
	case "remote_latp":
		return perfRemoteLatp(ctx, p, stdout)
	case "local_pub":
		return perfLocalPub(ctx, p, stdout)
	case "remote_sub":
		return perfRemoteSub(ctx, p, stdout)
	default:
		return perfPollLat(ctx, p, stdout)
	}
}

// perfLocalThrBytes is local_thr with RecvBytes, the call a program written
// for pebbe/zmq4 makes: every message arrives in a slice of its own.
func perfLocalThrBytes(ctx *zmq.Context, p perfArgs, stdout io.Writer) error {
	s, err := openSocket(ctx, zmq.PULL, p.endpoint, true, false)
	if err != nil {
		return err
	}
	recv := func() error {
		b, err := s.RecvBytes(0)
		if err == nil && len(b) != p.size {
			err = fmt.Errorf("message of wrong size: %d, want %d", len(b), p.size)
		}
		return err
	}
	err = recv()
	start := time.Now()
	for i := 1; i < p.count && err == nil; i++ {
		err = recv()
	}
	if err == nil {
		printThroughput(stdout, p.size, p.count, time.Since(start))
	}
	return errors.Join(err, s.Close())
}

// perfRemoteLatp is remote_lat that also times each round trip and prints
// the percentiles of the round-trip times.
func perfRemoteLatp(ctx *zmq.Context, p perfArgs, stdout io.Writer) error {
	s, err := openSocket(ctx, zmq.REQ, p.endpoint, false, false)
	if err != nil {
		return err
	}
	rtts, elapsed, err := pingTimed(s, p.size, p.count)
	if err == nil {
		printLatency(stdout, p.size, p.count, elapsed)
		printPercentiles(stdout, rtts)
	}
	return errors.Join(err, s.Close())
}

// pingTimed is pingMessages recording every round trip.
func pingTimed(s *zmq.Socket, size, count int) ([]time.Duration, time.Duration, error) {
	buf := make([]byte, size)
	rtts := make([]time.Duration, count)
	start := time.Now()
	for i := range rtts {
		t0 := time.Now()
		if _, err := s.SendBytes(buf, 0); err != nil {
			return nil, 0, err
		}
		if err := receiveSized(s, buf); err != nil {
			return nil, 0, err
		}
		rtts[i] = time.Since(t0)
	}
	return rtts, time.Since(start), nil
}

// percentile returns the q-th quantile (0..1) of sorted, nearest rank.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// printPercentiles writes the round-trip percentiles in microseconds, one
// line each, as bench/c/zmqperf.c does.
func printPercentiles(w io.Writer, rtts []time.Duration) {
	sorted := slices.Clone(rtts)
	slices.Sort(sorted)
	us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
	fmt.Fprintf(w, "roundtrip p50: %.1f [us]\n", us(percentile(sorted, 0.50)))
	fmt.Fprintf(w, "roundtrip p99: %.1f [us]\n", us(percentile(sorted, 0.99)))
	fmt.Fprintf(w, "roundtrip p99.9: %.1f [us]\n", us(percentile(sorted, 0.999)))
	fmt.Fprintf(w, "roundtrip max: %.1f [us]\n", us(sorted[len(sorted)-1]))
}

// The fan-out protocol: the publisher is an XPUB with XPUB_VERBOSE, so it
// sees every subscriber's subscription. It waits for SUBS subscriptions to
// "" (everything), sends COUNT messages of SIZE bytes, then sends empty
// messages every 10 ms until every subscriber has subscribed to
// fanoutDone, which each does when its first empty message arrives; a
// subscriber then stays until no message has come for fanoutQuiet.
const fanoutDone = "\x01done"

// perfLocalPub is the publisher. It prints the rate at which its sends
// returned (messages beyond the HWM are dropped, as PUB does).
func perfLocalPub(ctx *zmq.Context, p perfArgs, stdout io.Writer) error {
	s, err := openPublisher(ctx, p)
	if err != nil {
		return err
	}
	sent, elapsed, err := sendFanout(s, p)
	if err == nil {
		err = endFanout(s, p.sockets)
	}
	if err == nil {
		fmt.Fprintf(stdout, "message size: %d [B]\n", p.size)
		fmt.Fprintf(stdout, "message count: %d\n", sent)
		fmt.Fprintf(stdout, "subscribers: %d\n", p.sockets)
		fmt.Fprintf(stdout, "send rate: %d [msg/s]\n", throughputOf(sent, elapsed))
	}
	return errors.Join(err, s.Close())
}

// openPublisher binds the XPUB (XPUB_VERBOSE) of local_pub and
// local_pub_paced and waits until p.sockets subscribers have subscribed.
func openPublisher(ctx *zmq.Context, p perfArgs) (*zmq.Socket, error) {
	s, err := ctx.NewSocket(zmq.XPUB)
	if err != nil {
		return nil, err
	}
	err = errors.Join(s.SetXpubVerbose(1), s.Bind(p.endpoint))
	if err == nil {
		err = waitSubscriptions(s, "", p.sockets)
	}
	if err != nil {
		return nil, errors.Join(err, s.Close())
	}
	return s, nil
}

// sendFanout sends p.count messages, or fewer when p.duration is set and
// passes first (the clock is read every 1,024 messages). It returns how
// many it sent and how long that took.
func sendFanout(s *zmq.Socket, p perfArgs) (int, time.Duration, error) {
	buf := make([]byte, p.size)
	buf[0] = 'm'
	start := time.Now()
	sent := 0
	for sent < p.count {
		if _, err := s.SendBytes(buf, 0); err != nil {
			return sent, 0, err
		}
		sent++
		if p.duration > 0 && sent%1024 == 0 && time.Since(start) >= p.duration {
			break
		}
	}
	return sent, time.Since(start), nil
}

// waitSubscriptions receives subscription messages on an XPUB until n of
// them subscribed to topic.
func waitSubscriptions(s *zmq.Socket, topic string, n int) error {
	for seen := 0; seen < n; {
		b, err := s.RecvBytes(0)
		if err != nil {
			return err
		}
		if len(b) > 0 && b[0] == 1 && string(b[1:]) == topic {
			seen++
		}
	}
	return nil
}

// fanoutEndLimit bounds how long the publisher waits for the subscribers
// to say they saw the end, so that a lost subscription ends the run with
// an error instead of holding it for ever.
var fanoutEndLimit = 30 * time.Second

// endFanout sends empty messages every 10 ms until n subscribers said they
// saw one, or fails after fanoutEndLimit.
func endFanout(s *zmq.Socket, n int) error {
	if err := s.SetRcvtimeo(10 * time.Millisecond); err != nil {
		return err
	}
	deadline := time.Now().Add(fanoutEndLimit)
	for seen := 0; seen < n; {
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d subscribers said they saw the end within %v", seen, n, fanoutEndLimit)
		}
		if _, err := s.SendBytes(nil, 0); err != nil {
			return err
		}
		b, err := s.RecvBytes(0)
		if zmq.AsErrno(err) == zmq.Errno(syscall.EAGAIN) {
			continue
		}
		if err != nil {
			return err
		}
		if len(b) > 0 && b[0] == 1 && string(b[1:]) == fanoutDone {
			seen++
		}
	}
	return nil
}

// perfRemoteSub runs SUBS subscribers, one goroutine each, and prints the
// messages delivered to all of them per second, from the first message any
// received to the end message the last one received.
func perfRemoteSub(ctx *zmq.Context, p perfArgs, stdout io.Writer) error {
	var (
		mu       sync.Mutex
		first    time.Time
		last     time.Time
		received int
		wg       sync.WaitGroup
		errs     = make([]error, p.sockets)
	)
	for i := range p.sockets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, t0, t1, err := subscribeAndCount(ctx, p)
			errs[i] = err
			mu.Lock()
			defer mu.Unlock()
			received += n
			if n > 0 && (first.IsZero() || t0.Before(first)) {
				first = t0
			}
			if t1.After(last) {
				last = t1
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "message size: %d [B]\n", p.size)
	fmt.Fprintf(stdout, "subscribers: %d\n", p.sockets)
	fmt.Fprintf(stdout, "received: %d of %d\n", received, p.count*p.sockets)
	fmt.Fprintf(stdout, "delivered: %d [msg/s]\n", throughputOf(received, last.Sub(first)))
	return nil
}

// subscribeAndCount is one subscriber: it counts messages until the first
// empty one, then says so to the publisher. It returns the count and when
// the first message and the end arrived.
func subscribeAndCount(ctx *zmq.Context, p perfArgs) (int, time.Time, time.Time, error) {
	s, err := openSocket(ctx, zmq.SUB, p.endpoint, false, false)
	if err != nil {
		return 0, time.Time{}, time.Time{}, err
	}
	defer s.Close()
	if err := s.SetSubscribe(""); err != nil {
		return 0, time.Time{}, time.Time{}, err
	}
	buf := make([]byte, p.size)
	var first time.Time
	n := 0
	for {
		got, err := s.RecvInto(buf, 0)
		if err != nil {
			return n, first, time.Now(), err
		}
		if got == 0 {
			break
		}
		if n == 0 {
			first = time.Now()
		}
		n++
	}
	end := time.Now()
	if err := s.SetSubscribe(fanoutDone); err != nil {
		return n, first, end, err
	}
	// Stay connected until the publisher has stopped sending end
	// messages: a subscription still queued when its connection closes
	// may never reach the publisher.
	if err := s.SetRcvtimeo(fanoutQuiet); err != nil {
		return n, first, end, err
	}
	for {
		if _, err := s.RecvInto(buf, 0); err != nil {
			break
		}
	}
	return n, first, end, nil
}

// fanoutQuiet is how long a subscriber that has said it is done waits for
// one more message before it takes the publisher to be done too.
const fanoutQuiet = 500 * time.Millisecond

// perfPollLat times COUNT round trips over SOCKETS PAIR socket pairs, one at
// a time in turn: a client goroutine sends on its socket i and waits with a
// Poller over all its sockets for the reply; a server goroutine waits with
// a Poller over all its sockets and echoes what arrives. So each Poll has
// SOCKETS sockets and one ready.
func perfPollLat(ctx *zmq.Context, p perfArgs, stdout io.Writer) error {
	n := p.sockets
	if err := ctx.SetMaxSockets(2*n + 16); err != nil {
		return err
	}
	servers := make([]*zmq.Socket, 0, n)
	clients := make([]*zmq.Socket, 0, n)
	closeAll := func() error {
		var errs []error
		for _, s := range append(clients, servers...) {
			errs = append(errs, s.Close())
		}
		return errors.Join(errs...)
	}
	for i := range n {
		endpoint := "tcp://127.0.0.1:*"
		if p.endpoint == "inproc" {
			endpoint = fmt.Sprintf("inproc://poll_lat_%d", i)
		}
		srv, err := openSocket(ctx, zmq.PAIR, endpoint, true, false)
		if err != nil {
			return errors.Join(err, closeAll())
		}
		servers = append(servers, srv)
		if endpoint, err = srv.GetLastEndpoint(); err != nil {
			return errors.Join(err, closeAll())
		}
		cli, err := openSocket(ctx, zmq.PAIR, endpoint, false, false)
		if err != nil {
			return errors.Join(err, closeAll())
		}
		clients = append(clients, cli)
	}
	serverDone := make(chan error, 1)
	go func() { serverDone <- pollEcho(servers, p.count) }()
	buf := make([]byte, p.size)
	poller := zmq.NewPoller()
	for _, s := range clients {
		poller.Add(s, zmq.POLLIN)
	}
	var err error
	start := time.Now()
	for i := 0; i < p.count && err == nil; i++ {
		s := clients[i%n]
		if _, err = s.SendBytes(buf, 0); err != nil {
			break
		}
		var polled []zmq.Polled
		if polled, err = poller.Poll(-1); err == nil {
			if len(polled) != 1 || polled[0].Socket != s {
				err = fmt.Errorf("poll returned %d sockets, want the one just sent on", len(polled))
				break
			}
			err = receiveSized(s, buf)
		}
	}
	elapsed := time.Since(start)
	err = errors.Join(err, <-serverDone)
	if err == nil {
		fmt.Fprintf(stdout, "message size: %d [B]\n", p.size)
		fmt.Fprintf(stdout, "sockets: %d\n", n)
		fmt.Fprintf(stdout, "roundtrip count: %d\n", p.count)
		fmt.Fprintf(stdout, "mean throughput: %d [msg/s]\n", throughputOf(p.count, elapsed))
		fmt.Fprintf(stdout, "average latency: %.3f [us]\n", latencyOf(p.count, elapsed))
	}
	return errors.Join(err, closeAll())
}

// pollEcho echoes count messages arriving on any of the sockets, waiting
// with one Poller over all of them.
func pollEcho(socks []*zmq.Socket, count int) error {
	poller := zmq.NewPoller()
	for _, s := range socks {
		poller.Add(s, zmq.POLLIN)
	}
	for done := 0; done < count; {
		polled, err := poller.Poll(-1)
		if err != nil {
			return err
		}
		for _, item := range polled {
			b, err := item.Socket.RecvBytes(zmq.DONTWAIT)
			if err != nil {
				return err
			}
			if _, err := item.Socket.SendBytes(b, 0); err != nil {
				return err
			}
			done++
		}
	}
	return nil
}
