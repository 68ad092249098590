package interop

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// nodeDir holds zeromq.js (installed by node/setup.sh, which make test
// runs) and the Node.js peer scripts, relative to this package's directory.
const nodeDir = "node"

var (
	nodeOnce    sync.Once
	nodeMissing string
)

// requireNode skips the test unless Node.js can load zeromq.js with the
// draft API (libzmq 4.3.5 with draft sockets and the ws transport).
func requireNode(t testing.TB) {
	t.Helper()
	nodeOnce.Do(func() {
		if _, err := os.Stat(filepath.Join(nodeDir, "node_modules", "zeromq")); err != nil {
			nodeMissing = "zeromq.js peer unavailable: run interop/node/setup.sh (make test does)"
			return
		}
		cmd := exec.Command("node", "-e", `if (!require("zeromq").capability.draft) process.exit(3)`)
		cmd.Dir = nodeDir
		if out, err := cmd.CombinedOutput(); err != nil {
			nodeMissing = fmt.Sprintf("zeromq.js peer unavailable: node cannot load zeromq with the draft API (%v: %s)",
				err, strings.TrimSpace(string(out)))
		}
	})
	if nodeMissing != "" {
		t.Skip(nodeMissing)
	}
}

// startNodePeer runs the Node.js peer script (in nodeDir) with args and
// waits for its READY line; the script speaks peer.py's line protocol.
func startNodePeer(t testing.TB, script string, args ...string) *peer {
	t.Helper()
	requireNode(t)
	cmd := exec.Command("node", append([]string{script}, args...)...)
	cmd.Dir = nodeDir
	cmd.Env = append(os.Environ(), "NODE_NO_WARNINGS=1")
	return launchPeer(t, "zeromq.js "+strings.Join(args, " "), cmd)
}
