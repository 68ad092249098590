package zmq4

import (
	"testing"

	"github.com/purezmq/zmq4/internal/mechanism"
	"github.com/purezmq/zmq4/internal/zmtp"
)

// peerProperties follows libzmq 4.3's precedence: of each name the first
// wins, Peer-Address before the ZAP reply's User-Id and metadata, those
// before the peer's own metadata; a ZAP reply always gives a User-Id,
// empty or not. Ours let the last of a name win and had no User-Id for an
// empty user id (the wire differential's ZAP mode showed both against
// libzmq 4.3.4).
func TestPeerPropertiesAsLibzmq(t *testing.T) {
	peer := []zmtp.Property{{Name: "X-A", Value: "first"}, {Name: "X-A", Value: "second"},
		{Name: "X-Zap", Value: "from the peer"}, {Name: "Peer-Address", Value: "spoofed"}, {Name: "User-Id", Value: "spoofed"}}
	zap := []zmtp.Property{{Name: "X-Zap", Value: "from ZAP"}, {Name: "X-Zap", Value: "later"}}
	res := &mechanism.Result{Properties: append(peer, zap...), PeerProperties: len(peer), ZAPReplied: true}
	got := peerProperties(res, "10.0.0.1")
	want := map[string]string{"X-A": "first", "X-Zap": "from ZAP", "Peer-Address": "10.0.0.1", "User-Id": ""}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("got %q, want %q", got, want)
		}
	}

	res = &mechanism.Result{Properties: peer[:1], PeerProperties: 1}
	if got := peerProperties(res, ""); len(got) != 1 || got["X-A"] != "first" {
		t.Fatalf("without ZAP: %q", got)
	}
}
