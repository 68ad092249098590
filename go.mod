module github.com/purezmq/zmq4

go 1.26
