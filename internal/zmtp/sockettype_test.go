package zmtp

import "testing"

func TestCompatibleTable(t *testing.T) {
	types := []string{"PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH",
		"XPUB", "XSUB", "STREAM", "SERVER", "CLIENT", "RADIO", "DISH", "GATHER", "SCATTER",
		"DGRAM", "PEER", "CHANNEL"}
	// PROTOCOL.md 1.8, written out pair by pair.
	allowed := map[[2]string]bool{}
	for _, p := range [][2]string{
		{"REQ", "REP"}, {"REQ", "ROUTER"},
		{"REP", "REQ"}, {"REP", "DEALER"},
		{"DEALER", "REP"}, {"DEALER", "DEALER"}, {"DEALER", "ROUTER"},
		{"ROUTER", "REQ"}, {"ROUTER", "DEALER"}, {"ROUTER", "ROUTER"},
		{"PUB", "SUB"}, {"PUB", "XSUB"}, {"XPUB", "SUB"}, {"XPUB", "XSUB"},
		{"SUB", "PUB"}, {"SUB", "XPUB"}, {"XSUB", "PUB"}, {"XSUB", "XPUB"},
		{"PUSH", "PULL"}, {"PULL", "PUSH"}, {"PAIR", "PAIR"},
		{"CLIENT", "SERVER"}, {"SERVER", "CLIENT"}, {"RADIO", "DISH"}, {"DISH", "RADIO"},
		{"SCATTER", "GATHER"}, {"GATHER", "SCATTER"}, {"PEER", "PEER"},
		{"CHANNEL", "CHANNEL"}, {"DGRAM", "DGRAM"},
	} {
		allowed[p] = true
	}
	for _, local := range types {
		for _, peer := range types {
			if got := Compatible(local, peer); got != allowed[[2]string{local, peer}] {
				t.Errorf("Compatible(%s, %s) = %v", local, peer, got)
			}
		}
	}
	for _, odd := range [][2]string{{"pub", "SUB"}, {"PUB", "sub"}, {"PUB", "SUB\x00"}, {"", ""}, {"BOGUS", "PAIR"}} {
		if Compatible(odd[0], odd[1]) {
			t.Errorf("Compatible(%q, %q) = true", odd[0], odd[1])
		}
	}
}
