package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	zmq "github.com/purezmq/zmq4"
	"github.com/purezmq/zmq4/internal/faultproxy"
)

// `zmq soak` runs the messaging patterns side by side in one process for a
// long time, over tcp (through a fault-injecting relay), ipc, inproc and ws,
// while connections are cut, reset, stalled and throttled, peers restart
// and clients close, re-create, disconnect and reconnect their sockets. Each
// pattern checks its invariants on every message; a sampler checks that
// goroutines, descriptors and heap stay flat. The first breach ends the run
// with an error that names it.
//
// Each pattern has one bound server (PULL, REP, ROUTER, PUB) on four
// endpoints and one client per transport; each loop sleeps a millisecond or
// two per message, about 5,000 messages a second in all, a fifth of one
// core. The invariants:
//
//   - PUSH/PULL: per sender, no number twice; a number skipped (lost) or
//     arriving after a higher one only when a fault struck that sender's
//     path in between (faultEpoch, seqCheck). Losses are counted.
//   - REQ/REP (REQ_RELAXED, REQ_CORRELATE): every reply is the reply to the
//     request just sent; a request unanswered for soakReqResend is sent
//     again (counted as retried).
//   - DEALER/ROUTER: the ROUTER sees each request under the routing id of
//     the DEALER that sent it; each DEALER gets only its own replies,
//     numbered and checked as PUSH/PULL's.
//   - PUB/SUB: a SUB never receives a topic it is not subscribed to at that
//     moment (two topics nobody subscribes to are published too); per
//     topic no number twice and reordering only across a fault; gaps are
//     allowed (PUB drops) and counted.
//   - Every client completes an exchange at least every soakStuckAfter.
//   - Resources do not grow, and come back at the end (below).
//
// How growth is judged (growthCheck): once a second the sampler forces a GC
// and reads goroutines, open descriptors and heap in use. The floor of a
// resource is the smallest of its last soakWindow samples, so that the short
// peaks of churn (a restarting server's or reconnecting client's goroutines
// and descriptors exist twice for a moment; buffers in flight) do not
// count, while a leak lifts the floor for good. The highest floor seen
// during warm-up (the first 20% of the run, at least 10 s, at most half of
// it) is the reference; after that the floor may exceed it by
// soakGoroutineSlack goroutines plus 10%, soakFDSlack descriptors plus 10%,
// or soakHeapSlack of heap plus 50%. How the bounds were chosen: in healthy
// runs (60 s and 30 min) the goroutines move between 85 and 96 and the
// descriptors between 50 and 58, as a server restart or a reconnect happens
// to fall on a sample, and the live heap stays near 3 MiB; the bounds are
// about three times that spread (34 goroutines, 18 descriptors at those
// levels; 9.5 MiB of heap, since GC-to-GC heap varies more). The churn runs
// about nine cycles a second, so a leak of one goroutine or descriptor per
// cycle crosses its bound within five seconds of the warm-up, and a leak
// on a rarer action is still caught within a minute: with one goroutine
// leaked per client re-create (three a second) a 60 s soak failed at 26 s,
// and with one descriptor leaked per server restart (0.6 a second) at 41 s.
// At the end everything is closed and goroutines and descriptors must come
// back within soakEndSlack of what the process had before the soak began.

const (
	soakSampleEvery    = time.Second
	soakWindow         = 5
	soakGoroutineSlack = 24
	soakFDSlack        = 12
	soakHeapSlack      = 8 << 20
	soakEndSlack       = 2
	soakStuckAfter     = 30 * time.Second // a client with no progress this long breaches
	soakIOTimeout      = 100 * time.Millisecond
	soakReqResend      = time.Second // REQ sends a request again after this long
)

// soakTopics: subscribers choose among the first four; nobody ever
// subscribes to the last two, which the publisher sends all the same.
var soakTopics = []string{"A", "B", "C", "D", "E", "F"}

const soakSubscribable = 4

// soakFaults counts the churn injected, by kind.
type soakFaults struct {
	cuts, resets, stalls, throttles, splits, refusals atomic.Uint64
	restarts, recreates, reconnects, resubscribes     atomic.Uint64
}

func (f *soakFaults) total() uint64 {
	return f.cuts.Load() + f.resets.Load() + f.stalls.Load() + f.throttles.Load() + f.splits.Load() +
		f.refusals.Load() + f.restarts.Load() + f.recreates.Load() + f.reconnects.Load() + f.resubscribes.Load()
}

func (f *soakFaults) String() string {
	return fmt.Sprintf("cuts=%d resets=%d stalls=%d throttles=%d split-writes=%d refusals=%d peer-restarts=%d re-creates=%d reconnects=%d resubscribes=%d",
		f.cuts.Load(), f.resets.Load(), f.stalls.Load(), f.throttles.Load(), f.splits.Load(), f.refusals.Load(),
		f.restarts.Load(), f.recreates.Load(), f.reconnects.Load(), f.resubscribes.Load())
}

// soaker is one soak run.
type soaker struct {
	ctx    context.Context
	cancel context.CancelFunc
	zctx   *zmq.Context
	dir    string // for ipc sockets
	seed   uint64

	faults   soakFaults
	patterns []*patternStats
	servers  []*server
	clients  []*client
	wg       sync.WaitGroup

	failOnce sync.Once
	failure  error
}

// fail records the first breach and ends the run.
func (s *soaker) fail(pattern string, err error) {
	s.failOnce.Do(func() {
		s.failure = breach{pattern: pattern, err: err}
		s.cancel()
	})
}

func (s *soaker) rng(stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(s.seed, stream))
}

func (s *soaker) stopped() bool { return s.ctx.Err() != nil }

// sleep waits d or until the run ends.
func (s *soaker) sleep(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.ctx.Done():
	}
}

func (s *soaker) goLoop(f func()) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
}

// link is one client's path to its server over one transport.
type link struct {
	transport string // tcp, ipc, inproc, ws
	endpoint  string // what the client connects to
	epoch     faultEpoch
}

// server is a pattern's bound side. Its socket belongs to one loop, which
// also restarts it: closes it and binds a new one to the same endpoints.
type server struct {
	s           *soaker
	pattern     string
	typ         zmq.Type
	setup       func(*zmq.Socket) error
	binds       []string // concrete after the first bind
	links       map[string]*link
	proxy       *faultproxy.Proxy
	incarnation atomic.Uint64 // bumped after every restart
}

// newServer binds a first socket on tcp, ipc, inproc and ws, and puts a
// fault proxy in front of the tcp endpoint.
func (s *soaker) newServer(pattern string, typ zmq.Type, setup func(*zmq.Socket) error) (*server, *zmq.Socket, error) {
	v := &server{s: s, pattern: pattern, typ: typ, setup: setup, links: map[string]*link{}}
	v.binds = []string{
		"tcp://127.0.0.1:*",
		"ipc://" + filepath.Join(s.dir, pattern+".ipc"),
		"inproc://soak-" + pattern,
		"ws://127.0.0.1:*/" + pattern,
	}
	sock, err := v.open()
	if err != nil {
		return nil, nil, err
	}
	v.proxy, err = faultproxy.New(strings.TrimPrefix(v.binds[0], "tcp://"))
	if err != nil {
		sock.Close()
		return nil, nil, err
	}
	v.links["tcp"] = &link{transport: "tcp", endpoint: "tcp://" + v.proxy.Addr()}
	for _, ep := range v.binds[1:] {
		tr, _, _ := strings.Cut(ep, "://")
		v.links[tr] = &link{transport: tr, endpoint: ep}
	}
	s.servers = append(s.servers, v)
	return v, sock, nil
}

// open makes a socket and binds it to every endpoint, waiting for the
// endpoints a closed predecessor held to come free.
func (v *server) open() (*zmq.Socket, error) {
	sock, err := v.s.zctx.NewSocket(v.typ)
	if err != nil {
		return nil, err
	}
	err = soakOptions(sock)
	if err == nil && v.setup != nil {
		err = v.setup(sock)
	}
	if err != nil {
		sock.Close()
		return nil, err
	}
	for i, ep := range v.binds {
		deadline := time.Now().Add(10 * time.Second)
		for {
			err = sock.Bind(ep)
			if err == nil || time.Now().After(deadline) || v.s.stopped() {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		if err != nil {
			sock.Close()
			return nil, fmt.Errorf("bind %s: %v", ep, err)
		}
		if strings.Contains(ep, ":*") {
			if v.binds[i], err = sock.GetLastEndpoint(); err != nil {
				sock.Close()
				return nil, err
			}
		}
	}
	return sock, nil
}

// restart closes sock and returns a new socket bound to the same
// endpoints; every path to the server is marked as under a fault meanwhile.
func (v *server) restart(sock *zmq.Socket) *zmq.Socket {
	for _, l := range v.links {
		l.epoch.begin()
	}
	defer func() {
		for _, l := range v.links {
			l.epoch.end()
		}
	}()
	sock.Close()
	v.s.faults.restarts.Add(1)
	next, err := v.open()
	if err != nil {
		if !v.s.stopped() {
			v.s.fail(v.pattern, fmt.Errorf("peer restart: %v", err))
		}
		return nil
	}
	v.incarnation.Add(1)
	return next
}

// restartEvery returns when a server loop should next restart its socket.
func restartEvery(rng *rand.Rand) time.Time {
	return time.Now().Add(3*time.Second + time.Duration(rng.Int64N(int64(6*time.Second))))
}

// soakOptions are the options every soak socket gets: no linger (closing
// drops what is queued, which the invariants allow as a fault), quick
// reconnects, and time-outs so that loops notice the end of the run.
func soakOptions(sock *zmq.Socket) error {
	for _, err := range []error{
		sock.SetLinger(0),
		sock.SetReconnectIvl(10 * time.Millisecond),
		sock.SetReconnectIvlMax(200 * time.Millisecond),
		sock.SetRcvtimeo(soakIOTimeout),
		sock.SetSndtimeo(soakIOTimeout),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// client is a pattern's connecting side over one link. Its socket belongs
// to one loop, which also re-creates and reconnects it.
type client struct {
	s        *soaker
	srv      *server
	link     *link
	name     string // pattern/transport
	typ      zmq.Type
	setup    func(*zmq.Socket) error
	sock     *zmq.Socket
	seenInc  uint64
	progress atomic.Int64 // unix nanoseconds of the last exchange that worked
	started  atomic.Bool  // an exchange has worked
}

func (s *soaker) newClient(v *server, transport string, typ zmq.Type, setup func(*zmq.Socket) error) (*client, error) {
	c := &client{s: s, srv: v, link: v.links[transport], name: v.pattern + "/" + transport, typ: typ, setup: setup}
	c.progress.Store(time.Now().UnixNano())
	if err := c.open(); err != nil {
		return nil, err
	}
	s.clients = append(s.clients, c)
	return c, nil
}

func (c *client) madeProgress() {
	c.progress.Store(time.Now().UnixNano())
	c.started.Store(true)
}

func (c *client) open() error {
	sock, err := c.s.zctx.NewSocket(c.typ)
	if err != nil {
		return err
	}
	err = soakOptions(sock)
	if err == nil && c.setup != nil {
		err = c.setup(sock)
	}
	if err != nil {
		sock.Close()
		return err
	}
	c.seenInc = c.srv.incarnation.Load()
	if err := sock.Connect(c.link.endpoint); err != nil {
		sock.Close()
		return fmt.Errorf("connect %s: %v", c.link.endpoint, err)
	}
	c.sock = sock
	return nil
}

// recreate closes the socket and makes a new one; false (and the run
// ends) when it cannot.
func (c *client) recreate() bool {
	c.link.epoch.begin()
	defer c.link.epoch.end()
	c.sock.Close()
	c.sock = nil
	c.s.faults.recreates.Add(1)
	if err := c.open(); err != nil {
		c.s.fail(c.srv.pattern, fmt.Errorf("re-create %s: %v", c.name, err))
		return false
	}
	return true
}

// reconnect disconnects and connects again.
func (c *client) reconnect() {
	c.link.epoch.begin()
	defer c.link.epoch.end()
	c.s.faults.reconnects.Add(1)
	c.sock.Disconnect(c.link.endpoint)
	c.seenInc = c.srv.incarnation.Load()
	if err := c.sock.Connect(c.link.endpoint); err != nil {
		c.s.fail(c.srv.pattern, fmt.Errorf("reconnect %s: %v", c.name, err))
	}
}

// followRestart connects an inproc client again after its server
// restarted: inproc, as in libzmq, does not reconnect by itself.
func (c *client) followRestart() {
	if c.link.transport != "inproc" || c.srv.incarnation.Load() == c.seenInc {
		return
	}
	c.seenInc = c.srv.incarnation.Load()
	c.sock.Disconnect(c.link.endpoint)
	if err := c.sock.Connect(c.link.endpoint); err != nil {
		c.s.fail(c.srv.pattern, fmt.Errorf("reconnect %s: %v", c.name, err))
	}
}

// churn re-creates or reconnects the socket now and then: about once in
// every n calls.
func (c *client) churn(rng *rand.Rand, n int) {
	if rng.IntN(n) != 0 {
		return
	}
	if rng.IntN(2) == 0 {
		c.recreate()
	} else {
		c.reconnect()
	}
}

func (c *client) close() {
	if c.sock != nil {
		c.sock.Close()
		c.sock = nil
	}
}

func isTimeout(err error) bool { return zmq.AsErrno(err) == zmq.Errno(syscall.EAGAIN) }

// stamp formats a numbered message: sender|seq|epoch.
func stamp(sender string, seq, epoch uint64) string {
	return sender + "|" + strconv.FormatUint(seq, 10) + "|" + strconv.FormatUint(epoch, 10)
}

func parseStamp(m string) (sender string, seq, epoch uint64, err error) {
	parts := strings.Split(m, "|")
	if len(parts) != 3 {
		return "", 0, 0, fmt.Errorf("malformed message %q", m)
	}
	if seq, err = strconv.ParseUint(parts[1], 10, 64); err == nil {
		epoch, err = strconv.ParseUint(parts[2], 10, 64)
	}
	if err != nil {
		return "", 0, 0, fmt.Errorf("malformed message %q", m)
	}
	return parts[0], seq, epoch, nil
}

var soakTransports = []string{"tcp", "ipc", "inproc", "ws"}

// soakPushTwice, when a test sets it, makes a PUSH send the messages it
// picks a second time: a duplicate the soak must report.
var soakPushTwice func(transport string, seq uint64) bool

// ---- PUSH/PULL: numbered streams, order kept per sender ----

func (s *soaker) startPushPull() error {
	st := &patternStats{name: "pushpull"}
	s.patterns = append(s.patterns, st)
	v, pull, err := s.newServer("pushpull", zmq.PULL, nil)
	if err != nil {
		return err
	}
	var clients []*client
	for _, tr := range soakTransports {
		c, err := s.newClient(v, tr, zmq.PUSH, nil)
		if err != nil {
			pull.Close()
			return err
		}
		clients = append(clients, c)
	}
	s.goLoop(func() {
		rng := s.rng(1)
		check := newSeqCheck(false)
		next := restartEvery(rng)
		defer func() {
			if pull != nil {
				pull.Close()
			}
		}()
		for !s.stopped() {
			if time.Now().After(next) {
				if pull = v.restart(pull); pull == nil {
					return
				}
				next = restartEvery(rng)
			}
			m, err := pull.Recv(0)
			if isTimeout(err) {
				continue
			}
			if err != nil {
				s.fail(st.name, fmt.Errorf("PULL recv: %v", err))
				return
			}
			sender, seq, ep, err := parseStamp(m)
			l := v.links[sender]
			if err == nil && l == nil {
				err = fmt.Errorf("message from unknown sender %q", sender)
			}
			if err != nil {
				s.fail(st.name, err)
				return
			}
			lost, err := check.observe(sender, seq, ep, l.epoch.load(), false)
			if err != nil {
				s.fail(st.name, err)
				return
			}
			st.received.Add(1)
			st.lost.Add(lost)
		}
	})
	for i, c := range clients {
		s.goLoop(func() {
			defer c.close()
			rng := s.rng(10 + uint64(i))
			var seq uint64
			for !s.stopped() {
				c.followRestart()
				_, err := c.sock.Send(stamp(c.link.transport, seq+1, c.link.epoch.load()), 0)
				if isTimeout(err) {
					continue // not accepted: the same number goes again
				}
				if err != nil {
					s.fail(st.name, fmt.Errorf("PUSH %s send: %v", c.name, err))
					return
				}
				seq++
				st.sent.Add(1)
				if soakPushTwice != nil && soakPushTwice(c.link.transport, seq) {
					c.sock.Send(stamp(c.link.transport, seq, c.link.epoch.load()), 0)
				}
				c.madeProgress()
				c.churn(rng, 1500)
				time.Sleep(2 * time.Millisecond)
			}
		})
	}
	return nil
}

// ---- REQ/REP: lockstep, every request answered with its own reply ----

func (s *soaker) startReqRep() error {
	st := &patternStats{name: "reqrep"}
	s.patterns = append(s.patterns, st)
	v, rep, err := s.newServer("reqrep", zmq.REP, nil)
	if err != nil {
		return err
	}
	relaxed := func(sock *zmq.Socket) error {
		if err := sock.SetReqRelaxed(1); err != nil {
			return err
		}
		return sock.SetReqCorrelate(1)
	}
	var clients []*client
	for _, tr := range soakTransports {
		c, err := s.newClient(v, tr, zmq.REQ, relaxed)
		if err != nil {
			rep.Close()
			return err
		}
		clients = append(clients, c)
	}
	s.goLoop(func() {
		rng := s.rng(2)
		next := restartEvery(rng)
		defer func() {
			if rep != nil {
				rep.Close()
			}
		}()
		for !s.stopped() {
			if time.Now().After(next) {
				if rep = v.restart(rep); rep == nil {
					return
				}
				next = restartEvery(rng)
			}
			m, err := rep.Recv(0)
			if isTimeout(err) {
				continue
			}
			if err != nil {
				s.fail(st.name, fmt.Errorf("REP recv: %v", err))
				return
			}
			if _, err := rep.Send("re:"+m, 0); err != nil {
				// The requester is gone or cannot take the reply: it will
				// ask again; a REP that cannot answer starts over.
				if rep = v.restart(rep); rep == nil {
					return
				}
			}
		}
	})
	for i, c := range clients {
		s.goLoop(func() {
			defer c.close()
			rng := s.rng(20 + uint64(i))
			var id uint64
			for !s.stopped() {
				id++
				req := c.link.transport + "|" + strconv.FormatUint(id, 10)
				if !s.exchange(st, c, req) {
					return
				}
				c.madeProgress()
				c.churn(rng, 800)
				time.Sleep(2 * time.Millisecond)
			}
		})
	}
	return nil
}

// exchange sends req until its own reply comes back; false when the run
// ended or an invariant broke.
func (s *soaker) exchange(st *patternStats, c *client, req string) bool {
	want := "re:" + req
	sent := false // once accepted, a request sent again counts as retried
	for !s.stopped() {
		c.followRestart()
		if _, err := c.sock.Send(req, 0); err != nil {
			if isTimeout(err) {
				continue
			}
			s.fail(st.name, fmt.Errorf("REQ %s send: %v", c.name, err))
			return false
		}
		if !sent {
			st.sent.Add(1)
			sent = true
		} else {
			st.retries.Add(1)
		}
		deadline := time.Now().Add(soakReqResend)
		for !s.stopped() {
			m, err := c.sock.Recv(0)
			if isTimeout(err) {
				if time.Now().After(deadline) || (c.link.transport == "inproc" && c.srv.incarnation.Load() != c.seenInc) {
					break // ask again: REQ_RELAXED allows it
				}
				continue
			}
			if err != nil {
				s.fail(st.name, fmt.Errorf("REQ %s recv: %v", c.name, err))
				return false
			}
			if m != want {
				s.fail(st.name, fmt.Errorf("mismatched reply: %s asked %q and got %q", c.name, req, m))
				return false
			}
			st.received.Add(1)
			return true
		}
	}
	return false
}

// ---- DEALER/ROUTER: routing ids, replies reach the right DEALER ----

func (s *soaker) startDealerRouter() error {
	st := &patternStats{name: "dealer"}
	s.patterns = append(s.patterns, st)
	v, router, err := s.newServer("dealer", zmq.ROUTER, func(sock *zmq.Socket) error {
		if err := sock.SetRouterMandatory(1); err != nil {
			return err
		}
		return sock.SetRouterHandover(true)
	})
	if err != nil {
		return err
	}
	var clients []*client
	for _, tr := range soakTransports {
		c, err := s.newClient(v, tr, zmq.DEALER, func(sock *zmq.Socket) error { return sock.SetIdentity("dealer-" + tr) })
		if err != nil {
			router.Close()
			return err
		}
		clients = append(clients, c)
	}
	s.goLoop(func() {
		rng := s.rng(3)
		next := restartEvery(rng)
		defer func() {
			if router != nil {
				router.Close()
			}
		}()
		for !s.stopped() {
			if time.Now().After(next) {
				if router = v.restart(router); router == nil {
					return
				}
				next = restartEvery(rng)
			}
			m, err := router.RecvMessage(0)
			if isTimeout(err) {
				continue
			}
			if err != nil {
				s.fail(st.name, fmt.Errorf("ROUTER recv: %v", err))
				return
			}
			if len(m) != 2 {
				s.fail(st.name, fmt.Errorf("ROUTER received %d frames, want routing id and one: %q", len(m), m))
				return
			}
			sender, _, _, err := parseStamp(m[1])
			if err == nil && m[0] != "dealer-"+sender {
				err = fmt.Errorf("wrong routing id: %q arrived from routing id %q", m[1], m[0])
			}
			if err != nil {
				s.fail(st.name, err)
				return
			}
			if _, err := router.SendMessage(m[0], m[1]); err != nil {
				if e := zmq.AsErrno(err); e != zmq.EHOSTUNREACH && e != zmq.Errno(syscall.EAGAIN) {
					s.fail(st.name, fmt.Errorf("ROUTER send: %v", err))
					return
				}
				// The DEALER went away since it asked (EHOSTUNREACH) or
				// cannot take more now: the reply is lost, which the
				// DEALER's check allows only across a fault.
			}
		}
	})
	for i, c := range clients {
		s.goLoop(func() {
			defer c.close()
			rng := s.rng(30 + uint64(i))
			check := newSeqCheck(false)
			var seq uint64
			for !s.stopped() {
				c.followRestart()
				_, err := c.sock.Send(stamp(c.link.transport, seq+1, c.link.epoch.load()), 0)
				if isTimeout(err) {
					continue
				}
				if err != nil {
					s.fail(st.name, fmt.Errorf("DEALER %s send: %v", c.name, err))
					return
				}
				seq++
				st.sent.Add(1)
				// Take the replies that have come, up to this one's.
				for !s.stopped() {
					m, err := c.sock.Recv(0)
					if isTimeout(err) {
						break
					}
					if err != nil {
						s.fail(st.name, fmt.Errorf("DEALER %s recv: %v", c.name, err))
						return
					}
					sender, rseq, ep, err := parseStamp(m)
					if err == nil && sender != c.link.transport {
						err = fmt.Errorf("misrouted reply: %q reached the DEALER of %s", m, c.link.transport)
					}
					var lost int64
					if err == nil {
						lost, err = check.observe(sender, rseq, ep, c.link.epoch.load(), false)
					}
					if err != nil {
						s.fail(st.name, err)
						return
					}
					st.received.Add(1)
					st.lost.Add(lost)
					c.madeProgress()
					if rseq == seq {
						break
					}
				}
				c.churn(rng, 1500)
				time.Sleep(2 * time.Millisecond)
			}
		})
	}
	return nil
}

// ---- PUB/SUB: several topics, subscribed ones only ----

func (s *soaker) startPubSub() error {
	st := &patternStats{name: "pubsub"}
	s.patterns = append(s.patterns, st)
	v, pub, err := s.newServer("pubsub", zmq.PUB, nil)
	if err != nil {
		return err
	}
	var clients []*client
	for _, tr := range soakTransports {
		c, err := s.newClient(v, tr, zmq.SUB, nil)
		if err != nil {
			pub.Close()
			return err
		}
		clients = append(clients, c)
	}
	s.goLoop(func() {
		rng := s.rng(4)
		next := restartEvery(rng)
		seqs := make([]uint64, len(soakTopics))
		defer func() {
			if pub != nil {
				pub.Close()
			}
		}()
		for i := 0; !s.stopped(); i++ {
			if time.Now().After(next) {
				if pub = v.restart(pub); pub == nil {
					return
				}
				next = restartEvery(rng)
			}
			t := i % len(soakTopics)
			seqs[t]++
			// topic:seq:epochs, one epoch per transport's path.
			msg := soakTopics[t] + ":" + strconv.FormatUint(seqs[t], 10) + ":"
			for j, tr := range soakTransports {
				if j > 0 {
					msg += "."
				}
				msg += strconv.FormatUint(v.links[tr].epoch.load(), 10)
			}
			if _, err := pub.Send(msg, 0); err != nil {
				s.fail(st.name, fmt.Errorf("PUB send: %v", err))
				return
			}
			st.sent.Add(1)
			time.Sleep(time.Millisecond)
		}
	})
	for i, c := range clients {
		s.goLoop(func() {
			defer c.close()
			rng := s.rng(40 + uint64(i))
			subscribed := map[string]bool{}
			check := newSeqCheck(true)
			fresh := map[string]bool{} // (re)subscribed: the next gap is no loss
			subscribe := func(topic string, on bool) {
				var err error
				if on {
					err = c.sock.SetSubscribe(topic)
				} else {
					err = c.sock.SetUnsubscribe(topic)
				}
				if err != nil {
					s.fail(st.name, fmt.Errorf("SUB %s subscription: %v", c.name, err))
				}
				subscribed[topic] = on
				fresh[topic] = true
			}
			resubscribeAll := func() {
				for topic, on := range subscribed {
					if on {
						subscribe(topic, true)
					}
				}
			}
			subscribe(soakTopics[i%soakSubscribable], true)
			subscribe(soakTopics[(i+1)%soakSubscribable], true)
			for !s.stopped() {
				c.followRestart()
				m, err := c.sock.Recv(0)
				if isTimeout(err) {
					continue
				}
				if err != nil {
					s.fail(st.name, fmt.Errorf("SUB %s recv: %v", c.name, err))
					return
				}
				topic, err := checkTopic(m, subscribed)
				var seq, ep uint64
				if err == nil {
					seq, ep, err = parsePublished(m, i)
				}
				var lost int64
				if err == nil {
					lost, err = check.observe(topic, seq, ep, c.link.epoch.load(), fresh[topic])
				}
				if err != nil {
					s.fail(st.name, fmt.Errorf("SUB %s: %v", c.name, err))
					return
				}
				st.lost.Add(lost) // PUB drops at its HWM and while a peer reconnects
				fresh[topic] = false
				st.received.Add(1)
				c.madeProgress()
				switch rng.IntN(1000) {
				case 0: // change one subscription, keeping at least one
					t := soakTopics[rng.IntN(soakSubscribable)]
					n := 0
					for _, on := range subscribed {
						if on {
							n++
						}
					}
					if !subscribed[t] || n > 1 {
						subscribe(t, !subscribed[t])
						s.faults.resubscribes.Add(1)
					}
				case 1:
					if !c.recreate() {
						return
					}
					for topic := range subscribed {
						fresh[topic] = true
					}
					resubscribeAll()
				case 2:
					c.reconnect()
					for topic := range subscribed {
						fresh[topic] = true
					}
				}
			}
		})
	}
	return nil
}

// parsePublished reads topic:seq:epochs and returns the number and the
// epoch of path i (in soakTransports' order).
func parsePublished(m string, i int) (seq, epoch uint64, err error) {
	parts := strings.Split(m, ":")
	if len(parts) == 3 {
		epochs := strings.Split(parts[2], ".")
		if len(epochs) == len(soakTransports) {
			if seq, err = strconv.ParseUint(parts[1], 10, 64); err == nil {
				if epoch, err = strconv.ParseUint(epochs[i], 10, 64); err == nil {
					return seq, epoch, nil
				}
			}
		}
	}
	return 0, 0, fmt.Errorf("malformed message %q", m)
}

// ---- faults on the tcp paths, through the proxies ----

func (s *soaker) startProxyFaults() {
	s.goLoop(func() {
		rng := s.rng(5)
		for !s.stopped() {
			s.sleep(100*time.Millisecond + time.Duration(rng.Int64N(int64(300*time.Millisecond))))
			if s.stopped() {
				return
			}
			v := s.servers[rng.IntN(len(s.servers))]
			l := v.links["tcp"]
			p := v.proxy
			switch rng.IntN(6) {
			case 0:
				l.epoch.begin()
				p.Cut()
				l.epoch.end()
				s.faults.cuts.Add(1)
			case 1:
				l.epoch.begin()
				p.Reset()
				l.epoch.end()
				s.faults.resets.Add(1)
			case 2: // bytes wait; nothing may be lost
				p.Stall(true)
				s.sleep(50*time.Millisecond + time.Duration(rng.Int64N(int64(250*time.Millisecond))))
				p.Stall(false)
				s.faults.stalls.Add(1)
			case 3:
				p.Throttle(16 << 10)
				s.sleep(300 * time.Millisecond)
				p.Throttle(0)
				s.faults.throttles.Add(1)
			case 4:
				p.SplitWrites(true)
				s.sleep(200 * time.Millisecond)
				p.SplitWrites(false)
				s.faults.splits.Add(1)
			case 5: // refuse new connections, then cut the current ones
				l.epoch.begin()
				p.Refuse(true)
				p.Cut()
				s.sleep(100 * time.Millisecond)
				p.Refuse(false)
				l.epoch.end()
				s.faults.refusals.Add(1)
			}
		}
	})
}

// ---- resources ----

// soakSample is one reading of the process's resources.
type soakSample struct {
	rss, heap  uint64 // bytes
	goroutines int
	fds        int
	cpu        time.Duration // user+system time so far
}

func takeSample(gc bool) soakSample {
	if gc {
		runtime.GC()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return soakSample{
		rss:        readRSS(),
		heap:       ms.HeapInuse,
		goroutines: runtime.NumGoroutine(),
		fds:        countOpenFDs(),
		cpu:        readCPU(),
	}
}

// readRSS returns VmRSS from /proc/self/status, or 0.
func readRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				kb, _ := strconv.ParseUint(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

// countOpenFDs returns the number of entries of /proc/self/fd, or -1.
func countOpenFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// readCPU returns the process's user and system time from /proc/self/stat
// (in clock ticks, taken as the usual 100 a second), or 0.
func readCPU() time.Duration {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	// The command name may hold spaces: fields count from after its ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseUint(f[11], 10, 64)
	stime, _ := strconv.ParseUint(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

func mib(b uint64) string { return fmt.Sprintf("%.1fMiB", float64(b)/(1<<20)) }

// warmupFor is the warm-up of a run of duration d: 20%, at least 10 s, at
// most half.
func warmupFor(d time.Duration) time.Duration {
	return min(max(d/5, 10*time.Second), d/2)
}

// ---- the command ----

func runSoak(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("zmq soak", flag.ContinueOnError)
	flags.SetOutput(stderr)
	duration := flags.Duration("duration", time.Minute, "how long to run")
	report := flags.Duration("report", 5*time.Second, "interval between lines of figures")
	seed := flags.Uint64("seed", 0, "seed of the random churn (default: from the clock)")
	if err := flags.Parse(args); err != nil {
		return usageError("bad flags")
	}
	if flags.NArg() != 0 || *duration <= 0 || *report <= 0 {
		return usageError("usage: zmq soak -duration D [-report 5s] [-seed N]")
	}
	if *seed == 0 {
		*seed = uint64(time.Now().UnixNano())
	}
	return soakRun(ctx, *duration, *report, *seed, stdout)
}

// soakRun runs the soak and returns the first breach, or nil.
func soakRun(parent context.Context, duration, report time.Duration, seed uint64, out io.Writer) error {
	base := takeSample(true)
	start := time.Now()
	warmup := warmupFor(duration)
	fmt.Fprintf(out, "soak: %v (warm-up %v), seed %d; PUSH/PULL, REQ/REP, DEALER/ROUTER and PUB/SUB over tcp (through a fault proxy), ipc, inproc and ws, with churn\n",
		duration, warmup, seed)
	fmt.Fprintf(out, "soak: start rss=%s heap=%s goroutines=%d fds=%d\n", mib(base.rss), mib(base.heap), base.goroutines, base.fds)

	ctx, cancel := context.WithTimeout(parent, duration)
	defer cancel()
	s := &soaker{ctx: ctx, cancel: cancel, seed: seed}
	var err error
	if s.dir, err = os.MkdirTemp("", "zmq-soak-"); err != nil {
		return err
	}
	defer os.RemoveAll(s.dir)
	if s.zctx, err = zmq.NewContext(); err != nil {
		return err
	}
	for _, startPattern := range []func() error{s.startPushPull, s.startReqRep, s.startDealerRouter, s.startPubSub} {
		if err = startPattern(); err != nil {
			break
		}
	}
	if err == nil {
		s.startProxyFaults()
		err = s.watch(start, warmup, report, out)
	}
	if err == nil && s.failure == nil && parent.Err() != nil {
		err = fmt.Errorf("interrupted after %v", time.Since(start).Round(time.Second))
	}
	cancel()
	s.wg.Wait()
	for _, c := range s.clients {
		c.close()
	}
	for _, v := range s.servers {
		v.proxy.Close()
	}
	s.zctx.Term()

	if err == nil {
		err = s.failure
	}
	end := takeSample(true)
	fmt.Fprintf(out, "soak: %v total | %s\n", time.Since(start).Round(time.Second), s.countsText())
	fmt.Fprintf(out, "soak: churn %s\n", &s.faults)
	if err == nil {
		err = s.checkTeardown(base, &end)
	}
	fmt.Fprintf(out, "soak: end (all closed) rss=%s heap=%s goroutines=%d fds=%d, cpu %.2f s\n",
		mib(end.rss), mib(end.heap), end.goroutines, end.fds, (end.cpu - base.cpu).Seconds())
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "soak: PASS\n")
	return nil
}

// checkTeardown waits for goroutines and descriptors to come back to the
// baseline after everything is closed.
func (s *soaker) checkTeardown(base soakSample, end *soakSample) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		*end = takeSample(true)
		gOK := end.goroutines <= base.goroutines+soakEndSlack
		fOK := base.fds < 0 || end.fds <= base.fds+soakEndSlack
		if gOK && fOK {
			return nil
		}
		if time.Now().After(deadline) {
			if !gOK {
				return breach{"teardown", fmt.Errorf("goroutines not back to the baseline after closing everything: %d before the soak, %d after", base.goroutines, end.goroutines)}
			}
			return breach{"teardown", fmt.Errorf("descriptors not back to the baseline after closing everything: %d before the soak, %d after", base.fds, end.fds)}
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *soaker) countsText() string {
	var parts []string
	for _, p := range s.patterns {
		parts = append(parts, p.String())
	}
	return strings.Join(parts, " | ")
}

// watch samples resources until the run ends, checks growth and progress,
// and prints a line every report interval. It returns a growth or
// progress breach, or nil.
func (s *soaker) watch(start time.Time, warmup, report time.Duration, out io.Writer) error {
	checks := []*growthCheck{
		{name: "goroutines", abs: soakGoroutineSlack, rel: 0.1, window: soakWindow},
		{name: "open descriptors", abs: soakFDSlack, rel: 0.1, window: soakWindow},
		{name: "heap in use", unit: "MiB", abs: soakHeapSlack, rel: 0.5, window: soakWindow},
	}
	sampler := time.NewTicker(min(soakSampleEvery, report))
	defer sampler.Stop()
	nextReport := start.Add(report)
	prev := takeSample(false)
	prevAt := start
	for {
		select {
		case <-s.ctx.Done():
			return nil
		case <-sampler.C:
		}
		if s.stopped() { // the run ended with this tick: nothing to sample
			return nil
		}
		now := time.Now()
		smp := takeSample(true)
		// Warm-up lasts at least until every client has exchanged a
		// message, so that the reference is taken with all connected.
		inWarmup := now.Sub(start) < warmup
		for _, c := range s.clients {
			inWarmup = inWarmup || !c.started.Load()
		}
		for i, v := range []float64{float64(smp.goroutines), float64(smp.fds), float64(smp.heap)} {
			if err := checks[i].add(v, inWarmup); err != nil {
				s.fail("resources", err)
				return nil
			}
		}
		for _, c := range s.clients {
			if idle := now.Sub(time.Unix(0, c.progress.Load())); idle > soakStuckAfter {
				s.fail(c.srv.pattern, fmt.Errorf("no progress: %s has exchanged nothing for %v", c.name, idle.Round(time.Second)))
				return nil
			}
		}
		if now.Before(nextReport) {
			continue
		}
		nextReport = nextReport.Add(report)
		cpu := float64(smp.cpu-prev.cpu) / float64(now.Sub(prevAt))
		prev, prevAt = smp, now
		phase := ""
		if inWarmup {
			phase = " (warm-up)"
		}
		fmt.Fprintf(out, "soak: %5v rss=%s heap=%s goroutines=%d fds=%d cpu=%.0f%% faults=%d | %s%s\n",
			now.Sub(start).Round(time.Second), mib(smp.rss), mib(smp.heap), smp.goroutines, smp.fds, cpu*100,
			s.faults.total(), s.countsText(), phase)
	}
}
