package zmtp

import "testing"

func TestV2SocketTypeNames(t *testing.T) {
	// libzmq's numbering: ZMQ_PAIR 0 ... ZMQ_XSUB 10.
	want := map[string]byte{"PAIR": 0, "PUB": 1, "SUB": 2, "REQ": 3, "REP": 4, "DEALER": 5,
		"ROUTER": 6, "PULL": 7, "PUSH": 8, "XPUB": 9, "XSUB": 10}
	for name, b := range want {
		if back, ok := V2SocketTypeName(b); !ok || back != name {
			t.Fatalf("V2SocketTypeName(%d) = %q %v", b, back, ok)
		}
	}
	if _, ok := V2SocketTypeName(11); ok {
		t.Fatal("type byte 11 accepted")
	}
}

func TestValidSignature(t *testing.T) {
	g := AppendGreeting(nil, "NULL", false)
	if !ValidSignature(g[:SignatureSize]) {
		t.Fatal("our own signature refused")
	}
	bad := append([]byte(nil), g[:SignatureSize]...)
	bad[9] = 0x7E
	if ValidSignature(bad) {
		t.Fatal("signature without bit 0 of byte 9 accepted")
	}
	if ValidSignature([]byte{0x01, 0x00}) || ValidSignature(g[:5]) {
		t.Fatal("ZMTP 1.0 or short signature accepted")
	}
}

func TestReadExactSteps(t *testing.T) {
	g := AppendGreeting(nil, "NULL", true)
	r := NewReader(&chunkedReader{data: append(g, AppendFrame(nil, 0, []byte("x"))...), step: 3}, -1)
	sig, err := r.ReadExact(SignatureSize)
	if err != nil || string(sig) != string(g[:SignatureSize]) {
		t.Fatalf("signature %q %v", sig, err)
	}
	v, err := r.ReadExact(1)
	if err != nil || v[0] != 3 {
		t.Fatalf("version %v %v", v, err)
	}
	rest, err := r.ReadExact(GreetingSize - SignatureSize - 1)
	if err != nil || string(rest) != string(g[SignatureSize+1:]) {
		t.Fatalf("rest %v", err)
	}
	if f, err := r.ReadFrame(); err != nil || string(f.Body) != "x" {
		t.Fatalf("frame after the greeting: %q %v", f.Body, err)
	}
	if _, err := r.ReadExact(GreetingSize + 1); err == nil {
		t.Fatal("ReadExact beyond a greeting accepted")
	}
}
