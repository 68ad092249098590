package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	zmq "github.com/purezmq/zmq4"
)

const monitorUsage = `usage: zmq monitor -t TYPE (-b|-c) ENDPOINT [options]
  Makes the socket, binds or connects it and prints each of its monitor
  events on one line, "EVENT_NAME value=N endpoint=ENDPOINT", until
  interrupted. Messages the socket could receive are left unread.
` + sockSpecUsage + `  -events LIST       comma-separated events to watch, e.g. LISTENING,ACCEPTED
                     (EVENT_ prefix optional, any case; default ALL)
  -n COUNT           stop after COUNT events (default: run until interrupted)
`

// monitorAddress is where the monitored socket publishes its events; each
// command has its own context, so one fixed name is enough.
const monitorAddress = "inproc://zmq-monitor"

// parseEvents turns a comma-separated list of event names into a mask.
func parseEvents(list string) (zmq.Event, error) {
	var mask zmq.Event
	for _, name := range strings.Split(list, ",") {
		name = strings.ToUpper(strings.TrimSpace(name))
		if !strings.HasPrefix(name, "EVENT_") {
			name = "EVENT_" + name
		}
		found := false
		for bit := zmq.Event(1); bit <= zmq.EVENT_HANDSHAKE_FAILED_AUTH; bit <<= 1 {
			if bit.String() == name {
				mask |= bit
				found = true
			}
		}
		if name == "EVENT_ALL" {
			mask |= zmq.EVENT_ALL
			found = true
		}
		if !found {
			return 0, usageError(fmt.Sprintf("unknown event %q", name))
		}
	}
	return mask, nil
}

// runMonitor is `zmq monitor`.
func runMonitor(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	var spec sockSpec
	fs := flag.NewFlagSet("monitor", flag.ContinueOnError)
	spec.addFlags(fs)
	eventList := fs.String("events", "ALL", "comma-separated events to watch")
	count := fs.Int("n", 0, "stop after this many events (0 = forever)")
	if err := parseFlags(fs, args, monitorUsage); err != nil {
		return err
	}
	if err := spec.check(); err != nil {
		return usageError(err.Error() + "\n" + monitorUsage)
	}
	if fs.NArg() > 0 || *count < 0 {
		return usageError("unexpected arguments\n" + monitorUsage)
	}
	events, err := parseEvents(*eventList)
	if err != nil {
		return usageError(err.Error() + "\n" + monitorUsage)
	}
	sess, err := newSession(ctx)
	if err != nil {
		return err
	}
	var sock, watcher *zmq.Socket
	defer func() { err = errors.Join(err, sess.close(sock, watcher)) }()
	if sock, err = spec.newSocket(sess.zctx); err != nil {
		return err
	}
	if err := sock.Monitor(monitorAddress, events); err != nil {
		return err
	}
	if watcher, err = sess.zctx.NewSocket(zmq.PAIR); err != nil {
		return err
	}
	if err := watcher.Connect(monitorAddress); err != nil {
		return err
	}
	// Only now bind and connect, so that no event is lost.
	if err := spec.attach(sock, stderr, "monitor"); err != nil {
		return err
	}
	for seen := 0; *count == 0 || seen < *count; seen++ {
		event, endpoint, value, err := watcher.RecvEvent(0)
		if err != nil {
			return stopQuietly(ctx, err)
		}
		if _, err := fmt.Fprintf(stdout, "%s value=%d endpoint=%s\n", event, value, endpoint); err != nil {
			return err
		}
	}
	return nil
}
