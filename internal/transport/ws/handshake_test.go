package ws

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestAcceptKeyRFCExample(t *testing.T) {
	if got := acceptKey("dGhlIHNhbXBsZSBub25jZQ=="); got != rfcAccept {
		t.Fatalf("acceptKey = %q, want %q", got, rfcAccept)
	}
}

func TestParseRequestFromLibzmq(t *testing.T) {
	req, err := parseRequest([]byte(libzmqRequest))
	if err != nil {
		t.Fatal(err)
	}
	if req.path != "/zmq" || req.key != "dGhlIHNhbXBsZSBub25jZQ==" ||
		!slices.Equal(req.protocols, []string{"ZWS2.0/NULL", "ZWS2.0"}) {
		t.Fatalf("parsed %+v", req)
	}
}

func TestParseRequestLenientForms(t *testing.T) {
	// Header names in any case, token lists, repeated protocol headers,
	// spaces around values.
	head := "GET / HTTP/1.1\r\n" +
		"upgrade:   WebSocket \r\n" +
		"CONNECTION: keep-alive, Upgrade\r\n" +
		"sec-websocket-key: abc\r\n" +
		"Sec-WebSocket-Protocol: chat\r\n" +
		"Sec-WebSocket-Protocol: ZWS2.0/PLAIN , ZWS2.0\r\n\r\n"
	req, err := parseRequest([]byte(head))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(req.protocols, []string{"chat", "ZWS2.0/PLAIN", "ZWS2.0"}) || req.key != "abc" {
		t.Fatalf("parsed %+v", req)
	}
}

func TestParseRequestRejects(t *testing.T) {
	base := strings.Split(libzmqRequest, "\r\n")
	without := func(prefix string) string {
		var keep []string
		for _, l := range base {
			if !strings.HasPrefix(l, prefix) || l == "" {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\r\n")
	}
	bad := map[string]string{
		"POST":             strings.Replace(libzmqRequest, "GET", "POST", 1),
		"HTTP/1.0":         strings.Replace(libzmqRequest, "HTTP/1.1", "HTTP/1.0", 1),
		"no path":          strings.Replace(libzmqRequest, "GET /zmq ", "GET zmq ", 1),
		"no key":           without("Sec-WebSocket-Key"),
		"no upgrade":       without("Upgrade"),
		"no connection":    without("Connection"),
		"bare LF":          strings.ReplaceAll(libzmqRequest, "\r\n", "\n"),
		"no blank line":    strings.TrimSuffix(libzmqRequest, "\r\n"),
		"header no colon":  strings.Replace(libzmqRequest, "Upgrade: websocket", "Upgrade websocket", 1),
		"bad header name":  strings.Replace(libzmqRequest, "Host:", "Ho st:", 1),
		"too long":         strings.Replace(libzmqRequest, "Host: 127.0.0.1", "Host: "+strings.Repeat("a", maxHeadSize), 1),
		"too many headers": strings.Replace(libzmqRequest, "Host: 127.0.0.1\r\n", strings.Repeat("X: y\r\n", maxHeaderLines+1), 1),
	}
	for name, head := range bad {
		if _, err := parseRequest([]byte(head)); !errors.Is(err, errHandshake) {
			t.Errorf("%s: parseRequest error %v, want a handshake error", name, err)
		}
	}
}

func TestParseResponse(t *testing.T) {
	resp, err := parseResponse(appendResponse(nil, rfcAccept, "ZWS2.0/CURVE"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.accept != rfcAccept || resp.protocol != "ZWS2.0/CURVE" {
		t.Fatalf("parsed %+v", resp)
	}
	bad := []string{
		badRequest,
		"HTTP/1.1 200 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\nSec-WebSocket-Protocol: ZWS2.0\r\n\r\n",
		"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: ZWS2.0\r\n\r\n",
		"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n",
		"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\nSec-WebSocket-Protocol: ZWS2.0/NULL, ZWS2.0\r\n\r\n",
		"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\nSec-WebSocket-Protocol: ZWS2.0\r\n\r\n",
	}
	for _, head := range bad {
		if _, err := parseResponse([]byte(head)); !errors.Is(err, errHandshake) {
			t.Errorf("parseResponse(%q) error %v, want a handshake error", head, err)
		}
	}
}

func TestProtocolSelection(t *testing.T) {
	offers, err := offeredProtocols("NULL")
	if err != nil || !slices.Equal(offers, []string{"ZWS2.0/NULL", "ZWS2.0"}) {
		t.Fatalf("NULL offers %v %v", offers, err)
	}
	if _, err := offeredProtocols("GSSAPI"); err == nil {
		t.Fatal("GSSAPI offered")
	}
	cases := []struct {
		offers []string
		mech   string
		want   string
	}{
		{[]string{"ZWS2.0/NULL", "ZWS2.0"}, "NULL", "ZWS2.0/NULL"},
		{[]string{"ZWS2.0", "ZWS2.0/NULL"}, "NULL", "ZWS2.0"},
		{[]string{"ZWS2.0"}, "NULL", "ZWS2.0"},
		{[]string{"ZWS2.0"}, "PLAIN", ""},
		{[]string{"ZWS2.0/NULL", "ZWS2.0"}, "CURVE", ""},
		{[]string{"chat", "ZWS2.0/CURVE"}, "CURVE", "ZWS2.0/CURVE"},
		{[]string{"ZWS2.0/PLAIN"}, "PLAIN", "ZWS2.0/PLAIN"},
	}
	for _, c := range cases {
		got, ok := selectProtocol(c.offers, c.mech)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("selectProtocol(%v, %s) = %q, %v; want %q", c.offers, c.mech, got, ok, c.want)
		}
	}
}

func TestSplitAddress(t *testing.T) {
	good := []struct{ in, hostPort, path string }{
		{"127.0.0.1:5555", "127.0.0.1:5555", "/"},
		{"127.0.0.1:5555/", "127.0.0.1:5555", "/"},
		{"*:*/a/b:c", "*:*", "/a/b:c"},
		{"[::1]:80/zmq", "[::1]:80", "/zmq"},
	}
	for _, g := range good {
		hp, p, err := SplitAddress(g.in)
		if err != nil || hp != g.hostPort || p != g.path {
			t.Errorf("SplitAddress(%q) = %q, %q, %v", g.in, hp, p, err)
		}
	}
	for _, in := range []string{"h:1/a b", "h:1/\x7f", "h:1/\r\n"} {
		if _, _, err := SplitAddress(in); err == nil {
			t.Errorf("SplitAddress(%q) accepted", in)
		}
	}
}
