package main

/*
#include "pz.h"
*/
import "C"

import (
	"syscall"
	"time"
	"unsafe"

	zmq "github.com/purezmq/zmq4"
)

// How an option's value is passed in C.
type optKind int

const (
	kInt    optKind = iota // int, sizeof(int) bytes exactly
	kBool                  // int that must be 0 or 1
	kMillis                // int milliseconds, -1 infinite
	kInt64                 // int64_t
	kUint64                // uint64_t
	kBinary                // bytes, read back without a NUL
	kString                // bytes, read back with a NUL
	kCurve                 // 32 raw bytes or 40 (41 with NUL) Z85 chars
)

// optSpec binds a libzmq option number to the Go package's getter/setter.
// Only the fields that fit the kind are set; a nil getter or setter makes
// that direction EINVAL, as libzmq does for write-only or read-only options.
type optSpec struct {
	kind   optKind
	setInt func(*zmq.Socket, int) error
	getInt func(*zmq.Socket) (int, error)
	setStr func(*zmq.Socket, string) error
	getStr func(*zmq.Socket) (string, error)
	getZ85 func(*zmq.Socket) (string, error) // kCurve
	set64  func(*zmq.Socket, int64) error
	get64  func(*zmq.Socket) (int64, error)
	// shadow: the Go package takes the value but has no getter; the C API
	// remembers the last value set (def before that) and reads it back.
	shadow bool
	def    int
}

// shadowed makes an int option readable by remembering what was set.
func shadowed(o optSpec, def int) optSpec {
	o.shadow = true
	o.def = def
	return o
}

// noop is the setter of an option that is accepted, remembered and read
// back, and has no effect here (its doc in README.md says so).
func noop(*zmq.Socket, int) error { return nil }

func ms(v int) time.Duration { return time.Duration(v) * time.Millisecond }

func fromMs(d time.Duration, err error) (int, error) {
	if d < 0 {
		return -1, err
	}
	return int(d / time.Millisecond), err
}

func bi(b bool, err error) (int, error) {
	if b {
		return 1, err
	}
	return 0, err
}

func intOpt(set func(*zmq.Socket, int) error, get func(*zmq.Socket) (int, error)) optSpec {
	return optSpec{kind: kInt, setInt: set, getInt: get}
}

func boolOpt(set func(*zmq.Socket, bool) error, get func(*zmq.Socket) (bool, error)) optSpec {
	o := optSpec{kind: kBool}
	if set != nil {
		o.setInt = func(s *zmq.Socket, v int) error { return set(s, v != 0) }
	}
	if get != nil {
		o.getInt = func(s *zmq.Socket) (int, error) { return bi(get(s)) }
	}
	return o
}

func msOpt(set func(*zmq.Socket, time.Duration) error, get func(*zmq.Socket) (time.Duration, error)) optSpec {
	o := optSpec{kind: kMillis}
	if set != nil {
		o.setInt = func(s *zmq.Socket, v int) error { return set(s, ms(v)) }
	}
	if get != nil {
		o.getInt = func(s *zmq.Socket) (int, error) { return fromMs(get(s)) }
	}
	return o
}

func strOpt(kind optKind, set func(*zmq.Socket, string) error, get func(*zmq.Socket) (string, error)) optSpec {
	return optSpec{kind: kind, setStr: set, getStr: get}
}

func curveOpt(set func(*zmq.Socket, string) error, raw, z85 func(*zmq.Socket) (string, error)) optSpec {
	return optSpec{kind: kCurve, setStr: set, getStr: raw, getZ85: z85}
}

func u64Opt(set func(*zmq.Socket, uint64) error, get func(*zmq.Socket) (uint64, error)) optSpec {
	return optSpec{kind: kUint64,
		set64: func(s *zmq.Socket, v int64) error { return set(s, uint64(v)) },
		get64: func(s *zmq.Socket) (int64, error) { v, err := get(s); return int64(v), err },
	}
}

// options maps libzmq's socket option numbers (zmq.h) to the Go package.
var options = map[int]optSpec{
	4:   u64Opt((*zmq.Socket).SetAffinity, (*zmq.Socket).GetAffinity),                                     // AFFINITY
	5:   strOpt(kBinary, (*zmq.Socket).SetIdentity, (*zmq.Socket).GetIdentity),                            // ROUTING_ID
	6:   strOpt(kBinary, (*zmq.Socket).SetSubscribe, nil),                                                 // SUBSCRIBE
	7:   strOpt(kBinary, (*zmq.Socket).SetUnsubscribe, nil),                                               // UNSUBSCRIBE
	8:   intOpt((*zmq.Socket).SetRate, (*zmq.Socket).GetRate),                                             // RATE
	9:   msOpt((*zmq.Socket).SetRecoveryIvl, (*zmq.Socket).GetRecoveryIvl),                                // RECOVERY_IVL
	11:  intOpt((*zmq.Socket).SetSndbuf, (*zmq.Socket).GetSndbuf),                                         // SNDBUF
	12:  intOpt((*zmq.Socket).SetRcvbuf, (*zmq.Socket).GetRcvbuf),                                         // RCVBUF
	13:  boolOpt(nil, (*zmq.Socket).GetRcvmore),                                                           // RCVMORE
	14:  intOpt(nil, (*zmq.Socket).GetFd),                                                                 // FD
	15:  intOpt(nil, func(s *zmq.Socket) (int, error) { e, err := s.GetEvents(); return int(e), err }),    // EVENTS
	16:  intOpt(nil, func(s *zmq.Socket) (int, error) { t, err := s.GetType(); return int(t), err }),      // TYPE
	17:  msOpt((*zmq.Socket).SetLinger, (*zmq.Socket).GetLinger),                                          // LINGER
	18:  msOpt((*zmq.Socket).SetReconnectIvl, (*zmq.Socket).GetReconnectIvl),                              // RECONNECT_IVL
	19:  intOpt((*zmq.Socket).SetBacklog, (*zmq.Socket).GetBacklog),                                       // BACKLOG
	21:  msOpt((*zmq.Socket).SetReconnectIvlMax, (*zmq.Socket).GetReconnectIvlMax),                        // RECONNECT_IVL_MAX
	22:  {kind: kInt64, set64: (*zmq.Socket).SetMaxmsgsize, get64: (*zmq.Socket).GetMaxmsgsize},           // MAXMSGSIZE
	23:  intOpt((*zmq.Socket).SetSndhwm, (*zmq.Socket).GetSndhwm),                                         // SNDHWM
	24:  intOpt((*zmq.Socket).SetRcvhwm, (*zmq.Socket).GetRcvhwm),                                         // RCVHWM
	25:  intOpt((*zmq.Socket).SetMulticastHops, (*zmq.Socket).GetMulticastHops),                           // MULTICAST_HOPS
	27:  msOpt((*zmq.Socket).SetRcvtimeo, (*zmq.Socket).GetRcvtimeo),                                      // RCVTIMEO
	28:  msOpt((*zmq.Socket).SetSndtimeo, (*zmq.Socket).GetSndtimeo),                                      // SNDTIMEO
	31:  boolOpt((*zmq.Socket).SetIpv4only, (*zmq.Socket).GetIpv4only),                                    // IPV4ONLY
	32:  strOpt(kString, nil, (*zmq.Socket).GetLastEndpoint),                                              // LAST_ENDPOINT
	33:  intOpt((*zmq.Socket).SetRouterMandatory, nil),                                                    // ROUTER_MANDATORY
	34:  intOpt((*zmq.Socket).SetTcpKeepalive, (*zmq.Socket).GetTcpKeepalive),                             // TCP_KEEPALIVE
	35:  intOpt((*zmq.Socket).SetTcpKeepaliveCnt, (*zmq.Socket).GetTcpKeepaliveCnt),                       // TCP_KEEPALIVE_CNT
	36:  intOpt((*zmq.Socket).SetTcpKeepaliveIdle, (*zmq.Socket).GetTcpKeepaliveIdle),                     // TCP_KEEPALIVE_IDLE
	37:  intOpt((*zmq.Socket).SetTcpKeepaliveIntvl, (*zmq.Socket).GetTcpKeepaliveIntvl),                   // TCP_KEEPALIVE_INTVL
	38:  strOpt(kString, (*zmq.Socket).SetTcpAcceptFilter, nil),                                           // TCP_ACCEPT_FILTER
	39:  boolOpt((*zmq.Socket).SetImmediate, (*zmq.Socket).GetImmediate),                                  // IMMEDIATE
	40:  intOpt((*zmq.Socket).SetXpubVerbose, nil),                                                        // XPUB_VERBOSE
	41:  intOpt((*zmq.Socket).SetRouterRaw, nil),                                                          // ROUTER_RAW
	42:  boolOpt((*zmq.Socket).SetIpv6, (*zmq.Socket).GetIpv6),                                            // IPV6
	43:  intOpt(nil, func(s *zmq.Socket) (int, error) { m, err := s.GetMechanism(); return int(m), err }), // MECHANISM
	44:  intOpt((*zmq.Socket).SetPlainServer, (*zmq.Socket).GetPlainServer),                               // PLAIN_SERVER
	45:  strOpt(kString, (*zmq.Socket).SetPlainUsername, (*zmq.Socket).GetPlainUsername),                  // PLAIN_USERNAME
	46:  strOpt(kString, (*zmq.Socket).SetPlainPassword, (*zmq.Socket).GetPlainPassword),                  // PLAIN_PASSWORD
	47:  shadowed(intOpt((*zmq.Socket).SetCurveServer, nil), 0),                                           // CURVE_SERVER
	48:  curveOpt((*zmq.Socket).SetCurvePublickey, (*zmq.Socket).GetCurvePublickeyRaw, (*zmq.Socket).GetCurvePublickeykeyZ85),
	49:  curveOpt((*zmq.Socket).SetCurveSecretkey, (*zmq.Socket).GetCurveSecretkeyRaw, (*zmq.Socket).GetCurveSecretkeyZ85),
	50:  curveOpt((*zmq.Socket).SetCurveServerkey, (*zmq.Socket).GetCurveServerkeyRaw, (*zmq.Socket).GetCurveServerkeyZ85),
	51:  intOpt((*zmq.Socket).SetProbeRouter, nil),                                            // PROBE_ROUTER
	52:  intOpt((*zmq.Socket).SetReqCorrelate, nil),                                           // REQ_CORRELATE
	53:  intOpt((*zmq.Socket).SetReqRelaxed, nil),                                             // REQ_RELAXED
	54:  shadowed(boolOpt((*zmq.Socket).SetConflate, nil), 0),                                 // CONFLATE
	94:  shadowed(boolOpt(func(*zmq.Socket, bool) error { return nil }, nil), 0),              // LOOPBACK_FASTPATH: a Windows TCP setting
	90:  shadowed(intOpt(noop, nil), 0),                                                       // GSSAPI_PRINCIPAL_NAMETYPE (no GSSAPI here)
	91:  shadowed(intOpt(noop, nil), 0),                                                       // GSSAPI_SERVICE_PRINCIPAL_NAMETYPE (no GSSAPI here)
	101: shadowed(intOpt(func(s *zmq.Socket, v int) error { return positive(v) }, nil), 8192), // IN_BATCH_SIZE: a libzmq buffer size
	102: shadowed(intOpt(func(s *zmq.Socket, v int) error { return positive(v) }, nil), 8192), // OUT_BATCH_SIZE: a libzmq buffer size
	55:  strOpt(kString, (*zmq.Socket).SetZapDomain, (*zmq.Socket).GetZapDomain),              // ZAP_DOMAIN
	56:  boolOpt((*zmq.Socket).SetRouterHandover, nil),                                        // ROUTER_HANDOVER
	57:  intOpt((*zmq.Socket).SetTos, (*zmq.Socket).GetTos),                                   // TOS
	58:  intOpt((*zmq.Socket).SetIpcFilterPid, nil),                                           // IPC_FILTER_PID
	59:  intOpt(setIPCFilterID((*zmq.Socket).SetIpcFilterUid), nil),                           // IPC_FILTER_UID
	60:  intOpt(setIPCFilterID((*zmq.Socket).SetIpcFilterGid), nil),                           // IPC_FILTER_GID
	61:  strOpt(kBinary, (*zmq.Socket).SetConnectRid, nil),                                    // CONNECT_ROUTING_ID
	62:  boolOpt((*zmq.Socket).SetGssapiServer, (*zmq.Socket).GetGssapiServer),                // GSSAPI_SERVER
	63:  strOpt(kString, (*zmq.Socket).SetGssapiPrincipal, (*zmq.Socket).GetGssapiPrincipal),
	64:  strOpt(kString, (*zmq.Socket).SetGssapiServicePrincipal, (*zmq.Socket).GetGssapiServicePrincipal),
	65:  boolOpt((*zmq.Socket).SetGssapiPlaintext, (*zmq.Socket).GetGssapiPlaintext),
	66:  msOpt((*zmq.Socket).SetHandshakeIvl, (*zmq.Socket).GetHandshakeIvl),             // HANDSHAKE_IVL
	68:  strOpt(kString, (*zmq.Socket).SetSocksProxy, (*zmq.Socket).GetSocksProxy),       // SOCKS_PROXY
	69:  boolOpt((*zmq.Socket).SetXpubNodrop, nil),                                       // XPUB_NODROP
	71:  intOpt((*zmq.Socket).SetXpubManual, nil),                                        // XPUB_MANUAL
	72:  strOpt(kBinary, (*zmq.Socket).SetXpubWelcomeMsg, nil),                           // XPUB_WELCOME_MSG
	73:  intOpt((*zmq.Socket).SetStreamNotify, nil),                                      // STREAM_NOTIFY
	74:  intOpt((*zmq.Socket).SetInvertMatching, (*zmq.Socket).GetInvertMatching),        // INVERT_MATCHING
	75:  msOpt((*zmq.Socket).SetHeartbeatIvl, (*zmq.Socket).GetHeartbeatIvl),             // HEARTBEAT_IVL
	76:  msOpt((*zmq.Socket).SetHeartbeatTtl, (*zmq.Socket).GetHeartbeatTtl),             // HEARTBEAT_TTL
	77:  msOpt((*zmq.Socket).SetHeartbeatTimeout, (*zmq.Socket).GetHeartbeatTimeout),     // HEARTBEAT_TIMEOUT
	78:  intOpt((*zmq.Socket).SetXpubVerboser, nil),                                      // XPUB_VERBOSER
	79:  msOpt((*zmq.Socket).SetConnectTimeout, (*zmq.Socket).GetConnectTimeout),         // CONNECT_TIMEOUT
	80:  msOpt((*zmq.Socket).SetTcpMaxrt, (*zmq.Socket).GetTcpMaxrt),                     // TCP_MAXRT
	81:  boolOpt(nil, (*zmq.Socket).GetThreadSafe),                                       // THREAD_SAFE
	84:  intOpt((*zmq.Socket).SetMulticastMaxtpdu, (*zmq.Socket).GetMulticastMaxtpdu),    // MULTICAST_MAXTPDU
	85:  u64Opt((*zmq.Socket).SetVmciBufferSize, (*zmq.Socket).GetVmciBufferSize),        // VMCI_BUFFER_SIZE
	86:  u64Opt((*zmq.Socket).SetVmciBufferMinSize, (*zmq.Socket).GetVmciBufferMinSize),  // VMCI_BUFFER_MIN_SIZE
	87:  u64Opt((*zmq.Socket).SetVmciBufferMaxSize, (*zmq.Socket).GetVmciBufferMaxSize),  // VMCI_BUFFER_MAX_SIZE
	88:  msOpt((*zmq.Socket).SetVmciConnectTimeout, (*zmq.Socket).GetVmciConnectTimeout), // VMCI_CONNECT_TIMEOUT
	89:  intOpt((*zmq.Socket).SetUseFd, (*zmq.Socket).Getusefd),                          // USE_FD
	92:  strOpt(kString, (*zmq.Socket).SetBindToDevice, (*zmq.Socket).GetBindToDevice),   // BINDTODEVICE
	93:  boolOpt((*zmq.Socket).SetZapEnforceDomain, (*zmq.Socket).GetZapEnforceDomain),   // ZAP_ENFORCE_DOMAIN
	95:  strOpt(kString, (*zmq.Socket).SetMetadata, nil),                                 // METADATA
	96:  boolOpt((*zmq.Socket).SetMulticastLoop, (*zmq.Socket).GetMulticastLoop),         // MULTICAST_LOOP
	97: intOpt(func(s *zmq.Socket, v int) error { return s.SetRouterNotify(zmq.RouterNotifyOption(v)) },
		func(s *zmq.Socket) (int, error) { v, err := s.GetRouterNotify(); return int(v), err }), // ROUTER_NOTIFY
	98:  intOpt((*zmq.Socket).SetXpubManualLastValue, nil),                               // XPUB_MANUAL_LAST_VALUE
	99:  strOpt(kString, (*zmq.Socket).SetSocksUsername, (*zmq.Socket).GetSocksUsername), // SOCKS_USERNAME
	100: strOpt(kString, (*zmq.Socket).SetSocksPassword, (*zmq.Socket).GetSocksPassword), // SOCKS_PASSWORD
	103: strOpt(kString, (*zmq.Socket).SetWssKeyPem, nil),                                // WSS_KEY_PEM
	104: strOpt(kString, (*zmq.Socket).SetWssCertPem, nil),                               // WSS_CERT_PEM
	105: strOpt(kString, (*zmq.Socket).SetWssTrustPem, nil),                              // WSS_TRUST_PEM
	106: strOpt(kString, (*zmq.Socket).SetWssHostname, nil),                              // WSS_HOSTNAME
	107: boolOpt((*zmq.Socket).SetWssTrustSystem, nil),                                   // WSS_TRUST_SYSTEM
	108: boolOpt((*zmq.Socket).SetOnlyFirstSubscribe, nil),                               // ONLY_FIRST_SUBSCRIBE
	109: intOpt((*zmq.Socket).SetReconnectStop, (*zmq.Socket).GetReconnectStop),          // RECONNECT_STOP
	110: strOpt(kBinary, (*zmq.Socket).SetHelloMsg, nil),                                 // HELLO_MSG
	111: strOpt(kBinary, (*zmq.Socket).SetDisconnectMsg, nil),                            // DISCONNECT_MSG
	112: intOpt((*zmq.Socket).SetPriority, (*zmq.Socket).GetPriority),                    // PRIORITY
	113: strOpt(kBinary, (*zmq.Socket).SetHiccupMsg, nil),                                // HICCUP_MSG
}

// pz_go_zmq_setsockopt is zmq_setsockopt: sets a socket option from optlen bytes at optval.
//
//export pz_go_zmq_setsockopt
func pz_go_zmq_setsockopt(p unsafe.Pointer, option C.int, optval unsafe.Pointer, optlen C.size_t) C.int {
	e := getSock(p)
	if e == nil {
		return fail(syscall.ENOTSOCK)
	}
	e.flushSends()
	spec, ok := options[int(option)]
	if !ok {
		return fail(syscall.EINVAL)
	}
	if optval == nil && optlen != 0 {
		return fail(syscall.EFAULT)
	}
	var err error
	if option >= 58 && option <= 60 && optval == nil && optlen == 0 {
		// The IPC filters are cleared with (NULL, 0), as in libzmq.
		if err := spec.setInt(e.s, -1); err != nil {
			return failErr(err)
		}
		return 0
	}
	switch spec.kind {
	case kInt, kBool, kMillis:
		if spec.setInt == nil || optlen != C.sizeof_int {
			return fail(syscall.EINVAL)
		}
		v := int(*(*C.int)(optval))
		if spec.kind == kBool && v != 0 && v != 1 {
			return fail(syscall.EINVAL)
		}
		err = spec.setInt(e.s, v)
		if err == nil && spec.shadow {
			e.setShadow(int(option), v)
		}
	case kInt64, kUint64:
		if spec.set64 == nil || optlen != 8 {
			return fail(syscall.EINVAL)
		}
		err = spec.set64(e.s, *(*int64)(optval))
	case kBinary, kString:
		if spec.setStr == nil {
			return fail(syscall.EINVAL)
		}
		// ZMQ_SOCKS_PROXY is cleared only with (NULL, 0); "" is invalid.
		if option == 68 && optlen == 0 && optval != nil {
			return fail(syscall.EINVAL)
		}
		err = spec.setStr(e.s, string(cBytes(optval, optlen)))
	case kCurve:
		b := cBytes(optval, optlen)
		switch len(b) {
		case 32, 40:
		case 41:
			if b[40] != 0 {
				return fail(syscall.EINVAL)
			}
			b = b[:40]
		default:
			return fail(syscall.EINVAL)
		}
		err = spec.setStr(e.s, string(b))
	}
	if err != nil {
		return failErr(err)
	}
	return 0
}

// ZMQ_RCVMORE and ZMQ_EVENTS also look at the socket's receive buffer
// (recvq.go).
const (
	optRcvmore = 13
	optEvents  = 15
)

// pz_go_zmq_getsockopt is zmq_getsockopt: reads a socket option into optval; *optlen gives the
// buffer's size and receives the value's.
//
//export pz_go_zmq_getsockopt
func pz_go_zmq_getsockopt(p unsafe.Pointer, option C.int, optval unsafe.Pointer, optlen *C.size_t) C.int {
	e := getSock(p)
	if e == nil {
		return fail(syscall.ENOTSOCK)
	}
	e.flushSends()
	spec, ok := options[int(option)]
	if !ok {
		return fail(syscall.EINVAL)
	}
	if optlen == nil || (optval == nil && *optlen != 0) {
		return fail(syscall.EFAULT)
	}
	n := int(*optlen)
	switch spec.kind {
	case kInt, kBool, kMillis:
		// The socket-level options take any buffer of at least an int;
		// the others want an int exactly, as in libzmq.
		loose := option == 13 || option == 14 || option == 15 || option == 81
		if (spec.getInt == nil && !spec.shadow) || n < C.sizeof_int || (!loose && n != C.sizeof_int) {
			return fail(syscall.EINVAL)
		}
		var v int
		var err error
		switch {
		case spec.shadow:
			v = e.getShadow(int(option), spec.def)
		case option == optRcvmore:
			var more bool
			more, err = e.rcvmore()
			v = int(boolInt(more))
		case option == optEvents:
			var st zmq.State
			st, err = e.events()
			v = int(st)
		default:
			v, err = spec.getInt(e.s)
		}
		if err != nil {
			return failErr(err)
		}
		if loose {
			clear(unsafe.Slice((*byte)(optval), n))
		}
		*(*C.int)(optval) = C.int(v)
		*optlen = C.sizeof_int
	case kInt64, kUint64:
		if spec.get64 == nil || n != 8 {
			return fail(syscall.EINVAL)
		}
		v, err := spec.get64(e.s)
		if err != nil {
			return failErr(err)
		}
		*(*int64)(optval) = v
		*optlen = 8
	case kBinary, kString:
		if spec.getStr == nil {
			return fail(syscall.EINVAL)
		}
		v, err := spec.getStr(e.s)
		if err != nil {
			return failErr(err)
		}
		need := len(v)
		if spec.kind == kString {
			need++
		}
		if n < need {
			return fail(syscall.EINVAL)
		}
		dst := unsafe.Slice((*byte)(optval), n)
		copy(dst, v)
		if spec.kind == kString {
			dst[len(v)] = 0
		}
		*optlen = C.size_t(need)
	case kCurve:
		var v string
		var err error
		switch {
		case n == 32:
			v, err = spec.getStr(e.s)
		case n >= 41:
			v, err = spec.getZ85(e.s)
		default:
			return fail(syscall.EINVAL)
		}
		if err != nil {
			return failErr(err)
		}
		dst := unsafe.Slice((*byte)(optval), n)
		copy(dst, v)
		if n >= 41 {
			dst[40] = 0
			*optlen = 41
		} else {
			*optlen = 32
		}
	}
	return 0
}

func positive(v int) error {
	if v <= 0 {
		return syscall.EINVAL
	}
	return nil
}

// setShadow remembers an option's value for getsockopt.
func (e *sockEntry) setShadow(option, v int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.shadow == nil {
		e.shadow = map[int]int{}
	}
	e.shadow[option] = v
}

// getShadow returns the remembered value, or def.
func (e *sockEntry) getShadow(option, def int) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if v, ok := e.shadow[option]; ok {
		return v
	}
	return def
}

// setIPCFilterID takes a uid_t or gid_t, an unsigned 32-bit number that
// arrives here as a C int.
func setIPCFilterID(set func(*zmq.Socket, int) error) func(*zmq.Socket, int) error {
	return func(s *zmq.Socket, v int) error {
		return set(s, int(uint32(v)))
	}
}
