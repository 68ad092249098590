// Command expvar publishes a socket's Stats through the standard expvar
// package, so they show up at /debug/vars beside the Go runtime's.
//
//	go run ./examples/expvar &
//	curl -s localhost:8123/debug/vars | grep -A3 zmq_pull
package main

import (
	"expvar"
	"log"
	"net/http"
	"time"

	zmq "github.com/purezmq/zmq4"
)

func main() {
	pull, err := zmq.NewSocket(zmq.PULL)
	if err != nil {
		log.Fatal(err)
	}
	if err := pull.Bind("inproc://work"); err != nil {
		log.Fatal(err)
	}
	push, _ := zmq.NewSocket(zmq.PUSH)
	push.Connect("inproc://work")

	// expvar.Func calls Stats on every request of /debug/vars.
	expvar.Publish("zmq_pull", expvar.Func(func() any {
		st, err := pull.Stats()
		if err != nil {
			return err.Error()
		}
		return st
	}))

	go func() {
		for range time.Tick(100 * time.Millisecond) {
			push.Send("tick", 0)
			pull.Recv(0)
		}
	}()
	log.Println("serving expvar on 127.0.0.1:8123/debug/vars")
	log.Fatal(http.ListenAndServe("127.0.0.1:8123", nil))
}
