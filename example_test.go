package zmq4_test

import (
	"context"
	"fmt"
	"log"
	"time"

	zmq "github.com/purezmq/zmq4"
)

// Request-reply: a REP answers each request of a REQ.
func Example_requestReply() {
	ctx, _ := zmq.NewContext()
	defer ctx.Term()
	rep, _ := ctx.NewSocket(zmq.REP)
	defer rep.Close()
	rep.Bind("inproc://example-reqrep")
	req, _ := ctx.NewSocket(zmq.REQ)
	defer req.Close()
	req.Connect("inproc://example-reqrep")

	go func() {
		msg, _ := rep.Recv(0)
		rep.Send("World, re: "+msg, 0)
	}()
	req.Send("Hello", 0)
	reply, _ := req.Recv(0)
	fmt.Println(reply)
	// Output: World, re: Hello
}

// Publish-subscribe: a SUB receives the topics it subscribed to.
func Example_publishSubscribe() {
	ctx, _ := zmq.NewContext()
	defer ctx.Term()
	pub, _ := ctx.NewSocket(zmq.PUB)
	defer pub.Close()
	pub.Bind("inproc://example-pubsub")
	sub, _ := ctx.NewSocket(zmq.SUB)
	defer sub.Close()
	sub.SetSubscribe("weather.")
	sub.Connect("inproc://example-pubsub")

	// A subscription takes effect a moment after Connect; publish until it
	// has.
	for {
		pub.Send("sports.results 3-1", 0)
		pub.Send("weather.today sunny", 0)
		if msg, err := sub.Recv(zmq.DONTWAIT); err == nil {
			fmt.Println(msg)
			break
		}
		time.Sleep(time.Millisecond)
	}
	// Output: weather.today sunny
}

// Pipeline: PUSH spreads work over the PULLs connected to it.
func Example_pipeline() {
	ctx, _ := zmq.NewContext()
	defer ctx.Term()
	push, _ := ctx.NewSocket(zmq.PUSH)
	defer push.Close()
	push.Bind("inproc://example-pipeline")
	pull, _ := ctx.NewSocket(zmq.PULL)
	defer pull.Close()
	pull.Connect("inproc://example-pipeline")

	for i := 1; i <= 3; i++ {
		push.Send(fmt.Sprint("task ", i), 0)
	}
	for i := 0; i < 3; i++ {
		task, _ := pull.Recv(0)
		fmt.Println(task)
	}
	// Output:
	// task 1
	// task 2
	// task 3
}

// ROUTER and DEALER: the ROUTER sees each DEALER's routing id and uses it
// to answer that DEALER.
func Example_routerDealer() {
	ctx, _ := zmq.NewContext()
	defer ctx.Term()
	router, _ := ctx.NewSocket(zmq.ROUTER)
	defer router.Close()
	router.Bind("inproc://example-router")
	dealer, _ := ctx.NewSocket(zmq.DEALER)
	defer dealer.Close()
	dealer.SetIdentity("worker-1")
	dealer.Connect("inproc://example-router")

	dealer.Send("ready", 0)
	msg, _ := router.RecvMessage(0)
	fmt.Println(msg)
	router.SendMessage(msg[0], "job 42")
	job, _ := dealer.Recv(0)
	fmt.Println(job)
	// Output:
	// [worker-1 ready]
	// job 42
}

// A Poller waits on several sockets at once.
func ExamplePoller() {
	ctx, _ := zmq.NewContext()
	defer ctx.Term()
	a, _ := ctx.NewSocket(zmq.PULL)
	defer a.Close()
	a.Bind("inproc://example-poll-a")
	b, _ := ctx.NewSocket(zmq.PULL)
	defer b.Close()
	b.Bind("inproc://example-poll-b")
	push, _ := ctx.NewSocket(zmq.PUSH)
	defer push.Close()
	push.Connect("inproc://example-poll-b")
	push.Send("to b", 0)

	poller := zmq.NewPoller()
	poller.Add(a, zmq.POLLIN)
	poller.Add(b, zmq.POLLIN)
	polled, _ := poller.Poll(-1)
	for _, p := range polled {
		msg, _ := p.Socket.Recv(0)
		fmt.Println(p.Socket == b, msg)
	}
	// Output: true to b
}

// CURVE with the authenticator: the server accepts only the client keys it
// was given; the client must know the server's public key.
func Example_curveAuthenticator() {
	ctx, _ := zmq.NewContext()
	defer ctx.Term()
	serverPublic, serverSecret, _ := zmq.NewCurveKeypair()
	clientPublic, clientSecret, _ := zmq.NewCurveKeypair()

	if err := ctx.AuthStart(); err != nil {
		log.Fatal(err)
	}
	defer ctx.AuthStop()
	ctx.AuthCurveAdd("*", clientPublic)

	server, _ := ctx.NewSocket(zmq.PULL)
	defer server.Close()
	server.ServerAuthCurve("global", serverSecret)
	server.Bind("tcp://127.0.0.1:*")
	endpoint, _ := server.GetLastEndpoint()

	client, _ := ctx.NewSocket(zmq.PUSH)
	defer client.Close()
	client.SetLinger(0)
	client.ClientAuthCurve(serverPublic, clientPublic, clientSecret)
	client.Connect(endpoint)
	client.Send("secret", 0)

	msg, props, _ := server.RecvWithMetadata(0, "User-Id")
	fmt.Println(msg, props["User-Id"] == clientPublic)
	// Output: secret true
}

// Messages iterates over received messages until the context.Context ends.
func ExampleSocket_Messages() {
	ctx, _ := zmq.NewContext()
	defer ctx.Term()
	pull, _ := ctx.NewSocket(zmq.PULL)
	defer pull.Close()
	pull.Bind("inproc://example-iter")
	push, _ := ctx.NewSocket(zmq.PUSH)
	defer push.Close()
	push.Connect("inproc://example-iter")
	push.SendMessage("one", "a")
	push.SendMessage("two", "b")

	gctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	for msg, err := range pull.Messages(gctx) {
		if err != nil {
			fmt.Println("error:", err)
			break
		}
		fmt.Printf("%s\n", msg)
		if n++; n == 2 {
			cancel()
		}
	}
	// Output:
	// [one a]
	// [two b]
}

// RecvInto receives into a buffer the caller reuses: no allocation per
// message.
func ExampleSocket_RecvInto() {
	ctx, _ := zmq.NewContext()
	defer ctx.Term()
	pull, _ := ctx.NewSocket(zmq.PULL)
	defer pull.Close()
	pull.Bind("inproc://example-into")
	push, _ := ctx.NewSocket(zmq.PUSH)
	defer push.Close()
	push.Connect("inproc://example-into")
	push.Send("hello", 0)
	push.Send("a longer message", 0)

	buf := make([]byte, 8)
	for i := 0; i < 2; i++ {
		n, _ := pull.RecvInto(buf, 0)
		// n is the part's full size; only what fits is stored.
		fmt.Printf("%d %q\n", n, buf[:min(n, len(buf))])
	}
	// Output:
	// 5 "hello"
	// 16 "a longer"
}
