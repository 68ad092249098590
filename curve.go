package zmq4

import (
	"github.com/purezmq/zmq4/internal/mechanism"
	"github.com/purezmq/zmq4/internal/z85"
)

// NewCurveKeypair returns a fresh CURVE key pair as two 40-character Z85
// strings, as zmq_curve_keypair makes them: a random secret key and its
// X25519 public key.
func NewCurveKeypair() (z85Public, z85Secret string, err error) {
	public, secret, err := mechanism.NewKeyPair()
	if err != nil {
		return "", "", err
	}
	if z85Public, err = z85.Encode(public[:]); err != nil {
		return "", "", err
	}
	if z85Secret, err = z85.Encode(secret[:]); err != nil {
		return "", "", err
	}
	return z85Public, z85Secret, nil
}

// AuthCurvePublic derives the Z85 public key that belongs to a Z85 secret
// key, as zmq_curve_public does. A secret key that is not 40 characters of
// valid Z85 yields EINVAL.
func AuthCurvePublic(z85SecretKey string) (string, error) {
	raw, err := z85.Decode(z85SecretKey)
	if err != nil || len(raw) != curveKeyLen {
		return "", einval
	}
	var secret [curveKeyLen]byte
	copy(secret[:], raw)
	public, err := mechanism.PublicKey(secret)
	if err != nil {
		return "", einval
	}
	return z85.Encode(public[:])
}

// ServerAuthNull makes the socket a NULL-security server whose clients the
// ZAP handler checks under domain (libzmq rejects an empty domain).
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) ServerAuthNull(domain string) error {
	if err := s.SetPlainServer(0); err != nil {
		return err
	}
	return s.SetZapDomain(domain)
}

// ServerAuthPlain makes the socket a PLAIN server whose clients the ZAP
// handler checks under domain.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) ServerAuthPlain(domain string) error {
	if err := s.SetPlainServer(1); err != nil {
		return err
	}
	return s.SetZapDomain(domain)
}

// ServerAuthCurve makes the socket a CURVE server with the given secret key
// (40 Z85 characters or 32 bytes) whose clients the ZAP handler checks under
// domain.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) ServerAuthCurve(domain, secretKey string) error {
	if err := s.SetCurveServer(1); err != nil {
		return err
	}
	if err := s.SetCurveSecretkey(secretKey); err != nil {
		return err
	}
	return s.SetZapDomain(domain)
}

// ClientAuthPlain makes the socket a PLAIN client that logs in with
// username and password.
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) ClientAuthPlain(username, password string) error {
	if err := s.SetPlainUsername(username); err != nil {
		return err
	}
	return s.SetPlainPassword(password)
}

// ClientAuthCurve makes the socket a CURVE client of the server whose public
// key is serverKey, using the client key pair clientPublicKey and
// clientSecretKey (each 40 Z85 characters or 32 bytes).
// Like every option a connection uses, it is read at Bind and Connect
// (see Socket).
func (s *Socket) ClientAuthCurve(serverKey, clientPublicKey, clientSecretKey string) error {
	if err := s.SetCurveServerkey(serverKey); err != nil {
		return err
	}
	if err := s.SetCurvePublickey(clientPublicKey); err != nil {
		return err
	}
	return s.SetCurveSecretkey(clientSecretKey)
}
