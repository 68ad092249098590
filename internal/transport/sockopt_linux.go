//go:build linux

package transport

import (
	"net"
	"syscall"
	"time"
)

// tcpUserTimeout is TCP_USER_TIMEOUT from <netinet/tcp.h>, which the
// syscall package does not define.
const tcpUserTimeout = 0x12

// applyPreBindOptions sets the options libzmq applies to a socket before it
// is bound or connected: buffer sizes, type of service, priority and device
// binding.
// ipv6 tells whether fd is an AF_INET6 socket.
func applyPreBindOptions(fd int, ipv6 bool, opts *Options) error {
	if opts.SndBuf > 0 {
		if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_SNDBUF, opts.SndBuf); err != nil {
			return errnoOp("setsockopt SO_SNDBUF", err)
		}
	}
	if opts.RcvBuf > 0 {
		if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, opts.RcvBuf); err != nil {
			return errnoOp("setsockopt SO_RCVBUF", err)
		}
	}
	if opts.TOS != 0 {
		if err := setTOS(fd, ipv6, opts.TOS); err != nil {
			return err
		}
	}
	if err := setPriority(fd, opts.Priority); err != nil {
		return err
	}
	if opts.BindToDevice != "" {
		if err := syscall.SetsockoptString(fd, syscall.SOL_SOCKET, syscall.SO_BINDTODEVICE, opts.BindToDevice); err != nil {
			return errnoOp("setsockopt SO_BINDTODEVICE", err)
		}
	}
	return nil
}

// setTOS sets IP_TOS, and IPV6_TCLASS as well on an IPv6 socket (which may
// carry IPv4 traffic when dual-stack).
func setTOS(fd int, ipv6 bool, tos int) error {
	if ipv6 {
		if err := syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_TCLASS, tos); err != nil {
			return errnoOp("setsockopt IPV6_TCLASS", err)
		}
		// IP_TOS on an AF_INET6 socket is best effort.
		_ = syscall.SetsockoptInt(fd, syscall.IPPROTO_IP, syscall.IP_TOS, tos)
		return nil
	}
	if err := syscall.SetsockoptInt(fd, syscall.IPPROTO_IP, syscall.IP_TOS, tos); err != nil {
		return errnoOp("setsockopt IP_TOS", err)
	}
	return nil
}

// setPriority sets SO_PRIORITY unless priority is 0. Values above 6 need
// CAP_NET_ADMIN; without it the call fails with EPERM.
func setPriority(fd int, priority int) error {
	if priority == 0 {
		return nil
	}
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_PRIORITY, priority); err != nil {
		return errnoOp("setsockopt SO_PRIORITY", err)
	}
	return nil
}

// applyConnOptions sets the per-connection TCP options: keepalive and its
// parameters, and the maximum retransmission time.
func applyConnOptions(fd int, opts *Options) error {
	if opts.KeepAlive == 0 || opts.KeepAlive == 1 {
		if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_KEEPALIVE, opts.KeepAlive); err != nil {
			return errnoOp("setsockopt SO_KEEPALIVE", err)
		}
	}
	if opts.KeepAlive == 1 {
		params := []struct {
			opt   int
			value int
			name  string
		}{
			{syscall.TCP_KEEPCNT, opts.KeepAliveCnt, "TCP_KEEPCNT"},
			{syscall.TCP_KEEPIDLE, opts.KeepAliveIdle, "TCP_KEEPIDLE"},
			{syscall.TCP_KEEPINTVL, opts.KeepAliveIntvl, "TCP_KEEPINTVL"},
		}
		for _, p := range params {
			if p.value <= 0 {
				continue
			}
			if err := syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, p.opt, p.value); err != nil {
				return errnoOp("setsockopt "+p.name, err)
			}
		}
	}
	if opts.TCPMaxRT > 0 {
		ms := int(opts.TCPMaxRT / time.Millisecond)
		if ms < 1 {
			ms = 1
		}
		if err := syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, tcpUserTimeout, ms); err != nil {
			return errnoOp("setsockopt TCP_USER_TIMEOUT", err)
		}
	}
	return nil
}

// setReuseAddr sets SO_REUSEADDR, which libzmq uses before binding a
// connecting socket to a source address.
func setReuseAddr(fd int) error {
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
		return errnoOp("setsockopt SO_REUSEADDR", err)
	}
	return nil
}

// setBacklog calls listen(2) again on a listening socket, which on Linux
// updates its backlog.
func setBacklog(fd int, backlog int) error {
	if err := syscall.Listen(fd, backlog); err != nil {
		return errnoOp("listen", err)
	}
	return nil
}

// isIPv6Socket reports whether fd is an AF_INET6 socket.
func isIPv6Socket(fd int) bool {
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		return false
	}
	_, ok := sa.(*syscall.SockaddrInet6)
	return ok
}

// peerCred returns the process, user and group id of the peer of a unix
// domain connection (SO_PEERCRED).
func peerCred(c *net.UnixConn) (pid, uid, gid int, ok bool) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, 0, 0, false
	}
	var cred *syscall.Ucred
	var cerr error
	if err := rc.Control(func(fd uintptr) {
		cred, cerr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil || cerr != nil {
		return 0, 0, 0, false
	}
	return int(cred.Pid), int(cred.Uid), int(cred.Gid), true
}
