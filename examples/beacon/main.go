// Beacon: service discovery with UDP broadcasts, compatible with CZMQ's
// zbeacon and the beacons Zyre sends.
//
// Run with: go run ./examples/beacon
//
// Two beacons on the loopback network announce a service each, in Zyre's
// format ("ZRE", version 1, a 16-byte UUID, the service's TCP port), and
// report each other. With -network the program instead runs one beacon on
// the first broadcast interface (as zbeacon picks it) for -for, announcing
// itself and listing the beacons it hears, e.g. from Zyre applications:
//
//	go run ./examples/beacon -network -for 10s
package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"flag"
	"fmt"
	"log"
	"time"

	"github.com/purezmq/zmq4/beacon"
)

// zreDiscoveryPort is the UDP port Zyre's beacons use.
const zreDiscoveryPort = 5670

func main() {
	network := flag.Bool("network", false, "run one beacon on the first broadcast interface instead of two on loopback")
	duration := flag.Duration("for", 5*time.Second, "how long to listen with -network")
	flag.Parse()
	if *network {
		listenOnNetwork(*duration)
		return
	}
	twoOnLoopback()
}

// twoOnLoopback starts two loopback beacons and waits until each has heard
// the other.
func twoOnLoopback() {
	alice, err := beacon.New(zreDiscoveryPort, beacon.Loopback())
	check(err)
	defer alice.Close()
	bob, err := beacon.New(zreDiscoveryPort, beacon.Loopback())
	check(err)
	defer bob.Close()

	alicePayload, bobPayload := zreBeacon(5001), zreBeacon(5002)
	for _, b := range []*beacon.Beacon{alice, bob} {
		b.Subscribe([]byte("ZRE\x01")) // Zyre v1 beacons only
	}
	check(alice.Publish(alicePayload, 100*time.Millisecond))
	check(bob.Publish(bobPayload, 100*time.Millisecond))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	waitFor(ctx, "alice", alice, bobPayload)
	waitFor(ctx, "bob", bob, alicePayload)
	log.Println("Beacon test OK")
}

// waitFor reads b's beacons until want arrives.
func waitFor(ctx context.Context, name string, b *beacon.Beacon, want []byte) {
	for {
		sender, payload, err := b.Recv(ctx)
		check(err)
		log.Printf("%s heard %s", name, describe(sender, payload))
		if string(payload) == string(want) {
			return
		}
	}
}

// listenOnNetwork announces one service on the real network and lists the
// beacons heard for duration.
func listenOnNetwork(duration time.Duration) {
	b, err := beacon.New(zreDiscoveryPort)
	check(err)
	defer b.Close()
	log.Printf("beacon on %s, UDP port %d", b.Hostname(), b.Port())
	b.Subscribe(nil)
	check(b.Publish(zreBeacon(5001), time.Second))

	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	for {
		sender, payload, err := b.Recv(ctx)
		if err != nil {
			log.Printf("done (%d beacons dropped unread)", b.Dropped())
			return
		}
		log.Printf("heard %s", describe(sender, payload))
	}
}

// zreBeacon makes a Zyre v1 beacon with a random UUID announcing port.
func zreBeacon(port uint16) []byte {
	frame := append([]byte("ZRE"), 1)
	uuid := make([]byte, 16)
	_, err := rand.Read(uuid)
	check(err)
	frame = append(frame, uuid...)
	return binary.BigEndian.AppendUint16(frame, port)
}

// describe shows a Zyre beacon as its UUID and port (0 means the peer is
// leaving), anything else in hex.
func describe(sender string, payload []byte) string {
	if len(payload) == 22 && string(payload[:4]) == "ZRE\x01" {
		port := binary.BigEndian.Uint16(payload[20:])
		return fmt.Sprintf("ZRE peer %x at tcp://%s:%d", payload[4:20], sender, port)
	}
	return fmt.Sprintf("beacon %x from %s", payload, sender)
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
