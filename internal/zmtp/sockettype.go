package zmtp

// compatiblePeers lists, for each socket type, the Socket-Type values it
// accepts from a peer (RFC 37; libzmq's check_socket_type). STREAM speaks raw
// TCP, never ZMTP, so it accepts nothing.
var compatiblePeers = map[string][]string{
	"REQ":     {"REP", "ROUTER"},
	"REP":     {"REQ", "DEALER"},
	"DEALER":  {"REP", "DEALER", "ROUTER"},
	"ROUTER":  {"REQ", "DEALER", "ROUTER"},
	"PUB":     {"SUB", "XSUB"},
	"XPUB":    {"SUB", "XSUB"},
	"SUB":     {"PUB", "XPUB"},
	"XSUB":    {"PUB", "XPUB"},
	"PUSH":    {"PULL"},
	"PULL":    {"PUSH"},
	"PAIR":    {"PAIR"},
	"CLIENT":  {"SERVER"},
	"SERVER":  {"CLIENT"},
	"RADIO":   {"DISH"},
	"DISH":    {"RADIO"},
	"SCATTER": {"GATHER"},
	"GATHER":  {"SCATTER"},
	"PEER":    {"PEER"},
	"CHANNEL": {"CHANNEL"},
	"DGRAM":   {"DGRAM"},
	"STREAM":  nil,
}

// Compatible reports whether a socket of type local accepts a peer that
// announced Socket-Type peer. Both strings are compared byte for byte, as
// libzmq compares them ("PUB", "DEALER", ...).
func Compatible(local, peer string) bool {
	for _, accepted := range compatiblePeers[local] {
		if accepted == peer {
			return true
		}
	}
	return false
}
