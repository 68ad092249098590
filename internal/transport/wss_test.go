package transport

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/purezmq/zmq4/internal/transport/ws"
)

// testPKI is a throwaway CA and a server certificate it signed.
type testPKI struct {
	caPEM, certPEM, keyPEM string
}

// newTestPKI makes an ECDSA P-256 CA and a server certificate for
// "server.test" and 127.0.0.1 signed by it.
func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "server.test"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    []string{"server.test"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return testPKI{
		caPEM:   string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})),
		certPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		keyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})),
	}
}

func TestWSSParseEndpoint(t *testing.T) {
	ep, err := ParseEndpoint("wss://h.example:443/a/b")
	if err != nil || ep.Scheme != "wss" || ep.Addr != "h.example:443/a/b" {
		t.Fatalf("ParseEndpoint: %+v, %v", ep, err)
	}
	for _, in := range []string{"wss://127.0.0.1", "wss://h:1/a b", "wss://a;b:1/x", "wss:///p"} {
		if _, err := ParseEndpoint(in); !errors.Is(err, ErrInvalidEndpoint) {
			t.Errorf("ParseEndpoint(%q): %v, want ErrInvalidEndpoint", in, err)
		}
	}
}

func TestWSSListenNeedsCertificateAndKey(t *testing.T) {
	pki := newTestPKI(t)
	for name, opts := range map[string]*Options{
		"nothing":      nil,
		"no key":       {WssCertPem: pki.certPEM},
		"no cert":      {WssKeyPem: pki.keyPEM},
		"garbage":      {WssCertPem: "not pem", WssKeyPem: "not pem"},
		"key mismatch": {WssCertPem: pki.caPEM, WssKeyPem: pki.keyPEM},
	} {
		l, err := Listen(mustParse(t, "wss://127.0.0.1:*"), opts)
		if err == nil {
			l.Close()
		}
		if !errors.Is(err, syscall.EINVAL) {
			t.Errorf("%s: Listen error %v, want EINVAL", name, err)
		}
	}
}

func TestWSSListenEndpointKeepsPath(t *testing.T) {
	pki := newTestPKI(t)
	l := listen(t, "wss://127.0.0.1:*/zmq", &Options{WssCertPem: pki.certPEM, WssKeyPem: pki.keyPEM})
	ep := l.Endpoint()
	if !strings.HasPrefix(ep, "wss://127.0.0.1:") || !strings.HasSuffix(ep, "/zmq") || strings.Contains(ep, ":*") || l.FD() <= 0 {
		t.Fatalf("endpoint %q, fd %d", ep, l.FD())
	}
}

// tlsHandshake runs a TLS handshake over a loopback tcp pair with the
// server and client configurations and returns the client's error.
func tlsHandshake(t *testing.T, server, client *tls.Config) error {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		sc := tlsServer(c, server)
		sc.SetDeadline(time.Now().Add(10 * time.Second))
		if sc.(tlsConn).Handshake() == nil {
			io.Copy(io.Discard, sc)
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	cc := tlsClient(c, client)
	defer cc.Close()
	cc.SetDeadline(time.Now().Add(10 * time.Second))
	return cc.(tlsConn).Handshake()
}

func TestWSSClientVerification(t *testing.T) {
	pki, other := newTestPKI(t), newTestPKI(t)
	server, err := serverTLSConfig(&Options{WssCertPem: pki.certPEM, WssKeyPem: pki.keyPEM})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		opts Options
		ok   bool
	}{
		{"trusted CA and hostname", Options{WssTrustPem: pki.caPEM, WssHostname: "server.test"}, true},
		{"trusted CA and IP address", Options{WssTrustPem: pki.caPEM, WssHostname: "127.0.0.1"}, true},
		{"trusted CA, no hostname: chain only", Options{WssTrustPem: pki.caPEM}, true},
		{"trust holds the CA among others", Options{WssTrustPem: other.caPEM + pki.caPEM, WssHostname: "server.test"}, true},
		{"wrong hostname", Options{WssTrustPem: pki.caPEM, WssHostname: "other.test"}, false},
		{"wrong CA", Options{WssTrustPem: other.caPEM, WssHostname: "server.test"}, false},
		{"wrong CA, no hostname", Options{WssTrustPem: other.caPEM}, false},
		{"nothing trusted", Options{WssHostname: "server.test"}, false},
		{"nothing trusted, no hostname", Options{}, false},
		{"trust text without certificates", Options{WssTrustPem: "junk"}, false},
		{"system store only", Options{WssTrustSystem: true, WssHostname: "server.test"}, false},
		{"system store and CA", Options{WssTrustSystem: true, WssTrustPem: pki.caPEM, WssHostname: "server.test"}, true},
	}
	for _, tc := range cases {
		err := tlsHandshake(t, server, clientTLSConfig(&tc.opts))
		if (err == nil) != tc.ok {
			t.Errorf("%s: handshake error %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestWSSRefusesOldTLS(t *testing.T) {
	pki := newTestPKI(t)
	server, err := serverTLSConfig(&Options{WssCertPem: pki.certPEM, WssKeyPem: pki.keyPEM})
	if err != nil {
		t.Fatal(err)
	}
	client := clientTLSConfig(&Options{WssTrustPem: pki.caPEM, WssHostname: "server.test"})
	client.MinVersion, client.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
	if err := tlsHandshake(t, server, client); err == nil {
		t.Fatal("a TLS 1.1 client got through")
	}
}

func TestWSSDialAndAcceptWrapConnections(t *testing.T) {
	pki := newTestPKI(t)
	l := listen(t, "wss://127.0.0.1:*/p", &Options{WssCertPem: pki.certPEM, WssKeyPem: pki.keyPEM})
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			t.Error(err)
			close(accepted)
			return
		}
		accepted <- c
	}()
	c, err := Dial(context.Background(), mustParse(t, l.Endpoint()), &Options{WssTrustPem: pki.caPEM, WssHostname: "server.test"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sc := <-accepted
	if sc == nil {
		t.FailNow()
	}
	defer sc.Close()
	for _, conn := range []net.Conn{c, sc} {
		wc, ok := conn.(*ws.Conn)
		if !ok {
			t.Fatalf("got %T, want *ws.Conn", conn)
		}
		if _, ok := wc.Conn.(tlsConn); !ok {
			t.Fatalf("ws.Conn over %T, want TLS", wc.Conn)
		}
		if listenerFD(wc) <= 0 {
			t.Fatal("no file descriptor through TLS")
		}
	}
	if PeerAddress(c) != "127.0.0.1" || PeerAddress(sc) != "127.0.0.1" {
		t.Fatalf("PeerAddress = %q, %q", PeerAddress(c), PeerAddress(sc))
	}
}

// TestServerNameMatchesCommonNameFallback: the subject's common name
// stands in for a DNS name only in a certificate that has none, with the
// same wildcard rule; an IP address never matches it.
func TestServerNameMatchesCommonNameFallback(t *testing.T) {
	cnOnly := &x509.Certificate{Subject: pkix.Name{CommonName: "host.test"}}
	wildcard := &x509.Certificate{Subject: pkix.Name{CommonName: "*.zone.test"}}
	withSAN := &x509.Certificate{Subject: pkix.Name{CommonName: "host.test"}, DNSNames: []string{"other.test"}}
	ipCN := &x509.Certificate{Subject: pkix.Name{CommonName: "127.0.0.1"}}
	cases := []struct {
		name string
		cert *x509.Certificate
		host string
		ok   bool
	}{
		{"common name only", cnOnly, "host.test", true},
		{"common name only, other case", cnOnly, "HOST.test", true},
		{"common name only, wrong name", cnOnly, "other.test", false},
		{"wildcard common name", wildcard, "a.zone.test", true},
		{"wildcard common name, two labels", wildcard, "a.b.zone.test", false},
		{"common name beside a DNS name", withSAN, "host.test", false},
		{"the DNS name beside a common name", withSAN, "other.test", true},
		{"IP address as common name", ipCN, "127.0.0.1", false},
	}
	for _, tc := range cases {
		if err := serverNameMatches(tc.cert, tc.host); (err == nil) != tc.ok {
			t.Errorf("%s: %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}
