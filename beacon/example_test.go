package beacon_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/purezmq/zmq4/beacon"
)

// A Beacon announces a service over UDP and hears the others'.
func ExampleNew() {
	listener, err := beacon.New(9999, beacon.Loopback())
	if err != nil {
		log.Fatal(err)
	}
	defer listener.Close()
	speaker, err := beacon.New(9999, beacon.Loopback())
	if err != nil {
		log.Fatal(err)
	}
	defer speaker.Close()

	listener.Subscribe([]byte("SVC"))
	if err := speaker.Publish([]byte("SVC tcp://10.0.0.7:5555"), 50*time.Millisecond); err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, payload, err := listener.Recv(ctx)
	fmt.Println(string(payload), err)
	// Output: SVC tcp://10.0.0.7:5555 <nil>
}
