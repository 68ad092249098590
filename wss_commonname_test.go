package zmq4

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"
)

// selfSignedWSS makes a self-signed certificate (its own CA) for the
// common name cn, with dnsNames as its only subjectAltName entries, and
// returns the certificate and key in PEM.
func selfSignedWSS(t *testing.T, cn string, dnsNames ...string) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: cn},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, DNSNames: dnsNames,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	must(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
}

// TestWSSCommonNameOnlyCertificate is libzmq's test_wss_transport: the
// server's certificate is self-signed, names its host only in the
// subject's common name (no subjectAltName), and the client trusts that
// certificate and sets ZMQ_WSS_HOSTNAME to the common name. libzmq
// (GnuTLS) accepts the common name when no DNS name is given, so the round
// trip works; the client connects to the bound endpoint with the path
// appended once more, as that test does.
func TestWSSCommonNameOnlyCertificate(t *testing.T) {
	certPEM, keyPEM := selfSignedWSS(t, "zeromq.test")
	ctx := newTestContext(t)
	rep := newTestSocket(t, ctx, REP)
	must(t, rep.SetWssCertPem(certPEM))
	must(t, rep.SetWssKeyPem(keyPEM))
	must(t, rep.Bind("wss://*:*/roundtrip"))
	ep, err := rep.GetLastEndpoint()
	must(t, err)
	req := newTestSocket(t, ctx, REQ)
	must(t, req.SetWssTrustPem(certPEM))
	must(t, req.SetWssHostname("zeromq.test"))
	must(t, req.Connect(ep+"/roundtrip"))
	for i := 0; i < 2; i++ {
		sendParts(t, req, "question")
		expectParts(t, rep, "question")
		sendParts(t, rep, "answer")
		expectParts(t, req, "answer")
	}
}

// TestWSSCommonNameIgnoredBesideDNSNames: a certificate that names DNS
// names in its subjectAltName is checked against those only; its common
// name does not match, so the handshake fails.
func TestWSSCommonNameIgnoredBesideDNSNames(t *testing.T) {
	certPEM, keyPEM := selfSignedWSS(t, "cn.test", "san.test")
	ctx := newTestContext(t)
	srv := newTestSocket(t, ctx, PULL)
	must(t, srv.SetWssCertPem(certPEM))
	must(t, srv.SetWssKeyPem(keyPEM))
	must(t, srv.Bind("wss://127.0.0.1:*/v"))
	ep, err := srv.GetLastEndpoint()
	must(t, err)
	cli := newTestSocket(t, ctx, PUSH)
	must(t, cli.SetReconnectIvl(10*time.Millisecond))
	must(t, cli.SetWssTrustPem(certPEM))
	must(t, cli.SetWssHostname("cn.test"))
	cmon := monitorOf(t, cli, EVENT_ALL)
	must(t, cli.Connect(ep))
	expectEvents(t, cmon, EVENT_CONNECTED, EVENT_HANDSHAKE_FAILED_NO_DETAIL)
}
