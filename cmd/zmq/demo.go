package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	zmq "github.com/purezmq/zmq4"
)

// demoTimeout bounds every receive in the demo, so it can never hang.
const demoTimeout = 2 * time.Second

// runDemo shows request-reply, publish-subscribe and pipeline in a few
// messages each.
func runDemo(w io.Writer) error {
	ctx, err := zmq.NewContext()
	if err != nil {
		return err
	}
	demos := []struct {
		title string
		run   func(*zmq.Context, io.Writer) error
	}{
		{"request-reply: REQ -> REP over tcp", demoRequestReply},
		{"publish-subscribe: PUB -> SUB over inproc, SUB subscribed to \"weather.\"", demoPublishSubscribe},
		{"pipeline: PUSH -> 2 PULL workers over tcp", demoPipeline},
	}
	for i, d := range demos {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "== %s\n", d.title)
		if err = d.run(ctx, w); err != nil {
			err = fmt.Errorf("%s: %w", d.title, err)
			break
		}
	}
	return errors.Join(err, ctx.Term())
}

// demoSocket makes a socket that gives up receiving after demoTimeout and
// drops unsent messages on close.
func demoSocket(ctx *zmq.Context, t zmq.Type) (*zmq.Socket, error) {
	s, err := ctx.NewSocket(t)
	if err != nil {
		return nil, err
	}
	if err = s.SetRcvtimeo(demoTimeout); err == nil {
		err = s.SetLinger(0)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// closeAll closes every socket and joins their errors.
func closeAll(sockets ...*zmq.Socket) error {
	var err error
	for _, s := range sockets {
		if s != nil {
			err = errors.Join(err, s.Close())
		}
	}
	return err
}

// demoRequestReply sends three requests from REQ and answers them on REP.
func demoRequestReply(ctx *zmq.Context, w io.Writer) (err error) {
	var rep, req *zmq.Socket
	defer func() { err = errors.Join(err, closeAll(req, rep)) }()
	if rep, err = demoSocket(ctx, zmq.REP); err != nil {
		return err
	}
	if err = rep.Bind("tcp://127.0.0.1:*"); err != nil {
		return err
	}
	endpoint, err := rep.GetLastEndpoint()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "REP bound to %s, REQ connects to it\n", endpoint)
	if req, err = demoSocket(ctx, zmq.REQ); err != nil {
		return err
	}
	if err = req.Connect(endpoint); err != nil {
		return err
	}
	for i := 1; i <= 3; i++ {
		request := fmt.Sprintf("Hello %d", i)
		if _, err = req.Send(request, 0); err != nil {
			return err
		}
		fmt.Fprintf(w, "  REQ sends    %q\n", request)
		got, err := rep.Recv(0)
		if err != nil {
			return err
		}
		reply := "World, re: " + got
		fmt.Fprintf(w, "  REP receives %q, replies %q\n", got, reply)
		if _, err = rep.Send(reply, 0); err != nil {
			return err
		}
		answer, err := req.Recv(0)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  REQ receives %q\n", answer)
	}
	return nil
}

// demoPublishSubscribe publishes three updates; the subscriber's topic
// filter lets through the two weather ones and drops the sports one.
func demoPublishSubscribe(ctx *zmq.Context, w io.Writer) (err error) {
	const endpoint = "inproc://demo-weather"
	const topic = "weather."
	var pub, sub *zmq.Socket
	defer func() { err = errors.Join(err, closeAll(sub, pub)) }()
	if pub, err = demoSocket(ctx, zmq.PUB); err != nil {
		return err
	}
	if err = pub.Bind(endpoint); err != nil {
		return err
	}
	if sub, err = demoSocket(ctx, zmq.SUB); err != nil {
		return err
	}
	if err = sub.SetSubscribe(topic); err != nil {
		return err
	}
	if err = sub.Connect(endpoint); err != nil {
		return err
	}
	if err = waitForSubscription(pub, sub, topic+"hello"); err != nil {
		return err
	}
	updates := []string{"weather.london 12C drizzle", "sports.football 2-1", "weather.paris 15C sunny"}
	for _, u := range updates {
		if _, err = pub.Send(u, 0); err != nil {
			return err
		}
		fmt.Fprintf(w, "  PUB publishes %q\n", u)
	}
	received := 0
	for received < 2 {
		got, err := sub.Recv(0)
		if err != nil {
			return fmt.Errorf("SUB receive: %w", err)
		}
		if got == topic+"hello" {
			continue // a leftover of waitForSubscription
		}
		fmt.Fprintf(w, "  SUB receives  %q\n", got)
		received++
	}
	// Messages from one publisher arrive in order, so anything the filter
	// let through would already be here.
	if got, err := sub.Recv(zmq.DONTWAIT); err == nil {
		return fmt.Errorf("SUB received an unexpected %q", got)
	}
	fmt.Fprintf(w, "  SUB never sees \"sports.football 2-1\": it does not start with %q\n", topic)
	return nil
}

// waitForSubscription publishes probe until sub receives it, so no later
// message is lost to the time the subscription takes to reach the publisher.
func waitForSubscription(pub, sub *zmq.Socket, probe string) error {
	deadline := time.Now().Add(demoTimeout)
	for time.Now().Before(deadline) {
		if _, err := pub.Send(probe, 0); err != nil {
			return err
		}
		time.Sleep(time.Millisecond)
		if got, err := sub.Recv(zmq.DONTWAIT); err == nil && got == probe {
			return nil
		}
	}
	return errors.New("the subscription never reached the publisher")
}

// demoPipeline pushes six tasks to two PULL workers; PUSH deals them out
// round-robin.
func demoPipeline(ctx *zmq.Context, w io.Writer) (err error) {
	const workers = 2
	const tasks = 6
	var push *zmq.Socket
	pulls := make([]*zmq.Socket, workers)
	defer func() { err = errors.Join(err, closeAll(append(pulls, push)...)) }()
	if push, err = demoSocket(ctx, zmq.PUSH); err != nil {
		return err
	}
	// Each worker binds and PUSH connects to both: a connecting socket has
	// a queue for each peer at once, so the deal is even from the first task.
	for i := range pulls {
		if pulls[i], err = demoSocket(ctx, zmq.PULL); err != nil {
			return err
		}
		if err = pulls[i].Bind("tcp://127.0.0.1:*"); err != nil {
			return err
		}
		endpoint, err := pulls[i].GetLastEndpoint()
		if err != nil {
			return err
		}
		if err = push.Connect(endpoint); err != nil {
			return err
		}
		fmt.Fprintf(w, "  worker %d: PULL bound to %s\n", i+1, endpoint)
	}
	for i := 1; i <= tasks; i++ {
		task := fmt.Sprintf("task %d", i)
		if _, err = push.Send(task, 0); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "  PUSH sends task 1 .. task %d\n", tasks)
	got := make([][]string, workers)
	for received := 0; received < tasks; {
		progress := false
		for i, pull := range pulls {
			task, err := pull.Recv(zmq.DONTWAIT)
			if err != nil {
				continue
			}
			got[i] = append(got[i], task)
			received++
			progress = true
		}
		if !progress {
			if err = waitForAny(pulls, demoTimeout); err != nil {
				return err
			}
		}
	}
	for i, tasks := range got {
		fmt.Fprintf(w, "  worker %d received: %s\n", i+1, strings.Join(tasks, ", "))
	}
	return nil
}

// waitForAny waits until one of the sockets has a message to receive.
func waitForAny(sockets []*zmq.Socket, timeout time.Duration) error {
	poller := zmq.NewPoller()
	for _, s := range sockets {
		poller.Add(s, zmq.POLLIN)
	}
	ready, err := poller.Poll(timeout)
	if err != nil {
		return err
	}
	if len(ready) == 0 {
		return errors.New("no message within " + timeout.String())
	}
	return nil
}
