// Package netns gives tests a private Linux network namespace, so that they
// can make interfaces, routes and multicast traffic without touching the
// host's network.
package netns

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// Enter moves the calling goroutine, for good, onto an OS thread in a new
// network namespace, runs each ip(8) command line of setup there, then
// writes each "name=value" of sysctls under /proc/sys/net (which shows the
// namespace of the thread that opens it). Processes started later from this
// goroutine run in the namespace too. It skips t when the namespace cannot
// be made (no root or CAP_SYS_ADMIN), ip is missing, or a step fails.
func Enter(t testing.TB, setup [][]string, sysctls ...string) {
	t.Helper()
	ip, err := exec.LookPath("ip")
	if err != nil {
		t.Skip("no ip command (iproute2) to set up a private network namespace")
	}
	// Never unlocked: when the test goroutine ends, its thread ends too and
	// takes the namespace with it.
	runtime.LockOSThread()
	if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
		t.Skipf("cannot make a private network namespace (needs root or CAP_SYS_ADMIN): %v", err)
	}
	for _, step := range setup {
		if out, err := exec.Command(ip, step...).CombinedOutput(); err != nil {
			t.Skipf("setting up the namespace: ip %s: %v: %s", strings.Join(step, " "), err, out)
		}
	}
	for _, setting := range sysctls {
		name, value, _ := strings.Cut(setting, "=")
		if err := os.WriteFile("/proc/sys/net/"+name, []byte(value), 0); err != nil {
			t.Skipf("setting up the namespace: %s: %v", setting, err)
		}
	}
}
