package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	zmq "github.com/purezmq/zmq4"
)

var keygenOutput = regexp.MustCompile(`^public: (\S{40})\nsecret: (\S{40})\n$`)

// keygenKeys runs `zmq keygen args...` and returns the keys it printed.
func keygenKeys(t *testing.T, args ...string) (public, secret string) {
	t.Helper()
	code, out, errs := runToEnd(t, "", append([]string{"keygen"}, args...)...)
	if code != 0 {
		t.Fatalf("keygen: exit %d: %s", code, errs)
	}
	m := keygenOutput.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("keygen printed %q", out)
	}
	return m[1], m[2]
}

func TestKeygenPrintsMatchingZ85Keys(t *testing.T) {
	public, secret := keygenKeys(t)
	if len(zmq.Z85decode(public)) != 32 || len(zmq.Z85decode(secret)) != 32 {
		t.Fatalf("keys are not Z85 of 32 bytes: %q %q", public, secret)
	}
	derived, err := zmq.AuthCurvePublic(secret)
	if err != nil || derived != public {
		t.Errorf("public key of the secret is %q (%v), keygen printed %q", derived, err, public)
	}
	otherPublic, _ := keygenKeys(t)
	if otherPublic == public {
		t.Error("two runs printed the same key")
	}
}

func TestKeygenWritesLoadableCertificates(t *testing.T) {
	base := filepath.Join(t.TempDir(), "server")
	public, secret := keygenKeys(t, "-o", base)
	cert, err := zmq.LoadCert(base)
	if err != nil {
		t.Fatal(err)
	}
	if cert.PublicTxt() != public || cert.SecretTxt() != secret {
		t.Errorf("loaded %s / %s, printed %s / %s", cert.PublicTxt(), cert.SecretTxt(), public, secret)
	}
	publicText, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(publicText), public) || strings.Contains(string(publicText), secret) {
		t.Errorf("public certificate file:\n%s", publicText)
	}
}

func TestKeygenKeysWorkForCurve(t *testing.T) {
	public, secret := keygenKeys(t)
	recv, ep := startBound(t, nil, "recv", "-t", "PULL", "-n", "1", "-curve-server", secret)
	if code, _, errs := runToEnd(t, "", "send", "-t", "PUSH", "-c", ep, "-curve-client", public, "sealed"); code != 0 {
		t.Fatalf("send: exit %d: %s", code, errs)
	}
	recv.wait(t)
	if got := recv.stdout.String(); got != "sealed\n" {
		t.Errorf("recv printed %q", got)
	}
}

func TestKeygenBadCommandLine(t *testing.T) {
	if code, _, _ := runToEnd(t, "", "keygen", "extra"); code != 2 {
		t.Errorf("keygen extra: exit %d, want 2", code)
	}
	if code, _, _ := runToEnd(t, "", "keygen", "-o", filepath.Join(t.TempDir(), "no", "such", "dir")); code != 1 {
		t.Errorf("keygen into a missing directory: exit %d, want 1", code)
	}
}
