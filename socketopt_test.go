package zmq4

import (
	"bytes"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/purezmq/zmq4/internal/z85"
)

// optSocket returns a socket of type t in a fresh context; both are closed
// when the test ends.
func optSocket(t *testing.T, typ Type) *Socket {
	t.Helper()
	ctx, err := NewContext()
	if err != nil {
		t.Fatal(err)
	}
	s, err := ctx.NewSocket(typ)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		ctx.Term()
	})
	return s
}

// optSet binds a setter to a value.
func optSet[T any](f func(*Socket, T) error, v T) func(*Socket) error {
	return func(s *Socket) error { return f(s, v) }
}

// optGet erases a getter's result type.
func optGet[T any](f func(*Socket) (T, error)) func(*Socket) (any, error) {
	return func(s *Socket) (any, error) {
		v, err := f(s)
		return v, err
	}
}

var optKeyRaw = string(bytes.Repeat([]byte{0x9c, 0x01, 0x7e, 0x42}, 8))

func optKeyZ85(t *testing.T) string {
	t.Helper()
	text, err := z85.Encode([]byte(optKeyRaw))
	if err != nil {
		t.Fatal(err)
	}
	return text
}

type optRoundTrip struct {
	name string
	typ  Type
	set  func(*Socket) error
	get  func(*Socket) (any, error)
	want any
}

func optRoundTrips() []optRoundTrip {
	ms := time.Millisecond
	return []optRoundTrip{
		{"Sndhwm", DEALER, optSet((*Socket).SetSndhwm, 5), optGet((*Socket).GetSndhwm), 5},
		{"Sndhwm zero", DEALER, optSet((*Socket).SetSndhwm, 0), optGet((*Socket).GetSndhwm), 0},
		{"Rcvhwm", DEALER, optSet((*Socket).SetRcvhwm, 7), optGet((*Socket).GetRcvhwm), 7},
		{"Affinity", DEALER, optSet((*Socket).SetAffinity, uint64(1<<40)), optGet((*Socket).GetAffinity), uint64(1 << 40)},
		{"Identity", DEALER, optSet((*Socket).SetIdentity, "peer-1"), optGet((*Socket).GetIdentity), "peer-1"},
		{"Identity 255", DEALER, optSet((*Socket).SetIdentity, strings.Repeat("i", 255)), optGet((*Socket).GetIdentity), strings.Repeat("i", 255)},
		{"Rate", DEALER, optSet((*Socket).SetRate, 500), optGet((*Socket).GetRate), 500},
		{"RecoveryIvl", DEALER, optSet((*Socket).SetRecoveryIvl, 3*time.Second), optGet((*Socket).GetRecoveryIvl), 3 * time.Second},
		{"Sndbuf", DEALER, optSet((*Socket).SetSndbuf, 65536), optGet((*Socket).GetSndbuf), 65536},
		{"Sndbuf default", DEALER, optSet((*Socket).SetSndbuf, -1), optGet((*Socket).GetSndbuf), -1},
		{"Rcvbuf", DEALER, optSet((*Socket).SetRcvbuf, 0), optGet((*Socket).GetRcvbuf), 0},
		{"Linger", DEALER, optSet((*Socket).SetLinger, 250*ms), optGet((*Socket).GetLinger), 250 * ms},
		{"Linger truncates to ms", DEALER, optSet((*Socket).SetLinger, 1500*time.Microsecond), optGet((*Socket).GetLinger), ms},
		{"Linger infinite", DEALER, optSet((*Socket).SetLinger, -1), optGet((*Socket).GetLinger), time.Duration(-1)},
		{"Linger any negative", DEALER, optSet((*Socket).SetLinger, -5*time.Second), optGet((*Socket).GetLinger), time.Duration(-1)},
		{"ReconnectIvl", DEALER, optSet((*Socket).SetReconnectIvl, 20*ms), optGet((*Socket).GetReconnectIvl), 20 * ms},
		{"ReconnectIvl off", DEALER, optSet((*Socket).SetReconnectIvl, -1), optGet((*Socket).GetReconnectIvl), time.Duration(-1)},
		{"ReconnectIvlMax", DEALER, optSet((*Socket).SetReconnectIvlMax, 2*time.Second), optGet((*Socket).GetReconnectIvlMax), 2 * time.Second},
		{"Backlog", DEALER, optSet((*Socket).SetBacklog, 7), optGet((*Socket).GetBacklog), 7},
		{"Maxmsgsize", DEALER, optSet((*Socket).SetMaxmsgsize, int64(1<<33)), optGet((*Socket).GetMaxmsgsize), int64(1 << 33)},
		{"Maxmsgsize unlimited", DEALER, optSet((*Socket).SetMaxmsgsize, int64(-1)), optGet((*Socket).GetMaxmsgsize), int64(-1)},
		{"MulticastHops", DEALER, optSet((*Socket).SetMulticastHops, 4), optGet((*Socket).GetMulticastHops), 4},
		{"Rcvtimeo", DEALER, optSet((*Socket).SetRcvtimeo, 0), optGet((*Socket).GetRcvtimeo), time.Duration(0)},
		{"Rcvtimeo infinite", DEALER, optSet((*Socket).SetRcvtimeo, -time.Millisecond), optGet((*Socket).GetRcvtimeo), time.Duration(-1)},
		{"Sndtimeo", DEALER, optSet((*Socket).SetSndtimeo, 90*ms), optGet((*Socket).GetSndtimeo), 90 * ms},
		{"Ipv6", DEALER, optSet((*Socket).SetIpv6, true), optGet((*Socket).GetIpv6), true},
		{"Ipv4only is !Ipv6", DEALER, optSet((*Socket).SetIpv6, true), optGet((*Socket).GetIpv4only), false},
		{"Ipv4only", DEALER, optSet((*Socket).SetIpv4only, false), optGet((*Socket).GetIpv6), true},
		{"Immediate", DEALER, optSet((*Socket).SetImmediate, true), optGet((*Socket).GetImmediate), true},
		{"TcpKeepalive", DEALER, optSet((*Socket).SetTcpKeepalive, 1), optGet((*Socket).GetTcpKeepalive), 1},
		{"TcpKeepaliveIdle", DEALER, optSet((*Socket).SetTcpKeepaliveIdle, 30), optGet((*Socket).GetTcpKeepaliveIdle), 30},
		{"TcpKeepaliveCnt", DEALER, optSet((*Socket).SetTcpKeepaliveCnt, 3), optGet((*Socket).GetTcpKeepaliveCnt), 3},
		{"TcpKeepaliveIntvl", DEALER, optSet((*Socket).SetTcpKeepaliveIntvl, 5), optGet((*Socket).GetTcpKeepaliveIntvl), 5},
		{"PlainUsername", DEALER, optSet((*Socket).SetPlainUsername, "admin"), optGet((*Socket).GetPlainUsername), "admin"},
		{"PlainPassword", DEALER, optSet((*Socket).SetPlainPassword, "secret"), optGet((*Socket).GetPlainPassword), "secret"},
		{"PlainServer", DEALER, optSet((*Socket).SetPlainServer, 1), optGet((*Socket).GetPlainServer), 1},
		{"ZapDomain", ROUTER, optSet((*Socket).SetZapDomain, "global"), optGet((*Socket).GetZapDomain), "global"},
		{"ZapEnforceDomain", ROUTER, optSet((*Socket).SetZapEnforceDomain, true), optGet((*Socket).GetZapEnforceDomain), true},
		{"Tos", DEALER, optSet((*Socket).SetTos, 0x28), optGet((*Socket).GetTos), 0x28},
		{"Priority", DEALER, optSet((*Socket).SetPriority, 5), optGet((*Socket).GetPriority), 5},
		{"GssapiServer", DEALER, optSet((*Socket).SetGssapiServer, true), optGet((*Socket).GetGssapiServer), true},
		{"GssapiPrincipal", DEALER, optSet((*Socket).SetGssapiPrincipal, "me"), optGet((*Socket).GetGssapiPrincipal), "me"},
		{"GssapiServicePrincipal", DEALER, optSet((*Socket).SetGssapiServicePrincipal, "svc"), optGet((*Socket).GetGssapiServicePrincipal), "svc"},
		{"GssapiPlaintext", DEALER, optSet((*Socket).SetGssapiPlaintext, true), optGet((*Socket).GetGssapiPlaintext), true},
		{"HandshakeIvl", DEALER, optSet((*Socket).SetHandshakeIvl, 5*time.Second), optGet((*Socket).GetHandshakeIvl), 5 * time.Second},
		{"HandshakeIvl off", DEALER, optSet((*Socket).SetHandshakeIvl, 0), optGet((*Socket).GetHandshakeIvl), time.Duration(0)},
		{"SocksProxy", DEALER, optSet((*Socket).SetSocksProxy, "127.0.0.1:1080"), optGet((*Socket).GetSocksProxy), "127.0.0.1:1080"},
		{"InvertMatching", SUB, optSet((*Socket).SetInvertMatching, 5), optGet((*Socket).GetInvertMatching), 1},
		{"InvertMatching off", PUB, optSet((*Socket).SetInvertMatching, 0), optGet((*Socket).GetInvertMatching), 0},
		{"HeartbeatIvl", DEALER, optSet((*Socket).SetHeartbeatIvl, 100*ms), optGet((*Socket).GetHeartbeatIvl), 100 * ms},
		{"HeartbeatTtl deciseconds", DEALER, optSet((*Socket).SetHeartbeatTtl, 1299*ms), optGet((*Socket).GetHeartbeatTtl), 1200 * ms},
		{"HeartbeatTtl max", DEALER, optSet((*Socket).SetHeartbeatTtl, 6553599*ms), optGet((*Socket).GetHeartbeatTtl), 6553500 * ms},
		{"HeartbeatTtl small negative", DEALER, optSet((*Socket).SetHeartbeatTtl, -50*ms), optGet((*Socket).GetHeartbeatTtl), time.Duration(0)},
		{"HeartbeatTimeout", DEALER, optSet((*Socket).SetHeartbeatTimeout, 300*ms), optGet((*Socket).GetHeartbeatTimeout), 300 * ms},
		{"ConnectTimeout", DEALER, optSet((*Socket).SetConnectTimeout, 700*ms), optGet((*Socket).GetConnectTimeout), 700 * ms},
		{"TcpMaxrt", DEALER, optSet((*Socket).SetTcpMaxrt, 900*ms), optGet((*Socket).GetTcpMaxrt), 900 * ms},
		{"MulticastMaxtpdu", DEALER, optSet((*Socket).SetMulticastMaxtpdu, 9000), optGet((*Socket).GetMulticastMaxtpdu), 9000},
		{"VmciBufferSize", DEALER, optSet((*Socket).SetVmciBufferSize, uint64(4096)), optGet((*Socket).GetVmciBufferSize), uint64(4096)},
		{"VmciBufferMinSize", DEALER, optSet((*Socket).SetVmciBufferMinSize, uint64(128)), optGet((*Socket).GetVmciBufferMinSize), uint64(128)},
		{"VmciBufferMaxSize", DEALER, optSet((*Socket).SetVmciBufferMaxSize, uint64(1<<20)), optGet((*Socket).GetVmciBufferMaxSize), uint64(1 << 20)},
		{"VmciConnectTimeout", DEALER, optSet((*Socket).SetVmciConnectTimeout, 40*ms), optGet((*Socket).GetVmciConnectTimeout), 40 * ms},
		{"UseFd", DEALER, optSet((*Socket).SetUseFd, 3), optGet((*Socket).Getusefd), 3},
		{"RouterNotify", ROUTER, optSet((*Socket).SetRouterNotify, NotifyConnect|NotifyDisconnect), optGet((*Socket).GetRouterNotify), RouterNotifyOption(3)},
		{"RouterNotify on REP", REP, optSet((*Socket).SetRouterNotify, NotifyDisconnect), optGet((*Socket).GetRouterNotify), RouterNotifyOption(NotifyDisconnect)},
		{"ReconnectStop", DEALER, optSet((*Socket).SetReconnectStop, ReconnectStopConnRefused|ReconnectStopAfterDisconnect), optGet((*Socket).GetReconnectStop), 5},
		{"BindToDevice", DEALER, optSet((*Socket).SetBindToDevice, "lo"), optGet((*Socket).GetBindToDevice), "lo"},
		{"BindToDevice 16", DEALER, optSet((*Socket).SetBindToDevice, strings.Repeat("d", 16)), optGet((*Socket).GetBindToDevice), strings.Repeat("d", 16)},
	}
}

func TestOptRoundTrip(t *testing.T) {
	for _, c := range optRoundTrips() {
		t.Run(c.name, func(t *testing.T) {
			s := optSocket(t, c.typ)
			if err := c.set(s); err != nil {
				t.Fatalf("set: %v", err)
			}
			got, err := c.get(s)
			if err != nil {
				t.Fatalf("get: %v", err)
			}
			if got != c.want {
				t.Fatalf("got %#v, want %#v", got, c.want)
			}
		})
	}
}

// TestOptDefaults checks the values a new socket reports, which are libzmq's.
func TestOptDefaults(t *testing.T) {
	s := optSocket(t, DEALER)
	cases := []struct {
		name string
		get  func(*Socket) (any, error)
		want any
	}{
		{"Type", optGet((*Socket).GetType), DEALER},
		{"Rcvmore", optGet((*Socket).GetRcvmore), false},
		{"Sndhwm", optGet((*Socket).GetSndhwm), 1000},
		{"Rcvhwm", optGet((*Socket).GetRcvhwm), 1000},
		{"Affinity", optGet((*Socket).GetAffinity), uint64(0)},
		{"Identity", optGet((*Socket).GetIdentity), ""},
		{"Rate", optGet((*Socket).GetRate), 100},
		{"RecoveryIvl", optGet((*Socket).GetRecoveryIvl), 10 * time.Second},
		{"Sndbuf", optGet((*Socket).GetSndbuf), -1},
		{"Rcvbuf", optGet((*Socket).GetRcvbuf), -1},
		{"Linger", optGet((*Socket).GetLinger), time.Duration(-1)},
		{"ReconnectIvl", optGet((*Socket).GetReconnectIvl), 100 * time.Millisecond},
		{"ReconnectIvlMax", optGet((*Socket).GetReconnectIvlMax), time.Duration(0)},
		{"Backlog", optGet((*Socket).GetBacklog), 100},
		{"Maxmsgsize", optGet((*Socket).GetMaxmsgsize), int64(-1)},
		{"MulticastHops", optGet((*Socket).GetMulticastHops), 1},
		{"Rcvtimeo", optGet((*Socket).GetRcvtimeo), time.Duration(-1)},
		{"Sndtimeo", optGet((*Socket).GetSndtimeo), time.Duration(-1)},
		{"Ipv6", optGet((*Socket).GetIpv6), false},
		{"Ipv4only", optGet((*Socket).GetIpv4only), true},
		{"Immediate", optGet((*Socket).GetImmediate), false},
		{"LastEndpoint", optGet((*Socket).GetLastEndpoint), ""},
		{"TcpKeepalive", optGet((*Socket).GetTcpKeepalive), -1},
		{"TcpKeepaliveIdle", optGet((*Socket).GetTcpKeepaliveIdle), -1},
		{"TcpKeepaliveCnt", optGet((*Socket).GetTcpKeepaliveCnt), -1},
		{"TcpKeepaliveIntvl", optGet((*Socket).GetTcpKeepaliveIntvl), -1},
		{"Mechanism", optGet((*Socket).GetMechanism), NULL},
		{"PlainServer", optGet((*Socket).GetPlainServer), 0},
		{"CurvePublickeyRaw", optGet((*Socket).GetCurvePublickeyRaw), string(make([]byte, 32))},
		{"CurvePublickeykeyZ85", optGet((*Socket).GetCurvePublickeykeyZ85), strings.Repeat("0", 40)},
		{"ZapDomain", optGet((*Socket).GetZapDomain), ""},
		{"ZapEnforceDomain", optGet((*Socket).GetZapEnforceDomain), false},
		{"Tos", optGet((*Socket).GetTos), 0},
		{"Priority", optGet((*Socket).GetPriority), 0},
		{"HandshakeIvl", optGet((*Socket).GetHandshakeIvl), 30 * time.Second},
		{"InvertMatching", optGet((*Socket).GetInvertMatching), 0},
		{"HeartbeatIvl", optGet((*Socket).GetHeartbeatIvl), time.Duration(0)},
		{"HeartbeatTtl", optGet((*Socket).GetHeartbeatTtl), time.Duration(0)},
		{"HeartbeatTimeout", optGet((*Socket).GetHeartbeatTimeout), -time.Millisecond},
		{"ConnectTimeout", optGet((*Socket).GetConnectTimeout), time.Duration(0)},
		{"TcpMaxrt", optGet((*Socket).GetTcpMaxrt), time.Duration(0)},
		{"ThreadSafe", optGet((*Socket).GetThreadSafe), true},
		{"MulticastMaxtpdu", optGet((*Socket).GetMulticastMaxtpdu), 1500},
		{"usefd", optGet((*Socket).Getusefd), -1},
		{"RouterNotify", optGet((*Socket).GetRouterNotify), RouterNotifyOption(0)},
		{"ReconnectStop", optGet((*Socket).GetReconnectStop), 0},
		{"BindToDevice", optGet((*Socket).GetBindToDevice), ""},
	}
	for _, c := range cases {
		got, err := c.get(s)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s: got %#v, want %#v", c.name, got, c.want)
		}
	}
}

// TestOptInvalid checks that values libzmq rejects give EINVAL and leave
// the option unchanged.
func TestOptInvalid(t *testing.T) {
	ms := time.Millisecond
	cases := []struct {
		name string
		typ  Type
		set  func(*Socket) error
		get  func(*Socket) (any, error) // optional: must read the same before and after
	}{
		{"Sndhwm negative", DEALER, optSet((*Socket).SetSndhwm, -1), optGet((*Socket).GetSndhwm)},
		{"Rcvhwm negative", DEALER, optSet((*Socket).SetRcvhwm, -1), optGet((*Socket).GetRcvhwm)},
		{"Identity empty", DEALER, optSet((*Socket).SetIdentity, ""), optGet((*Socket).GetIdentity)},
		{"Identity 256", DEALER, optSet((*Socket).SetIdentity, strings.Repeat("i", 256)), optGet((*Socket).GetIdentity)},
		{"Rate zero", DEALER, optSet((*Socket).SetRate, 0), optGet((*Socket).GetRate)},
		{"RecoveryIvl negative", DEALER, optSet((*Socket).SetRecoveryIvl, -ms), optGet((*Socket).GetRecoveryIvl)},
		{"Sndbuf -2", DEALER, optSet((*Socket).SetSndbuf, -2), optGet((*Socket).GetSndbuf)},
		{"Rcvbuf -2", DEALER, optSet((*Socket).SetRcvbuf, -2), optGet((*Socket).GetRcvbuf)},
		{"ReconnectIvlMax negative", DEALER, optSet((*Socket).SetReconnectIvlMax, -ms), optGet((*Socket).GetReconnectIvlMax)},
		{"Backlog negative", DEALER, optSet((*Socket).SetBacklog, -1), optGet((*Socket).GetBacklog)},
		{"MulticastHops zero", DEALER, optSet((*Socket).SetMulticastHops, 0), optGet((*Socket).GetMulticastHops)},
		{"TcpKeepalive 2", DEALER, optSet((*Socket).SetTcpKeepalive, 2), optGet((*Socket).GetTcpKeepalive)},
		{"TcpKeepalive -2", DEALER, optSet((*Socket).SetTcpKeepalive, -2), optGet((*Socket).GetTcpKeepalive)},
		{"TcpKeepaliveIdle -2", DEALER, optSet((*Socket).SetTcpKeepaliveIdle, -2), optGet((*Socket).GetTcpKeepaliveIdle)},
		{"TcpKeepaliveCnt -2", DEALER, optSet((*Socket).SetTcpKeepaliveCnt, -2), optGet((*Socket).GetTcpKeepaliveCnt)},
		{"TcpKeepaliveIntvl -2", DEALER, optSet((*Socket).SetTcpKeepaliveIntvl, -2), optGet((*Socket).GetTcpKeepaliveIntvl)},
		{"PlainServer 2", DEALER, optSet((*Socket).SetPlainServer, 2), optGet((*Socket).GetMechanism)},
		{"PlainUsername 256", DEALER, optSet((*Socket).SetPlainUsername, strings.Repeat("u", 256)), optGet((*Socket).GetMechanism)},
		{"PlainPassword 256", DEALER, optSet((*Socket).SetPlainPassword, strings.Repeat("p", 256)), optGet((*Socket).GetPlainPassword)},
		{"CurveServer 2", DEALER, optSet((*Socket).SetCurveServer, 2), optGet((*Socket).GetMechanism)},
		{"CurvePublickey short", DEALER, optSet((*Socket).SetCurvePublickey, strings.Repeat("k", 31)), optGet((*Socket).GetMechanism)},
		{"CurvePublickey empty", DEALER, optSet((*Socket).SetCurvePublickey, ""), optGet((*Socket).GetCurvePublickeyRaw)},
		{"CurveSecretkey bad Z85", DEALER, optSet((*Socket).SetCurveSecretkey, strings.Repeat("\"", 40)), optGet((*Socket).GetCurveSecretkeyRaw)},
		{"CurveServerkey 41 without NUL", DEALER, optSet((*Socket).SetCurveServerkey, strings.Repeat("0", 41)), optGet((*Socket).GetCurveServerkeyRaw)},
		{"ZapDomain empty", DEALER, optSet((*Socket).SetZapDomain, ""), optGet((*Socket).GetZapDomain)},
		{"ZapDomain 256", DEALER, optSet((*Socket).SetZapDomain, strings.Repeat("z", 256)), optGet((*Socket).GetZapDomain)},
		{"Tos negative", DEALER, optSet((*Socket).SetTos, -1), optGet((*Socket).GetTos)},
		{"Priority negative", DEALER, optSet((*Socket).SetPriority, -1), optGet((*Socket).GetPriority)},
		{"GssapiPrincipal empty", DEALER, optSet((*Socket).SetGssapiPrincipal, ""), optGet((*Socket).GetGssapiPrincipal)},
		{"GssapiServicePrincipal 256", DEALER, optSet((*Socket).SetGssapiServicePrincipal, strings.Repeat("g", 256)), optGet((*Socket).GetGssapiServicePrincipal)},
		{"HandshakeIvl negative", DEALER, optSet((*Socket).SetHandshakeIvl, -ms), optGet((*Socket).GetHandshakeIvl)},
		{"HeartbeatIvl negative", DEALER, optSet((*Socket).SetHeartbeatIvl, -ms), optGet((*Socket).GetHeartbeatIvl)},
		{"HeartbeatTtl too big", DEALER, optSet((*Socket).SetHeartbeatTtl, 6553600*ms), optGet((*Socket).GetHeartbeatTtl)},
		{"HeartbeatTtl negative", DEALER, optSet((*Socket).SetHeartbeatTtl, -150*ms), optGet((*Socket).GetHeartbeatTtl)},
		{"HeartbeatTimeout negative", DEALER, optSet((*Socket).SetHeartbeatTimeout, -ms), optGet((*Socket).GetHeartbeatTimeout)},
		{"ConnectTimeout negative", DEALER, optSet((*Socket).SetConnectTimeout, -ms), optGet((*Socket).GetConnectTimeout)},
		{"TcpMaxrt negative", DEALER, optSet((*Socket).SetTcpMaxrt, -ms), optGet((*Socket).GetTcpMaxrt)},
		{"MulticastMaxtpdu zero", DEALER, optSet((*Socket).SetMulticastMaxtpdu, 0), optGet((*Socket).GetMulticastMaxtpdu)},
		{"UseFd -2", DEALER, optSet((*Socket).SetUseFd, -2), optGet((*Socket).Getusefd)},
		{"BindToDevice 17", DEALER, optSet((*Socket).SetBindToDevice, strings.Repeat("d", 17)), optGet((*Socket).GetBindToDevice)},
		{"RouterNotify 4", ROUTER, optSet((*Socket).SetRouterNotify, RouterNotifyOption(4)), optGet((*Socket).GetRouterNotify)},
		{"RouterNotify negative", ROUTER, optSet((*Socket).SetRouterNotify, RouterNotifyOption(-1)), optGet((*Socket).GetRouterNotify)},
		{"TcpAcceptFilter garbage", DEALER, optSet((*Socket).SetTcpAcceptFilter, "localhost"), nil},
		{"Metadata lower-case x-", DEALER, optSet((*Socket).SetMetadata, "x-name:value"), nil},

		// Negative values of int options used as flags.
		{"RouterMandatory negative", ROUTER, optSet((*Socket).SetRouterMandatory, -1), nil},
		{"RouterRaw negative", ROUTER, optSet((*Socket).SetRouterRaw, -1), nil},
		{"ProbeRouter negative", DEALER, optSet((*Socket).SetProbeRouter, -1), nil},
		{"XpubVerbose negative", XPUB, optSet((*Socket).SetXpubVerbose, -1), nil},
		{"XpubVerboser negative", XPUB, optSet((*Socket).SetXpubVerboser, -1), nil},
		{"XpubManual negative", XPUB, optSet((*Socket).SetXpubManual, -1), nil},
		{"ReqCorrelate negative", REQ, optSet((*Socket).SetReqCorrelate, -1), nil},
		{"ReqRelaxed negative", REQ, optSet((*Socket).SetReqRelaxed, -1), nil},
		{"StreamNotify 2", STREAM, optSet((*Socket).SetStreamNotify, 2), nil},
		{"ConnectRid empty", ROUTER, optSet((*Socket).SetConnectRid, ""), nil},
		{"ConnectRid 256", ROUTER, optSet((*Socket).SetConnectRid, strings.Repeat("r", 256)), nil},

		// Options of other socket types.
		{"RouterMandatory on DEALER", DEALER, optSet((*Socket).SetRouterMandatory, 1), nil},
		{"RouterRaw on DEALER", DEALER, optSet((*Socket).SetRouterRaw, 1), nil},
		{"RouterHandover on DEALER", DEALER, optSet((*Socket).SetRouterHandover, true), nil},
		{"RouterNotify on DEALER", DEALER, optSet((*Socket).SetRouterNotify, RouterNotifyOption(NotifyConnect)), nil},
		{"ProbeRouter on PUB", PUB, optSet((*Socket).SetProbeRouter, 1), nil},
		{"XpubVerbose on SUB", SUB, optSet((*Socket).SetXpubVerbose, 1), nil},
		{"XpubVerboser on XSUB", XSUB, optSet((*Socket).SetXpubVerboser, 1), nil},
		{"XpubNodrop on PUSH", PUSH, optSet((*Socket).SetXpubNodrop, true), nil},
		{"XpubManual on PUSH", PUSH, optSet((*Socket).SetXpubManual, 1), nil},
		{"XpubWelcomeMsg on ROUTER", ROUTER, optSet((*Socket).SetXpubWelcomeMsg, "hi"), nil},
		{"OnlyFirstSubscribe on SUB", SUB, optSet((*Socket).SetOnlyFirstSubscribe, true), nil},
		{"ReqCorrelate on DEALER", DEALER, optSet((*Socket).SetReqCorrelate, 1), nil},
		{"ReqRelaxed on REP", REP, optSet((*Socket).SetReqRelaxed, 1), nil},
		{"StreamNotify on ROUTER", ROUTER, optSet((*Socket).SetStreamNotify, 1), nil},
		{"ConnectRid on DEALER", DEALER, optSet((*Socket).SetConnectRid, "rid"), nil},
		{"Subscribe on PUB", PUB, optSet((*Socket).SetSubscribe, "topic"), nil},
		{"Unsubscribe on DEALER", DEALER, optSet((*Socket).SetUnsubscribe, "topic"), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := optSocket(t, c.typ)
			var before any
			if c.get != nil {
				var err error
				if before, err = c.get(s); err != nil {
					t.Fatalf("get before: %v", err)
				}
			}
			err := c.set(s)
			if !errors.Is(err, syscall.EINVAL) {
				t.Fatalf("got %v, want EINVAL", err)
			}
			if c.get != nil {
				after, err := c.get(s)
				if err != nil {
					t.Fatalf("get after: %v", err)
				}
				if after != before {
					t.Fatalf("value changed from %#v to %#v", before, after)
				}
			}
		})
	}
}

// TestOptSocketSpecific checks that the type-specific options are accepted
// by the types libzmq accepts them on, and store what they should.
func TestOptSocketSpecific(t *testing.T) {
	cases := []struct {
		name  string
		typ   Type
		set   func(*Socket) error
		check func(o *options) bool
	}{
		{"RouterMandatory", ROUTER, optSet((*Socket).SetRouterMandatory, 1), func(o *options) bool { return o.routerMandatory }},
		{"RouterMandatory on REP", REP, optSet((*Socket).SetRouterMandatory, 7), func(o *options) bool { return o.routerMandatory }},
		{"RouterRaw", ROUTER, optSet((*Socket).SetRouterRaw, 1), func(o *options) bool { return o.routerRaw }},
		{"RouterHandover", ROUTER, optSet((*Socket).SetRouterHandover, true), func(o *options) bool { return o.routerHandover }},
		{"ProbeRouter on DEALER", DEALER, optSet((*Socket).SetProbeRouter, 1), func(o *options) bool { return o.probeRouter }},
		{"ProbeRouter on REQ", REQ, optSet((*Socket).SetProbeRouter, 1), func(o *options) bool { return o.probeRouter }},
		{"ProbeRouter on ROUTER", ROUTER, optSet((*Socket).SetProbeRouter, 1), func(o *options) bool { return o.probeRouter }},
		{"XpubVerbose", XPUB, optSet((*Socket).SetXpubVerbose, 1), func(o *options) bool { return o.xpubVerbose && !o.xpubVerboser }},
		{"XpubVerboser", XPUB, optSet((*Socket).SetXpubVerboser, 1), func(o *options) bool { return o.xpubVerbose && o.xpubVerboser }},
		{"XpubNodrop on PUB", PUB, optSet((*Socket).SetXpubNodrop, true), func(o *options) bool { return o.xpubNodrop }},
		{"XpubManual", XPUB, optSet((*Socket).SetXpubManual, 1), func(o *options) bool { return o.xpubManual }},
		{"XpubWelcomeMsg", XPUB, optSet((*Socket).SetXpubWelcomeMsg, "welcome"), func(o *options) bool { return string(o.xpubWelcomeMsg) == "welcome" }},
		{"OnlyFirstSubscribe on XSUB", XSUB, optSet((*Socket).SetOnlyFirstSubscribe, true), func(o *options) bool { return o.onlyFirstSubscribe }},
		{"OnlyFirstSubscribe on XPUB", XPUB, optSet((*Socket).SetOnlyFirstSubscribe, true), func(o *options) bool { return o.onlyFirstSubscribe }},
		{"ReqCorrelate", REQ, optSet((*Socket).SetReqCorrelate, 1), func(o *options) bool { return o.reqCorrelate }},
		{"ReqRelaxed", REQ, optSet((*Socket).SetReqRelaxed, 1), func(o *options) bool { return o.reqRelaxed }},
		{"StreamNotify off", STREAM, optSet((*Socket).SetStreamNotify, 0), func(o *options) bool { return !o.streamNotify }},
		{"ConnectRid on ROUTER", ROUTER, optSet((*Socket).SetConnectRid, "rid"), func(o *options) bool { return string(o.connectRid) == "rid" }},
		{"ConnectRid on STREAM", STREAM, optSet((*Socket).SetConnectRid, "rid"), func(o *options) bool { return string(o.connectRid) == "rid" }},
		{"Conflate", PULL, optSet((*Socket).SetConflate, true), func(o *options) bool { return o.conflate }},
		{"HelloMsg", ROUTER, optSet((*Socket).SetHelloMsg, "hello"), func(o *options) bool { return string(o.helloMsg) == "hello" }},
		{"DisconnectMsg", ROUTER, optSet((*Socket).SetDisconnectMsg, "bye"), func(o *options) bool { return string(o.disconnectMsg) == "bye" }},
		{"HiccupMsg", DEALER, optSet((*Socket).SetHiccupMsg, "hic"), func(o *options) bool { return string(o.hiccupMsg) == "hic" }},
		{"Subscribe on SUB", SUB, optSet((*Socket).SetSubscribe, "topic"), func(o *options) bool { return true }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := optSocket(t, c.typ)
			if err := c.set(s); err != nil {
				t.Fatalf("set: %v", err)
			}
			s.mu.Lock()
			ok := c.check(&s.opt)
			s.mu.Unlock()
			if !ok {
				t.Fatalf("option not stored: %+v", s.opt)
			}
		})
	}
}

// TestOptMessagesClear checks that an empty value removes a message option.
func TestOptMessagesClear(t *testing.T) {
	s := optSocket(t, XPUB)
	for _, set := range []func(string) error{s.SetXpubWelcomeMsg, s.SetHelloMsg, s.SetDisconnectMsg, s.SetHiccupMsg} {
		if err := set("x"); err != nil {
			t.Fatal(err)
		}
		if err := set(""); err != nil {
			t.Fatal(err)
		}
	}
	if s.opt.xpubWelcomeMsg != nil || s.opt.helloMsg != nil || s.opt.disconnectMsg != nil || s.opt.hiccupMsg != nil {
		t.Fatalf("messages not cleared: %q %q %q %q", s.opt.xpubWelcomeMsg, s.opt.helloMsg, s.opt.disconnectMsg, s.opt.hiccupMsg)
	}
}

// TestOptClosedSocket checks every getter and setter on a closed socket.
func TestOptClosedSocket(t *testing.T) {
	ctx, err := NewContext()
	if err != nil {
		t.Fatal(err)
	}
	defer ctx.Term()
	s, err := ctx.NewSocket(DEALER)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range optRoundTrips() {
		if err := c.set(s); err != ErrorSocketClosed {
			t.Errorf("set %s: got %v, want ErrorSocketClosed", c.name, err)
		}
		if _, err := c.get(s); err != ErrorSocketClosed {
			t.Errorf("get %s: got %v, want ErrorSocketClosed", c.name, err)
		}
	}
	others := map[string]error{
		"GetType":           optErrOf(s.GetType()),
		"GetRcvmore":        optErrOf(s.GetRcvmore()),
		"GetEvents":         optErrOf(s.GetEvents()),
		"GetLastEndpoint":   optErrOf(s.GetLastEndpoint()),
		"GetFd":             optErrOf(s.GetFd()),
		"GetThreadSafe":     optErrOf(s.GetThreadSafe()),
		"GetMechanism":      optErrOf(s.GetMechanism()),
		"GetCurveServerZ85": optErrOf(s.GetCurveServerkeyZ85()),
		"SetSubscribe":      s.SetSubscribe("a"),
		"SetCurveServer":    s.SetCurveServer(1),
		"SetCurveKey":       s.SetCurvePublickey(optKeyRaw),
		"SetConflate":       s.SetConflate(true),
		"SetMetadata":       s.SetMetadata("X-a:b"),
		"SetTcpAcceptFilt":  s.SetTcpAcceptFilter("127.0.0.1"),
		"SetRouterRaw":      s.SetRouterRaw(1),
		"SetXpubNodrop":     s.SetXpubNodrop(true),
	}
	for name, err := range others {
		if err != ErrorSocketClosed {
			t.Errorf("%s: got %v, want ErrorSocketClosed", name, err)
		}
	}
}

func optErrOf[T any](_ T, err error) error { return err }

// TestOptMechanism follows libzmq's rules for which option selects which
// security mechanism and role.
func TestOptMechanism(t *testing.T) {
	s := optSocket(t, DEALER)
	expect := func(step string, mech Mechanism, plainServer int) {
		t.Helper()
		m, err := s.GetMechanism()
		if err != nil || m != mech {
			t.Fatalf("%s: mechanism %v, %v; want %v", step, m, err, mech)
		}
		ps, err := s.GetPlainServer()
		if err != nil || ps != plainServer {
			t.Fatalf("%s: plain server %d, %v; want %d", step, ps, err, plainServer)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	expect("new", NULL, 0)
	must(s.SetPlainServer(1))
	expect("PLAIN_SERVER=1", PLAIN, 1)
	must(s.SetPlainUsername("user"))
	expect("PLAIN_USERNAME makes a client", PLAIN, 0)
	must(s.SetPlainUsername(""))
	expect("empty PLAIN_USERNAME", NULL, 0)
	if u, _ := s.GetPlainUsername(); u != "user" {
		t.Fatalf("empty PLAIN_USERNAME changed the username to %q", u)
	}
	must(s.SetPlainPassword("pw"))
	expect("PLAIN_PASSWORD", PLAIN, 0)
	must(s.SetPlainServer(0))
	expect("PLAIN_SERVER=0", NULL, 0)

	must(s.SetCurveServer(1))
	expect("CURVE_SERVER=1", CURVE, 0)
	if !s.opt.curveServer {
		t.Fatal("CURVE_SERVER=1 did not set the server role")
	}
	must(s.SetCurveServer(0))
	expect("CURVE_SERVER=0", NULL, 0)
	must(s.SetCurvePublickey(optKeyRaw))
	expect("CURVE_PUBLICKEY", CURVE, 0)
	must(s.SetCurveServer(1))
	must(s.SetCurveServerkey(optKeyRaw))
	expect("CURVE_SERVERKEY", CURVE, 0)
	if s.opt.curveServer {
		t.Fatal("CURVE_SERVERKEY left the server role on")
	}

	must(s.SetPlainServer(1))
	must(s.SetCurveSecretkey(optKeyRaw))
	expect("CURVE key after PLAIN_SERVER", CURVE, 0)
}

// TestOptCurveKeys checks raw and Z85 forms of the three CURVE keys.
func TestOptCurveKeys(t *testing.T) {
	text := optKeyZ85(t)
	keys := []struct {
		name   string
		set    func(*Socket, string) error
		getRaw func(*Socket) (string, error)
		getZ85 func(*Socket) (string, error)
	}{
		{"public", (*Socket).SetCurvePublickey, (*Socket).GetCurvePublickeyRaw, (*Socket).GetCurvePublickeykeyZ85},
		{"secret", (*Socket).SetCurveSecretkey, (*Socket).GetCurveSecretkeyRaw, (*Socket).GetCurveSecretkeyZ85},
		{"server", (*Socket).SetCurveServerkey, (*Socket).GetCurveServerkeyRaw, (*Socket).GetCurveServerkeyZ85},
	}
	for _, k := range keys {
		for _, form := range []struct{ name, value string }{
			{"raw", optKeyRaw},
			{"z85", text},
			{"z85 with NUL", text + "\x00"},
		} {
			t.Run(k.name+" "+form.name, func(t *testing.T) {
				s := optSocket(t, DEALER)
				if err := k.set(s, form.value); err != nil {
					t.Fatal(err)
				}
				raw, err := k.getRaw(s)
				if err != nil || raw != optKeyRaw {
					t.Fatalf("raw: %x, %v", raw, err)
				}
				z, err := k.getZ85(s)
				if err != nil || z != text {
					t.Fatalf("z85: %q, %v; want %q", z, err, text)
				}
			})
		}
	}
}

func TestOptTcpAcceptFilter(t *testing.T) {
	s := optSocket(t, ROUTER)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.SetTcpAcceptFilter("10.1.2.3/8"))
	must(s.SetTcpAcceptFilter("192.168.1.7"))
	must(s.SetTcpAcceptFilter("0.0.0.0/0"))
	want := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("192.168.1.7/32"),
		netip.MustParsePrefix("0.0.0.0/0"),
	}
	if !reflect.DeepEqual(s.opt.acceptFilters, want) {
		t.Fatalf("filters %v, want %v", s.opt.acceptFilters, want)
	}
	for _, bad := range []string{"::1", "1.2.3.4/33", "1.2.3.4/", "1.2.3.4/-1", "1.2.3.4/x", "*", " 1.2.3.4", "host.example", strings.Repeat("1", 256)} {
		if err := s.SetTcpAcceptFilter(bad); !errors.Is(err, syscall.EINVAL) {
			t.Errorf("%q: got %v, want EINVAL", bad, err)
		}
	}
	if len(s.opt.acceptFilters) != 3 {
		t.Fatalf("invalid filters changed the list: %v", s.opt.acceptFilters)
	}
	must(s.SetTcpAcceptFilter(""))
	if len(s.opt.acceptFilters) != 0 {
		t.Fatalf("empty filter did not clear the list: %v", s.opt.acceptFilters)
	}

	// IPv6 ranges need IPV6 on, as in libzmq.
	must(s.SetIpv6(true))
	must(s.SetTcpAcceptFilter("::1"))
	must(s.SetTcpAcceptFilter("[fe80::1%lo]/64"))
	must(s.SetTcpAcceptFilter("127.0.0.1/8"))
	want = []netip.Prefix{
		netip.MustParsePrefix("::1/128"),
		netip.MustParsePrefix("fe80::/64"),
		netip.MustParsePrefix("127.0.0.0/8"),
	}
	if !reflect.DeepEqual(s.opt.acceptFilters, want) {
		t.Fatalf("filters %v, want %v", s.opt.acceptFilters, want)
	}
	if err := s.SetTcpAcceptFilter("::1/129"); !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("::1/129: got %v, want EINVAL", err)
	}
}

func TestOptMetadata(t *testing.T) {
	s := optSocket(t, DEALER)
	for _, good := range []string{"X-name:value", "X-url:tcp://h:1", "X-name:second"} {
		if err := s.SetMetadata(good); err != nil {
			t.Fatalf("%q: %v", good, err)
		}
	}
	want := [][2]string{{"X-name", "value"}, {"X-url", "tcp://h:1"}}
	if !reflect.DeepEqual(s.opt.metadata, want) {
		t.Fatalf("metadata %q, want %q", s.opt.metadata, want)
	}
	for _, bad := range []string{"", "X-name", "X-name:", ":value", "name:value", "x-name:value", "X-" + strings.Repeat("n", 254) + ":v"} {
		if err := s.SetMetadata(bad); !errors.Is(err, syscall.EINVAL) {
			t.Errorf("%.20q: got %v, want EINVAL", bad, err)
		}
	}
	if len(s.opt.metadata) != 2 {
		t.Fatalf("invalid metadata changed the list: %q", s.opt.metadata)
	}
}

func TestOptTypeAndEndpoint(t *testing.T) {
	for _, typ := range []Type{PAIR, PUB, SUB, REQ, REP, DEALER, ROUTER, PULL, PUSH, XPUB, XSUB, STREAM} {
		s := optSocket(t, typ)
		got, err := s.GetType()
		if err != nil || got != typ {
			t.Errorf("GetType: %v, %v; want %v", got, err, typ)
		}
	}
	s := optSocket(t, PAIR)
	if err := s.Bind("inproc://socketopt-last-endpoint"); err != nil {
		t.Fatal(err)
	}
	ep, err := s.GetLastEndpoint()
	if err != nil || ep != "inproc://socketopt-last-endpoint" {
		t.Fatalf("GetLastEndpoint: %q, %v", ep, err)
	}
	if _, err := s.GetEvents(); err != nil {
		t.Fatalf("GetEvents: %v", err)
	}
}
