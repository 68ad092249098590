package main

import (
	"context"
	"errors"
	"flag"
	"io"

	zmq "github.com/purezmq/zmq4"
)

const recvUsage = `usage: zmq recv -t TYPE (-b|-c) ENDPOINT [options]
  Prints each message received on one line: frames separated by " | ",
  printable frames as text, others as 0x followed by hex. A REP or SERVER
  socket echoes each request back as its reply. A DISH joins the -g groups.
` + sockSpecUsage + `  -n COUNT           stop after COUNT messages (default: run until interrupted)
` + formatUsage + `  -hex               the same as -format hex
`

// runRecv is `zmq recv`.
func runRecv(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	var spec sockSpec
	fs := flag.NewFlagSet("recv", flag.ContinueOnError)
	spec.addFlags(fs)
	count := fs.Int("n", 0, "stop after this many messages (0 = forever)")
	allHex := fs.Bool("hex", false, "print every frame as hex")
	formatName := fs.String("format", "text", "text, hex, json or raw")
	allBase64 := fs.Bool("base64", false, "with -format json, every frame as base64")
	if err := parseFlags(fs, args, recvUsage); err != nil {
		return err
	}
	format, err := parseOutputFormat(*formatName, *allHex, *allBase64)
	if err != nil {
		return usageError(err.Error() + "\n" + recvUsage)
	}
	if err := spec.check(); err != nil {
		return usageError(err.Error() + "\n" + recvUsage)
	}
	if fs.NArg() > 0 || *count < 0 {
		return usageError("unexpected arguments\n" + recvUsage)
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
	if err := spec.attach(sock, stderr, "recv"); err != nil {
		return err
	}
	typ, _ := sock.GetType()
	for received := 0; *count == 0 || received < *count; received++ {
		if typ == zmq.SERVER {
			// SERVER replies go to the routing id of the request.
			msg, opts, err := sock.RecvBytesWithOpts(0, zmq.OptRoutingId(0))
			if err != nil {
				return stopQuietly(ctx, err)
			}
			if err := format.write(stdout, [][]byte{msg}); err != nil {
				return err
			}
			if _, err := sock.SendBytes(msg, 0, opts[0]); err != nil {
				return stopQuietly(ctx, err)
			}
			continue
		}
		msg, err := sock.RecvMessageBytesContext(ctx)
		if err != nil {
			return stopQuietly(ctx, err)
		}
		if err := format.write(stdout, msg); err != nil {
			return err
		}
		if typ == zmq.REP {
			if _, err := sock.SendMessageContext(ctx, msg); err != nil {
				return stopQuietly(ctx, err)
			}
		}
	}
	return nil
}
