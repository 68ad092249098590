module github.com/purezmq/zmq4/capi

go 1.26.0

require github.com/purezmq/zmq4 v0.0.0

require (
	golang.org/x/crypto v0.59.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
)

replace github.com/purezmq/zmq4 => ../
