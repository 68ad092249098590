package zmq4

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/purezmq/zmq4/internal/pyzmq"
)

// certPublicLayout is the exact public file CZMQ writes, with the time
// stamp and key left as patterns.
var certPublicLayout = regexp.MustCompile(`^#   \*\*\*\*  Generated on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d by CZMQ  \*\*\*\*
#   ZeroMQ CURVE Public Certificate
#   Exchange securely, or use a secure mechanism to verify the contents
#   of this file after exchange\. Store public certificates in your home
#   directory, in the \.curve subdirectory\.

metadata
    name = "alice"
    email = 'a"b@example\.org'
curve
    public-key = "(.{40})"
$`)

// certSecretLayout is the exact secret file CZMQ writes.
var certSecretLayout = regexp.MustCompile(`^#   \*\*\*\*  Generated on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d by CZMQ  \*\*\*\*
#   ZeroMQ CURVE \*\*Secret\*\* Certificate
#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions\.

metadata
    name = "alice"
    email = 'a"b@example\.org'
curve
    public-key = "(.{40})"
    secret-key = "(.{40})"
$`)

func TestCertSaveLoad(t *testing.T) {
	c, err := NewCert()
	if err != nil {
		t.Fatal(err)
	}
	c.SetMeta("name", "bob")
	c.SetMeta("email", `a"b@example.org`)
	c.SetMeta("name", "alice") // replaces, keeps the position
	path := filepath.Join(t.TempDir(), "alice.cert")
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}

	public, _ := os.ReadFile(path)
	m := certPublicLayout.FindSubmatch(public)
	if m == nil || string(m[1]) != c.PublicTxt() {
		t.Fatalf("public file layout:\n%s", public)
	}
	secret, _ := os.ReadFile(path + "_secret")
	m = certSecretLayout.FindSubmatch(secret)
	if m == nil || string(m[1]) != c.PublicTxt() || string(m[2]) != c.SecretTxt() {
		t.Fatalf("secret file layout:\n%s", secret)
	}
	if info, err := os.Stat(path + "_secret"); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("secret file mode: %v %v", info.Mode(), err)
	}

	loaded, err := LoadCert(path)
	if err != nil {
		t.Fatal(err)
	}
	if !loaded.Equal(c) || !loaded.HasSecret() || loaded.Meta("name") != "alice" || loaded.Meta("email") != `a"b@example.org` {
		t.Fatalf("loaded %v meta %v, want %v", loaded, loaded.MetaKeys(), c)
	}
	if !slices.Equal(loaded.MetaKeys(), []string{"name", "email"}) {
		t.Fatalf("meta keys %q", loaded.MetaKeys())
	}

	// Without the secret file, the public certificate loads.
	os.Remove(path + "_secret")
	pub, err := LoadCert(path)
	if err != nil {
		t.Fatal(err)
	}
	if pub.HasSecret() || pub.SecretKey() != nil || pub.SecretTxt() != "" || pub.PublicTxt() != c.PublicTxt() || pub.Equal(c) {
		t.Fatalf("public-only certificate %v has secret %v", pub, pub.HasSecret())
	}
	if err := pub.SaveSecret(path + "_secret"); err == nil {
		t.Fatal("SaveSecret of a public-only certificate succeeded")
	}
	if _, err := LoadCert(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("LoadCert of a missing file succeeded")
	}
}

func TestCertSaveTightensSecretMode(t *testing.T) {
	c, _ := NewCert()
	path := filepath.Join(t.TempDir(), "c")
	if err := os.WriteFile(path+"_secret", []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(path + "_secret"); info.Mode().Perm() != 0o600 {
		t.Fatalf("secret file mode %v", info.Mode())
	}
}

func TestCertSaveRefusesUnwritableMetadata(t *testing.T) {
	for _, meta := range [][2]string{{"bad name", "v"}, {"", "v"}, {"/x", "v"}, {"n", "two\nlines"}, {"n", `both " and '`}} {
		c, _ := NewCert()
		c.SetMeta(meta[0], meta[1])
		if err := c.Save(filepath.Join(t.TempDir(), "c")); err == nil {
			t.Errorf("Save with metadata %q succeeded", meta)
		}
	}
}

func TestCertFromKeysAndApply(t *testing.T) {
	full, _ := NewCert()
	if _, err := NewCertFromKeys(full.PublicKey()[:31], nil); err == nil {
		t.Error("31-byte public key accepted")
	}
	if _, err := NewCertFromKeys(full.PublicKey(), []byte("short")); err == nil {
		t.Error("short secret key accepted")
	}
	same, err := NewCertFromKeys(full.PublicKey(), full.SecretKey())
	if err != nil || !same.Equal(full) {
		t.Fatalf("NewCertFromKeys: %v, %v", same, err)
	}
	if want := Z85encode(string(full.PublicKey())); full.PublicTxt() != want {
		t.Fatalf("PublicTxt %q, want %q", full.PublicTxt(), want)
	}
	if pub, _ := AuthCurvePublic(full.SecretTxt()); pub != full.PublicTxt() {
		t.Fatal("NewCert's public key does not belong to its secret key")
	}

	ctx, err := NewContext()
	if err != nil {
		t.Fatal(err)
	}
	defer ctx.Term()
	s, err := ctx.NewSocket(DEALER)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := full.Apply(s); err != nil {
		t.Fatal(err)
	}
	pub, _ := s.GetCurvePublickeyRaw()
	sec, _ := s.GetCurveSecretkeyRaw()
	if pub != string(full.PublicKey()) || sec != string(full.SecretKey()) {
		t.Fatal("Apply did not set the keys")
	}
	publicOnly, _ := NewCertFromKeys(full.PublicKey(), nil)
	if err := publicOnly.Apply(s); err == nil {
		t.Fatal("Apply of a public-only certificate succeeded")
	}
}

func TestCertParseZPL(t *testing.T) {
	key := "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
	good := "# comment\n" +
		"\n" +
		"metadata   # trailing comment\n" +
		"    name = 'single quoted'  # comment\n" +
		"    plain = unquoted value   # comment\n" +
		"    empty\n" +
		"    # indented comment\n" +
		"curve\r\n" +
		"    public-key = \"" + key + "\"\n" +
		"    secret-key = \"short\"\n"
	c, err := parseCert([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if c.PublicTxt() != key || c.HasSecret() {
		t.Fatalf("keys: %q secret %v", c.PublicTxt(), c.HasSecret())
	}
	if c.Meta("name") != "single quoted" || c.Meta("plain") != "unquoted value" || c.Meta("empty") != "" {
		t.Fatalf("metadata %q %q %q", c.Meta("name"), c.Meta("plain"), c.Meta("empty"))
	}
	for name, text := range map[string]string{
		"three-space indent": "curve\n   public-key = \"" + key + "\"\n",
		"tab indent":         "curve\n\tpublic-key = \"" + key + "\"\n",
		"junk after value":   "curve\n    public-key = \"" + key + "\" junk\n",
		"missing quote":      "curve\n    public-key = \"" + key + "\n",
		"too deep":           "curve\n        public-key = \"" + key + "\"\n",
		"slash at start":     "/curve\n    public-key = \"" + key + "\"\n",
		"no public key":      "curve\n    secret-key = \"" + key + "\"\n",
		"short public key":   "curve\n    public-key = \"abc\"\n",
		"bad z85 key":        "curve\n    public-key = \"" + strings.Repeat("\"", 40) + "\"\n",
		"bad secret key":     "curve\n    public-key = \"" + key + "\"\n    secret-key = \"" + strings.Repeat("~", 40) + "\"\n",
		"line without name":  "= value\n",
	} {
		if _, err := parseCert([]byte(text)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestCertStoreDirectory(t *testing.T) {
	dir := t.TempDir()
	if _, err := NewCertStore(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("NewCertStore of a missing directory succeeded")
	}
	a, _ := NewCert()
	b, _ := NewCert()
	hidden, _ := NewCert()
	secretOnly, _ := NewCert()
	mustSave := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	mustSave(a.Save(filepath.Join(dir, "a")))
	mustSave(os.MkdirAll(filepath.Join(dir, "deep", "er"), 0o755))
	mustSave(b.SavePublic(filepath.Join(dir, "deep", "er", "b.txt")))
	mustSave(os.MkdirAll(filepath.Join(dir, ".hidden"), 0o755))
	mustSave(hidden.SavePublic(filepath.Join(dir, ".hidden", "h")))
	mustSave(hidden.SavePublic(filepath.Join(dir, ".dotfile")))
	mustSave(secretOnly.SaveSecret(filepath.Join(dir, "s_secret")))
	mustSave(os.WriteFile(filepath.Join(dir, "junk"), []byte("not a certificate\n\t!\n"), 0o644))
	if _, err := NewCertStore(filepath.Join(dir, "a")); err == nil {
		t.Fatal("NewCertStore of a file succeeded")
	}

	store, err := NewCertStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if store.Dir() != dir {
		t.Fatalf("Dir %q", store.Dir())
	}
	if got := store.Lookup(a.PublicTxt()); got == nil || got.HasSecret() || got.PublicTxt() != a.PublicTxt() {
		t.Fatalf("a: %v (the store must read the public file, not a_secret)", got)
	}
	if store.Lookup(b.PublicTxt()) == nil {
		t.Fatal("certificate in a subdirectory not found")
	}
	for name, c := range map[string]*Cert{"hidden": hidden, "secret-only": secretOnly} {
		if store.Lookup(c.PublicTxt()) != nil {
			t.Fatalf("%s certificate found", name)
		}
	}
	if got := len(store.Certs()); got != 2 {
		t.Fatalf("%d certificates, want 2", got)
	}

	// Changes are picked up on the next lookup.
	c, _ := NewCert()
	mustSave(c.SavePublic(filepath.Join(dir, "c")))
	if store.Lookup(c.PublicTxt()) == nil {
		t.Fatal("new certificate not found")
	}
	mustSave(os.Remove(filepath.Join(dir, "a")))
	if store.Lookup(a.PublicTxt()) != nil {
		t.Fatal("removed certificate still found")
	}
	// A rewritten file (its size changes) replaces its certificate.
	c.SetMeta("role", "admin")
	mustSave(c.SavePublic(filepath.Join(dir, "c")))
	if got := store.Lookup(c.PublicTxt()); got == nil || got.Meta("role") != "admin" {
		t.Fatalf("rewritten certificate: %v", got)
	}

	// Inserted certificates live in memory next to the files.
	d, _ := NewCert()
	store.Insert(d)
	if store.Lookup(d.PublicTxt()) != d {
		t.Fatal("inserted certificate not found")
	}
	store.Remove(d.PublicTxt())
	if store.Lookup(d.PublicTxt()) != nil {
		t.Fatal("removed inserted certificate still found")
	}

	mem := NewMemCertStore()
	if mem.Lookup(a.PublicTxt()) != nil || len(mem.Certs()) != 0 || mem.Dir() != "" {
		t.Fatal("new memory store not empty")
	}
	mem.Insert(a)
	mem.Insert(b)
	if mem.Lookup(a.PublicTxt()) != a || len(mem.Certs()) != 2 {
		t.Fatal("memory store lookup")
	}
}

// certPython runs a pyzmq snippet with /usr/bin/python3, skipping the test
// when pyzmq is missing.
func certPython(t *testing.T, code string, args ...string) string {
	t.Helper()
	pyzmq.Require(t, "zmq.auth")
	cmd := pyzmq.Command(append([]string{"-c", code}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

func TestCertPyzmqWritesWeRead(t *testing.T) {
	dir := t.TempDir()
	out := certPython(t, `
import sys, zmq.auth
pub, sec = zmq.auth.create_certificates(sys.argv[1], "server", metadata={"name": "bob", "role": "ops"})
p, s = zmq.auth.load_certificate(sec)
print(p.decode(), s.decode(), pub, sec)
`, dir)
	fields := strings.Fields(out)
	if len(fields) != 4 {
		t.Fatalf("python printed %q", out)
	}
	c, err := LoadCert(fields[2]) // server.key; server.key_secret is tried first
	if err != nil {
		t.Fatal(err)
	}
	if c.PublicTxt() != fields[0] || c.SecretTxt() != fields[1] {
		t.Fatalf("keys %q %q, pyzmq made %q %q", c.PublicTxt(), c.SecretTxt(), fields[0], fields[1])
	}
	if c.Meta("name") != "bob" || c.Meta("role") != "ops" {
		t.Fatalf("metadata %q %q", c.Meta("name"), c.Meta("role"))
	}
	os.Remove(fields[3])
	pub, err := LoadCert(fields[2])
	if err != nil || pub.HasSecret() || pub.PublicTxt() != fields[0] {
		t.Fatalf("public certificate: %v %v", pub, err)
	}
	store, err := NewCertStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if store.Lookup(fields[0]) == nil {
		t.Fatal("pyzmq certificate not in the store")
	}
}

func TestCertWeWritePyzmqReads(t *testing.T) {
	c, _ := NewCert()
	c.SetMeta("name", "alice")
	path := filepath.Join(t.TempDir(), "client.key")
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	out := certPython(t, `
import sys, zmq.auth
for f in sys.argv[1:]:
    p, s = zmq.auth.load_certificate(f)
    print(p.decode(), s.decode() if s else "-")
`, path, path+"_secret")
	want := c.PublicTxt() + " -\n" + c.PublicTxt() + " " + c.SecretTxt()
	if out != want {
		t.Fatalf("pyzmq read %q, want %q", out, want)
	}
}

// FuzzParseCert feeds the certificate parser arbitrary text; whatever it
// accepts must save and load back to an equal certificate.
func FuzzParseCert(f *testing.F) {
	c, _ := NewCert()
	c.SetMeta("name", "alice")
	for _, withSecret := range []bool{false, true} {
		text, err := c.encode(withSecret, time.Now())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(text)
	}
	f.Add([]byte("curve\n    public-key = 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7'\nmetadata\n    x = y # z\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cert, err := parseCert(data)
		if err != nil {
			return
		}
		text, err := cert.encode(cert.HasSecret(), time.Now())
		if err != nil {
			return // metadata ZPL cannot write back (quotes of both kinds)
		}
		again, err := parseCert(text)
		if err != nil {
			t.Fatalf("re-parse: %v\n%s", err, text)
		}
		if !again.Equal(cert) || !slices.Equal(again.MetaKeys(), cert.MetaKeys()) {
			t.Fatalf("round trip changed the certificate\n%s", text)
		}
		for _, k := range cert.MetaKeys() {
			if again.Meta(k) != cert.Meta(k) {
				t.Fatalf("metadata %q: %q became %q", k, cert.Meta(k), again.Meta(k))
			}
		}
	})
}
