package transport

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"syscall"
)

// serverTLSConfig builds the TLS configuration of a wss listener from
// opts.WssCertPem and opts.WssKeyPem. libzmq 4.3.5 aborts the process when
// they are missing or do not load; here the bind fails with EINVAL.
func serverTLSConfig(opts *Options) (*tls.Config, error) {
	if opts.WssCertPem == "" || opts.WssKeyPem == "" {
		return nil, errnof(syscall.EINVAL, "wss bind needs ZMQ_WSS_CERT_PEM and ZMQ_WSS_KEY_PEM")
	}
	cert, err := tls.X509KeyPair([]byte(opts.WssCertPem), []byte(opts.WssKeyPem))
	if err != nil {
		return nil, errnof(syscall.EINVAL, "wss certificate and key: %v", err)
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}, nil
}

// clientTLSConfig builds the TLS configuration of a wss connect. As in
// libzmq, the server's chain must lead to a certificate of
// opts.WssTrustPem or, with opts.WssTrustSystem, of the system's store;
// with neither, nothing is trusted and every handshake fails. The server's
// name is checked (and sent as SNI) only when opts.WssHostname is set; the
// host of the endpoint is not used for that. The name is checked by
// serverNameMatches, which, like the GnuTLS check libzmq runs, accepts the
// subject's common name of a certificate that names no DNS name in its
// subjectAltName (crypto/tls's own check never looks at the common name).
func clientTLSConfig(opts *Options) *tls.Config {
	roots := x509.NewCertPool()
	if opts.WssTrustSystem {
		if system, err := x509.SystemCertPool(); err == nil {
			roots = system
		}
	}
	if opts.WssTrustPem != "" {
		// Text that holds no certificate adds nothing: the handshake
		// then fails verification, as it does in libzmq.
		roots.AppendCertsFromPEM([]byte(opts.WssTrustPem))
	}
	name := opts.WssHostname
	// crypto/tls's verification would check the name its own way; it is
	// turned off and done here instead, chain first, then the name.
	return &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         name,
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if err := verifyChain(cs.PeerCertificates, roots); err != nil {
				return err
			}
			if name == "" {
				return nil
			}
			return serverNameMatches(cs.PeerCertificates[0], name)
		},
	}
}

// serverNameMatches checks that the server's certificate is for name. The
// subjectAltName's DNS names and IP addresses are checked as crypto/x509
// checks them (wildcards in the leftmost label, IP addresses only against
// IP entries). When that fails and the certificate holds no DNS name at
// all, the subject's common name stands in for one, by the same rules: the
// fallback RFC 6125 section 6.4.4 allows, and the one GnuTLS (libzmq's TLS
// library for wss) makes, so a self-signed certificate made with only a
// common name (libzmq's own wss test uses one) is accepted for that name.
func serverNameMatches(leaf *x509.Certificate, name string) error {
	err := leaf.VerifyHostname(name)
	if err == nil || len(leaf.DNSNames) > 0 || leaf.Subject.CommonName == "" {
		return err
	}
	byCommonName := *leaf
	byCommonName.DNSNames = []string{leaf.Subject.CommonName}
	if byCommonName.VerifyHostname(name) == nil {
		return nil
	}
	return err
}

// verifyChain checks that the server's certificate, helped by the
// intermediates it sent, chains to one of roots, for server
// authentication, without checking any name.
func verifyChain(certs []*x509.Certificate, roots *x509.CertPool) error {
	if len(certs) == 0 {
		return errors.New("transport: wss server sent no certificate")
	}
	intermediates := x509.NewCertPool()
	for _, c := range certs[1:] {
		intermediates.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: intermediates})
	return err
}
