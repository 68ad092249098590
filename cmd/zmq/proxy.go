package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	zmq "github.com/purezmq/zmq4"
)

const proxyUsage = `usage: zmq proxy -frontend SOCKET -backend SOCKET [-capture SOCKET] [-stats INTERVAL]
  Moves messages between frontend and backend (zmq_proxy) until interrupted.
  SOCKET is TYPE@ENDPOINT to bind or TYPE>ENDPOINT to connect (quote the >),
  e.g. ROUTER@tcp://*:5555 DEALER@tcp://*:5556, XSUB@... XPUB@...,
  PULL@... PUSH@.... Every message forwarded is also sent to the capture
  socket (PUB or PUSH, say). A "*" port is reported on stderr.
  -stats INTERVAL prints both sockets' counters (Socket.Stats: messages,
  bytes, queue depths, drops, connection events, peers) as one JSON line on
  stderr every INTERVAL, e.g. 1s.
`

// proxyEnd is one parsed TYPE@ENDPOINT or TYPE>ENDPOINT argument.
type proxyEnd struct {
	typ      zmq.Type
	endpoint string
	bind     bool
}

// parseProxyEnd parses TYPE@ENDPOINT (bind) or TYPE>ENDPOINT (connect).
func parseProxyEnd(text string) (proxyEnd, error) {
	at := strings.IndexAny(text, "@>")
	if at <= 0 || at == len(text)-1 {
		return proxyEnd{}, usageError(fmt.Sprintf("%q is not TYPE@ENDPOINT or TYPE>ENDPOINT", text))
	}
	t, err := parseSocketType(text[:at])
	if err != nil {
		return proxyEnd{}, err
	}
	return proxyEnd{typ: t, endpoint: text[at+1:], bind: text[at] == '@'}, nil
}

// open makes the socket and binds or connects it; role names it in the
// report of a wildcard bind.
func (p proxyEnd) open(zctx *zmq.Context, role string, stderr io.Writer) (*zmq.Socket, error) {
	sock, err := zctx.NewSocket(p.typ)
	if err != nil {
		return nil, err
	}
	if p.bind {
		err = bindReporting(sock, p.endpoint, stderr, "zmq proxy: "+role+" bound")
	} else if err = sock.Connect(p.endpoint); err != nil {
		err = fmt.Errorf("connect %s: %v", p.endpoint, err)
	}
	if err == nil && p.typ == zmq.SUB {
		err = sock.SetSubscribe("")
	}
	if err != nil {
		sock.Close()
		return nil, fmt.Errorf("%s: %v", role, err)
	}
	return sock, nil
}

// runProxy is `zmq proxy`.
func runProxy(ctx context.Context, args []string, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("proxy", flag.ContinueOnError)
	frontText := fs.String("frontend", "", "frontend socket, TYPE@ENDPOINT or TYPE>ENDPOINT")
	backText := fs.String("backend", "", "backend socket, TYPE@ENDPOINT or TYPE>ENDPOINT")
	captureText := fs.String("capture", "", "capture socket, TYPE@ENDPOINT or TYPE>ENDPOINT")
	statsEvery := fs.Duration("stats", 0, "print the sockets' counters on stderr at this interval")
	if err := parseFlags(fs, args, proxyUsage); err != nil {
		return err
	}
	if fs.NArg() > 0 || *frontText == "" || *backText == "" {
		return usageError("-frontend and -backend are required\n" + proxyUsage)
	}
	texts := []string{*frontText, *backText}
	if *captureText != "" {
		texts = append(texts, *captureText)
	}
	var ends []proxyEnd
	for _, text := range texts {
		end, err := parseProxyEnd(text)
		if err != nil {
			return usageError(err.Error() + "\n" + proxyUsage)
		}
		ends = append(ends, end)
	}
	sess, err := newSession(ctx)
	if err != nil {
		return err
	}
	sockets := make([]*zmq.Socket, 3) // frontend, backend, capture
	defer func() { err = errors.Join(err, sess.close(sockets...)) }()
	for i, end := range ends {
		role := []string{"frontend", "backend", "capture"}[i]
		if sockets[i], err = end.open(sess.zctx, role, stderr); err != nil {
			return err
		}
		if err := sockets[i].SetLinger(0); err != nil {
			return err
		}
	}
	if *statsEvery > 0 {
		stop := make(chan struct{})
		defer close(stop)
		go printProxyStats(stderr, *statsEvery, sockets[0], sockets[1], stop)
	}
	return stopQuietly(ctx, zmq.Proxy(sockets[0], sockets[1], sockets[2]))
}

// proxyStats is one line of -stats output.
type proxyStats struct {
	Time     string         `json:"time"`
	Frontend socketStatLine `json:"frontend"`
	Backend  socketStatLine `json:"backend"`
}

// socketStatLine is a socket's Stats with the number of peers in place of
// the list.
type socketStatLine struct {
	zmq.SocketStats
	Peers int `json:"Peers"`
}

// printProxyStats writes a proxyStats line every interval until stop.
func printProxyStats(w io.Writer, every time.Duration, front, back *zmq.Socket, stop <-chan struct{}) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			fs, err1 := front.Stats()
			bs, err2 := back.Stats()
			if err1 != nil || err2 != nil {
				return
			}
			line, _ := json.Marshal(proxyStats{
				Time:     now.UTC().Format(time.RFC3339Nano),
				Frontend: socketStatLine{fs, len(fs.Peers)},
				Backend:  socketStatLine{bs, len(bs.Peers)},
			})
			fmt.Fprintf(w, "%s\n", line)
		}
	}
}
