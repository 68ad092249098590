// Ironhouse: CURVE encryption and client authentication by certificate.
// The client's public certificate is saved in a directory that the
// authenticator reads, as CZMQ's zauth does; clients whose certificate is
// not there are refused. Run with: go run ./examples/security/ironhouse
package main

import (
	"log"
	"os"
	"path/filepath"
	"time"

	zmq "github.com/purezmq/zmq4"
)

func main() {
	// Certificates, as a deployment would keep them on disk.
	dir, err := os.MkdirTemp("", "ironhouse")
	check(err)
	defer os.RemoveAll(dir)
	for _, sub := range []string{"private", "public"} {
		check(os.Mkdir(filepath.Join(dir, sub), 0o700))
	}
	clientCert, err := zmq.NewCert()
	check(err)
	clientCert.SetMeta("name", "client")
	check(clientCert.Save(filepath.Join(dir, "private", "client")))
	check(clientCert.SavePublic(filepath.Join(dir, "public", "client.key")))
	serverCert, err := zmq.NewCert()
	check(err)

	check(zmq.AuthStart())
	defer zmq.AuthStop()
	zmq.AuthAllow("global", "127.0.0.1")
	check(zmq.AuthCurveDirectory("global", filepath.Join(dir, "public")))

	server, err := zmq.NewSocket(zmq.PUSH)
	check(err)
	defer server.Close()
	check(server.ServerAuthCurve("global", serverCert.SecretTxt()))
	check(server.Bind("tcp://127.0.0.1:*"))
	endpoint, err := server.GetLastEndpoint()
	check(err)

	// The client loads its certificate back, as a separate program would.
	loaded, err := zmq.LoadCert(filepath.Join(dir, "private", "client"))
	check(err)
	client, err := zmq.NewSocket(zmq.PULL)
	check(err)
	defer client.Close()
	check(loaded.Apply(client))
	check(client.SetCurveServerkey(serverCert.PublicTxt()))
	check(client.SetRcvtimeo(5 * time.Second))
	check(client.Connect(endpoint))

	_, err = server.Send("Hello", 0)
	check(err)
	message, err := client.Recv(0)
	check(err)
	if message != "Hello" {
		log.Fatalf("got %q", message)
	}
	log.Println("Ironhouse test OK")
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
