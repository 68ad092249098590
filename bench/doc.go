// Package bench holds purezmq's socket benchmarks (go test -bench . ./bench)
// and the tools that compare purezmq with libzmq: c/zmqperf.c, a libzmq
// program with the command line of `zmq perf`, and compare.sh, which runs
// both on loopback and prints the medians side by side.
package bench
