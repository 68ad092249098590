package zmq4

import (
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// listeningFD returns a descriptor of its own for a socket listening at
// addr on network ("tcp" or "unix"), and the address it listens on.
func listeningFD(t *testing.T, network, addr string) (int, string) {
	t.Helper()
	ln, err := net.Listen(network, addr)
	must(t, err)
	if ul, ok := ln.(*net.UnixListener); ok {
		ul.SetUnlinkOnClose(false)
	}
	f, err := ln.(interface{ File() (*os.File, error) }).File()
	must(t, err)
	fd, err := syscall.Dup(int(f.Fd()))
	must(t, err)
	f.Close()
	bound := ln.Addr().String()
	ln.Close()
	return fd, bound
}

// With USE_FD, Bind accepts on the application's listening socket instead
// of binding one (libzmq's test_use_fd); an ipc socket file stays the
// application's.
func TestUseFdAcceptsOnTheGivenSocket(t *testing.T) {
	for _, tr := range []string{"tcp", "ipc"} {
		t.Run(tr, func(t *testing.T) {
			var fd int
			var ep, path string
			if tr == "tcp" {
				var addr string
				fd, addr = listeningFD(t, "tcp", "127.0.0.1:0")
				ep = "tcp://" + addr
			} else {
				path = filepath.Join(t.TempDir(), "s")
				fd, _ = listeningFD(t, "unix", path)
				ep = "ipc://" + path
			}
			ctx := newTestContext(t)
			rep := newTestSocket(t, ctx, REP)
			must(t, rep.SetUseFd(fd))
			must(t, rep.Bind(ep))
			if got, _ := rep.GetLastEndpoint(); got != ep {
				t.Errorf("LAST_ENDPOINT %q, want %q", got, ep)
			}
			req := newTestSocket(t, ctx, REQ)
			must(t, req.Connect(ep))
			sendParts(t, req, "ping")
			expectParts(t, rep, "ping")
			sendParts(t, rep, "pong")
			expectParts(t, req, "pong")
			must(t, rep.Close())
			if path != "" {
				if _, err := os.Lstat(path); err != nil {
					t.Errorf("the application's socket file went: %v", err)
				}
			}
		})
	}
}
