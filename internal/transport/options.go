package transport

import (
	"net/netip"
	"time"
)

// Options carries the socket options that affect transports. The zero value
// is usable: non-positive sizes, counts and durations mean "leave the OS
// default", and KeepAlive 0 (off) is the OS default on common systems.
type Options struct {
	IPv6           bool           // ZMQ_IPV6: allow IPv6 (bind * gives dual-stack [::]; resolve AAAA); false means IPv4 only
	Backlog        int            // listen backlog (libzmq default 100); <= 0 leaves Go's default
	KeepAlive      int            // ZMQ_TCP_KEEPALIVE: -1 OS default, 0 off, 1 on
	KeepAliveCnt   int            // ZMQ_TCP_KEEPALIVE_CNT, <= 0 OS default
	KeepAliveIdle  int            // ZMQ_TCP_KEEPALIVE_IDLE in seconds, <= 0 OS default
	KeepAliveIntvl int            // ZMQ_TCP_KEEPALIVE_INTVL in seconds, <= 0 OS default
	SndBuf         int            // SO_SNDBUF in bytes, <= 0 OS default
	RcvBuf         int            // SO_RCVBUF in bytes, <= 0 OS default
	TOS            int            // IP_TOS / IPV6_TCLASS, 0 leaves it
	Priority       int            // SO_PRIORITY (Linux), 0 leaves it
	BindToDevice   string         // SO_BINDTODEVICE, "" for none
	ConnectTimeout time.Duration  // ZMQ_CONNECT_TIMEOUT, 0 for none
	TCPMaxRT       time.Duration  // ZMQ_TCP_MAXRT (TCP_USER_TIMEOUT), 0 leaves it
	AcceptFilters  []netip.Prefix // ZMQ_TCP_ACCEPT_FILTER: when non-empty, accepted tcp peers outside all prefixes are closed at once
	SocksProxy     string         // ZMQ_SOCKS_PROXY: "host:port" of a SOCKS5 proxy tcp connects go through, "" for none
	SocksUsername  string         // ZMQ_SOCKS_USERNAME: authenticate to the proxy (RFC 1929) when non-empty; at most 255 bytes
	SocksPassword  string         // ZMQ_SOCKS_PASSWORD: sent with SocksUsername; at most 255 bytes
	WssKeyPem      string         // ZMQ_WSS_KEY_PEM: private key of a wss bind, PEM
	WssCertPem     string         // ZMQ_WSS_CERT_PEM: certificate (chain) of a wss bind, PEM
	WssTrustPem    string         // ZMQ_WSS_TRUST_PEM: certificates a wss connect trusts, PEM
	WssHostname    string         // ZMQ_WSS_HOSTNAME: name a wss connect checks the server's certificate against and sends as SNI; "" checks no name
	WssTrustSystem bool           // ZMQ_WSS_TRUST_SYSTEM: a wss connect also trusts the system's certificates
	// ZMQ_USE_FD: with HaveUseFD, a tcp or ipc bind accepts on UseFD, a
	// socket the application already bound and listens on, instead of
	// binding one; the listener owns the descriptor from then on. An ipc
	// listener then leaves the socket file to the application.
	HaveUseFD bool
	UseFD     int
	// ZMQ_IPC_FILTER_PID/UID/GID: when any list is non-empty, an ipc
	// listener closes at once each accepted peer that matches none.
	IPCFilters IPCFilters
	// ConnectTurn, when not nil, lets the caller order the dial's
	// connect(2) among other dials (see Dial). A listener ignores it.
	ConnectTurn func(connect func())
}

// IPCFilters are the credentials an ipc listener accepts peers by.
type IPCFilters struct {
	PIDs, UIDs, GIDs []int
}

// Clone returns a copy that shares no memory with f.
func (f IPCFilters) Clone() IPCFilters {
	return IPCFilters{
		PIDs: append([]int(nil), f.PIDs...),
		UIDs: append([]int(nil), f.UIDs...),
		GIDs: append([]int(nil), f.GIDs...),
	}
}

// empty reports whether no filter is set.
func (f IPCFilters) empty() bool { return len(f.PIDs)+len(f.UIDs)+len(f.GIDs) == 0 }

// defaultOptions returns the options used when the caller passes nil.
func defaultOptions() *Options {
	return &Options{KeepAlive: -1, KeepAliveCnt: -1, KeepAliveIdle: -1, KeepAliveIntvl: -1, SndBuf: -1, RcvBuf: -1, Backlog: 100}
}

// orDefault returns opts, or the defaults when opts is nil.
func orDefault(opts *Options) *Options {
	if opts == nil {
		return defaultOptions()
	}
	return opts
}
