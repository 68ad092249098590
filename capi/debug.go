package main

import (
	"os"
	"os/signal"
	"runtime"
	"syscall"
)

// With PUREZMQ_CAPI_STACKS set in the environment, SIGUSR1 makes the library
// print every goroutine's stack to stderr: the way to see where a C program
// hangs inside it.
func init() {
	if os.Getenv("PUREZMQ_CAPI_STACKS") == "" {
		return
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR1)
	go func() {
		buf := make([]byte, 1<<20)
		for range ch {
			n := runtime.Stack(buf, true)
			os.Stderr.Write(buf[:n])
		}
	}()
}
