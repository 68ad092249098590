package mechanism

import (
	"testing"

	"github.com/purezmq/zmq4/internal/zmtp"
)

func TestZAPRequestFrames(t *testing.T) {
	r := ZAPRequest{Domain: "d", Address: "127.0.0.1", Identity: "id", Mechanism: "PLAIN",
		Credentials: [][]byte{[]byte("user"), []byte("pass")}}
	frames := r.Frames()
	want := []string{"", "1.0", "1", "d", "127.0.0.1", "id", "PLAIN", "user", "pass"}
	if len(frames) != len(want) {
		t.Fatalf("%d frames, want %d", len(frames), len(want))
	}
	for i := range want {
		if string(frames[i]) != want[i] {
			t.Fatalf("frame %d = %q, want %q", i, frames[i], want[i])
		}
	}
}

func zapReplyFrames(status string, meta []byte) [][]byte {
	return [][]byte{{}, []byte("1.0"), []byte("1"), []byte(status), []byte("OK"), []byte("user"), meta}
}

func TestParseZAPReply(t *testing.T) {
	meta := zmtp.AppendProperty(nil, "Hello", "World")
	r, err := ParseZAPReply(zapReplyFrames("200", meta))
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != "200" || r.StatusText != "OK" || r.UserID != "user" || len(r.Metadata) != 1 || r.Metadata[0] != prop("Hello", "World") {
		t.Fatalf("reply %+v", r)
	}

	bad := func(mutate func([][]byte) [][]byte) [][]byte { return mutate(zapReplyFrames("200", meta)) }
	cases := []struct {
		name   string
		frames [][]byte
		code   int
	}{
		{"too few", bad(func(f [][]byte) [][]byte { return f[:6] }), ProtocolErrorZAPMalformedReply},
		{"too many", bad(func(f [][]byte) [][]byte { return append(f, nil) }), ProtocolErrorZAPMalformedReply},
		{"delimiter", bad(func(f [][]byte) [][]byte { f[0] = []byte("x"); return f }), ProtocolErrorZAPUnspecified},
		{"version", bad(func(f [][]byte) [][]byte { f[1] = []byte("2.0"); return f }), ProtocolErrorZAPBadVersion},
		{"request id", bad(func(f [][]byte) [][]byte { f[2] = []byte("2"); return f }), ProtocolErrorZAPBadRequestID},
		{"status 600", zapReplyFrames("600", meta), ProtocolErrorZAPInvalidStatusCode},
		{"status 201", zapReplyFrames("201", meta), ProtocolErrorZAPInvalidStatusCode},
		{"status long", zapReplyFrames("2000", meta), ProtocolErrorZAPInvalidStatusCode},
		{"metadata", zapReplyFrames("200", meta[:5]), ProtocolErrorZAPInvalidMetadata},
	}
	for _, tc := range cases {
		_, err := ParseZAPReply(tc.frames)
		wantFailure(t, tc.name, outcome{err: err}, FailedProtocol, tc.code)
	}
	for _, status := range []string{"300", "400", "500"} {
		if _, err := ParseZAPReply(zapReplyFrames(status, nil)); err != nil {
			t.Fatalf("status %s rejected: %v", status, err)
		}
	}
}
