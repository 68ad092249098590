package zmq4

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"
)

// wssPKI is a throwaway CA and a server certificate it signed for the name
// "server.test" only (no IP address).
type wssPKI struct {
	caPEM, certPEM, keyPEM string
}

// newWSSPKI makes an ECDSA P-256 CA and server certificate.
func newWSSPKI(t *testing.T) wssPKI {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "wss test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	must(t, err)
	ca, err := x509.ParseCertificate(caDER)
	must(t, err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "server.test"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    []string{"server.test"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	must(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	must(t, err)
	return wssPKI{
		caPEM:   string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})),
		certPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		keyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})),
	}
}

// wssBound gives s the server certificate, binds it on a fresh wss
// endpoint with the given path and returns the resolved endpoint.
func wssBound(t *testing.T, s *Socket, pki wssPKI, path string) string {
	t.Helper()
	must(t, s.SetWssCertPem(pki.certPEM))
	must(t, s.SetWssKeyPem(pki.keyPEM))
	must(t, s.Bind("wss://127.0.0.1:*"+path))
	ep, err := s.GetLastEndpoint()
	must(t, err)
	return ep
}

// wssTrusting makes s trust the CA and check the name "server.test".
func wssTrusting(t *testing.T, s *Socket, pki wssPKI) {
	t.Helper()
	must(t, s.SetWssTrustPem(pki.caPEM))
	must(t, s.SetWssHostname("server.test"))
}

func TestWSSPatterns(t *testing.T) {
	pki := newWSSPKI(t)
	t.Run("PUSH/PULL", func(t *testing.T) {
		ctx := newTestContext(t)
		pull := newTestSocket(t, ctx, PULL)
		push := newTestSocket(t, ctx, PUSH)
		wssTrusting(t, push, pki)
		must(t, push.Connect(wssBound(t, pull, pki, "/pipe")))
		for _, m := range []string{"one", "two", "three"} {
			sendParts(t, push, m, "tail")
			expectParts(t, pull, m, "tail")
		}
	})
	t.Run("REQ/REP", func(t *testing.T) {
		ctx := newTestContext(t)
		rep := newTestSocket(t, ctx, REP)
		req := newTestSocket(t, ctx, REQ)
		wssTrusting(t, req, pki)
		must(t, req.Connect(wssBound(t, rep, pki, "")))
		for i := 0; i < 3; i++ {
			sendParts(t, req, "question")
			expectParts(t, rep, "question")
			sendParts(t, rep, "answer")
			expectParts(t, req, "answer")
		}
	})
	t.Run("PUB/SUB", func(t *testing.T) {
		ctx := newTestContext(t)
		pub := newTestSocket(t, ctx, PUB)
		sub := newTestSocket(t, ctx, SUB)
		wssTrusting(t, sub, pki)
		// The system store does not hold the throwaway CA; it only adds.
		must(t, sub.SetWssTrustSystem(true))
		must(t, sub.SetSubscribe("news"))
		must(t, sub.Connect(wssBound(t, pub, pki, "/feed")))
		// The subscription reaches the publisher some time after the
		// handshake; publish until it arrives.
		must(t, sub.SetRcvtimeo(20*time.Millisecond))
		waitUntil(t, "the subscription", func() bool {
			sendParts(t, pub, "news", "flash")
			m, err := sub.RecvMessage(0)
			return err == nil && strings.Join(m, "|") == "news|flash"
		})
		sendParts(t, pub, "sport", "skipped")
		sendParts(t, pub, "news", "second")
		must(t, sub.SetRcvtimeo(10*time.Second))
		for {
			m := recvParts(t, sub)
			if m[1] == "second" {
				break
			}
			if m[0] != "news" {
				t.Fatalf("received %q, not subscribed", m)
			}
		}
	})
}

func TestWSSLastEndpointUnbindDisconnect(t *testing.T) {
	pki := newWSSPKI(t)
	ctx := newTestContext(t)
	srv := newTestSocket(t, ctx, PAIR)
	ep := wssBound(t, srv, pki, "/last")
	if !strings.HasPrefix(ep, "wss://127.0.0.1:") || !strings.HasSuffix(ep, "/last") || strings.Contains(ep, ":*") {
		t.Fatalf("last endpoint %q, want wss://127.0.0.1:PORT/last", ep)
	}
	cli := newTestSocket(t, ctx, PAIR)
	wssTrusting(t, cli, pki)
	must(t, cli.Connect(ep))
	checkDisconnectUnbind(t, srv, cli, ep)
}

func TestWSSBindNeedsCertificateAndKey(t *testing.T) {
	pki := newWSSPKI(t)
	ctx := newTestContext(t)
	s := newTestSocket(t, ctx, PULL)
	mon := monitorOf(t, s, EVENT_BIND_FAILED)
	// libzmq 4.3.5 aborts here; purezmq fails the bind with EINVAL.
	if err := s.Bind("wss://127.0.0.1:*"); err != einval {
		t.Fatalf("Bind without certificate and key: %v, want EINVAL", err)
	}
	if v := expectEvents(t, mon, EVENT_BIND_FAILED); v[0] != int(einval) {
		t.Fatalf("BIND_FAILED value %d, want EINVAL", v[0])
	}
	must(t, s.SetWssCertPem(pki.certPEM))
	if err := s.Bind("wss://127.0.0.1:*"); err != einval {
		t.Fatalf("Bind without key: %v, want EINVAL", err)
	}
	must(t, s.SetWssKeyPem("not a key"))
	if err := s.Bind("wss://127.0.0.1:*"); err != einval {
		t.Fatalf("Bind with a bad key: %v, want EINVAL", err)
	}
	must(t, s.SetWssKeyPem(pki.keyPEM))
	must(t, s.Bind("wss://127.0.0.1:*"))
	// A connect needs no certificate: it fails, if at all, in the handshake.
	c := newTestSocket(t, ctx, PUSH)
	must(t, c.Connect("wss://127.0.0.1:9/"))
	st := newTestSocket(t, ctx, STREAM)
	if err := st.Bind("wss://127.0.0.1:*"); err != EPROTONOSUPPORT {
		t.Fatalf("STREAM Bind wss: %v, want EPROTONOSUPPORT", err)
	}
	for _, ep := range []string{"wss://127.0.0.1", "wss://127.0.0.1:1/a b", "wss://a;b:1"} {
		if err := c.Connect(ep); err != einval {
			t.Errorf("Connect(%q): %v, want EINVAL", ep, err)
		}
	}
}

func TestWSSMonitorEvents(t *testing.T) {
	pki := newWSSPKI(t)
	ctx := newTestContext(t)
	srv := newTestSocket(t, ctx, PULL)
	smon := monitorOf(t, srv, EVENT_ALL)
	ep := wssBound(t, srv, pki, "/m")
	cli := newTestSocket(t, ctx, PUSH)
	wssTrusting(t, cli, pki)
	cmon := monitorOf(t, cli, EVENT_ALL)
	must(t, cli.Connect(ep))
	ev, addr, fd, err := smon.RecvEvent(0)
	must(t, err)
	if ev != EVENT_LISTENING || addr != ep || fd <= 0 {
		t.Fatalf("first server event %v %q %d", ev, addr, fd)
	}
	if fds := expectEvents(t, smon, EVENT_ACCEPTED, EVENT_HANDSHAKE_SUCCEEDED); fds[0] <= 0 {
		t.Fatalf("ACCEPTED fd %d", fds[0])
	}
	if fds := expectEvents(t, cmon, EVENT_CONNECT_DELAYED, EVENT_CONNECTED, EVENT_HANDSHAKE_SUCCEEDED); fds[1] <= 0 {
		t.Fatalf("CONNECTED fd %d", fds[1])
	}
	must(t, srv.Close())
	expectEvents(t, cmon, EVENT_DISCONNECTED, EVENT_CONNECT_RETRIED)
}

// TestWSSVerificationFailures: a server the client cannot verify fails the
// TLS handshake (HANDSHAKE_FAILED_NO_DETAIL, then DISCONNECTED, as libzmq
// reports a connection error during the handshake); the client keeps
// retrying and nothing it queued gets through. Connecting again with the
// right settings then works, and only the new message arrives.
func TestWSSVerificationFailures(t *testing.T) {
	pki, other := newWSSPKI(t), newWSSPKI(t)
	cases := map[string]func(t *testing.T, s *Socket){
		"wrong CA": func(t *testing.T, s *Socket) {
			must(t, s.SetWssTrustPem(other.caPEM))
			must(t, s.SetWssHostname("server.test"))
		},
		"wrong hostname": func(t *testing.T, s *Socket) {
			must(t, s.SetWssTrustPem(pki.caPEM))
			must(t, s.SetWssHostname("other.test"))
		},
		"endpoint address as hostname": func(t *testing.T, s *Socket) {
			must(t, s.SetWssTrustPem(pki.caPEM))
			must(t, s.SetWssHostname("127.0.0.1"))
		},
		"nothing trusted": func(t *testing.T, s *Socket) {
			must(t, s.SetWssHostname("server.test"))
		},
	}
	for name, setup := range cases {
		t.Run(name, func(t *testing.T) {
			ctx := newTestContext(t)
			srv := newTestSocket(t, ctx, PULL)
			ep := wssBound(t, srv, pki, "/v")
			cli := newTestSocket(t, ctx, PUSH)
			must(t, cli.SetReconnectIvl(10*time.Millisecond))
			setup(t, cli)
			cmon := monitorOf(t, cli, EVENT_ALL)
			must(t, cli.Connect(ep))
			sendParts(t, cli, "must not arrive")
			for i := 0; i < 2; i++ {
				expectEvents(t, cmon, EVENT_CONNECTED, EVENT_HANDSHAKE_FAILED_NO_DETAIL, EVENT_DISCONNECTED, EVENT_CONNECT_RETRIED)
			}
			must(t, srv.SetRcvtimeo(0))
			if _, err := srv.RecvMessage(0); err != eagain {
				t.Fatalf("server received despite failed handshakes: %v", err)
			}
			must(t, cli.Disconnect(ep))
			wssTrusting(t, cli, pki)
			must(t, cli.Connect(ep))
			sendParts(t, cli, "verified")
			must(t, srv.SetRcvtimeo(10*time.Second))
			expectParts(t, srv, "verified")
		})
	}
}

// TestWSSWithoutHostnameChecksTheChainOnly: as in libzmq, the endpoint's
// host is not checked against the certificate; without ZMQ_WSS_HOSTNAME
// any certificate that chains to a trusted one is accepted.
func TestWSSWithoutHostnameChecksTheChainOnly(t *testing.T) {
	pki := newWSSPKI(t)
	ctx := newTestContext(t)
	srv := newTestSocket(t, ctx, PULL)
	ep := wssBound(t, srv, pki, "/")
	cli := newTestSocket(t, ctx, PUSH)
	must(t, cli.SetWssTrustPem(pki.caPEM))
	must(t, cli.Connect(ep))
	sendParts(t, cli, "chain only")
	expectParts(t, srv, "chain only")
}

func TestWSSCurve(t *testing.T) {
	pki := newWSSPKI(t)
	serverPub, serverSec, err := NewCurveKeypair()
	must(t, err)
	clientPub, clientSec, err := NewCurveKeypair()
	must(t, err)
	ctx := newTestContext(t)
	srv := newTestSocket(t, ctx, DEALER)
	must(t, srv.SetCurveServer(1))
	must(t, srv.SetCurveSecretkey(serverSec))
	cli := newTestSocket(t, ctx, DEALER)
	must(t, cli.SetCurveServerkey(serverPub))
	must(t, cli.SetCurvePublickey(clientPub))
	must(t, cli.SetCurveSecretkey(clientSec))
	wssTrusting(t, cli, pki)
	must(t, cli.Connect(wssBound(t, srv, pki, "/curve")))
	exchangeBigMessages(t, cli, srv, 0x5A)
}

func TestWSSReconnectsAfterRebind(t *testing.T) {
	pki := newWSSPKI(t)
	ctx := newTestContext(t)
	srv := newTestSocket(t, ctx, PULL)
	ep := wssBound(t, srv, pki, "/r")
	cli := newTestSocket(t, ctx, PUSH)
	wssTrusting(t, cli, pki)
	must(t, cli.SetReconnectIvl(10*time.Millisecond))
	cmon := monitorOf(t, cli, EVENT_DISCONNECTED)
	must(t, cli.Connect(ep))
	sendParts(t, cli, "one")
	expectParts(t, srv, "one")
	must(t, srv.Close())
	expectEvents(t, cmon, EVENT_DISCONNECTED)
	srv2 := newTestSocket(t, ctx, PULL)
	must(t, srv2.SetWssCertPem(pki.certPEM))
	must(t, srv2.SetWssKeyPem(pki.keyPEM))
	waitUntil(t, "rebinding the port", func() bool { return srv2.Bind(ep) == nil })
	sendParts(t, cli, "two")
	expectParts(t, srv2, "two")
}

// TestWSSHandshakeIvlBoundsTLS: a tcp peer that never starts TLS is
// dropped once HANDSHAKE_IVL passes.
func TestWSSHandshakeIvlBoundsTLS(t *testing.T) {
	pki := newWSSPKI(t)
	ctx := newTestContext(t)
	srv := newTestSocket(t, ctx, PAIR)
	must(t, srv.SetHandshakeIvl(50*time.Millisecond))
	smon := monitorOf(t, srv, EVENT_ACCEPTED|EVENT_HANDSHAKE_FAILED_NO_DETAIL|EVENT_DISCONNECTED)
	ep := wssBound(t, srv, pki, "/")
	c, err := net.DialTimeout("tcp", strings.TrimSuffix(strings.TrimPrefix(ep, "wss://"), "/"), 5*time.Second)
	must(t, err)
	defer c.Close()
	expectEvents(t, smon, EVENT_ACCEPTED, EVENT_HANDSHAKE_FAILED_NO_DETAIL, EVENT_DISCONNECTED)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("read %d bytes, %v; want the server to close", n, err)
	}
}
