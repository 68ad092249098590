// Grasslands: no security at all. The server pushes a message over plain
// TCP and the client pulls it. Run with: go run ./examples/security/grasslands
package main

import (
	"log"
	"time"

	zmq "github.com/purezmq/zmq4"
)

func main() {
	server, err := zmq.NewSocket(zmq.PUSH)
	check(err)
	defer server.Close()
	check(server.Bind("tcp://127.0.0.1:*"))
	endpoint, err := server.GetLastEndpoint()
	check(err)

	client, err := zmq.NewSocket(zmq.PULL)
	check(err)
	defer client.Close()
	check(client.SetRcvtimeo(5 * time.Second)) // do not hang if something is wrong
	check(client.Connect(endpoint))

	_, err = server.Send("Hello", 0)
	check(err)
	message, err := client.Recv(0)
	check(err)
	if message != "Hello" {
		log.Fatalf("got %q", message)
	}
	log.Println("Grasslands test OK")
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
