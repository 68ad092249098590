//go:build !linux

package transport

import "net"

// peerCred: no peer credentials here, so no peer passes an IPC filter.
func peerCred(c *net.UnixConn) (pid, uid, gid int, ok bool) { return 0, 0, 0, false }

// On systems other than Linux the socket options are not applied; the
// connections still work with the OS defaults.

func applyPreBindOptions(fd int, ipv6 bool, opts *Options) error { return nil }

func applyConnOptions(fd int, opts *Options) error { return nil }

func setReuseAddr(fd int) error { return nil }

func setBacklog(fd int, backlog int) error { return nil }

func isIPv6Socket(fd int) bool { return false }

func setTOS(fd int, ipv6 bool, tos int) error { return nil }

func setPriority(fd int, priority int) error { return nil }
