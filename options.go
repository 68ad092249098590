package zmq4

import (
	"net/netip"
	"time"

	"github.com/purezmq/zmq4/internal/transport"
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
