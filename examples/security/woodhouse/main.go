// Woodhouse: PLAIN user name and password, checked by the authenticator
// (sent in clear, so only for trusted networks).
// Run with: go run ./examples/security/woodhouse
package main

import (
	"log"
	"time"

	zmq "github.com/purezmq/zmq4"
)

func main() {
	check(zmq.AuthStart())
	defer zmq.AuthStop()
	zmq.AuthAllow("global", "127.0.0.1")
	zmq.AuthPlainAdd("global", "admin", "secret")

	server, err := zmq.NewSocket(zmq.PUSH)
	check(err)
	defer server.Close()
	check(server.ServerAuthPlain("global"))
	check(server.Bind("tcp://127.0.0.1:*"))
	endpoint, err := server.GetLastEndpoint()
	check(err)

	client, err := zmq.NewSocket(zmq.PULL)
	check(err)
	defer client.Close()
	check(client.ClientAuthPlain("admin", "secret"))
	check(client.SetRcvtimeo(5 * time.Second))
	check(client.Connect(endpoint))

	_, err = server.Send("Hello", 0)
	check(err)
	message, err := client.Recv(0)
	check(err)
	if message != "Hello" {
		log.Fatalf("got %q", message)
	}
	log.Println("Woodhouse test OK")
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
