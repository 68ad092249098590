package transport

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestIPCAbsolutePath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.sock")
	l := listen(t, "ipc://"+path, nil)
	if got := l.Endpoint(); got != "ipc://"+path {
		t.Fatalf("Endpoint() = %q", got)
	}
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&os.ModeSocket == 0 {
		t.Fatalf("no socket file at %s: %v", path, err)
	}
	dialed, accepted := roundTrip(t, l, "ipc://"+path, nil)
	if PeerAddress(dialed) != "" || PeerAddress(accepted) != "" {
		t.Errorf("PeerAddress of ipc connection should be empty")
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Fatalf("socket file still present after Close: %v", err)
	}
}

func TestIPCRelativePath(t *testing.T) {
	t.Chdir(t.TempDir())
	l := listen(t, "ipc://rel.sock", nil)
	if got := l.Endpoint(); got != "ipc://rel.sock" {
		t.Fatalf("Endpoint() = %q, want ipc://rel.sock", got)
	}
	roundTrip(t, l, "ipc://rel.sock", nil)
	l.Close()
	if _, err := os.Lstat("rel.sock"); !os.IsNotExist(err) {
		t.Fatalf("socket file still present after Close: %v", err)
	}
}

func TestIPCWildcard(t *testing.T) {
	root := t.TempDir()
	t.Setenv("TMPDIR", root)
	l := listen(t, "ipc://*", nil)
	ep := l.Endpoint()
	path, ok := strings.CutPrefix(ep, "ipc://")
	if !ok || !strings.HasPrefix(path, root+string(filepath.Separator)) {
		t.Fatalf("Endpoint() = %q, want a path under %s", ep, root)
	}
	if _, err := os.Lstat(path); err != nil {
		t.Fatalf("socket file: %v", err)
	}
	roundTrip(t, l, ep, nil)
	second := listen(t, "ipc://*", nil)
	if second.Endpoint() == ep {
		t.Fatalf("two wildcard binds share %q", ep)
	}
	l.Close()
	if _, err := os.Lstat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Fatalf("temporary directory still present after Close: %v", err)
	}
}

func TestIPCAbstract(t *testing.T) {
	name := "@purezmq-transport-test-" + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	l := listen(t, "ipc://"+name, nil)
	if got := l.Endpoint(); got != "ipc://"+name {
		t.Fatalf("Endpoint() = %q", got)
	}
	roundTrip(t, l, "ipc://"+name, nil)
	if _, err := os.Lstat(name); !os.IsNotExist(err) {
		t.Fatalf("abstract bind created a file %q", name)
	}
	// A second bind to the same abstract name fails: there is no file to remove.
	if _, err := Listen(mustParse(t, "ipc://"+name), nil); !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("second abstract bind: %v, want EADDRINUSE", err)
	}
}

func TestIPCBindTwice(t *testing.T) {
	// libzmq 4.3.4 unlinks the existing socket file, so the second bind to a
	// path succeeds and takes the path over.
	path := filepath.Join(t.TempDir(), "twice.sock")
	first := listen(t, "ipc://"+path, nil)
	second := listen(t, "ipc://"+path, nil)
	// Closing the first must not remove the second's socket file.
	first.Close()
	if _, err := os.Lstat(path); err != nil {
		t.Fatalf("first Close removed the second listener's socket: %v", err)
	}
	roundTrip(t, second, "ipc://"+path, nil)
	second.Close()
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Fatalf("socket file still present after Close: %v", err)
	}
}

func TestIPCStaleSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stale.sock")
	stale := listen(t, "ipc://"+path, nil)
	stale.(*ipcListener).ln.Close() // the process "died": the file stays
	if _, err := os.Lstat(path); err != nil {
		t.Fatal(err)
	}
	l := listen(t, "ipc://"+path, nil)
	roundTrip(t, l, "ipc://"+path, nil)
}

func TestIPCRegularFileNotRemoved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(path, []byte("data"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(mustParse(t, "ipc://"+path), nil); !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("bind over a regular file: %v, want EADDRINUSE", err)
	}
	if data, err := os.ReadFile(path); err != nil || string(data) != "data" {
		t.Fatalf("regular file damaged: %q, %v", data, err)
	}
}

func TestIPCErrors(t *testing.T) {
	long := "ipc:///" + strings.Repeat("x", 107)
	if _, err := Listen(mustParse(t, long), nil); !errors.Is(err, syscall.ENAMETOOLONG) {
		t.Errorf("Listen(path of 108 bytes): %v, want ENAMETOOLONG", err)
	}
	if _, err := Listen(mustParse(t, "ipc://@"+strings.Repeat("a", 107)), nil); !errors.Is(err, syscall.ENAMETOOLONG) {
		t.Errorf("Listen(abstract name of 108 bytes): %v, want ENAMETOOLONG", err)
	}
	if _, err := Listen(mustParse(t, "ipc:///nonexistent-dir-purezmq/x.sock"), nil); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("Listen(missing directory): %v, want ENOENT", err)
	}
}

func TestIPCLongestPath(t *testing.T) {
	dir := t.TempDir()
	name := strings.Repeat("y", 107-len(dir)-1)
	if len(name) < 1 {
		t.Skip("temporary directory path too long")
	}
	path := filepath.Join(dir, name)
	l := listen(t, "ipc://"+path, nil)
	roundTrip(t, l, "ipc://"+path, nil)
}
