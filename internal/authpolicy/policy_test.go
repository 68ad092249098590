package authpolicy

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/purezmq/zmq4/internal/z85"
	"github.com/purezmq/zmq4/internal/zmtp"
)

// authRequest builds the request frames a REP handler sees.
func authRequest(domain, address, mechanism string, credentials ...string) [][]byte {
	frames := [][]byte{[]byte("1.0"), []byte("1"), []byte(domain), []byte(address), []byte("id"), []byte(mechanism)}
	for _, c := range credentials {
		frames = append(frames, []byte(c))
	}
	return frames
}

// authStatus runs one request through p and returns the status, user id
// and metadata of the reply.
func authStatus(t *testing.T, p *Policy, request [][]byte) (status, userID string, metadata map[string]string) {
	t.Helper()
	reply := p.Reply(request)
	if len(reply) != 6 {
		t.Fatalf("reply has %d frames", len(reply))
	}
	props, err := zmtp.ParseMetadata(reply[5])
	if err != nil {
		t.Fatalf("reply metadata: %v", err)
	}
	metadata = map[string]string{}
	for _, prop := range props {
		metadata[prop.Name] = prop.Value
	}
	return string(reply[2]), string(reply[4]), metadata
}

// authExpect checks the status of one request.
func authExpect(t *testing.T, p *Policy, want string, request [][]byte) {
	t.Helper()
	if got, _, _ := authStatus(t, p, request); got != want {
		t.Fatalf("request %q: status %s, want %s", request, got, want)
	}
}

// z85Text encodes a 32-byte key as Z85.
func z85Text(key string) string {
	text, err := z85.Encode([]byte(key))
	if err != nil {
		panic(err)
	}
	return text
}

func TestAuthDefaults(t *testing.T) {
	p := New()
	key := strings.Repeat("k", 32)
	authExpect(t, p, "200", authRequest("auth-defaults", "127.0.0.1", "NULL"))
	authExpect(t, p, "400", authRequest("auth-defaults", "127.0.0.1", "PLAIN", "u", "p"))
	authExpect(t, p, "400", authRequest("auth-defaults", "127.0.0.1", "CURVE", key))
	authExpect(t, p, "400", authRequest("auth-defaults", "127.0.0.1", "GSSAPI", "principal"))
	authExpect(t, p, "400", authRequest("auth-defaults", "127.0.0.1", "CURVE", "short"))
	authExpect(t, p, "400", authRequest("auth-defaults", "127.0.0.1", "PLAIN", "only-user"))
	authExpect(t, p, "500", [][]byte{[]byte("2.0"), []byte("1"), {}, {}, {}, []byte("NULL")})
	authExpect(t, p, "500", [][]byte{[]byte("1.0"), []byte("1")})
	authExpect(t, p, "500", nil)
}

func TestAuthAddressPolicy(t *testing.T) {
	p := New()
	p.Allow("ap-allow", []string{"192.0.2.7", "not-an-address", "2001:db8::/32"})
	p.Deny("ap-allow", []string{"192.0.2.7"}) // a whitelist makes the blacklist ineffective
	p.Deny("ap-deny", []string{"198.51.100.0/24"})
	p.PlainAdd("ap-allow", "u", "p")

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
		if got, _, _ := authStatus(t, p, authRequest(tc.domain, tc.address, "NULL")); got != tc.status {
			t.Errorf("NULL domain %q address %q: %s, want %s", tc.domain, tc.address, got, tc.status)
		}
	}
	// A whitelisted address still has to authenticate with PLAIN.
	authExpect(t, p, "200", authRequest("ap-allow", "192.0.2.7", "PLAIN", "u", "p"))
	authExpect(t, p, "400", authRequest("ap-allow", "192.0.2.7", "PLAIN", "u", "x"))
	authExpect(t, p, "400", authRequest("ap-allow", "192.0.2.8", "PLAIN", "u", "p"))

	// pebbe/zmq4 compatibility: an address in place of the domain applies
	// the addresses to every domain.
	p.Deny("203.0.113.1", []string{"203.0.113.2"})
	authExpect(t, p, "400", authRequest("ap-none", "203.0.113.1", "NULL"))
	authExpect(t, p, "400", authRequest("any-domain", "203.0.113.2", "NULL"))
	authExpect(t, p, "200", authRequest("any-domain", "203.0.113.3", "NULL"))
	// The whitelist of "ap-allow" still decides there.
	authExpect(t, p, "200", authRequest("ap-allow", "192.0.2.7", "NULL"))
}

func TestAuthAllDomains(t *testing.T) {
	p := New()
	p.PlainAdd("*", "everywhere", "pw")
	p.CurveAdd("*", []string{z85Text(strings.Repeat("A", 32))})
	authExpect(t, p, "200", authRequest("ad-one", "127.0.0.1", "PLAIN", "everywhere", "pw"))
	authExpect(t, p, "200", authRequest("ad-two", "127.0.0.1", "CURVE", strings.Repeat("A", 32)))
	authExpect(t, p, "400", authRequest("ad-two", "127.0.0.1", "CURVE", strings.Repeat("B", 32)))
	p.PlainRemoveAll("*")
	p.CurveRemoveAll("*")
	authExpect(t, p, "400", authRequest("ad-one", "127.0.0.1", "PLAIN", "everywhere", "pw"))
	authExpect(t, p, "400", authRequest("ad-two", "127.0.0.1", "CURVE", strings.Repeat("A", 32)))
}

func TestAuthUserIDAndMetadataHandler(t *testing.T) {
	p := New()
	key := strings.Repeat("K", 32)
	p.PlainAdd("md", "alice", "pw")
	p.CurveAdd("md", []string{z85Text(key)})

	if _, id, md := authStatus(t, p, authRequest("md", "127.0.0.1", "PLAIN", "alice", "pw")); id != "alice" || len(md) != 0 {
		t.Fatalf("PLAIN user id %q metadata %v", id, md)
	}
	if _, id, _ := authStatus(t, p, authRequest("md", "127.0.0.1", "CURVE", key)); id != z85Text(key) {
		t.Fatalf("CURVE user id %q", id)
	}
	if _, id, _ := authStatus(t, p, authRequest("md", "127.0.0.1", "NULL")); id != "" {
		t.Fatalf("NULL user id %q", id)
	}

	var seen []string
	p.SetMetadataHandler(func(version, requestID, domain, address, identity, mechanism string, credentials ...string) map[string]string {
		seen = append([]string{version, requestID, domain, address, identity, mechanism}, credentials...)
		return map[string]string{"User-Id": "custom", "Hello": "World", "": "dropped", strings.Repeat("n", 256): "dropped"}
	})
	status, id, md := authStatus(t, p, authRequest("md", "127.0.0.1", "PLAIN", "alice", "pw"))
	if status != "200" || id != "custom" || len(md) != 1 || md["Hello"] != "World" {
		t.Fatalf("with handler: %s %q %v", status, id, md)
	}
	if want := []string{"1.0", "1", "md", "127.0.0.1", "id", "PLAIN", "alice", "pw"}; strings.Join(seen, ",") != strings.Join(want, ",") {
		t.Fatalf("handler got %q", seen)
	}
	seen = nil
	if status, _, _ := authStatus(t, p, authRequest("md", "127.0.0.1", "PLAIN", "alice", "wrong")); status != "400" || seen != nil {
		t.Fatalf("refused request: %s, handler called with %q", status, seen)
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
	p := New()
	path := filepath.Join(t.TempDir(), "passwords")
	if err := p.PlainFile("pf", path); err == nil {
		t.Fatal("PlainFile accepted a missing file")
	}
	authWriteFile(t, path, "# admin=commented\nadmin=secret\nspaced = pw \n=nope\nnoequals\ncr=pw\r\ndup=1\ndup=2\neq=a=b\n\nlast=nolf")
	if err := p.PlainFile("pf", path); err != nil {
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
		if got, _, _ := authStatus(t, p, authRequest("pf", "127.0.0.1", "PLAIN", tc.user, tc.pass)); got != tc.status {
			t.Errorf("user %q password %q: %s, want %s", tc.user, tc.pass, got, tc.status)
		}
	}

	// A changed file is read again before the next check.
	authWriteFile(t, path, "admin=changed-password\n")
	authExpect(t, p, "400", authRequest("pf", "127.0.0.1", "PLAIN", "admin", "secret"))
	authExpect(t, p, "200", authRequest("pf", "127.0.0.1", "PLAIN", "admin", "changed-password"))
	// A removed file lists nobody; users added in memory still count.
	p.PlainAdd("pf", "mem", "pw")
	os.Remove(path)
	authExpect(t, p, "400", authRequest("pf", "127.0.0.1", "PLAIN", "admin", "changed-password"))
	authExpect(t, p, "200", authRequest("pf", "127.0.0.1", "PLAIN", "mem", "pw"))
	authWriteFile(t, path, "admin=back\n")
	authExpect(t, p, "200", authRequest("pf", "127.0.0.1", "PLAIN", "admin", "back"))
	if err := p.PlainFile("pf", ""); err != nil {
		t.Fatal(err)
	}
	authExpect(t, p, "400", authRequest("pf", "127.0.0.1", "PLAIN", "admin", "back"))
}

// FuzzAuthReply feeds the handler arbitrary requests (frames separated by
// newlines): it must always answer with a well-formed reply.
func FuzzAuthReply(f *testing.F) {
	p := New()
	p.Allow("allowed", []string{"10.0.0.0/8"})
	p.Deny("denied", []string{"::1"})
	p.PlainAdd("*", "user", "pw")
	p.CurveAdd("d", []string{z85Text(strings.Repeat("x", 32))})
	join := func(frames [][]byte) []byte { return bytes.Join(frames, []byte("\n")) }
	f.Add(join(authRequest("d", "127.0.0.1", "NULL")))
	f.Add(join(authRequest("d", "10.1.2.3", "PLAIN", "user", "pw")))
	f.Add(join(authRequest("*", "::1", "CURVE", strings.Repeat("x", 32))))
	f.Add([]byte("1.0"))
	f.Fuzz(func(t *testing.T, data []byte) {
		reply := p.Reply(bytes.Split(data, []byte("\n")))
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

// fakeStore is a CertStore holding one certificate.
type fakeStore struct {
	key      string
	metadata map[string]string
}

func (s fakeStore) Metadata(key string) (map[string]string, bool) {
	if key != s.key {
		return nil, false
	}
	return s.metadata, true
}

// A certificate store's client is allowed with the certificate's metadata
// in the reply; removing the store denies it again, and a key added for
// every domain wins over the store.
func TestCertStoreMetadata(t *testing.T) {
	p := New()
	client := strings.Repeat("c", 32)
	p.SetCertStore("cs", fakeStore{key: z85Text(client), metadata: map[string]string{"name": "alice"}})
	status, id, md := authStatus(t, p, authRequest("cs", "127.0.0.1", "CURVE", client))
	if status != "200" || id != z85Text(client) || md["name"] != "alice" || len(md) != 1 {
		t.Fatalf("store client: %s %q %v", status, id, md)
	}
	authExpect(t, p, "400", authRequest("cs", "127.0.0.1", "CURVE", strings.Repeat("d", 32)))
	p.SetCertStore("cs", nil)
	authExpect(t, p, "400", authRequest("cs", "127.0.0.1", "CURVE", client))
	p.CurveAdd(AllDomains, []string{AnyKey})
	authExpect(t, p, "200", authRequest("cs", "127.0.0.1", "CURVE", strings.Repeat("d", 32)))
}

// Restore undoes what was added after Snapshot and keeps what was there.
func TestSnapshotRestore(t *testing.T) {
	p := New()
	p.PlainAdd("d", "kept", "pw")
	p.Deny("d", []string{"192.0.2.1"})
	saved := p.Snapshot()
	p.PlainAdd("d", "added", "pw")
	p.PlainRemove("d", []string{"kept"})
	p.Deny("d", []string{"192.0.2.2"})
	p.CurveAdd("d", []string{AnyKey})
	p.Restore(saved)
	authExpect(t, p, "200", authRequest("d", "127.0.0.1", "PLAIN", "kept", "pw"))
	authExpect(t, p, "400", authRequest("d", "127.0.0.1", "PLAIN", "added", "pw"))
	authExpect(t, p, "400", authRequest("d", "192.0.2.1", "NULL"))
	authExpect(t, p, "200", authRequest("d", "192.0.2.2", "NULL"))
	authExpect(t, p, "400", authRequest("d", "127.0.0.1", "CURVE", strings.Repeat("k", 32)))
}
