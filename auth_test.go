package zmq4

import (
	"bytes"
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
	a.mu.Lock()
	verbose, metaHandler := a.verbose, a.metaHandler
	allow, deny := maps.Clone(a.allow), maps.Clone(a.deny)
	users, passwords := maps.Clone(a.users), maps.Clone(a.passwords)
	pubkeys, stores := maps.Clone(a.pubkeys), maps.Clone(a.stores)
	for d, set := range allow {
		allow[d] = &addressSet{prefixes: append(set.prefixes[:0:0], set.prefixes...)}
	}
	for d, set := range deny {
		deny[d] = &addressSet{prefixes: append(set.prefixes[:0:0], set.prefixes...)}
	}
	for d, u := range users {
		users[d] = maps.Clone(u)
	}
	for d, k := range pubkeys {
		pubkeys[d] = maps.Clone(k)
	}
	a.mu.Unlock()
	t.Cleanup(func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.verbose, a.allow, a.deny = verbose, allow, deny
		a.users, a.passwords, a.pubkeys = users, passwords, pubkeys
		a.stores, a.metaHandler = stores, metaHandler
	})
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
	reply := defaultAuth.reply(request)
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

func TestAuthDefaults(t *testing.T) {
	authKeepState(t)
	key := strings.Repeat("k", 32)
	authExpect(t, "200", authRequest("auth-defaults", "127.0.0.1", "NULL"))
	authExpect(t, "400", authRequest("auth-defaults", "127.0.0.1", "PLAIN", "u", "p"))
	authExpect(t, "400", authRequest("auth-defaults", "127.0.0.1", "CURVE", key))
	authExpect(t, "400", authRequest("auth-defaults", "127.0.0.1", "GSSAPI", "principal"))
	authExpect(t, "400", authRequest("auth-defaults", "127.0.0.1", "CURVE", "short"))
	authExpect(t, "400", authRequest("auth-defaults", "127.0.0.1", "PLAIN", "only-user"))
	authExpect(t, "500", [][]byte{[]byte("2.0"), []byte("1"), {}, {}, {}, []byte("NULL")})
	authExpect(t, "500", [][]byte{[]byte("1.0"), []byte("1")})
	authExpect(t, "500", nil)
}

func TestAuthAddressPolicy(t *testing.T) {
	authKeepState(t)
	AuthAllow("ap-allow", "192.0.2.7", "not-an-address", "2001:db8::/32")
	AuthDeny("ap-allow", "192.0.2.7") // a whitelist makes the blacklist ineffective
	AuthDeny("ap-deny", "198.51.100.0/24")
	AuthPlainAdd("ap-allow", "u", "p")

	for _, tc := range []struct {
		domain, address, status string
	}{
		{"ap-allow", "192.0.2.7", "200"},
		{"ap-allow", "::ffff:192.0.2.7", "200"},
		{"ap-allow", "192.0.2.8", "400"},
		{"ap-allow", "2001:db8::1", "200"},
		{"ap-allow", "2001:db9::1", "400"},
		{"ap-allow", "", "400"},
		{"ap-deny", "198.51.100.200", "400"},
		{"ap-deny", "198.51.101.1", "200"},
		{"ap-deny", "", "200"},
		{"ap-none", "198.51.100.200", "200"},
	} {
		if got, _, _ := authStatus(t, authRequest(tc.domain, tc.address, "NULL")); got != tc.status {
			t.Errorf("NULL domain %q address %q: %s, want %s", tc.domain, tc.address, got, tc.status)
		}
	}
	// A whitelisted address still has to authenticate with PLAIN.
	authExpect(t, "200", authRequest("ap-allow", "192.0.2.7", "PLAIN", "u", "p"))
	authExpect(t, "400", authRequest("ap-allow", "192.0.2.7", "PLAIN", "u", "x"))
	authExpect(t, "400", authRequest("ap-allow", "192.0.2.8", "PLAIN", "u", "p"))

	// pebbe/zmq4 compatibility: an address in place of the domain applies
	// the addresses to every domain.
	AuthDeny("203.0.113.1", "203.0.113.2")
	authExpect(t, "400", authRequest("ap-none", "203.0.113.1", "NULL"))
	authExpect(t, "400", authRequest("any-domain", "203.0.113.2", "NULL"))
	authExpect(t, "200", authRequest("any-domain", "203.0.113.3", "NULL"))
	// The whitelist of "ap-allow" still decides there.
	authExpect(t, "200", authRequest("ap-allow", "192.0.2.7", "NULL"))
}

func TestAuthAllDomains(t *testing.T) {
	authKeepState(t)
	AuthPlainAdd("*", "everywhere", "pw")
	AuthCurveAdd("*", Z85encode(strings.Repeat("A", 32)))
	authExpect(t, "200", authRequest("ad-one", "127.0.0.1", "PLAIN", "everywhere", "pw"))
	authExpect(t, "200", authRequest("ad-two", "127.0.0.1", "CURVE", strings.Repeat("A", 32)))
	authExpect(t, "400", authRequest("ad-two", "127.0.0.1", "CURVE", strings.Repeat("B", 32)))
	AuthPlainRemoveAll("*")
	AuthCurveRemoveAll("*")
	authExpect(t, "400", authRequest("ad-one", "127.0.0.1", "PLAIN", "everywhere", "pw"))
	authExpect(t, "400", authRequest("ad-two", "127.0.0.1", "CURVE", strings.Repeat("A", 32)))
}

func TestAuthUserIDAndMetadataHandler(t *testing.T) {
	authKeepState(t)
	key := strings.Repeat("K", 32)
	AuthPlainAdd("md", "alice", "pw")
	AuthCurveAdd("md", Z85encode(key))

	if _, id, md := authStatus(t, authRequest("md", "127.0.0.1", "PLAIN", "alice", "pw")); id != "alice" || len(md) != 0 {
		t.Fatalf("PLAIN user id %q metadata %v", id, md)
	}
	if _, id, _ := authStatus(t, authRequest("md", "127.0.0.1", "CURVE", key)); id != Z85encode(key) {
		t.Fatalf("CURVE user id %q", id)
	}
	if _, id, _ := authStatus(t, authRequest("md", "127.0.0.1", "NULL")); id != "" {
		t.Fatalf("NULL user id %q", id)
	}

	var seen []string
	AuthSetMetadataHandler(func(version, requestID, domain, address, identity, mechanism string, credentials ...string) map[string]string {
		seen = append([]string{version, requestID, domain, address, identity, mechanism}, credentials...)
		return map[string]string{"User-Id": "custom", "Hello": "World", "": "dropped", strings.Repeat("n", 256): "dropped"}
	})
	status, id, md := authStatus(t, authRequest("md", "127.0.0.1", "PLAIN", "alice", "pw"))
	if status != "200" || id != "custom" || len(md) != 1 || md["Hello"] != "World" {
		t.Fatalf("with handler: %s %q %v", status, id, md)
	}
	if want := []string{"1.0", "1", "md", "127.0.0.1", "id", "PLAIN", "alice", "pw"}; strings.Join(seen, ",") != strings.Join(want, ",") {
		t.Fatalf("handler got %q", seen)
	}
	seen = nil
	if status, _, _ := authStatus(t, authRequest("md", "127.0.0.1", "PLAIN", "alice", "wrong")); status != "400" || seen != nil {
		t.Fatalf("refused request: %s, handler called with %q", status, seen)
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

// authWriteFile writes a file, failing the test on error.
func authWriteFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestAuthPlainFile(t *testing.T) {
	authKeepState(t)
	path := filepath.Join(t.TempDir(), "passwords")
	if err := AuthPlainFile("pf", path); err == nil {
		t.Fatal("AuthPlainFile accepted a missing file")
	}
	authWriteFile(t, path, "# admin=commented\nadmin=secret\nspaced = pw \n=nope\nnoequals\ncr=pw\r\ndup=1\ndup=2\neq=a=b\n\nlast=nolf")
	if err := AuthPlainFile("pf", path); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		user, pass, status string
	}{
		{"admin", "secret", "200"},
		{"# admin", "commented", "400"},
		{"spaced ", " pw ", "200"},
		{"spaced", "pw", "400"},
		{"", "nope", "400"},
		{"cr", "pw\r", "200"},
		{"cr", "pw", "400"},
		{"dup", "1", "400"},
		{"dup", "2", "200"},
		{"eq", "a=b", "200"},
		{"last", "nolf", "200"},
	} {
		if got, _, _ := authStatus(t, authRequest("pf", "127.0.0.1", "PLAIN", tc.user, tc.pass)); got != tc.status {
			t.Errorf("user %q password %q: %s, want %s", tc.user, tc.pass, got, tc.status)
		}
	}

	// A changed file is read again before the next check.
	authWriteFile(t, path, "admin=changed-password\n")
	authExpect(t, "400", authRequest("pf", "127.0.0.1", "PLAIN", "admin", "secret"))
	authExpect(t, "200", authRequest("pf", "127.0.0.1", "PLAIN", "admin", "changed-password"))
	// A removed file lists nobody; users added in memory still count.
	AuthPlainAdd("pf", "mem", "pw")
	os.Remove(path)
	authExpect(t, "400", authRequest("pf", "127.0.0.1", "PLAIN", "admin", "changed-password"))
	authExpect(t, "200", authRequest("pf", "127.0.0.1", "PLAIN", "mem", "pw"))
	authWriteFile(t, path, "admin=back\n")
	authExpect(t, "200", authRequest("pf", "127.0.0.1", "PLAIN", "admin", "back"))
	if err := AuthPlainFile("pf", ""); err != nil {
		t.Fatal(err)
	}
	authExpect(t, "400", authRequest("pf", "127.0.0.1", "PLAIN", "admin", "back"))
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

// FuzzAuthReply feeds the handler arbitrary requests (frames separated by
// newlines): it must always answer with a well-formed reply.
func FuzzAuthReply(f *testing.F) {
	join := func(frames [][]byte) []byte { return bytes.Join(frames, []byte("\n")) }
	f.Add(join(authRequest("d", "127.0.0.1", "NULL")))
	f.Add(join(authRequest("d", "10.1.2.3", "PLAIN", "user", "pw")))
	f.Add(join(authRequest("*", "::1", "CURVE", strings.Repeat("x", 32))))
	f.Add([]byte("1.0"))
	f.Fuzz(func(t *testing.T, data []byte) {
		reply := defaultAuth.reply(bytes.Split(data, []byte("\n")))
		if len(reply) != 6 {
			t.Fatalf("%d reply frames", len(reply))
		}
		switch string(reply[2]) {
		case "200", "400", "500":
		default:
			t.Fatalf("status %q", reply[2])
		}
		if _, err := zmtp.ParseMetadata(reply[5]); err != nil {
			t.Fatalf("reply metadata: %v", err)
		}
	})
}

// FuzzParsePasswords checks the password file parser on arbitrary text:
// every entry came from one line, split at its first "=".
func FuzzParsePasswords(f *testing.F) {
	f.Add([]byte("admin=secret\n# comment\n=x\nnoeq\ncr=pw\r\n"))
	f.Add([]byte("a=b=c"))
	f.Fuzz(func(t *testing.T, data []byte) {
		users := parsePasswords(data)
		lines := strings.Split(string(data), "\n")
		for user, password := range users {
			if user == "" || strings.ContainsAny(user, "=\n") || user[0] == '#' || strings.Contains(password, "\n") {
				t.Fatalf("bad entry %q=%q", user, password)
			}
			found := false
			for _, line := range lines {
				if line == user+"="+password {
					found = true
				}
			}
			if !found {
				t.Fatalf("entry %q=%q is no line of the file", user, password)
			}
		}
	})
}
