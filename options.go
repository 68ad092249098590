package zmq4

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/purezmq/zmq4/internal/transport"
	"github.com/purezmq/zmq4/internal/z85"
)

// options holds a socket's settings, with libzmq 4.3's defaults. Durations
// are time.Duration with a negative value meaning "infinite".
type options struct {
	sndhwm, rcvhwm         int
	affinity               uint64
	identity               string
	rate                   int
	recoveryIvl            time.Duration
	sndbuf, rcvbuf         int
	linger                 time.Duration
	reconnectIvl           time.Duration
	reconnectIvlMax        time.Duration
	backlog                int
	maxmsgsize             int64
	multicastHops          int
	multicastLoop          bool
	multicastMaxtpdu       int
	rcvtimeo, sndtimeo     time.Duration
	ipv6                   bool
	immediate              bool
	tcpKeepalive           int
	tcpKeepaliveCnt        int
	tcpKeepaliveIdle       int
	tcpKeepaliveIntvl      int
	acceptFilters          []netip.Prefix
	ipcFilters             transport.IPCFilters // IPC_FILTER_PID/UID/GID
	mechanism              Mechanism
	plainServer            bool
	plainUsername          string
	plainPassword          string
	curveServer            bool
	curvePublicKey         []byte
	curveSecretKey         []byte
	curveServerKey         []byte
	zapDomain              string
	zapEnforceDomain       bool
	tos                    int
	priority               int
	handshakeIvl           time.Duration
	socksProxy             string
	socksUsername          string
	socksPassword          string
	wssKeyPem              string
	wssCertPem             string
	wssTrustPem            string
	wssHostname            string
	wssTrustSystem         bool
	heartbeatIvl           time.Duration
	heartbeatTTL           time.Duration
	heartbeatTimeout       time.Duration
	connectTimeout         time.Duration
	tcpMaxrt               time.Duration
	routerMandatory        bool
	routerHandover         bool
	routerRaw              bool
	probeRouter            bool
	reqCorrelate           bool
	reqRelaxed             bool
	xpubVerbose            bool
	xpubVerboser           bool
	xpubNodrop             bool
	xpubManual             bool
	xpubSendLastPipe       bool // XPUB_MANUAL_LAST_VALUE
	xpubWelcomeMsg         []byte
	conflate               bool
	streamNotify           bool
	invertMatching         bool
	connectRid             []byte
	onlyFirstSubscribe     bool
	bindToDevice           string
	gssapiServer           bool
	gssapiPlaintext        bool
	gssapiPrincipal        string
	gssapiServicePrincipal string
	vmciBufferSize         uint64
	vmciBufferMinSize      uint64
	vmciBufferMaxSize      uint64
	vmciConnectTimeout     time.Duration
	useFd                  int
	metadata               [][2]string
	routerNotify           int
	helloMsg               []byte
	disconnectMsg          []byte
	hiccupMsg              []byte
	reconnectStop          int
	lastEndpoint           string
}

func defaultOptions(t Type) options {
	return options{
		sndhwm:            1000,
		rcvhwm:            1000,
		rate:              100,
		recoveryIvl:       10 * time.Second,
		sndbuf:            -1,
		rcvbuf:            -1,
		linger:            -1,
		reconnectIvl:      100 * time.Millisecond,
		backlog:           100,
		maxmsgsize:        -1,
		multicastHops:     1,
		multicastLoop:     true,
		multicastMaxtpdu:  1500,
		rcvtimeo:          -1,
		sndtimeo:          -1,
		tcpKeepalive:      -1,
		tcpKeepaliveCnt:   -1,
		tcpKeepaliveIdle:  -1,
		tcpKeepaliveIntvl: -1,
		handshakeIvl:      30 * time.Second,
		heartbeatTimeout:  -1,
		streamNotify:      true,
		useFd:             -1,
	}
}

// durationFromOption converts pebbe's convention (any negative value means
// infinite) to ours.
func durationFromOption(d time.Duration) time.Duration {
	if d < 0 {
		return -1
	}
	return d.Truncate(time.Millisecond)
}

// durationToOption converts back: infinite reads as -1 ms, as pebbe reports it.
func durationToOption(d time.Duration) time.Duration {
	if d < 0 {
		return -time.Millisecond
	}
	return d
}

// ---- limits and validators of option values ----

// Limits libzmq puts on option values.
const (
	maxShortOptionLen = 255 // routing ids, PLAIN credentials, ZAP domain, ...
	maxDeviceNameLen  = 16  // IFNAMSIZ
	curveKeyLen       = 32
	curveKeyZ85Len    = 40
	maxHeartbeatTTL   = 65535 * 100 * time.Millisecond
)

// Socket types that accept the type-specific options, as in libzmq, where
// REP is built on ROUTER, REQ on DEALER and PUB on XPUB.
var (
	routerOptionTypes      = []Type{ROUTER, REP}
	probeRouterTypes       = []Type{ROUTER, REP, DEALER, REQ}
	connectRidTypes        = []Type{ROUTER, REP, STREAM}
	reqOptionTypes         = []Type{REQ}
	xpubOptionTypes        = []Type{XPUB, PUB}
	xpubNodropTypes        = []Type{XPUB, PUB, RADIO}
	onlyFirstSubscribeType = []Type{XPUB, PUB, XSUB}
	streamOptionTypes      = []Type{STREAM}
)

// typeIn reports whether t is one of types.
func typeIn(t Type, types []Type) bool {
	for _, x := range types {
		if x == t {
			return true
		}
	}
	return false
}

// flagFromInt reads an int option used as a boolean where libzmq accepts
// any non-negative value.
func flagFromInt(value int) (bool, error) {
	if value < 0 {
		return false, einval
	}
	return value != 0, nil
}

// setFlag stores an int option read as a flag (negative is invalid).
func setFlag(dst *bool, value int) error {
	on, err := flagFromInt(value)
	if err != nil {
		return err
	}
	*dst = on
	return nil
}

// setAtLeast stores an int option that must not be below min.
func setAtLeast(dst *int, value, min int) error {
	if value < min {
		return einval
	}
	*dst = value
	return nil
}

// strictFlagFromInt reads an int option that must be 0 or 1.
func strictFlagFromInt(value int) (bool, error) {
	if value != 0 && value != 1 {
		return false, einval
	}
	return value == 1, nil
}

// nonNegativeMillis truncates d to whole milliseconds, as pebbe does before
// calling libzmq, and rejects negative results.
func nonNegativeMillis(d time.Duration) (time.Duration, error) {
	ms := d / time.Millisecond
	if ms < 0 {
		return 0, einval
	}
	return ms * time.Millisecond, nil
}

// shortBytes checks a 1..255 byte value.
func shortBytes(value string) ([]byte, error) {
	if len(value) == 0 || len(value) > maxShortOptionLen {
		return nil, einval
	}
	return []byte(value), nil
}

// optionalBytes returns nil for an empty value and a copy otherwise.
func optionalBytes(value string) []byte {
	if value == "" {
		return nil
	}
	return []byte(value)
}

// parseAcceptFilter reads "address" or "address/bits" as libzmq's
// tcp_address_mask_t does: numeric addresses only, IPv6 ones only when the
// socket has IPv6 enabled, and a missing mask meaning a single host.
func parseAcceptFilter(filter string, ipv6 bool) (netip.Prefix, error) {
	if len(filter) > maxShortOptionLen {
		return netip.Prefix{}, einval
	}
	addrText, maskText, hasMask := filter, "", false
	if i := strings.LastIndexByte(filter, '/'); i >= 0 {
		addrText, maskText, hasMask = filter[:i], filter[i+1:], true
		if maskText == "" {
			return netip.Prefix{}, einval
		}
	}
	if strings.HasPrefix(addrText, "[") && strings.HasSuffix(addrText, "]") {
		addrText = addrText[1 : len(addrText)-1]
	}
	addr, err := netip.ParseAddr(addrText)
	if err != nil {
		return netip.Prefix{}, einval
	}
	addr = addr.WithZone("")
	if addr.Is6() && !ipv6 {
		return netip.Prefix{}, einval
	}
	bits := addr.BitLen()
	if hasMask {
		n, err := strconv.Atoi(maskText)
		if err != nil || n < 0 || n > addr.BitLen() {
			return netip.Prefix{}, einval
		}
		bits = n
	}
	return netip.PrefixFrom(addr, bits).Masked(), nil
}

// decodeCurveKey reads a CURVE key given raw (32 bytes) or in Z85 (40
// characters, perhaps with the terminating NUL a C caller passes).
func decodeCurveKey(key string) ([]byte, error) {
	switch len(key) {
	case curveKeyLen:
		return []byte(key), nil
	case curveKeyZ85Len + 1:
		if key[curveKeyZ85Len] != 0 {
			return nil, einval
		}
		key = key[:curveKeyZ85Len]
		fallthrough
	case curveKeyZ85Len:
		raw, err := z85.Decode(key)
		if err != nil {
			return nil, einval
		}
		return raw, nil
	}
	return nil, einval
}

// addIPCFilter adds id to an IPC filter list; -1 clears it.
func addIPCFilter(list *[]int, id int) error {
	switch {
	case id == -1:
		*list = nil
	case id < 0:
		return einval
	default:
		*list = append(*list, id)
	}
	return nil
}
