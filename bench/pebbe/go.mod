module github.com/purezmq/zmq4/bench/pebbe

go 1.26.0

require github.com/pebbe/zmq4 v1.4.0
