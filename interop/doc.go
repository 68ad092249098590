// Package interop holds tests that run purezmq sockets against libzmq 4.3
// peers. The libzmq side is peer.py, a small pyzmq program that the tests
// start and script over a line protocol on its stdin and stdout (see the
// comment at the top of peer.py).
//
// The tests need /usr/bin/python3 with the zmq module (Debian package
// python3-zmq; `make test` installs it). Without it every test here skips
// with a message saying so. Run only these tests with
//
//	go test -race -run Interop ./interop
package interop
