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
// host of the endpoint is not used for that.
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
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots, ServerName: opts.WssHostname}
	if opts.WssHostname == "" {
		// crypto/tls checks a name whenever it verifies; without one,
		// verify the chain here instead.
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			return verifyChain(cs.PeerCertificates, roots)
		}
	}
	return cfg
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
