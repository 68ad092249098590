// Stonehouse: CURVE encryption with any client key accepted. The client
// must know the server's public key, so it talks to the right server.
// Run with: go run ./examples/security/stonehouse
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
	zmq.AuthCurveAdd("global", zmq.CURVE_ALLOW_ANY)

	serverPublic, serverSecret, err := zmq.NewCurveKeypair()
	check(err)
	clientPublic, clientSecret, err := zmq.NewCurveKeypair()
	check(err)

	server, err := zmq.NewSocket(zmq.PUSH)
	check(err)
	defer server.Close()
	check(server.ServerAuthCurve("global", serverSecret))
	check(server.Bind("tcp://127.0.0.1:*"))
	endpoint, err := server.GetLastEndpoint()
	check(err)

	client, err := zmq.NewSocket(zmq.PULL)
	check(err)
	defer client.Close()
	check(client.ClientAuthCurve(serverPublic, clientPublic, clientSecret))
	check(client.SetRcvtimeo(5 * time.Second))
	check(client.Connect(endpoint))

	_, err = server.Send("Hello", 0)
	check(err)
	message, err := client.Recv(0)
	check(err)
	if message != "Hello" {
		log.Fatalf("got %q", message)
	}
	log.Println("Stonehouse test OK")
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
