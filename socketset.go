package zmq4

import (
	"strings"
	"time"
)

// RouterNotifyOption is a set of flags for SetRouterNotify.
type RouterNotifyOption int

// Flags for SetRouterNotify; they may be OR'ed.
const (
	NotifyConnect    = 1
	NotifyDisconnect = 2
)

// Flags for SetReconnectStop; they may be OR'ed.
const (
	ReconnectStopConnRefused     = 1
	ReconnectStopHandshakeFailed = 2
	ReconnectStopAfterDisconnect = 4
)

// setOption runs set on the socket's options with the socket locked, once
// the socket is known to be open and its context alive.
func (s *Socket) setOption(set func(o *options) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.watching.Load() > 0 {
		// An option can change readiness (a subscription, REQ_RELAXED,
		// a HWM): pollers look at the socket again.
		defer s.signal()
	}
	if err := s.checkUsable(); err != nil {
		return err
	}
	return set(&s.opt)
}

// setTypedOption is setOption for an option only some socket types accept;
// the others give EINVAL, as in libzmq.
func (s *Socket) setTypedOption(types []Type, set func(o *options) error) error {
	return s.setOption(func(o *options) error {
		if !typeIn(s.typ, types) {
			return einval
		}
		return set(o)
	})
}

// setAsServer records the security role. libzmq keeps one server flag for
// every mechanism, so both of ours move together.
func (o *options) setAsServer(server bool) {
	o.plainServer = server
	o.curveServer = server
}

// SetSndhwm sets the high water mark for outbound messages (ZMQ_SNDHWM). As
// in libzmq 4.2 and later it also resizes the queues of connections that
// exist (over inproc, to this value plus the peer's RCVHWM when the two
// met); connections made later for an earlier Bind or Connect use the value
// that Bind or Connect saw (see Socket).
func (s *Socket) SetSndhwm(value int) error {
	return s.setOption(func(o *options) error {
		if value < 0 {
			return einval
		}
		o.sndhwm = value
		s.hwmChangedLocked()
		return nil
	})
}

// SetRcvhwm sets the high water mark for inbound messages (ZMQ_RCVHWM). As
// in libzmq 4.2 and later it also resizes the queues of tcp, ipc, ws and udp
// connections that exist; an existing inproc queue keeps the limit its
// sender set, as libzmq's does. Connections made later for an earlier Bind
// or Connect use the value that Bind or Connect saw (see Socket).
func (s *Socket) SetRcvhwm(value int) error {
	return s.setOption(func(o *options) error {
		if value < 0 {
			return einval
		}
		o.rcvhwm = value
		s.hwmChangedLocked()
		return nil
	})
}

// SetAffinity sets the I/O thread affinity (ZMQ_AFFINITY); it is stored but has no effect in this implementation.
func (s *Socket) SetAffinity(value uint64) error {
	return s.setOption(func(o *options) error {
		o.affinity = value
		return nil
	})
}

// SetSubscribe adds a message filter on a SUB or XSUB socket (ZMQ_SUBSCRIBE).
func (s *Socket) SetSubscribe(filter string) error {
	return s.setOption(func(o *options) error {
		return s.subscribeLocked([]byte(filter), true)
	})
}

// SetUnsubscribe removes a message filter added by SetSubscribe (ZMQ_UNSUBSCRIBE).
func (s *Socket) SetUnsubscribe(filter string) error {
	return s.setOption(func(o *options) error {
		return s.subscribeLocked([]byte(filter), false)
	})
}

// SetIdentity sets the socket's routing id (ZMQ_IDENTITY), 1 to 255 bytes.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetIdentity(value string) error {
	return s.setOption(func(o *options) error {
		if len(value) == 0 || len(value) > maxShortOptionLen {
			return einval
		}
		o.identity = value
		return nil
	})
}

// SetRate sets the multicast data rate (ZMQ_RATE); it is stored but has no effect in this implementation.
func (s *Socket) SetRate(value int) error {
	return s.setOption(func(o *options) error {
		if value <= 0 {
			return einval
		}
		o.rate = value
		return nil
	})
}

// SetRecoveryIvl sets the multicast recovery interval (ZMQ_RECOVERY_IVL); it is stored but has no effect in this implementation.
func (s *Socket) SetRecoveryIvl(value time.Duration) error {
	return s.setOption(func(o *options) error {
		d, err := nonNegativeMillis(value)
		if err != nil {
			return err
		}
		o.recoveryIvl = d
		return nil
	})
}

// SetSndbuf sets the kernel send buffer size (ZMQ_SNDBUF); -1 keeps the OS default.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetSndbuf(value int) error {
	return s.setOption(func(o *options) error {
		return setAtLeast(&o.sndbuf, value, -1)
	})
}

// SetRcvbuf sets the kernel receive buffer size (ZMQ_RCVBUF); -1 keeps the OS default.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetRcvbuf(value int) error {
	return s.setOption(func(o *options) error {
		return setAtLeast(&o.rcvbuf, value, -1)
	})
}

// SetLinger sets how long Close lets pending messages be sent (ZMQ_LINGER); a negative value means forever.
func (s *Socket) SetLinger(value time.Duration) error {
	return s.setOption(func(o *options) error {
		o.linger = durationFromOption(value)
		return nil
	})
}

// SetReconnectIvl sets the reconnection interval (ZMQ_RECONNECT_IVL); a negative value disables reconnection.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetReconnectIvl(value time.Duration) error {
	return s.setOption(func(o *options) error {
		o.reconnectIvl = durationFromOption(value)
		return nil
	})
}

// SetReconnectIvlMax sets the maximum reconnection interval for exponential backoff (ZMQ_RECONNECT_IVL_MAX); 0 disables backoff.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetReconnectIvlMax(value time.Duration) error {
	return s.setOption(func(o *options) error {
		d, err := nonNegativeMillis(value)
		if err != nil {
			return err
		}
		o.reconnectIvlMax = d
		return nil
	})
}

// SetBacklog sets the listen queue length for bound TCP and IPC endpoints (ZMQ_BACKLOG).
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetBacklog(value int) error {
	return s.setOption(func(o *options) error {
		return setAtLeast(&o.backlog, value, 0)
	})
}

// SetMaxmsgsize sets the largest inbound message accepted (ZMQ_MAXMSGSIZE); -1 means no limit.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetMaxmsgsize(value int64) error {
	return s.setOption(func(o *options) error {
		o.maxmsgsize = value
		return nil
	})
}

// SetMulticastHops sets the TTL of the datagrams a RADIO sends to a udp multicast group (ZMQ_MULTICAST_HOPS, 1 to 255 over udp; default 1).
func (s *Socket) SetMulticastHops(value int) error {
	return s.setOption(func(o *options) error {
		if value <= 0 {
			return einval
		}
		o.multicastHops = value
		return nil
	})
}

// SetMulticastLoop sets whether the multicast datagrams a RADIO sends over udp also reach the sending host's own members (ZMQ_MULTICAST_LOOP, draft; default true).
func (s *Socket) SetMulticastLoop(value bool) error {
	return s.setOption(func(o *options) error {
		o.multicastLoop = value
		return nil
	})
}

// SetRcvtimeo sets how long a receive may block before EAGAIN (ZMQ_RCVTIMEO); a negative value means forever.
func (s *Socket) SetRcvtimeo(value time.Duration) error {
	return s.setOption(func(o *options) error {
		o.rcvtimeo = durationFromOption(value)
		return nil
	})
}

// SetSndtimeo sets how long a send may block before EAGAIN (ZMQ_SNDTIMEO); a negative value means forever.
func (s *Socket) SetSndtimeo(value time.Duration) error {
	return s.setOption(func(o *options) error {
		o.sndtimeo = durationFromOption(value)
		return nil
	})
}

// SetIpv6 enables IPv6 on the socket's tcp, ws and udp endpoints (ZMQ_IPV6).
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetIpv6(value bool) error {
	return s.setOption(func(o *options) error {
		o.ipv6 = value
		return nil
	})
}

// SetIpv4only is the deprecated inverse of SetIpv6 (ZMQ_IPV4ONLY).
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetIpv4only(value bool) error {
	return s.setOption(func(o *options) error {
		o.ipv6 = !value
		return nil
	})
}

// SetImmediate queues messages only to completed connections (ZMQ_IMMEDIATE).
func (s *Socket) SetImmediate(value bool) error {
	return s.setOption(func(o *options) error {
		o.immediate = value
		return nil
	})
}

// SetRouterMandatory makes a ROUTER report unroutable messages with EHOSTUNREACH (ZMQ_ROUTER_MANDATORY).
func (s *Socket) SetRouterMandatory(value int) error {
	return s.setTypedOption(routerOptionTypes, func(o *options) error {
		return setFlag(&o.routerMandatory, value)
	})
}

// SetRouterRaw switches a ROUTER socket to raw mode (ZMQ_ROUTER_RAW), the
// mode STREAM sockets replaced (deprecated in libzmq). Like every option a
// connection uses, it is read at Bind and Connect (see Socket): the
// connections of endpoints opened while it is set speak no ZMTP: the peers are plain TCP (or ipc)
// endpoints, as with STREAM (inproc peers are unaffected, as in libzmq).
// Each connection gets a generated 5-byte id (or
// its CONNECT_ROUTING_ID); the socket receives [id, ""] when a connection
// opens and when the peer closes it, and [id, bytes] for data as it arrives;
// sending [id, bytes] writes the bytes, and [id, ""] closes the connection
// (with no notification). Parts after the second are dropped. libzmq 4.3 closes the
// connection on [id, ""] only when it next hears from it; here it closes at
// once. On REP (accepted, as libzmq's REP is built on ROUTER) it is stored
// only.
func (s *Socket) SetRouterRaw(value int) error {
	return s.setTypedOption(routerOptionTypes, func(o *options) error {
		return setFlag(&o.routerRaw, value)
	})
}

// SetProbeRouter makes a ROUTER, REP, DEALER or REQ socket send an empty
// one-part message to each new peer (ZMQ_PROBE_ROUTER), so that a ROUTER
// peer receives [routing id, ""] and learns the id at once. As in libzmq the
// probe is queued when the peer's pipe joins the socket, ahead of any
// application message: for a ROUTER after each handshake; for DEALER, REQ
// and REP on the pipe an inproc or accepted connection makes, and on a
// connecting socket's pipe when Connect is called (that pipe outlives
// reconnections unless IMMEDIATE is set, so the peer is probed once per
// Connect). The probe is not a request: a REQ's send/receive state is
// unchanged. Set it before Bind or Connect; pipes that already exist are
// not probed.
func (s *Socket) SetProbeRouter(value int) error {
	return s.setTypedOption(probeRouterTypes, func(o *options) error {
		return setFlag(&o.probeRouter, value)
	})
}

// SetXpubVerbose passes all subscribe messages, not only new ones, to the XPUB application (ZMQ_XPUB_VERBOSE).
func (s *Socket) SetXpubVerbose(value int) error {
	return s.setTypedOption(xpubOptionTypes, func(o *options) error {
		on, err := flagFromInt(value)
		if err != nil {
			return err
		}
		o.xpubVerbose = on
		o.xpubVerboser = false
		return nil
	})
}

// SetXpubVerboser passes all subscribe and unsubscribe messages to the XPUB application (ZMQ_XPUB_VERBOSER).
func (s *Socket) SetXpubVerboser(value int) error {
	return s.setTypedOption(xpubOptionTypes, func(o *options) error {
		on, err := flagFromInt(value)
		if err != nil {
			return err
		}
		o.xpubVerbose = on
		o.xpubVerboser = on
		return nil
	})
}

// SetXpubNodrop makes sends on a full XPUB or PUB fail with EAGAIN instead of dropping (ZMQ_XPUB_NODROP).
// As in libzmq, a non-blocking send judges a tcp, ipc or ws subscriber's
// room by what its connection had taken when the socket last looked: at
// most a millisecond ago, at the last blocking send or at the last receive.
func (s *Socket) SetXpubNodrop(value bool) error {
	return s.setTypedOption(xpubNodropTypes, func(o *options) error {
		o.xpubNodrop = value
		return nil
	})
}

// SetXpubManual lets the XPUB application manage subscriptions itself (ZMQ_XPUB_MANUAL).
func (s *Socket) SetXpubManual(value int) error {
	return s.setTypedOption(xpubOptionTypes, func(o *options) error {
		return setFlag(&o.xpubManual, value)
	})
}

// SetXpubManualLastValue is SetXpubManual, and moreover the first message
// sent after the application received a subscription goes to the
// subscriber it came from alone, if that subscriber now matches it
// (ZMQ_XPUB_MANUAL_LAST_VALUE, a draft option of libzmq): a last-value
// cache sends a newcomer the topic's last value this way. A later
// SetXpubManual keeps this choice.
func (s *Socket) SetXpubManualLastValue(value int) error {
	return s.setTypedOption(xpubOptionTypes, func(o *options) error {
		if err := setFlag(&o.xpubManual, value); err != nil {
			return err
		}
		o.xpubSendLastPipe = o.xpubManual
		return nil
	})
}

// SetXpubWelcomeMsg sets a message an XPUB sends to each new subscriber (ZMQ_XPUB_WELCOME_MSG); "" removes it.
func (s *Socket) SetXpubWelcomeMsg(value string) error {
	return s.setTypedOption(xpubOptionTypes, func(o *options) error {
		o.xpubWelcomeMsg = optionalBytes(value)
		return nil
	})
}

// SetOnlyFirstSubscribe sets ZMQ_ONLY_FIRST_SUBSCRIBE on an XPUB, PUB or
// XSUB socket. It acts as libzmq 4.3's code does, which is not quite what
// libzmq's manual says. By default every part of a multipart message that
// starts with 0x01 (or 0x00) is a subscription (or unsubscription) whatever
// its place, and the other parts are data. With the option set, a message
// whose first part is not a (un)subscription is data in all its parts, even
// parts that start with 0x01 or 0x00; a message whose first part is a
// (un)subscription has its later parts looked at as by default.
//
// On XSUB (messages the application sends) (un)subscription parts update
// the socket's subscriptions and go upstream with the data parts; an
// unsubscription from a topic not subscribed is dropped (libzmq then leaves
// the message open when that part was the last; here the parts kept go as
// one whole message). On XPUB (messages from subscribers) (un)subscription
// parts are applied and reported to the application as one-part messages
// where XPUB_VERBOSE/VERBOSER/MANUAL say so, and data parts are passed on.
// As in libzmq the application receives these parts in order and the data
// parts keep their MORE flags: a report that follows data parts of the same
// message ends that message, and data parts followed by no report stay open
// until the next part arrives. PUB drops the data parts.
func (s *Socket) SetOnlyFirstSubscribe(value bool) error {
	return s.setTypedOption(onlyFirstSubscribeType, func(o *options) error {
		o.onlyFirstSubscribe = value
		return nil
	})
}

// SetReqCorrelate makes a REQ socket tag requests and match replies to them (ZMQ_REQ_CORRELATE).
func (s *Socket) SetReqCorrelate(value int) error {
	return s.setTypedOption(reqOptionTypes, func(o *options) error {
		return setFlag(&o.reqCorrelate, value)
	})
}

// SetReqRelaxed lets a REQ socket send a new request without waiting for the reply (ZMQ_REQ_RELAXED).
func (s *Socket) SetReqRelaxed(value int) error {
	return s.setTypedOption(reqOptionTypes, func(o *options) error {
		return setFlag(&o.reqRelaxed, value)
	})
}

// SetTcpKeepalive overrides SO_KEEPALIVE (ZMQ_TCP_KEEPALIVE): -1 OS default, 0 off, 1 on.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetTcpKeepalive(value int) error {
	return s.setOption(func(o *options) error {
		if value < -1 || value > 1 {
			return einval
		}
		o.tcpKeepalive = value
		return nil
	})
}

// SetTcpKeepaliveIdle overrides TCP_KEEPIDLE in seconds (ZMQ_TCP_KEEPALIVE_IDLE); -1 keeps the OS default.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetTcpKeepaliveIdle(value int) error {
	return s.setOption(func(o *options) error {
		return setAtLeast(&o.tcpKeepaliveIdle, value, -1)
	})
}

// SetTcpKeepaliveCnt overrides TCP_KEEPCNT (ZMQ_TCP_KEEPALIVE_CNT); -1 keeps the OS default.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetTcpKeepaliveCnt(value int) error {
	return s.setOption(func(o *options) error {
		return setAtLeast(&o.tcpKeepaliveCnt, value, -1)
	})
}

// SetTcpKeepaliveIntvl overrides TCP_KEEPINTVL in seconds (ZMQ_TCP_KEEPALIVE_INTVL); -1 keeps the OS default.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetTcpKeepaliveIntvl(value int) error {
	return s.setOption(func(o *options) error {
		return setAtLeast(&o.tcpKeepaliveIntvl, value, -1)
	})
}

// SetTcpAcceptFilter adds an address or CIDR range allowed to connect over TCP (ZMQ_TCP_ACCEPT_FILTER); "" clears the list.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetTcpAcceptFilter(filter string) error {
	return s.setOption(func(o *options) error {
		if filter == "" {
			o.acceptFilters = nil
			return nil
		}
		p, err := parseAcceptFilter(filter, o.ipv6)
		if err != nil {
			return err
		}
		o.acceptFilters = append(o.acceptFilters, p)
		return nil
	})
}

// SetIpcFilterPid adds a process id allowed to connect over ipc
// (ZMQ_IPC_FILTER_PID); -1 clears the list. With any IPC filter set, an
// ipc Bind accepts only peers whose process id, user id or group id (or
// one of the user's supplementary groups) is listed; the others are
// disconnected at once, as in libzmq. Linux only: elsewhere no peer passes
// a filter. Like every option a connection uses, it is read at Bind.
func (s *Socket) SetIpcFilterPid(pid int) error {
	return s.setOption(func(o *options) error { return addIPCFilter(&o.ipcFilters.PIDs, pid) })
}

// SetIpcFilterUid adds a user id allowed to connect over ipc
// (ZMQ_IPC_FILTER_UID); -1 clears the list. See SetIpcFilterPid.
func (s *Socket) SetIpcFilterUid(uid int) error {
	return s.setOption(func(o *options) error { return addIPCFilter(&o.ipcFilters.UIDs, uid) })
}

// SetIpcFilterGid adds a group id allowed to connect over ipc
// (ZMQ_IPC_FILTER_GID); -1 clears the list. See SetIpcFilterPid.
func (s *Socket) SetIpcFilterGid(gid int) error {
	return s.setOption(func(o *options) error { return addIPCFilter(&o.ipcFilters.GIDs, gid) })
}

// SetPlainServer makes the socket a PLAIN server (ZMQ_PLAIN_SERVER): 1 selects PLAIN as server, 0 returns to NULL.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetPlainServer(value int) error {
	return s.setOption(func(o *options) error {
		on, err := strictFlagFromInt(value)
		if err != nil {
			return err
		}
		o.setAsServer(on)
		if on {
			o.mechanism = PLAIN
		} else {
			o.mechanism = NULL
		}
		return nil
	})
}

// SetPlainUsername sets the PLAIN username and makes the socket a PLAIN client (ZMQ_PLAIN_USERNAME); "" returns to NULL.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetPlainUsername(username string) error {
	return s.setOption(func(o *options) error {
		return o.setPlainCredential(&o.plainUsername, username)
	})
}

// SetPlainPassword sets the PLAIN password and makes the socket a PLAIN client (ZMQ_PLAIN_PASSWORD); "" returns to NULL.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetPlainPassword(password string) error {
	return s.setOption(func(o *options) error {
		return o.setPlainCredential(&o.plainPassword, password)
	})
}

// setPlainCredential stores a PLAIN username or password as libzmq does:
// an empty value selects NULL security and leaves the stored one alone.
func (o *options) setPlainCredential(field *string, value string) error {
	if value == "" {
		o.mechanism = NULL
		return nil
	}
	if len(value) > maxShortOptionLen {
		return einval
	}
	*field = value
	o.setAsServer(false)
	o.mechanism = PLAIN
	return nil
}

// SetCurveServer makes the socket a CURVE server (ZMQ_CURVE_SERVER): 1 selects CURVE as server, 0 returns to NULL.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetCurveServer(value int) error {
	return s.setOption(func(o *options) error {
		on, err := strictFlagFromInt(value)
		if err != nil {
			return err
		}
		o.setAsServer(on)
		if on {
			o.mechanism = CURVE
		} else {
			o.mechanism = NULL
		}
		return nil
	})
}

// SetCurvePublickey sets the socket's CURVE public key, 32 bytes or 40 Z85 characters (ZMQ_CURVE_PUBLICKEY).
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetCurvePublickey(key string) error {
	return s.setOption(func(o *options) error {
		return o.setCurveKey(&o.curvePublicKey, key)
	})
}

// SetCurveSecretkey sets the socket's CURVE secret key, 32 bytes or 40 Z85 characters (ZMQ_CURVE_SECRETKEY).
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetCurveSecretkey(key string) error {
	return s.setOption(func(o *options) error {
		return o.setCurveKey(&o.curveSecretKey, key)
	})
}

// SetCurveServerkey sets the server's CURVE public key and makes the socket a CURVE client (ZMQ_CURVE_SERVERKEY).
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetCurveServerkey(key string) error {
	return s.setOption(func(o *options) error {
		if err := o.setCurveKey(&o.curveServerKey, key); err != nil {
			return err
		}
		o.setAsServer(false)
		return nil
	})
}

// setCurveKey stores a CURVE key given raw or in Z85 (optionally with the
// terminating NUL a C caller passes), and selects CURVE security.
func (o *options) setCurveKey(field *[]byte, key string) error {
	raw, err := decodeCurveKey(key)
	if err != nil {
		return err
	}
	*field = raw
	o.mechanism = CURVE
	return nil
}

// SetZapDomain sets the ZAP authentication domain (ZMQ_ZAP_DOMAIN), 1 to 255 bytes.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetZapDomain(domain string) error {
	return s.setOption(func(o *options) error {
		if len(domain) == 0 || len(domain) > maxShortOptionLen {
			return einval
		}
		o.zapDomain = domain
		return nil
	})
}

// SetZapEnforceDomain makes a server require a ZAP handler even for NULL security with no domain (ZMQ_ZAP_ENFORCE_DOMAIN).
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetZapEnforceDomain(value bool) error {
	return s.setOption(func(o *options) error {
		o.zapEnforceDomain = value
		return nil
	})
}

// SetConflate keeps only the last message in the queues (ZMQ_CONFLATE).
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetConflate(value bool) error {
	return s.setOption(func(o *options) error {
		o.conflate = value
		return nil
	})
}

// SetRouterHandover lets a new peer take over a routing id already in use on a ROUTER (ZMQ_ROUTER_HANDOVER).
func (s *Socket) SetRouterHandover(value bool) error {
	return s.setTypedOption(routerOptionTypes, func(o *options) error {
		o.routerHandover = value
		return nil
	})
}

// SetTos sets the IP type-of-service field of TCP connections (ZMQ_TOS).
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetTos(value int) error {
	return s.setOption(func(o *options) error {
		return setAtLeast(&o.tos, value, 0)
	})
}

// SetPriority sets the SO_PRIORITY of the socket's tcp and ws connections
// and of its tcp listening sockets (ZMQ_PRIORITY, a draft option in libzmq
// 4.3). 0, the default, leaves the system's. Values above 6 need
// CAP_NET_ADMIN: without it Bind fails with EPERM, and each connection
// attempt of Connect fails and is retried. Linux only; elsewhere the value
// is stored and has no effect.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetPriority(value int) error {
	return s.setOption(func(o *options) error {
		return setAtLeast(&o.priority, value, 0)
	})
}

// SetConnectRid sets the routing id given to the peer of the next Connect on a ROUTER or STREAM (ZMQ_CONNECT_RID).
func (s *Socket) SetConnectRid(value string) error {
	return s.setTypedOption(connectRidTypes, func(o *options) error {
		rid, err := shortBytes(value)
		if err != nil {
			return err
		}
		o.connectRid = rid
		return nil
	})
}

// SetGssapiServer sets the GSSAPI server role (ZMQ_GSSAPI_SERVER); it is stored but has no effect in this implementation.
func (s *Socket) SetGssapiServer(value bool) error {
	return s.setOption(func(o *options) error {
		o.gssapiServer = value
		return nil
	})
}

// SetGssapiPrincipal sets the GSSAPI principal (ZMQ_GSSAPI_PRINCIPAL); it is stored but has no effect in this implementation.
func (s *Socket) SetGssapiPrincipal(value string) error {
	return s.setOption(func(o *options) error {
		if len(value) == 0 || len(value) > maxShortOptionLen {
			return einval
		}
		o.gssapiPrincipal = value
		return nil
	})
}

// SetGssapiServicePrincipal sets the GSSAPI service principal (ZMQ_GSSAPI_SERVICE_PRINCIPAL); it is stored but has no effect in this implementation.
func (s *Socket) SetGssapiServicePrincipal(value string) error {
	return s.setOption(func(o *options) error {
		if len(value) == 0 || len(value) > maxShortOptionLen {
			return einval
		}
		o.gssapiServicePrincipal = value
		return nil
	})
}

// SetGssapiPlaintext disables GSSAPI encryption (ZMQ_GSSAPI_PLAINTEXT); it is stored but has no effect in this implementation.
func (s *Socket) SetGssapiPlaintext(value bool) error {
	return s.setOption(func(o *options) error {
		o.gssapiPlaintext = value
		return nil
	})
}

// SetHandshakeIvl sets the maximum time for the ZMTP handshake (ZMQ_HANDSHAKE_IVL); 0 means no limit.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetHandshakeIvl(value time.Duration) error {
	return s.setOption(func(o *options) error {
		d, err := nonNegativeMillis(value)
		if err != nil {
			return err
		}
		o.handshakeIvl = d
		return nil
	})
}

// SetSocksProxy sets the SOCKS5 proxy "host:port" used for TCP connects (ZMQ_SOCKS_PROXY); "" removes it.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetSocksProxy(value string) error {
	return s.setOption(func(o *options) error {
		o.socksProxy = value
		return nil
	})
}

// SetSocksUsername sets the username for SOCKS5 proxy authentication (ZMQ_SOCKS_USERNAME, draft); "" means none, at most 255 bytes.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetSocksUsername(value string) error {
	return s.setOption(func(o *options) error {
		return setSocksCredential(&o.socksUsername, value)
	})
}

// SetSocksPassword sets the password sent with the SOCKS5 username (ZMQ_SOCKS_PASSWORD, draft); at most 255 bytes.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetSocksPassword(value string) error {
	return s.setOption(func(o *options) error {
		return setSocksCredential(&o.socksPassword, value)
	})
}

// SetWssKeyPem sets the PEM private key a wss bind serves TLS with (ZMQ_WSS_KEY_PEM, draft), read at Bind.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetWssKeyPem(value string) error {
	return s.setOption(func(o *options) error {
		o.wssKeyPem = value
		return nil
	})
}

// SetWssCertPem sets the PEM certificate (chain) a wss bind serves TLS with (ZMQ_WSS_CERT_PEM, draft), read at Bind.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetWssCertPem(value string) error {
	return s.setOption(func(o *options) error {
		o.wssCertPem = value
		return nil
	})
}

// SetWssTrustPem sets the PEM certificates a wss connect trusts the server's chain to (ZMQ_WSS_TRUST_PEM, draft), read at Connect.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetWssTrustPem(value string) error {
	return s.setOption(func(o *options) error {
		o.wssTrustPem = value
		return nil
	})
}

// SetWssHostname sets the name a wss connect checks the server's certificate against and sends as SNI (ZMQ_WSS_HOSTNAME, draft); "" checks the chain only.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetWssHostname(value string) error {
	return s.setOption(func(o *options) error {
		o.wssHostname = value
		return nil
	})
}

// SetWssTrustSystem makes a wss connect also trust the system's certificate store (ZMQ_WSS_TRUST_SYSTEM, draft).
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetWssTrustSystem(value bool) error {
	return s.setOption(func(o *options) error {
		o.wssTrustSystem = value
		return nil
	})
}

// setSocksCredential stores a SOCKS5 username or password of 0..255 bytes.
func setSocksCredential(dst *string, value string) error {
	if len(value) > maxShortOptionLen {
		return einval
	}
	*dst = value
	return nil
}

// SetStreamNotify makes a STREAM socket deliver empty messages on connect and disconnect (ZMQ_STREAM_NOTIFY), 0 or 1.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetStreamNotify(value int) error {
	return s.setTypedOption(streamOptionTypes, func(o *options) error {
		on, err := strictFlagFromInt(value)
		if err != nil {
			return err
		}
		o.streamNotify = on
		return nil
	})
}

// SetInvertMatching inverts subscription matching on PUB, XPUB, SUB and XSUB sockets (ZMQ_INVERT_MATCHING).
func (s *Socket) SetInvertMatching(value int) error {
	return s.setOption(func(o *options) error {
		o.invertMatching = value != 0
		return nil
	})
}

// SetHeartbeatIvl sets the interval between ZMTP PINGs (ZMQ_HEARTBEAT_IVL); 0 disables heartbeats.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetHeartbeatIvl(value time.Duration) error {
	return s.setOption(func(o *options) error {
		d, err := nonNegativeMillis(value)
		if err != nil {
			return err
		}
		o.heartbeatIvl = d
		return nil
	})
}

// SetHeartbeatTtl sets the time-to-live the peer is asked to apply (ZMQ_HEARTBEAT_TTL), kept in tenths of a second up to 6553.5 s.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetHeartbeatTtl(value time.Duration) error {
	return s.setOption(func(o *options) error {
		ms := value / time.Millisecond
		// libzmq keeps deciseconds, dividing the millisecond value with
		// truncation toward zero.
		ttl := ms / 100 * 100 * time.Millisecond
		if ttl < 0 || ttl > maxHeartbeatTTL {
			return einval
		}
		o.heartbeatTTL = ttl
		return nil
	})
}

// SetHeartbeatTimeout sets how long to wait for traffic after a PING before closing the connection (ZMQ_HEARTBEAT_TIMEOUT).
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetHeartbeatTimeout(value time.Duration) error {
	return s.setOption(func(o *options) error {
		d, err := nonNegativeMillis(value)
		if err != nil {
			return err
		}
		o.heartbeatTimeout = d
		return nil
	})
}

// SetConnectTimeout sets the timeout of a TCP connect (ZMQ_CONNECT_TIMEOUT); 0 means the OS default.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetConnectTimeout(value time.Duration) error {
	return s.setOption(func(o *options) error {
		d, err := nonNegativeMillis(value)
		if err != nil {
			return err
		}
		o.connectTimeout = d
		return nil
	})
}

// SetTcpMaxrt sets TCP_USER_TIMEOUT, the maximum retransmission time (ZMQ_TCP_MAXRT); 0 means the OS default.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetTcpMaxrt(value time.Duration) error {
	return s.setOption(func(o *options) error {
		d, err := nonNegativeMillis(value)
		if err != nil {
			return err
		}
		o.tcpMaxrt = d
		return nil
	})
}

// SetMulticastMaxtpdu sets the multicast transport data unit size (ZMQ_MULTICAST_MAXTPDU); it is stored but has no effect in this implementation.
func (s *Socket) SetMulticastMaxtpdu(value int) error {
	return s.setOption(func(o *options) error {
		if value <= 0 {
			return einval
		}
		o.multicastMaxtpdu = value
		return nil
	})
}

// SetVmciBufferSize sets the VMCI buffer size (ZMQ_VMCI_BUFFER_SIZE); it is stored but has no effect in this implementation.
func (s *Socket) SetVmciBufferSize(value uint64) error {
	return s.setOption(func(o *options) error {
		o.vmciBufferSize = value
		return nil
	})
}

// SetVmciBufferMinSize sets the VMCI minimum buffer size (ZMQ_VMCI_BUFFER_MIN_SIZE); it is stored but has no effect in this implementation.
func (s *Socket) SetVmciBufferMinSize(value uint64) error {
	return s.setOption(func(o *options) error {
		o.vmciBufferMinSize = value
		return nil
	})
}

// SetVmciBufferMaxSize sets the VMCI maximum buffer size (ZMQ_VMCI_BUFFER_MAX_SIZE); it is stored but has no effect in this implementation.
func (s *Socket) SetVmciBufferMaxSize(value uint64) error {
	return s.setOption(func(o *options) error {
		o.vmciBufferMaxSize = value
		return nil
	})
}

// SetVmciConnectTimeout sets the VMCI connect timeout (ZMQ_VMCI_CONNECT_TIMEOUT); it is stored but has no effect in this implementation.
func (s *Socket) SetVmciConnectTimeout(value time.Duration) error {
	return s.setOption(func(o *options) error {
		o.vmciConnectTimeout = value / time.Millisecond * time.Millisecond
		return nil
	})
}

// SetUseFd sets a socket the application already bound and listens on
// (ZMQ_USE_FD), -1 for none: the next tcp or ipc Bind accepts on it instead
// of binding one, and the socket owns the descriptor from then on. As in
// libzmq, an ipc socket file bound this way is the application's to remove.
func (s *Socket) SetUseFd(value int) error {
	return s.setOption(func(o *options) error {
		return setAtLeast(&o.useFd, value, -1)
	})
}

// ---- draft options (libzmq's DRAFT API) ----

// SetRouterNotify makes a ROUTER deliver an empty message with the peer's routing id on connect and/or disconnect (ZMQ_ROUTER_NOTIFY).
func (s *Socket) SetRouterNotify(value RouterNotifyOption) error {
	return s.setTypedOption(routerOptionTypes, func(o *options) error {
		if value < 0 || value > NotifyConnect|NotifyDisconnect {
			return einval
		}
		o.routerNotify = int(value)
		return nil
	})
}

// SetHelloMsg sets a message sent to each new peer on connect (ZMQ_HELLO_MSG); "" removes it.
func (s *Socket) SetHelloMsg(value string) error {
	return s.setOption(func(o *options) error {
		o.helloMsg = optionalBytes(value)
		return nil
	})
}

// SetDisconnectMsg sets a message the socket receives when an accepted peer disconnects (ZMQ_DISCONNECT_MSG); "" removes it.
func (s *Socket) SetDisconnectMsg(value string) error {
	return s.setOption(func(o *options) error {
		o.disconnectMsg = optionalBytes(value)
		return nil
	})
}

// SetHiccupMsg sets a message the socket receives when a connected peer drops and reconnects (ZMQ_HICCUP_MSG); "" removes it.
func (s *Socket) SetHiccupMsg(value string) error {
	return s.setOption(func(o *options) error {
		o.hiccupMsg = optionalBytes(value)
		return nil
	})
}

// SetReconnectStop stops reconnecting after the conditions given as ReconnectStop* flags (ZMQ_RECONNECT_STOP).
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetReconnectStop(value int) error {
	return s.setOption(func(o *options) error {
		o.reconnectStop = value
		return nil
	})
}

// SetMetadata adds an application metadata property "X-name:value" sent in the handshake (ZMQ_METADATA).
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetMetadata(property string) error {
	return s.setOption(func(o *options) error {
		name, value, found := strings.Cut(property, ":")
		if !found || value == "" || !strings.HasPrefix(name, "X-") || len(name) > maxShortOptionLen {
			return einval
		}
		// As in libzmq, a name set twice keeps its first value.
		for _, kv := range o.metadata {
			if kv[0] == name {
				return nil
			}
		}
		o.metadata = append(o.metadata, [2]string{name, value})
		return nil
	})
}

// SetBindToDevice binds the socket's TCP connections to a network interface (ZMQ_BINDTODEVICE); "" removes the binding.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) SetBindToDevice(device string) error {
	return s.setOption(func(o *options) error {
		if len(device) > maxDeviceNameLen {
			return einval
		}
		o.bindToDevice = device
		return nil
	})
}
