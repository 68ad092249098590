// Package pyzmq finds the Python interpreter with pyzmq (libzmq 4.3) that
// the interop tests drive libzmq through, for the root package's tests,
// interop/ and internal/mechanism alike. Debian's python3-zmq installs into
// /usr/bin/python3, which is the default; PYZMQ_PYTHON names another
// interpreter.
package pyzmq

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// Python returns the interpreter's path.
func Python() string {
	if p := os.Getenv("PYZMQ_PYTHON"); p != "" {
		return p
	}
	return "/usr/bin/python3"
}

// Command returns a command running the interpreter with args.
func Command(args ...string) *exec.Cmd {
	return exec.Command(Python(), args...)
}

var (
	mu      sync.Mutex
	checked = map[string]string{} // module -> why it is missing ("" = present)
)

// Require skips the test unless the interpreter imports every module in
// modules ("zmq" when none is given). It skips in -short mode too: the
// interop tests start processes and take time.
func Require(t testing.TB, modules ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("libzmq interop skipped in -short mode")
	}
	if len(modules) == 0 {
		modules = []string{"zmq"}
	}
	for _, m := range modules {
		if why := missing(m); why != "" {
			t.Skip(why)
		}
	}
}

// missing imports module once and says why it failed, or "".
func missing(module string) string {
	mu.Lock()
	defer mu.Unlock()
	if why, ok := checked[module]; ok {
		return why
	}
	why := ""
	if out, err := Command("-c", "import "+module).CombinedOutput(); err != nil {
		why = fmt.Sprintf("libzmq peer unavailable: %s -c 'import %s' failed (%v: %s); "+
			"install python3-zmq (make test does) to run the interop tests",
			Python(), module, err, strings.TrimSpace(string(out)))
	}
	checked[module] = why
	return why
}
