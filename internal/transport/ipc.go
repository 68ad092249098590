package transport

import (
	"context"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
)

// maxIPCPathLen is the longest ipc path libzmq accepts on Linux: the size
// of sockaddr_un.sun_path less the terminating NUL. Abstract names count
// their leading '@'.
const maxIPCPathLen = 107

// ipcListener accepts connections on a Unix domain socket and removes the
// socket file it created when closed.
type ipcListener struct {
	filters  IPCFilters
	ln       *net.UnixListener
	path     string      // socket path, "@name" for an abstract socket
	created  os.FileInfo // the socket file as bound, nil for abstract sockets
	tmpDir   string      // directory made for "ipc://*", removed on Close
	endpoint string
	once     sync.Once
	closeErr error
}

// listenIPC binds a Unix domain socket at ep.Addr. "*" binds a fresh path
// in a new temporary directory; a name starting with '@' is a Linux
// abstract socket. As in libzmq, an existing socket file at the path is
// removed first, so binding twice to one path succeeds and the newer
// listener owns the path. A path that is not a socket is left alone and the
// bind fails.
// FD returns the listening socket's file descriptor.
func (l *ipcListener) FD() int { return listenerFD(l.ln) }

func listenIPC(ep Endpoint, opts *Options) (Listener, error) {
	path := ep.Addr
	tmpDir := ""
	if path == "*" {
		dir, err := os.MkdirTemp(ipcTempRoot(), "tmp")
		if err != nil {
			return nil, err
		}
		tmpDir = dir
		path = filepath.Join(dir, "socket")
	}
	fail := func(err error) (Listener, error) {
		if tmpDir != "" {
			os.RemoveAll(tmpDir)
		}
		return nil, err
	}
	if err := checkIPCPath(path); err != nil {
		return fail(err)
	}
	if opts.HaveUseFD && tmpDir == "" {
		ln, err := fileListener(opts.UseFD)
		if err != nil {
			return nil, err
		}
		uln, ok := ln.(*net.UnixListener)
		if !ok {
			ln.Close()
			return nil, invalidf("ZMQ_USE_FD %d is not a unix domain socket", opts.UseFD)
		}
		uln.SetUnlinkOnClose(false) // the application's file
		return &ipcListener{ln: uln, path: path, endpoint: "ipc://" + path, filters: opts.IPCFilters.Clone()}, nil
	}
	abstract := path[0] == '@'
	if !abstract {
		removeStaleSocket(path)
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return fail(err)
	}
	ln.SetUnlinkOnClose(false) // Close removes the file only if it is still ours
	l := &ipcListener{ln: ln, path: path, tmpDir: tmpDir, endpoint: "ipc://" + path, filters: opts.IPCFilters.Clone()}
	if !abstract {
		fi, err := os.Lstat(path)
		if err != nil {
			ln.Close()
			return fail(err)
		}
		l.created = fi
	}
	return l, nil
}

// fileListener makes a listener of descriptor fd, which it then owns.
func fileListener(fd int) (net.Listener, error) {
	f := os.NewFile(uintptr(fd), "")
	if f == nil {
		return nil, syscall.EBADF
	}
	ln, err := net.FileListener(f) // a duplicate of fd
	f.Close()
	return ln, err
}

// ipcTempRoot picks the directory for "ipc://*": $TMPDIR, $TEMPDIR or $TMP
// if one names a directory (libzmq's order), else the system default.
func ipcTempRoot() string {
	for _, name := range []string{"TMPDIR", "TEMPDIR", "TMP"} {
		dir := os.Getenv(name)
		if dir == "" {
			continue
		}
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			return dir
		}
	}
	return os.TempDir()
}

// checkIPCPath rejects empty names and paths longer than sun_path allows.
func checkIPCPath(path string) error {
	if path == "" || path == "@" {
		return invalidf("empty ipc path")
	}
	if len(path) > maxIPCPathLen {
		return errnof(syscall.ENAMETOOLONG, "ipc path %q is longer than %d bytes", path, maxIPCPathLen)
	}
	return nil
}

// removeStaleSocket removes a socket file left at path by an earlier bind.
func removeStaleSocket(path string) {
	fi, err := os.Lstat(path)
	if err == nil && fi.Mode()&os.ModeSocket != 0 {
		os.Remove(path)
	}
}

// Accept waits for the next connection whose peer passes the IPC filters.
func (l *ipcListener) Accept() (net.Conn, error) {
	for {
		c, err := l.ln.AcceptUnix()
		if err != nil {
			return nil, err
		}
		if l.filters.empty() || l.filters.allow(c) {
			return c, nil
		}
		c.Close()
	}
}

// allow reports whether the peer of c is listed by process id, user id or
// group id, or belongs by its user's supplementary groups to a listed
// group, as libzmq's ipc listener checks.
func (f IPCFilters) allow(c *net.UnixConn) bool {
	pid, uid, gid, ok := peerCred(c)
	if !ok {
		return false
	}
	if slices.Contains(f.PIDs, pid) || slices.Contains(f.UIDs, uid) || slices.Contains(f.GIDs, gid) {
		return true
	}
	if len(f.GIDs) == 0 {
		return false
	}
	u, err := user.LookupId(strconv.Itoa(uid))
	if err != nil {
		return false
	}
	groups, err := u.GroupIds()
	if err != nil {
		return false
	}
	for _, g := range groups {
		if n, err := strconv.Atoi(g); err == nil && slices.Contains(f.GIDs, n) {
			return true
		}
	}
	return false
}

// Close stops listening, removes the socket file if it is still the one
// this listener created, and then removes the directory made for
// "ipc://*". The socket is closed in any case; the error says when closing
// it or removing the file or the directory failed (then, as in libzmq, the
// directory is not tried after the file failed).
func (l *ipcListener) Close() error {
	l.once.Do(func() {
		l.closeErr = l.ln.Close()
		var cleanup error
		if l.created != nil {
			if fi, err := os.Lstat(l.path); err == nil && os.SameFile(fi, l.created) {
				cleanup = os.Remove(l.path)
			}
		}
		if l.tmpDir != "" && cleanup == nil {
			cleanup = os.Remove(l.tmpDir)
		}
		if l.closeErr == nil {
			l.closeErr = cleanup
		}
	})
	return l.closeErr
}

// Endpoint returns "ipc://" and the bound path.
func (l *ipcListener) Endpoint() string { return l.endpoint }

// dialIPC connects to the Unix domain socket at ep.Addr.
func dialIPC(ctx context.Context, ep Endpoint, opts *Options) (net.Conn, error) {
	if err := checkIPCPath(ep.Addr); err != nil {
		return nil, err
	}
	var d net.Dialer
	return d.DialContext(ctx, "unix", ep.Addr)
}
