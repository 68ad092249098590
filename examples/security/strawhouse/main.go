// Strawhouse: no encryption, but the authenticator only accepts clients from
// a whitelisted address. Run with: go run ./examples/security/strawhouse
package main

import (
	"log"
	"time"

	zmq "github.com/purezmq/zmq4"
)

func main() {
	// Start the authenticator and whitelist the loopback address: every
	// other address is refused for the "global" domain.
	check(zmq.AuthStart())
	defer zmq.AuthStop()
	zmq.AuthAllow("global", "127.0.0.1")

	server, err := zmq.NewSocket(zmq.PUSH)
	check(err)
	defer server.Close()
	check(server.ServerAuthNull("global"))
	check(server.Bind("tcp://127.0.0.1:*"))
	endpoint, err := server.GetLastEndpoint()
	check(err)

	client, err := zmq.NewSocket(zmq.PULL)
	check(err)
	defer client.Close()
	check(client.SetRcvtimeo(5 * time.Second))
	check(client.Connect(endpoint))

	_, err = server.Send("Hello", 0)
	check(err)
	message, err := client.Recv(0)
	check(err)
	if message != "Hello" {
		log.Fatalf("got %q", message)
	}
	log.Println("Strawhouse test OK")
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
