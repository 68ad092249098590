package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"io"
	"time"

	zmq "github.com/purezmq/zmq4"
)

const sendUsage = `usage: zmq send -t TYPE (-b|-c) ENDPOINT [options] [PART...]
  Sends one message made of the PART arguments (one frame each) COUNT times,
  or, with no PART, each line of stdin as a one-frame message. A REQ socket
  waits for each reply and prints it as zmq recv does.
` + sockSpecUsage + `  -n COUNT           how many times to send the PART message (default 1)
  -d DELAY           pause before each message, e.g. 500ms (lets PUB
                     subscribers join)
`

// runSend is `zmq send`.
func runSend(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (err error) {
	var spec sockSpec
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	spec.addFlags(fs)
	count := fs.Int("n", 1, "how many times to send the message")
	delay := fs.Duration("d", 0, "pause before each message")
	if err := parseFlags(fs, args, sendUsage); err != nil {
		return err
	}
	if err := spec.check(); err != nil {
		return usageError(err.Error() + "\n" + sendUsage)
	}
	if *count < 1 || *delay < 0 {
		return usageError("-n must be at least 1 and -d not negative\n" + sendUsage)
	}
	sess, err := newSession(ctx)
	if err != nil {
		return err
	}
	sock, err := spec.newSocket(sess.zctx)
	if err != nil {
		sess.close()
		return err
	}
	defer func() { err = errors.Join(err, sess.close(sock)) }()
	if err := spec.attach(sock, stderr, "send"); err != nil {
		return err
	}
	typ, _ := sock.GetType()
	sender := messageSender{ctx: ctx, sock: sock, delay: *delay, awaitReply: typ == zmq.REQ, stdout: stdout}
	if fs.NArg() > 0 {
		parts := make([]interface{}, fs.NArg())
		for i, a := range fs.Args() {
			parts[i] = a
		}
		for i := 0; i < *count; i++ {
			if err := sender.send(parts); err != nil {
				return stopQuietly(ctx, err)
			}
		}
		return nil
	}
	lines := bufio.NewScanner(stdin)
	lines.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for lines.Scan() {
		if err := sender.send([]interface{}{lines.Text()}); err != nil {
			return stopQuietly(ctx, err)
		}
	}
	return lines.Err()
}

// messageSender sends messages for `zmq send`, pausing before each and, for
// REQ, printing each reply.
type messageSender struct {
	ctx        context.Context
	sock       *zmq.Socket
	delay      time.Duration
	awaitReply bool
	stdout     io.Writer
}

func (m messageSender) send(parts []interface{}) error {
	if m.delay > 0 {
		select {
		case <-time.After(m.delay):
		case <-m.ctx.Done():
			return m.ctx.Err()
		}
	}
	if _, err := m.sock.SendMessageContext(m.ctx, parts...); err != nil {
		return err
	}
	if !m.awaitReply {
		return nil
	}
	reply, err := m.sock.RecvMessageBytesContext(m.ctx)
	if err != nil {
		return err
	}
	return printMessage(m.stdout, reply, false)
}
