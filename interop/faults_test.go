package interop

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq4"
	"github.com/purezmq/zmq4/internal/faultproxy"
)

// The fault scenarios of the root package's faults_test.go, with libzmq on
// the other side of the fault proxy.

// faultProxy starts a fault proxy in front of a tcp endpoint and returns it
// with the endpoint to connect to instead.
func faultProxy(t *testing.T, endpoint string) (*faultproxy.Proxy, string) {
	t.Helper()
	p, err := faultproxy.New(strings.TrimPrefix(endpoint, "tcp://"))
	must(t, "faultproxy.New", err)
	t.Cleanup(func() { p.Close() })
	return p, "tcp://" + p.Addr()
}

// cutAtRandom cuts or resets the proxy's connections every few
// milliseconds until stop is closed, and returns the number of cuts
// through the channel it gives back.
func cutAtRandom(p *faultproxy.Proxy, stop <-chan struct{}) <-chan int {
	done := make(chan int, 1)
	go func() {
		rng := rand.New(rand.NewPCG(3, 4))
		cuts := 0
		for {
			select {
			case <-stop:
				done <- cuts
				return
			case <-time.After(time.Duration(5+rng.IntN(20)) * time.Millisecond):
			}
			if rng.IntN(2) == 0 {
				cuts += p.Cut()
			} else {
				cuts += p.Reset()
			}
		}
	}()
	return done
}

// seqOf reads a numbered message's sequence number.
func seqOf(t *testing.T, body []byte) int {
	t.Helper()
	if len(body) < 8 {
		t.Fatalf("short numbered body %x", body)
	}
	return int(binary.BigEndian.Uint64(body))
}

// Our PUSH through random cuts to a libzmq PULL: libzmq sees strictly
// rising sequence numbers, losses only.
func TestFaultOurPushToLibzmqPullUnderCuts(t *testing.T) {
	ctx := newContext(t)
	p := startPeer(t, "--type", "PULL", "--bind", "tcp://127.0.0.1:*")
	proxy, ep := faultProxy(t, p.endpoint)
	push := newSocket(t, ctx, zmq.PUSH)
	must(t, "SetReconnectIvl", push.SetReconnectIvl(5*time.Millisecond))
	must(t, "Connect", push.Connect(ep))

	const total = 20000
	p.write("recvmono " + strconv.Itoa(total))
	stop := make(chan struct{})
	cuts := cutAtRandom(proxy, stop)
	for i := 0; i < total; i++ {
		if _, err := push.SendBytes(numbered(i, streamSize), 0); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	close(stop)
	n := <-cuts
	// The end marker, again and again until libzmq has it.
	var reply string
	for reply == "" {
		push.SendBytes(numbered(total, streamSize), zmq.DONTWAIT)
		select {
		case line := <-p.lines:
			reply = line
		case <-time.After(20 * time.Millisecond):
		}
	}
	var got, runs int
	if _, err := fmt.Sscanf(reply, "OK %d %d", &got, &runs); err != nil {
		t.Fatalf("libzmq PULL: %s", reply)
	}
	t.Logf("%d cuts, %d connections; libzmq PULL got %d of %d in %d rising runs", n, proxy.Accepted(), got, total, runs)
	if n == 0 {
		t.Fatal("no cut was made")
	}
	if runs > proxy.Accepted() {
		t.Fatalf("%d rising runs over %d connections: order not kept within a connection", runs, proxy.Accepted())
	}
}

// A libzmq PUSH through random cuts to our PULL: we see strictly rising
// sequence numbers, losses only.
func TestFaultLibzmqPushToOurPullUnderCuts(t *testing.T) {
	ctx := newContext(t)
	pull := newSocket(t, ctx, zmq.PULL)
	must(t, "Bind", pull.Bind("tcp://127.0.0.1:*"))
	proxy, ep := faultProxy(t, lastEndpoint(t, pull))
	p := startPeer(t, "--type", "PUSH", "--connect", ep, "--sockopt", "RECONNECT_IVL=5")

	const total = 20000
	stop := make(chan struct{})
	cuts := cutAtRandom(proxy, stop)
	p.write("sendn " + strconv.Itoa(total) + " " + strconv.Itoa(streamSize))
	var order faultproxy.RunCounter
	sendnDone, syncing := false, false
	// The receive waits briefly, so that the loop goes on looking for
	// the peer's SENT: the last messages may be lost in a cut, and then
	// nothing more arrives until the probes that follow it.
	must(t, "SetRcvtimeo", pull.SetRcvtimeo(20*time.Millisecond))
	deadline := time.Now().Add(socketTimeout)
	for {
		if !sendnDone {
			select {
			case line := <-p.lines:
				if !strings.HasPrefix(line, "SENT ") {
					t.Fatalf("libzmq PUSH: %s", line)
				}
				sendnDone = true
				close(stop)
				p.write("sendsync") // probes until the next line
				syncing = true
			default:
			}
		}
		msg, err := pull.RecvMessageBytes(0)
		if errors.Is(err, syscall.EAGAIN) && time.Now().Before(deadline) {
			continue
		}
		if err != nil {
			t.Fatalf("after %d messages: %v", order.Count(), err)
		}
		deadline = time.Now().Add(socketTimeout)
		body := msg[len(msg)-1]
		if bytes.Equal(body, syncFrame) {
			if syncing {
				break
			}
			continue
		}
		if seq := seqOf(t, body); !order.Add(seq) {
			t.Fatalf("message %d received twice", seq)
		}
	}
	if reply := p.do("stop"); !strings.HasPrefix(reply, "SYNCED") {
		t.Fatalf("libzmq PUSH sendsync: %s", reply)
	}
	t.Logf("%d cuts, %d connections; %d of %d delivered in %d rising runs",
		<-cuts, proxy.Accepted(), order.Count(), total, order.Runs())
	if order.Runs() > proxy.Accepted() {
		t.Fatalf("%d rising runs over %d connections: order not kept within a connection", order.Runs(), proxy.Accepted())
	}
}

// Our SUB behind a proxy that cuts it from a libzmq PUB after every
// delivery: each reconnection carries the subscription again.
func TestFaultOurSubResubscribesToLibzmqPub(t *testing.T) {
	ctx := newContext(t)
	p := startPeer(t, "--type", "PUB", "--bind", "tcp://127.0.0.1:*")
	proxy, ep := faultProxy(t, p.endpoint)
	sub := newSocket(t, ctx, zmq.SUB)
	must(t, "SetReconnectIvl", sub.SetReconnectIvl(5*time.Millisecond))
	must(t, "SetSubscribe", sub.SetSubscribe("A"))
	must(t, "Connect", sub.Connect(ep))
	for round := 0; round < 5; round++ {
		p.write("sendsync 41") // "A", then SYNC, every 10 ms
		msg, err := sub.RecvMessage(0)
		if err != nil {
			t.Fatalf("round %d: subscription not restored: %v", round, err)
		}
		if msg[0] != "A" {
			t.Fatalf("round %d: got %q", round, msg)
		}
		if reply := p.do("stop"); !strings.HasPrefix(reply, "SYNCED") {
			t.Fatalf("round %d: %s", round, reply)
		}
		for {
			if _, err := sub.RecvMessage(zmq.DONTWAIT); err != nil {
				break
			}
		}
		if proxy.Cut() == 0 {
			t.Fatalf("round %d: no connection to cut", round)
		}
	}
}

// A libzmq SUB cut from our PUB after every delivery: our PUB takes the
// subscription again from each new connection and delivers to it.
func TestFaultLibzmqSubResubscribesToOurPub(t *testing.T) {
	ctx := newContext(t)
	pub := newSocket(t, ctx, zmq.PUB)
	must(t, "Bind", pub.Bind("tcp://127.0.0.1:*"))
	proxy, ep := faultProxy(t, lastEndpoint(t, pub))
	p := startPeer(t, "--type", "SUB", "--connect", ep, "--subscribe", "A", "--sockopt", "RECONNECT_IVL=5")
	for round := 0; round < 5; round++ {
		p.write("recv 10000")
		var reply string
		for reply == "" {
			pub.SendMessage("B", "not subscribed")
			pub.SendMessage("A", strconv.Itoa(round))
			select {
			case reply = <-p.lines:
			case <-time.After(10 * time.Millisecond):
			}
		}
		if !strings.HasPrefix(reply, "MSG "+hexWords([]byte("A"))) {
			t.Fatalf("round %d: libzmq SUB got %s", round, reply)
		}
		if proxy.Cut() == 0 {
			t.Fatalf("round %d: no connection to cut", round)
		}
	}
}

// Our REQ, with REQ_RELAXED and REQ_CORRELATE, against a libzmq REP that is
// killed and started again every 50 requests: every request gets its own
// reply, never an earlier one's.
func TestFaultOurReqAgainstRestartingLibzmqRep(t *testing.T) {
	ctx := newContext(t)
	first := startPeer(t, "--type", "REP", "--bind", "tcp://127.0.0.1:*")
	ep := first.endpoint
	first.write("echo 1000000")
	rep := first

	req := newSocket(t, ctx, zmq.REQ)
	must(t, "SetReqRelaxed", req.SetReqRelaxed(1))
	must(t, "SetReqCorrelate", req.SetReqCorrelate(1))
	must(t, "SetReconnectIvl", req.SetReconnectIvl(5*time.Millisecond))
	must(t, "SetRcvtimeo", req.SetRcvtimeo(200*time.Millisecond))
	must(t, "Connect", req.Connect(ep))

	resends := 0
	for i := 0; i < 200; i++ {
		body := "request-" + strconv.Itoa(i)
		for attempt := 0; ; attempt++ {
			if attempt > 100 {
				t.Fatalf("request %d never answered", i)
			}
			if _, err := req.Send(body, 0); err != nil {
				t.Fatalf("send %d: %v", i, err)
			}
			if i%50 == 49 && attempt == 0 {
				// The REP dies with this request in flight.
				rep.cmd.Process.Kill()
				rep.stop()
				rep = startPeer(t, "--type", "REP", "--bind", ep)
				rep.write("echo 1000000")
			}
			got, err := req.Recv(0)
			if errors.Is(err, syscall.EAGAIN) {
				resends++
				continue
			}
			must(t, "Recv", err)
			if got != body {
				t.Fatalf("request %q got reply %q", body, got)
			}
			break
		}
	}
	t.Logf("200 requests, 3 restarts of libzmq's REP, %d resends", resends)
}

// LINGER across a cut that heals, our PUSH to a libzmq PULL: what was
// queued while the connection was down reaches libzmq after Close.
func TestFaultOurPushLingersToLibzmqPull(t *testing.T) {
	p := startPeer(t, "--type", "PULL", "--bind", "tcp://127.0.0.1:*")
	proxy, ep := faultProxy(t, p.endpoint)
	ctx := newContext(t)
	push := newSocket(t, ctx, zmq.PUSH)
	must(t, "SetReconnectIvl", push.SetReconnectIvl(10*time.Millisecond))
	proxy.Refuse(true)
	must(t, "Connect", push.Connect(ep))
	sendNumbered(t, push, 100)
	must(t, "SetLinger", push.SetLinger(socketTimeout))
	must(t, "Close", push.Close())
	proxy.Refuse(false)
	if reply := p.do("recvn 100"); reply != "OK 100" {
		t.Fatalf("libzmq PULL after the cut healed: %s", reply)
	}
}

// LINGER across a cut that heals, a libzmq PUSH to our PULL.
func TestFaultLibzmqPushLingersToOurPull(t *testing.T) {
	ctx := newContext(t)
	pull := newSocket(t, ctx, zmq.PULL)
	must(t, "Bind", pull.Bind("tcp://127.0.0.1:*"))
	proxy, ep := faultProxy(t, lastEndpoint(t, pull))
	proxy.Refuse(true)
	p := startPeer(t, "--type", "PUSH", "--connect", ep, "--linger", "30000", "--sockopt", "RECONNECT_IVL=10")
	if reply := p.do("sendn 100 " + strconv.Itoa(streamSize)); reply != "SENT 100" {
		t.Fatalf("libzmq PUSH: %s", reply)
	}
	p.write("close") // blocks in libzmq's linger until delivered
	proxy.Refuse(false)
	recvNumbered(t, pull, 100)
	if reply := p.await(); reply != "CLOSED" {
		t.Fatalf("libzmq PUSH close: %s", reply)
	}
}
