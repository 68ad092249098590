// Package beacon is UDP service discovery on a local network, compatible
// with CZMQ's zbeacon and with the beacons Zyre applications send.
//
// A [Beacon] binds a UDP port shared with the other beacons on the host,
// broadcasts one payload of at most [MaxSize] bytes at a fixed interval
// ([Beacon.Publish]) and delivers the datagrams it hears whose payload
// starts with a subscribed prefix ([Beacon.Subscribe]), with the sender's
// IP address ([Beacon.Recv], or the channel [Beacon.Beacons] in a select;
// zmq4's Reactor takes a beacon with AddBeacon).
//
// [New] takes the port and options: [Interface] chooses the network
// interface as CZMQ's ZSYS_INTERFACE does, [BroadcastAddress] overrides
// where the beacons go, [Loopback] keeps everything on 127.0.0.0/8 (for
// tests and single-host use) and [QueueLength] bounds the queue of
// received beacons.
//
// The beacon was zmq4.Beacon (zmq4.NewBeacon, zmq4.BeaconLoopback, ...)
// before it became its own package; the names lost their "Beacon" prefix
// and otherwise work as before.
package beacon
