// Package interop holds tests that run purezmq sockets against other ZeroMQ
// implementations:
//
//   - libzmq 4.3.4 through peer.py, a small pyzmq program that the tests
//     start and script over a line protocol on its stdin and stdout (see the
//     comment at the top of peer.py). It needs /usr/bin/python3 with the zmq
//     module (Debian package python3-zmq).
//   - libzmq 4.3.5 with the draft API and the ws transport, through
//     zeromq.js: node/peer.mjs speaks the same line protocol, for the draft
//     socket types; node/ws_peer.mjs for ws. node/setup.sh installs
//     zeromq.js with npm.
//   - CZMQ's zbeacon, through the C program in testdata/beacon, for the
//     beacon (needs libczmq-dev, a C compiler and root).
//   - JeroMQ 0.3.6 (Debian's libjeromq-java, ZMTP 2.0), through
//     jeromq/Peer.java, the same line protocol; jeromq/setup.sh installs it
//     and a JDK.
//
// `make test` installs every peer it can. A test whose peer is missing
// skips with a message saying so. Run only these tests with
//
//	go test -race -run Interop ./interop
package interop
