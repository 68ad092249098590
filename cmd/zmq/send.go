package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	zmq "github.com/purezmq/zmq4"
)

const sendUsage = `usage: zmq send -t TYPE (-b|-c) ENDPOINT [options] [PART...]
  Sends one message made of the PART arguments (one frame each) COUNT times,
  or, with no PART, each line of stdin as a message. A REQ or CLIENT socket
  waits for each reply and prints it as zmq recv does. A RADIO sends to the
  -g group.
` + sockSpecUsage + `  -n COUNT           how many times to send the PART message (default 1)
  -d DELAY           pause before each message, e.g. 500ms (lets PUB
                     subscribers join)
  -input FORMAT      stdin lines are: lines (default: each a one-frame
                     message) or json (each a JSON array of frames, strings
                     or {"base64": "..."}, or one JSON string)
` + formatUsage

// runSend is `zmq send`.
func runSend(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (err error) {
	var spec sockSpec
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	spec.addFlags(fs)
	count := fs.Int("n", 1, "how many times to send the message")
	delay := fs.Duration("d", 0, "pause before each message")
	input := fs.String("input", "lines", "stdin format: lines or json")
	formatName := fs.String("format", "text", "how replies are printed")
	allBase64 := fs.Bool("base64", false, "with -format json, every frame as base64")
	if err := parseFlags(fs, args, sendUsage); err != nil {
		return err
	}
	format, err := parseOutputFormat(*formatName, false, *allBase64)
	if err != nil {
		return usageError(err.Error() + "\n" + sendUsage)
	}
	if *input != "lines" && *input != "json" {
		return usageError("-input is lines or json\n" + sendUsage)
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
	sender := messageSender{ctx: ctx, sock: sock, delay: *delay, awaitReply: typ == zmq.REQ || typ == zmq.CLIENT,
		format: format, stdout: stdout}
	if typ == zmq.RADIO {
		sender.group = spec.group()
	}
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
		parts := []interface{}{lines.Text()}
		if *input == "json" {
			frames, err := decodeJSONMessage(lines.Bytes())
			if err != nil {
				return fmt.Errorf("stdin: %v", err)
			}
			parts = []interface{}{frames}
		}
		if err := sender.send(parts); err != nil {
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
	group      string // RADIO: the group every message goes to
	format     outputFormat
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
	if typ, _ := m.sock.GetType(); typ == zmq.RADIO || typ == zmq.CLIENT {
		// One-part types: the message's frames are joined into one part.
		return m.sendSingle(parts)
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
	return m.format.write(m.stdout, reply)
}

// sendSingle sends parts as one part, as RADIO and CLIENT need, to the
// RADIO's group, and prints a CLIENT's reply.
func (m messageSender) sendSingle(parts []interface{}) error {
	var body []byte
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			body = append(body, v...)
		case [][]byte:
			for _, f := range v {
				body = append(body, f...)
			}
		}
	}
	var err error
	if m.group != "" {
		_, err = m.sock.SendBytes(body, 0, zmq.OptGroup(m.group))
	} else {
		_, err = m.sock.SendBytes(body, 0)
	}
	if err != nil || !m.awaitReply {
		return err
	}
	reply, err := m.sock.RecvBytes(0)
	if err != nil {
		return err
	}
	return m.format.write(m.stdout, [][]byte{reply})
}
