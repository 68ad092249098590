package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	zmq "github.com/purezmq/zmq4"
)

// listFlag is a flag that may be given several times; each value is kept.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// sockSpec describes the socket a send, recv or monitor command makes: its
// type, where it binds and connects, what it subscribes to and its security.
type sockSpec struct {
	typeName    string
	binds       listFlag
	connects    listFlag
	subscribe   listFlag
	groups      listFlag // DISH joins; RADIO sends to the first
	curveServer string   // our secret key, when we are a CURVE server
	curveClient string   // the server's public key, when we are a CURVE client
	lingerMS    int
}

// sockSpecUsage describes the socket options shared by send, recv and monitor.
const sockSpecUsage = `  -t TYPE            socket type: PUSH, PULL, PUB, SUB, REQ, REP, DEALER, ROUTER,
                     PAIR, XPUB, XSUB, ... (any case)
  -b ENDPOINT        bind (repeatable); a "*" port is reported on stderr
  -c ENDPOINT        connect (repeatable)
  -s TOPIC           SUB subscription (repeatable; default "" = everything)
  -g GROUP           DISH: join GROUP (repeatable); RADIO: send to GROUP
  -curve-server KEY  be a CURVE server with this Z85 secret key
  -curve-client KEY  be a CURVE client of the server with this Z85 public key
                     (a transient client key pair is made)
  -linger MS         how long pending messages may flow at exit (default
                     1000; -1 = forever)
`

// addFlags registers the socket options on fs.
func (s *sockSpec) addFlags(fs *flag.FlagSet) {
	fs.StringVar(&s.typeName, "t", "", "socket type")
	fs.Var(&s.binds, "b", "endpoint to bind (repeatable)")
	fs.Var(&s.connects, "c", "endpoint to connect (repeatable)")
	fs.Var(&s.subscribe, "s", "SUB topic (repeatable)")
	fs.Var(&s.groups, "g", "DISH group to join (repeatable), RADIO group to send to")
	fs.StringVar(&s.curveServer, "curve-server", "", "CURVE server secret key (Z85)")
	fs.StringVar(&s.curveClient, "curve-client", "", "CURVE server public key (Z85)")
	fs.IntVar(&s.lingerMS, "linger", 1000, "linger in milliseconds (-1 = forever)")
}

// check reports a spec that cannot make a socket.
func (s *sockSpec) check() error {
	if s.typeName == "" {
		return usageError("-t TYPE is required")
	}
	if _, err := parseSocketType(s.typeName); err != nil {
		return err
	}
	if len(s.binds) == 0 && len(s.connects) == 0 {
		return usageError("give at least one -b or -c ENDPOINT")
	}
	if s.curveServer != "" && s.curveClient != "" {
		return usageError("-curve-server and -curve-client exclude each other")
	}
	if t, _ := parseSocketType(s.typeName); t == zmq.RADIO && len(s.groups) != 1 {
		return usageError("a RADIO needs one -g GROUP")
	}
	return nil
}

// group returns the RADIO's group.
func (s *sockSpec) group() string {
	if len(s.groups) == 0 {
		return ""
	}
	return s.groups[0]
}

// parseSocketType turns a socket type name (any case) into its Type.
func parseSocketType(name string) (zmq.Type, error) {
	upper := strings.ToUpper(name)
	for t := zmq.PAIR; t <= zmq.CHANNEL; t++ {
		if t.String() == upper {
			return t, nil
		}
	}
	switch upper {
	case "XREQ":
		return zmq.DEALER, nil
	case "XREP":
		return zmq.ROUTER, nil
	}
	return 0, usageError(fmt.Sprintf("unknown socket type %q", name))
}

// newSocket makes the socket in zctx with its options set, not yet bound
// or connected.
func (s *sockSpec) newSocket(zctx *zmq.Context) (*zmq.Socket, error) {
	t, err := parseSocketType(s.typeName)
	if err != nil {
		return nil, err
	}
	sock, err := zctx.NewSocket(t)
	if err != nil {
		return nil, err
	}
	if err := s.configure(sock, t); err != nil {
		sock.Close()
		return nil, err
	}
	return sock, nil
}

// configure sets linger, subscriptions and CURVE on sock.
func (s *sockSpec) configure(sock *zmq.Socket, t zmq.Type) error {
	if err := sock.SetLinger(time.Duration(s.lingerMS) * time.Millisecond); err != nil {
		return err
	}
	if t == zmq.SUB {
		topics := s.subscribe
		if len(topics) == 0 {
			topics = listFlag{""}
		}
		for _, topic := range topics {
			if err := sock.SetSubscribe(topic); err != nil {
				return err
			}
		}
	}
	if t == zmq.DISH {
		for _, g := range s.groups {
			if err := sock.Join(g); err != nil {
				return fmt.Errorf("-g %q: %v", g, err)
			}
		}
	}
	if s.curveServer != "" {
		if err := sock.SetCurveServer(1); err != nil {
			return err
		}
		if err := sock.SetCurveSecretkey(s.curveServer); err != nil {
			return fmt.Errorf("-curve-server: %v", err)
		}
	}
	if s.curveClient != "" {
		public, secret, err := zmq.NewCurveKeypair()
		if err != nil {
			return err
		}
		if err := sock.ClientAuthCurve(s.curveClient, public, secret); err != nil {
			return fmt.Errorf("-curve-client: %v", err)
		}
	}
	return nil
}

// attach binds and connects sock as the spec says. Binds to a wildcard
// ("*") port are reported on stderr with the endpoint chosen.
func (s *sockSpec) attach(sock *zmq.Socket, stderr io.Writer, command string) error {
	for _, ep := range s.binds {
		if err := bindReporting(sock, ep, stderr, "zmq "+command+": bound"); err != nil {
			return err
		}
	}
	for _, ep := range s.connects {
		if err := sock.Connect(ep); err != nil {
			return fmt.Errorf("connect %s: %v", ep, err)
		}
	}
	return nil
}

// bindReporting binds sock to ep and, when ep leaves the port to the
// system, writes "prefix ENDPOINT" to stderr with the endpoint bound.
func bindReporting(sock *zmq.Socket, ep string, stderr io.Writer, prefix string) error {
	if err := sock.Bind(ep); err != nil {
		return fmt.Errorf("bind %s: %v", ep, err)
	}
	if strings.Contains(ep, "*") {
		bound, err := sock.GetLastEndpoint()
		if err != nil {
			return err
		}
		fmt.Fprintln(stderr, prefix, bound)
	}
	return nil
}

// session is the zmq.Context of one command, terminated when ctx ends so
// that blocked calls (and Proxy) return.
type session struct {
	zctx *zmq.Context
	done chan struct{}
}

// newSession makes a context that is terminated when ctx is cancelled.
func newSession(ctx context.Context) (*session, error) {
	zctx, err := zmq.NewContext()
	if err != nil {
		return nil, err
	}
	s := &session{zctx: zctx, done: make(chan struct{})}
	go func() {
		select {
		case <-ctx.Done():
			zctx.Term()
		case <-s.done:
		}
	}()
	return s, nil
}

// close closes the sockets and ends the context.
func (s *session) close(sockets ...*zmq.Socket) error {
	err := closeAll(sockets...)
	close(s.done)
	if termErr := s.zctx.Term(); termErr != nil && !errors.Is(termErr, zmq.ErrorContextClosed) {
		err = errors.Join(err, termErr)
	}
	return err
}

// interrupted reports whether err only means the command was told to stop:
// once ctx has ended, calls fail with ctx's error or ETERM.
func interrupted(ctx context.Context, err error) bool {
	return err != nil && ctx.Err() != nil
}

// stopQuietly returns nil for an error that only reports an interruption.
func stopQuietly(ctx context.Context, err error) error {
	if interrupted(ctx, err) {
		return nil
	}
	return err
}

// parseFlags parses args with fs, turning a bad command line into a
// usageError that carries usage.
func parseFlags(fs *flag.FlagSet, args []string, usage string) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return usageError(usage)
		}
		return usageError(err.Error() + "\n" + usage)
	}
	return nil
}
