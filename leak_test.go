package zmq4

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

// The leak check runs after all tests of the package: once every test's
// sockets and contexts are closed, no goroutine of this package may be left
// and the process's descriptors must be back to what they were before the
// first test. Goroutines of the default context, which lives as long as the
// process (pebbe's API has no way to end it but Term), are allowed.

// leakBaseline is what the process had before the first test.
type leakBaseline struct {
	fds int
}

func takeLeakBaseline() leakBaseline {
	return leakBaseline{fds: countFDs()}
}

// countFDs returns the number of open descriptors, or -1 without /proc.
func countFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// leakedGoroutines returns the stacks of goroutines running this package's
// code, other than the test runner's own.
func leakedGoroutines() []string {
	buf := make([]byte, 8<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var leaked []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if !strings.Contains(g, "github.com/purezmq/zmq4.") {
			continue
		}
		if strings.Contains(g, "zmq4.TestMain") || strings.Contains(g, "zmq4.checkLeaks") {
			continue
		}
		leaked = append(leaked, g)
	}
	return leaked
}

// checkLeaks waits up to 10 s for goroutines and descriptors to drain and
// returns a report of what is left, or "" when nothing is.
func checkLeaks(base leakBaseline) string {
	if os.Getenv("ZMQ4_SKIP_LEAK_CHECK") != "" {
		return ""
	}
	getDefaultContext() // its goroutines, if any, are allowed
	deadline := time.Now().Add(10 * time.Second)
	for {
		goroutines := leakedGoroutines()
		fds := countFDs()
		fdLeak := base.fds >= 0 && fds > base.fds+2
		if len(goroutines) == 0 && !fdLeak {
			return ""
		}
		if time.Now().After(deadline) {
			var b strings.Builder
			fmt.Fprintf(&b, "leak check: %d goroutines of this package left after all tests; descriptors %d before, %d after\n",
				len(goroutines), base.fds, fds)
			for i, g := range goroutines {
				if i == 10 {
					fmt.Fprintf(&b, "... and %d more\n", len(goroutines)-10)
					break
				}
				b.WriteString(g + "\n\n")
			}
			return b.String()
		}
		time.Sleep(50 * time.Millisecond)
	}
}
