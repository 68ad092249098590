package zmq4

import (
	"time"

	"github.com/purezmq/zmq4/internal/z85"
)

// getOption reads a value from the socket's options with the socket locked,
// once the socket is known to be open and its context alive.
func getOption[T any](s *Socket, get func(o *options) T) (T, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkUsable(); err != nil {
		var zero T
		return zero, err
	}
	return get(&s.opt), nil
}

// infiniteAsMinusOne reports an infinite duration as time.Duration(-1), the
// value pebbe's getters give for LINGER, RECONNECT_IVL, RCVTIMEO and SNDTIMEO.
func infiniteAsMinusOne(d time.Duration) time.Duration {
	if d < 0 {
		return -1
	}
	return d
}

// rawCurveKey returns a stored CURVE key, or 32 zero bytes when none is set,
// as libzmq does.
func rawCurveKey(key []byte) string {
	if len(key) != curveKeyLen {
		return string(make([]byte, curveKeyLen))
	}
	return string(key)
}

// z85CurveKey returns a stored CURVE key in Z85.
func z85CurveKey(key []byte) string {
	text, err := z85.Encode([]byte(rawCurveKey(key)))
	if err != nil {
		// A 32-byte key always encodes.
		panic(err)
	}
	return text
}

// GetType returns the socket's type (ZMQ_TYPE).
func (s *Socket) GetType() (Type, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkUsable(); err != nil {
		return 0, err
	}
	return s.typ, nil
}

// GetRcvmore reports whether more parts of the message being received follow (ZMQ_RCVMORE).
func (s *Socket) GetRcvmore() (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkUsable(); err != nil {
		return false, err
	}
	return s.rcvmore, nil
}

// GetSndhwm returns the high water mark for outbound messages (ZMQ_SNDHWM).
func (s *Socket) GetSndhwm() (int, error) {
	return getOption(s, func(o *options) int { return o.sndhwm })
}

// GetRcvhwm returns the high water mark for inbound messages (ZMQ_RCVHWM).
func (s *Socket) GetRcvhwm() (int, error) {
	return getOption(s, func(o *options) int { return o.rcvhwm })
}

// GetAffinity returns the I/O thread affinity (ZMQ_AFFINITY); it has no effect in this implementation.
func (s *Socket) GetAffinity() (uint64, error) {
	return getOption(s, func(o *options) uint64 { return o.affinity })
}

// GetIdentity returns the socket's routing id (ZMQ_IDENTITY).
func (s *Socket) GetIdentity() (string, error) {
	return getOption(s, func(o *options) string { return o.identity })
}

// GetRate returns the multicast data rate (ZMQ_RATE); it has no effect in this implementation.
func (s *Socket) GetRate() (int, error) {
	return getOption(s, func(o *options) int { return o.rate })
}

// GetRecoveryIvl returns the multicast recovery interval (ZMQ_RECOVERY_IVL); it has no effect in this implementation.
func (s *Socket) GetRecoveryIvl() (time.Duration, error) {
	return getOption(s, func(o *options) time.Duration { return o.recoveryIvl })
}

// GetSndbuf returns the kernel send buffer size (ZMQ_SNDBUF); -1 means the OS default.
func (s *Socket) GetSndbuf() (int, error) {
	return getOption(s, func(o *options) int { return o.sndbuf })
}

// GetRcvbuf returns the kernel receive buffer size (ZMQ_RCVBUF); -1 means the OS default.
func (s *Socket) GetRcvbuf() (int, error) {
	return getOption(s, func(o *options) int { return o.rcvbuf })
}

// GetLinger returns the linger period (ZMQ_LINGER); time.Duration(-1) means forever.
func (s *Socket) GetLinger() (time.Duration, error) {
	return getOption(s, func(o *options) time.Duration { return infiniteAsMinusOne(o.linger) })
}

// GetReconnectIvl returns the reconnection interval (ZMQ_RECONNECT_IVL); time.Duration(-1) means no reconnection.
func (s *Socket) GetReconnectIvl() (time.Duration, error) {
	return getOption(s, func(o *options) time.Duration { return infiniteAsMinusOne(o.reconnectIvl) })
}

// GetReconnectIvlMax returns the maximum reconnection interval (ZMQ_RECONNECT_IVL_MAX).
func (s *Socket) GetReconnectIvlMax() (time.Duration, error) {
	return getOption(s, func(o *options) time.Duration { return o.reconnectIvlMax })
}

// GetBacklog returns the listen queue length (ZMQ_BACKLOG).
func (s *Socket) GetBacklog() (int, error) {
	return getOption(s, func(o *options) int { return o.backlog })
}

// GetMaxmsgsize returns the largest inbound message accepted (ZMQ_MAXMSGSIZE); -1 means no limit.
func (s *Socket) GetMaxmsgsize() (int64, error) {
	return getOption(s, func(o *options) int64 { return o.maxmsgsize })
}

// GetMulticastHops returns the TTL of the datagrams a RADIO sends to a udp multicast group (ZMQ_MULTICAST_HOPS).
func (s *Socket) GetMulticastHops() (int, error) {
	return getOption(s, func(o *options) int { return o.multicastHops })
}

// GetMulticastLoop reports whether a RADIO's udp multicast datagrams also reach the sending host's own members (ZMQ_MULTICAST_LOOP, draft).
func (s *Socket) GetMulticastLoop() (bool, error) {
	return getOption(s, func(o *options) bool { return o.multicastLoop })
}

// GetRcvtimeo returns the receive timeout (ZMQ_RCVTIMEO); time.Duration(-1) means forever.
func (s *Socket) GetRcvtimeo() (time.Duration, error) {
	return getOption(s, func(o *options) time.Duration { return infiniteAsMinusOne(o.rcvtimeo) })
}

// GetSndtimeo returns the send timeout (ZMQ_SNDTIMEO); time.Duration(-1) means forever.
func (s *Socket) GetSndtimeo() (time.Duration, error) {
	return getOption(s, func(o *options) time.Duration { return infiniteAsMinusOne(o.sndtimeo) })
}

// GetIpv6 reports whether IPv6 is enabled on the socket (ZMQ_IPV6).
func (s *Socket) GetIpv6() (bool, error) {
	return getOption(s, func(o *options) bool { return o.ipv6 })
}

// GetIpv4only reports whether the socket is limited to IPv4, the inverse of GetIpv6 (ZMQ_IPV4ONLY).
func (s *Socket) GetIpv4only() (bool, error) {
	return getOption(s, func(o *options) bool { return !o.ipv6 })
}

// GetImmediate reports whether messages are queued only to completed connections (ZMQ_IMMEDIATE).
func (s *Socket) GetImmediate() (bool, error) {
	return getOption(s, func(o *options) bool { return o.immediate })
}

// GetEvents returns whether the socket can receive (POLLIN) and send (POLLOUT) without blocking (ZMQ_EVENTS).
func (s *Socket) GetEvents() (State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkUsable(); err != nil {
		return 0, err
	}
	return s.eventsLocked(), nil
}

// GetLastEndpoint returns the endpoint the socket last bound or connected to (ZMQ_LAST_ENDPOINT).
func (s *Socket) GetLastEndpoint() (string, error) {
	return getOption(s, func(o *options) string { return o.lastEndpoint })
}

// GetTcpKeepalive returns the SO_KEEPALIVE override (ZMQ_TCP_KEEPALIVE): -1 OS default, 0 off, 1 on.
func (s *Socket) GetTcpKeepalive() (int, error) {
	return getOption(s, func(o *options) int { return o.tcpKeepalive })
}

// GetTcpKeepaliveIdle returns the TCP_KEEPIDLE override in seconds (ZMQ_TCP_KEEPALIVE_IDLE).
func (s *Socket) GetTcpKeepaliveIdle() (int, error) {
	return getOption(s, func(o *options) int { return o.tcpKeepaliveIdle })
}

// GetTcpKeepaliveCnt returns the TCP_KEEPCNT override (ZMQ_TCP_KEEPALIVE_CNT).
func (s *Socket) GetTcpKeepaliveCnt() (int, error) {
	return getOption(s, func(o *options) int { return o.tcpKeepaliveCnt })
}

// GetTcpKeepaliveIntvl returns the TCP_KEEPINTVL override in seconds (ZMQ_TCP_KEEPALIVE_INTVL).
func (s *Socket) GetTcpKeepaliveIntvl() (int, error) {
	return getOption(s, func(o *options) int { return o.tcpKeepaliveIntvl })
}

// GetMechanism returns the security mechanism the socket's options select (ZMQ_MECHANISM).
func (s *Socket) GetMechanism() (Mechanism, error) {
	return getOption(s, func(o *options) Mechanism { return o.mechanism })
}

// GetPlainServer returns 1 when the socket is a PLAIN server, else 0 (ZMQ_PLAIN_SERVER).
func (s *Socket) GetPlainServer() (int, error) {
	return getOption(s, func(o *options) int {
		if o.plainServer && o.mechanism == PLAIN {
			return 1
		}
		return 0
	})
}

// GetPlainUsername returns the PLAIN username (ZMQ_PLAIN_USERNAME).
func (s *Socket) GetPlainUsername() (string, error) {
	return getOption(s, func(o *options) string { return o.plainUsername })
}

// GetPlainPassword returns the PLAIN password (ZMQ_PLAIN_PASSWORD).
func (s *Socket) GetPlainPassword() (string, error) {
	return getOption(s, func(o *options) string { return o.plainPassword })
}

// GetCurvePublickeyRaw returns the CURVE public key as 32 bytes (ZMQ_CURVE_PUBLICKEY).
func (s *Socket) GetCurvePublickeyRaw() (string, error) {
	return getOption(s, func(o *options) string { return rawCurveKey(o.curvePublicKey) })
}

// GetCurvePublickeykeyZ85 returns the CURVE public key in Z85 (ZMQ_CURVE_PUBLICKEY); the name is pebbe's.
func (s *Socket) GetCurvePublickeykeyZ85() (string, error) {
	return getOption(s, func(o *options) string { return z85CurveKey(o.curvePublicKey) })
}

// GetCurveSecretkeyRaw returns the CURVE secret key as 32 bytes (ZMQ_CURVE_SECRETKEY).
func (s *Socket) GetCurveSecretkeyRaw() (string, error) {
	return getOption(s, func(o *options) string { return rawCurveKey(o.curveSecretKey) })
}

// GetCurveSecretkeyZ85 returns the CURVE secret key in Z85 (ZMQ_CURVE_SECRETKEY).
func (s *Socket) GetCurveSecretkeyZ85() (string, error) {
	return getOption(s, func(o *options) string { return z85CurveKey(o.curveSecretKey) })
}

// GetCurveServerkeyRaw returns the CURVE server key as 32 bytes (ZMQ_CURVE_SERVERKEY).
func (s *Socket) GetCurveServerkeyRaw() (string, error) {
	return getOption(s, func(o *options) string { return rawCurveKey(o.curveServerKey) })
}

// GetCurveServerkeyZ85 returns the CURVE server key in Z85 (ZMQ_CURVE_SERVERKEY).
func (s *Socket) GetCurveServerkeyZ85() (string, error) {
	return getOption(s, func(o *options) string { return z85CurveKey(o.curveServerKey) })
}

// GetZapDomain returns the ZAP authentication domain (ZMQ_ZAP_DOMAIN).
func (s *Socket) GetZapDomain() (string, error) {
	return getOption(s, func(o *options) string { return o.zapDomain })
}

// GetZapEnforceDomain reports whether ZAP is required even without a domain (ZMQ_ZAP_ENFORCE_DOMAIN).
func (s *Socket) GetZapEnforceDomain() (bool, error) {
	return getOption(s, func(o *options) bool { return o.zapEnforceDomain })
}

// GetTos returns the IP type-of-service value (ZMQ_TOS).
func (s *Socket) GetTos() (int, error) {
	return getOption(s, func(o *options) int { return o.tos })
}

// GetPriority returns the SO_PRIORITY the socket's connections get (ZMQ_PRIORITY).
func (s *Socket) GetPriority() (int, error) {
	return getOption(s, func(o *options) int { return o.priority })
}

// GetGssapiServer returns the GSSAPI server role (ZMQ_GSSAPI_SERVER); it has no effect in this implementation.
func (s *Socket) GetGssapiServer() (bool, error) {
	return getOption(s, func(o *options) bool { return o.gssapiServer })
}

// GetGssapiPrincipal returns the GSSAPI principal (ZMQ_GSSAPI_PRINCIPAL); it has no effect in this implementation.
func (s *Socket) GetGssapiPrincipal() (string, error) {
	return getOption(s, func(o *options) string { return o.gssapiPrincipal })
}

// GetGssapiServicePrincipal returns the GSSAPI service principal (ZMQ_GSSAPI_SERVICE_PRINCIPAL); it has no effect in this implementation.
func (s *Socket) GetGssapiServicePrincipal() (string, error) {
	return getOption(s, func(o *options) string { return o.gssapiServicePrincipal })
}

// GetGssapiPlaintext returns the GSSAPI plaintext setting (ZMQ_GSSAPI_PLAINTEXT); it has no effect in this implementation.
func (s *Socket) GetGssapiPlaintext() (bool, error) {
	return getOption(s, func(o *options) bool { return o.gssapiPlaintext })
}

// GetHandshakeIvl returns the maximum handshake time (ZMQ_HANDSHAKE_IVL); 0 means no limit.
func (s *Socket) GetHandshakeIvl() (time.Duration, error) {
	return getOption(s, func(o *options) time.Duration { return o.handshakeIvl })
}

// GetSocksProxy returns the SOCKS5 proxy address (ZMQ_SOCKS_PROXY).
func (s *Socket) GetSocksProxy() (string, error) {
	return getOption(s, func(o *options) string { return o.socksProxy })
}

// GetSocksUsername returns the SOCKS5 proxy username (ZMQ_SOCKS_USERNAME, draft).
func (s *Socket) GetSocksUsername() (string, error) {
	return getOption(s, func(o *options) string { return o.socksUsername })
}

// GetSocksPassword returns the SOCKS5 proxy password (ZMQ_SOCKS_PASSWORD, draft).
func (s *Socket) GetSocksPassword() (string, error) {
	return getOption(s, func(o *options) string { return o.socksPassword })
}

// GetInvertMatching returns 1 when subscription matching is inverted, else 0 (ZMQ_INVERT_MATCHING).
func (s *Socket) GetInvertMatching() (int, error) {
	return getOption(s, func(o *options) int {
		if o.invertMatching {
			return 1
		}
		return 0
	})
}

// GetHeartbeatIvl returns the interval between ZMTP PINGs (ZMQ_HEARTBEAT_IVL).
func (s *Socket) GetHeartbeatIvl() (time.Duration, error) {
	return getOption(s, func(o *options) time.Duration { return o.heartbeatIvl })
}

// GetHeartbeatTtl returns the time-to-live sent in PINGs (ZMQ_HEARTBEAT_TTL).
func (s *Socket) GetHeartbeatTtl() (time.Duration, error) {
	return getOption(s, func(o *options) time.Duration { return o.heartbeatTTL })
}

// GetHeartbeatTimeout returns the PING timeout (ZMQ_HEARTBEAT_TIMEOUT); -1 ms means the heartbeat interval is used.
func (s *Socket) GetHeartbeatTimeout() (time.Duration, error) {
	return getOption(s, func(o *options) time.Duration { return durationToOption(o.heartbeatTimeout) })
}

// GetConnectTimeout returns the TCP connect timeout (ZMQ_CONNECT_TIMEOUT).
func (s *Socket) GetConnectTimeout() (time.Duration, error) {
	return getOption(s, func(o *options) time.Duration { return o.connectTimeout })
}

// GetTcpMaxrt returns the maximum TCP retransmission time (ZMQ_TCP_MAXRT).
func (s *Socket) GetTcpMaxrt() (time.Duration, error) {
	return getOption(s, func(o *options) time.Duration { return o.tcpMaxrt })
}

// GetThreadSafe reports whether the socket may be used from several goroutines at once; it always may (ZMQ_THREAD_SAFE).
func (s *Socket) GetThreadSafe() (bool, error) {
	return getOption(s, func(o *options) bool { return true })
}

// GetMulticastMaxtpdu returns the multicast transport data unit size (ZMQ_MULTICAST_MAXTPDU); it has no effect in this implementation.
func (s *Socket) GetMulticastMaxtpdu() (int, error) {
	return getOption(s, func(o *options) int { return o.multicastMaxtpdu })
}

// GetVmciBufferSize returns the VMCI buffer size (ZMQ_VMCI_BUFFER_SIZE); it has no effect in this implementation.
func (s *Socket) GetVmciBufferSize() (uint64, error) {
	return getOption(s, func(o *options) uint64 { return o.vmciBufferSize })
}

// GetVmciBufferMinSize returns the VMCI minimum buffer size (ZMQ_VMCI_BUFFER_MIN_SIZE); it has no effect in this implementation.
func (s *Socket) GetVmciBufferMinSize() (uint64, error) {
	return getOption(s, func(o *options) uint64 { return o.vmciBufferMinSize })
}

// GetVmciBufferMaxSize returns the VMCI maximum buffer size (ZMQ_VMCI_BUFFER_MAX_SIZE); it has no effect in this implementation.
func (s *Socket) GetVmciBufferMaxSize() (uint64, error) {
	return getOption(s, func(o *options) uint64 { return o.vmciBufferMaxSize })
}

// GetVmciConnectTimeout returns the VMCI connect timeout (ZMQ_VMCI_CONNECT_TIMEOUT); it has no effect in this implementation.
func (s *Socket) GetVmciConnectTimeout() (time.Duration, error) {
	return getOption(s, func(o *options) time.Duration { return o.vmciConnectTimeout })
}

// Getusefd returns the file descriptor set with SetUseFd (ZMQ_USE_FD), -1 when none.
func (s *Socket) Getusefd() (int, error) {
	return getOption(s, func(o *options) int { return o.useFd })
}

// GetFd returns a file descriptor that becomes readable when the socket's events may have changed (ZMQ_FD).
func (s *Socket) GetFd() (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkUsable(); err != nil {
		return -1, err
	}
	return s.fdLocked()
}

// GetRouterNotify returns the ROUTER connect/disconnect notification flags (ZMQ_ROUTER_NOTIFY).
func (s *Socket) GetRouterNotify() (RouterNotifyOption, error) {
	return getOption(s, func(o *options) RouterNotifyOption { return RouterNotifyOption(o.routerNotify) })
}

// GetReconnectStop returns the ReconnectStop* flags (ZMQ_RECONNECT_STOP).
func (s *Socket) GetReconnectStop() (int, error) {
	return getOption(s, func(o *options) int { return o.reconnectStop })
}

// GetBindToDevice returns the network interface TCP connections are bound to (ZMQ_BINDTODEVICE).
func (s *Socket) GetBindToDevice() (string, error) {
	return getOption(s, func(o *options) string { return o.bindToDevice })
}
