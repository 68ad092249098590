package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// runBenchCase runs `zmq bench fanout|latency|poller`: the perf modes of
// perfcases.go with both halves in this process over loopback tcp, one
// context each, and prints what each half reports.
func runBenchCase(name string, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("zmq bench "+name, flag.ContinueOnError)
	flags.SetOutput(stderr)
	size := flags.Int("size", 64, "message size in bytes")
	count := flags.Int("count", 0, "messages (fanout) or round trips (latency, poller); 0: a default")
	subs := flags.String("subs", "10,100,1000", "fanout: subscriber counts, comma-separated")
	sockets := flags.Int("sockets", 1000, "poller: socket pairs")
	if err := flags.Parse(args); err != nil || flags.NArg() != 0 {
		return usageError("usage: zmq bench fanout [-subs 10,100,1000] [-size N] [-count N]\n" +
			"       zmq bench latency [-size N] [-count N]\n" +
			"       zmq bench poller [-sockets N] [-size N] [-count N]")
	}
	sz := strconv.Itoa(*size)
	switch name {
	case "fanout":
		n := strconv.Itoa(orDefault(*count, 100000))
		for _, s := range strings.Split(*subs, ",") {
			ep, err := loopbackEndpoint()
			if err != nil {
				return err
			}
			pub, sub, err := perfHalves([]string{"local_pub", ep, sz, n, s}, []string{"remote_sub", ep, sz, n, s})
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "PUB to %s tcp subscribers, %s messages of %s B:\n%s%s\n", s, n, sz, indent(pub), indent(sub))
		}
	case "latency":
		n := strconv.Itoa(orDefault(*count, 20000))
		ep, err := loopbackEndpoint()
		if err != nil {
			return err
		}
		_, lat, err := perfHalves([]string{"local_lat", ep, sz, n}, []string{"remote_latp", ep, sz, n})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "REQ/REP over tcp, %s round trips of %s B:\n%s", n, sz, indent(lat))
	case "poller":
		var out bytes.Buffer
		n := strconv.Itoa(orDefault(*count, 20000))
		if err := runPerf([]string{"poll_lat", "tcp", sz, n, strconv.Itoa(*sockets)}, &out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Poller over %d tcp PAIR sockets on each side, one ready at a time:\n%s", *sockets, indent(out.String()))
	}
	return nil
}

// benchCases are the names runBenchCase takes.
var benchCases = map[string]bool{"fanout": true, "latency": true, "poller": true}

func orDefault(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

// indent indents each line of s by two spaces.
func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ") + "\n"
}

// loopbackEndpoint returns a tcp endpoint on a loopback port free right now.
func loopbackEndpoint() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return "tcp://" + l.Addr().String(), nil
}

// perfHalves runs the binding half of a perf measurement and then, once it
// listens, the connecting half, and returns what each printed.
func perfHalves(local, remote []string) (string, string, error) {
	var localOut, remoteOut bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- runPerf(local, &localOut) }()
	if err := waitListening(local[1]); err != nil {
		return "", "", errors.Join(err, <-done)
	}
	err := runPerf(remote, &remoteOut)
	err = errors.Join(err, <-done)
	return localOut.String(), remoteOut.String(), err
}

// waitListening waits until something accepts connections on a tcp endpoint.
func waitListening(endpoint string) error {
	addr, _ := cutPrefix(endpoint, "tcp://")
	var err error
	for range 500 {
		var c net.Conn
		if c, err = net.DialTimeout("tcp", addr, benchHangGuard); err == nil {
			return c.Close()
		}
		time.Sleep(10 * time.Millisecond)
	}
	return err
}
