package zmq4

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/purezmq/zmq4/internal/zmtp"
)

// authTestTimeout guards every blocking call in these tests.
const authTestTimeout = 10 * time.Second

// authKeepState snapshots the default context's authenticator's policies
// and restores them when the test ends, so a test may add policies for
// every domain.
func authKeepState(t *testing.T) {
	t.Helper()
	authKeepStateOf(t, defaultAuth)
}

// authKeepStateOf snapshots a's policies and restores them when the test
// ends.
func authKeepStateOf(t *testing.T, a *authenticator) {
	t.Helper()
	saved := a.policy.Snapshot()
	t.Cleanup(func() { a.policy.Restore(saved) })
}

// authRequest builds the request frames a REP handler sees.
func authRequest(domain, address, mechanism string, credentials ...string) [][]byte {
	frames := [][]byte{[]byte("1.0"), []byte("1"), []byte(domain), []byte(address), []byte("id"), []byte(mechanism)}
	for _, c := range credentials {
		frames = append(frames, []byte(c))
	}
	return frames
}

// authStatus runs one request through the handler logic and returns the
// status, user id and metadata of the reply.
func authStatus(t *testing.T, request [][]byte) (status, userID string, metadata map[string]string) {
	t.Helper()
	reply := defaultAuth.policy.Reply(request)
	if len(reply) != 6 {
		t.Fatalf("reply has %d frames", len(reply))
	}
	props, err := zmtp.ParseMetadata(reply[5])
	if err != nil {
		t.Fatalf("reply metadata: %v", err)
	}
	metadata = map[string]string{}
	for _, p := range props {
		metadata[p.Name] = p.Value
	}
	return string(reply[2]), string(reply[4]), metadata
}

// authExpect checks the status of one request.
func authExpect(t *testing.T, want string, request [][]byte) {
	t.Helper()
	if got, _, _ := authStatus(t, request); got != want {
		t.Fatalf("request %q: status %s, want %s", request, got, want)
	}
}

func TestAuthMetaBlob(t *testing.T) {
	blob, err := AuthMetaBlob("Hello", "World")
	if err != nil || string(blob) != "\x05Hello\x00\x00\x00\x05World" {
		t.Fatalf("AuthMetaBlob = %q, %v", blob, err)
	}
	if _, err := AuthMetaBlob(strings.Repeat("n", 256), "v"); err == nil {
		t.Fatal("AuthMetaBlob accepted a 256-byte key")
	}
	if _, err := AuthMetaBlob("", "v"); err == nil {
		t.Fatal("AuthMetaBlob accepted an empty key")
	}
}

func TestAuthCurveDirectoryReload(t *testing.T) {
	authKeepState(t)
	dir := t.TempDir()
	if err := AuthCurveDirectory("cd", filepath.Join(dir, "missing")); err == nil {
		t.Fatal("AuthCurveDirectory accepted a missing directory")
	}
	alice, _ := NewCert()
	alice.SetMeta("name", "alice")
	bob, _ := NewCert()
	if err := alice.SavePublic(filepath.Join(dir, "alice.key")); err != nil {
		t.Fatal(err)
	}
	if err := AuthCurveDirectory("cd", dir); err != nil {
		t.Fatal(err)
	}
	status, id, md := authStatus(t, authRequest("cd", "127.0.0.1", "CURVE", string(alice.PublicKey())))
	if status != "200" || id != alice.PublicTxt() || md["name"] != "alice" {
		t.Fatalf("alice: %s %q %v", status, id, md)
	}
	authExpect(t, "400", authRequest("cd", "127.0.0.1", "CURVE", string(bob.PublicKey())))

	// New certificates are picked up, removed ones dropped.
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := bob.SavePublic(filepath.Join(dir, "sub", "bob.key")); err != nil {
		t.Fatal(err)
	}
	authExpect(t, "200", authRequest("cd", "127.0.0.1", "CURVE", string(bob.PublicKey())))
	os.Remove(filepath.Join(dir, "alice.key"))
	authExpect(t, "400", authRequest("cd", "127.0.0.1", "CURVE", string(alice.PublicKey())))

	if err := AuthCurveDirectory("cd", ""); err != nil {
		t.Fatal(err)
	}
	authExpect(t, "400", authRequest("cd", "127.0.0.1", "CURVE", string(bob.PublicKey())))
	if err := AuthCurveDirectory("cd", CURVE_ALLOW_ANY); err != nil {
		t.Fatal(err)
	}
	authExpect(t, "200", authRequest("cd", "127.0.0.1", "CURVE", string(alice.PublicKey())))

	store := NewMemCertStore()
	store.Insert(alice)
	AuthCurveCertStore("cs", store)
	authExpect(t, "200", authRequest("cs", "127.0.0.1", "CURVE", string(alice.PublicKey())))
	authExpect(t, "400", authRequest("cs", "127.0.0.1", "CURVE", string(bob.PublicKey())))
}

func TestAuthStartStop(t *testing.T) {
	if err := AuthStart(); err != nil {
		t.Fatal(err)
	}
	if err := AuthStart(); err == nil {
		AuthStop()
		t.Fatal("second AuthStart succeeded")
	}
	if getDefaultContext().zapFunc() == nil {
		t.Fatal("no ZAP handler bound while running")
	}
	AuthStop()
	if getDefaultContext().zapFunc() != nil {
		t.Fatal("ZAP handler still bound after AuthStop")
	}
	AuthStop() // not running: nothing to do
	if err := AuthStart(); err != nil {
		t.Fatal(err)
	}
	AuthStop()
}

func TestAuthStartFailsWhenEndpointTaken(t *testing.T) {
	other, err := NewSocket(REP)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Bind(zapEndpoint); err != nil {
		t.Fatal(err)
	}
	if err := AuthStart(); err == nil {
		AuthStop()
		t.Fatal("AuthStart succeeded with the endpoint taken")
	}
}

// The handler ends with its context: Term does not hang and a later
// AuthStart works in the new default context.
func TestAuthEndsWithDefaultContext(t *testing.T) {
	if err := AuthStart(); err != nil {
		t.Fatal(err)
	}
	termed := make(chan error, 1)
	go func() { termed <- Term() }()
	select {
	case err := <-termed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(authTestTimeout):
		t.Fatal("Term hangs with the authenticator running")
	}
	if err := AuthStart(); err != nil {
		t.Fatalf("AuthStart after Term: %v", err)
	}
	AuthStop()
}

var authMonitorSeq atomic.Int64

// authSocket makes a socket in the default context with hang guards.
func authSocket(t *testing.T, typ Type) *Socket {
	t.Helper()
	s, err := NewSocket(typ)
	if err != nil {
		t.Fatal(err)
	}
	s.SetLinger(0)
	s.SetRcvtimeo(authTestTimeout)
	s.SetSndtimeo(authTestTimeout)
	t.Cleanup(func() { s.Close() })
	return s
}

// authHandshake binds server, connects client and returns the server's
// first handshake event and value.
func authHandshake(t *testing.T, server, client *Socket) (Event, int) {
	t.Helper()
	addr := fmt.Sprintf("inproc://auth-monitor-%d", authMonitorSeq.Add(1))
	if err := server.Monitor(addr, EVENT_HANDSHAKE_SUCCEEDED|EVENT_HANDSHAKE_FAILED_AUTH|EVENT_HANDSHAKE_FAILED_PROTOCOL|EVENT_HANDSHAKE_FAILED_NO_DETAIL); err != nil {
		t.Fatal(err)
	}
	m := authSocket(t, PAIR)
	if err := m.Connect(addr); err != nil {
		t.Fatal(err)
	}
	if err := server.Bind("tcp://127.0.0.1:*"); err != nil {
		t.Fatal(err)
	}
	ep, _ := server.GetLastEndpoint()
	if err := client.Connect(ep); err != nil {
		t.Fatal(err)
	}
	ev, _, value, err := m.RecvEvent(0)
	if err != nil {
		t.Fatal(err)
	}
	return ev, value
}

// Certificate metadata and the metadata handler's properties reach the
// server socket's messages.
func TestAuthMetadataOnMessages(t *testing.T) {
	authKeepState(t)
	if err := AuthStart(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(AuthStop)
	serverCert, _ := NewCert()
	clientCert, _ := NewCert()
	clientCert.SetMeta("name", "alice")
	store := NewMemCertStore()
	store.Insert(clientCert)
	AuthCurveCertStore("mm", store)
	AuthSetMetadataHandler(func(version, requestID, domain, address, identity, mechanism string, credentials ...string) map[string]string {
		return map[string]string{"Hello": "World"}
	})

	server := authSocket(t, PULL)
	if err := server.ServerAuthCurve("mm", serverCert.SecretTxt()); err != nil {
		t.Fatal(err)
	}
	client := authSocket(t, PUSH)
	if err := clientCert.Apply(client); err != nil {
		t.Fatal(err)
	}
	if err := client.SetCurveServerkey(serverCert.PublicTxt()); err != nil {
		t.Fatal(err)
	}
	if ev, value := authHandshake(t, server, client); ev != EVENT_HANDSHAKE_SUCCEEDED {
		t.Fatalf("handshake: %v %d", ev, value)
	}
	if _, err := client.Send("hi", 0); err != nil {
		t.Fatal(err)
	}
	msg, props, err := server.RecvMessageWithMetadata(0, "User-Id", "name", "Hello", "Peer-Address", "Socket-Type")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"User-Id": clientCert.PublicTxt(), "name": "alice", "Hello": "World", "Peer-Address": "127.0.0.1", "Socket-Type": "PUSH"}
	if len(msg) != 1 || msg[0] != "hi" || !maps.Equal(props, want) {
		t.Fatalf("got %q %v, want %v", msg, props, want)
	}
}
