// Package bench holds purezmq's socket benchmarks (go test -bench . ./bench)
// and the tools that compare purezmq with libzmq: c/zmqperf.c, a libzmq
// program with the command line of `zmq perf`, and compare.sh, which runs
// both on loopback and prints the medians side by side. pebbe/ is a
// program on pebbe/zmq4, the cgo binding, with the same command line for
// the RecvBytes cases (a module of its own; compare_cases.sh runs it when
// PEBBE=1).
package bench
