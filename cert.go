package zmq4

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/purezmq/zmq4/internal/mechanism"
	"github.com/purezmq/zmq4/internal/z85"
	"github.com/purezmq/zmq4/internal/zpl"
)

// Cert is a CURVE certificate as CZMQ's zcert keeps it: a key pair (or only
// a public key) plus metadata name/value pairs. Certificates are stored in
// CZMQ's ZPL text format, so files written by CZMQ, pyzmq
// (zmq.auth.create_certificates) and this package are interchangeable.
//
// A Cert is safe for concurrent use.
type Cert struct {
	public    [curveKeyLen]byte
	secret    [curveKeyLen]byte
	hasSecret bool

	mu   sync.RWMutex
	meta []certMeta // in the order the names were first set
}

// certMeta is one metadata entry of a certificate.
type certMeta struct {
	name, value string
}

// maxCertFileSize bounds how much of a certificate file is read; real
// certificates are a few hundred bytes.
const maxCertFileSize = 1 << 20

// Errors reported for certificates.
var (
	// ErrCertNoPublicKey means a certificate file has no valid 40-character
	// /curve/public-key.
	ErrCertNoPublicKey = errors.New("zmq4: certificate has no valid curve public-key")
	// ErrCertNoSecretKey means an operation needs a secret key the
	// certificate does not hold.
	ErrCertNoSecretKey = errors.New("zmq4: certificate has no secret key")
)

// NewCert makes a certificate with a fresh CURVE key pair and no metadata.
func NewCert() (*Cert, error) {
	public, secret, err := mechanism.NewKeyPair()
	if err != nil {
		return nil, err
	}
	return &Cert{public: public, secret: secret, hasSecret: true}, nil
}

// NewCertFromKeys makes a certificate from a 32-byte public key and a 32-byte
// secret key. An empty secret makes a public-only certificate, such as a
// peer's.
func NewCertFromKeys(public, secret []byte) (*Cert, error) {
	if len(public) != curveKeyLen {
		return nil, fmt.Errorf("zmq4: public key must be %d bytes, got %d", curveKeyLen, len(public))
	}
	c := &Cert{}
	copy(c.public[:], public)
	switch len(secret) {
	case 0:
	case curveKeyLen:
		copy(c.secret[:], secret)
		c.hasSecret = true
	default:
		return nil, fmt.Errorf("zmq4: secret key must be %d bytes, got %d", curveKeyLen, len(secret))
	}
	return c, nil
}

// PublicKey returns the 32-byte public key.
func (c *Cert) PublicKey() []byte {
	return append([]byte(nil), c.public[:]...)
}

// SecretKey returns the 32-byte secret key, or nil for a public-only
// certificate.
func (c *Cert) SecretKey() []byte {
	if !c.hasSecret {
		return nil
	}
	return append([]byte(nil), c.secret[:]...)
}

// PublicTxt returns the public key as 40 Z85 characters.
func (c *Cert) PublicTxt() string {
	return z85CurveKey(c.public[:])
}

// SecretTxt returns the secret key as 40 Z85 characters, or "" for a
// public-only certificate.
func (c *Cert) SecretTxt() string {
	if !c.hasSecret {
		return ""
	}
	return z85CurveKey(c.secret[:])
}

// HasSecret reports whether the certificate holds a secret key.
func (c *Cert) HasSecret() bool { return c.hasSecret }

// Meta returns the value of the metadata entry name, or "" when there is
// none.
func (c *Cert) Meta(name string) string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, m := range c.meta {
		if m.name == name {
			return m.value
		}
	}
	return ""
}

// SetMeta sets the metadata entry name to value, replacing an earlier value.
// Names are ZPL names (letters, digits and $-_@.&+/); Save reports names
// or values that cannot be written.
func (c *Cert) SetMeta(name, value string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.meta {
		if c.meta[i].name == name {
			c.meta[i].value = value
			return
		}
	}
	c.meta = append(c.meta, certMeta{name, value})
}

// UnsetMeta removes the metadata entry name.
func (c *Cert) UnsetMeta(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.meta {
		if c.meta[i].name == name {
			c.meta = append(c.meta[:i], c.meta[i+1:]...)
			return
		}
	}
}

// MetaKeys returns the metadata names in the order they were first set.
func (c *Cert) MetaKeys() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	keys := make([]string, len(c.meta))
	for i, m := range c.meta {
		keys[i] = m.name
	}
	return keys
}

// metaCopy returns the metadata entries.
func (c *Cert) metaCopy() []certMeta {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return append([]certMeta(nil), c.meta...)
}

// Equal reports whether both certificates hold the same keys (metadata is
// not compared, as in CZMQ).
func (c *Cert) Equal(other *Cert) bool {
	if c == nil || other == nil {
		return c == other
	}
	return c.public == other.public && c.hasSecret == other.hasSecret && c.secret == other.secret
}

// Apply sets the certificate's key pair as the socket's CURVE public and
// secret keys (ZMQ_CURVE_PUBLICKEY, ZMQ_CURVE_SECRETKEY).
func (c *Cert) Apply(s *Socket) error {
	if !c.hasSecret {
		return ErrCertNoSecretKey
	}
	if err := s.SetCurvePublickey(string(c.public[:])); err != nil {
		return err
	}
	return s.SetCurveSecretkey(string(c.secret[:]))
}

// String describes the certificate by its public key.
func (c *Cert) String() string {
	return "Cert(" + c.PublicTxt() + ")"
}

// LoadCert loads a certificate from a file in CZMQ's format. Like
// zcert_load it first tries path+"_secret" (which holds both keys) and falls
// back to path.
func LoadCert(path string) (*Cert, error) {
	if c, err := loadCertFile(path + "_secret"); err == nil {
		return c, nil
	}
	return loadCertFile(path)
}

// loadCertFile loads one certificate file.
func loadCertFile(path string) (*Cert, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCertFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxCertFileSize {
		return nil, fmt.Errorf("zmq4: certificate %s is larger than %d bytes", path, maxCertFileSize)
	}
	c, err := parseCert(data)
	if err != nil {
		return nil, fmt.Errorf("zmq4: certificate %s: %w", path, err)
	}
	return c, nil
}

// parseCert builds a certificate from ZPL text: /curve/public-key must be 40
// Z85 characters; /curve/secret-key is used when it is 40 characters; every
// child of /metadata becomes a metadata entry.
func parseCert(data []byte) (*Cert, error) {
	root, err := zpl.Parse(data)
	if err != nil {
		return nil, err
	}
	publicText, ok := root.Get("curve", "public-key")
	if !ok || len(publicText) != curveKeyZ85Len {
		return nil, ErrCertNoPublicKey
	}
	public, err := z85.Decode(publicText)
	if err != nil {
		return nil, ErrCertNoPublicKey
	}
	var secret []byte
	if secretText, ok := root.Get("curve", "secret-key"); ok && len(secretText) == curveKeyZ85Len {
		if secret, err = z85.Decode(secretText); err != nil {
			return nil, fmt.Errorf("zmq4: invalid curve secret-key: %w", err)
		}
	}
	c, err := NewCertFromKeys(public, secret)
	if err != nil {
		return nil, err
	}
	if metadata := root.Child("metadata"); metadata != nil {
		for _, item := range metadata.Children {
			c.SetMeta(item.Name, item.Value)
		}
	}
	return c, nil
}

// Save writes the public certificate to path and the secret certificate to
// path+"_secret" (readable by the owner only), as zcert_save does.
func (c *Cert) Save(path string) error {
	if err := c.SavePublic(path); err != nil {
		return err
	}
	return c.SaveSecret(path + "_secret")
}

// SavePublic writes the public certificate (no secret key) to path.
func (c *Cert) SavePublic(path string) error {
	text, err := c.encode(false, time.Now())
	if err != nil {
		return err
	}
	return writeFileAtomic(path, text, 0o644)
}

// SaveSecret writes the secret certificate (both keys) to path, readable by
// the owner only.
func (c *Cert) SaveSecret(path string) error {
	if !c.hasSecret {
		return ErrCertNoSecretKey
	}
	text, err := c.encode(true, time.Now())
	if err != nil {
		return err
	}
	return writeFileAtomic(path, text, 0o600)
}

// Header comments of CZMQ certificate files (each written after "#").
var (
	certPublicBanner = []string{
		"   ZeroMQ CURVE Public Certificate",
		"   Exchange securely, or use a secure mechanism to verify the contents",
		"   of this file after exchange. Store public certificates in your home",
		"   directory, in the .curve subdirectory.",
	}
	certSecretBanner = []string{
		"   ZeroMQ CURVE **Secret** Certificate",
		"   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.",
	}
)

// encode returns the certificate in CZMQ's file layout, with the secret key
// when withSecret is set.
func (c *Cert) encode(withSecret bool, now time.Time) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "#   ****  Generated on %s by CZMQ  ****\n", now.Format("2006-01-02 15:04:05"))
	banner := certPublicBanner
	if withSecret {
		banner = certSecretBanner
	}
	for _, line := range banner {
		b.WriteString("#" + line + "\n")
	}
	b.WriteString("\nmetadata\n")
	for _, m := range c.metaCopy() {
		line, err := zpl.Item(2, m.name, m.value)
		if err != nil {
			return nil, err
		}
		b.WriteString(line)
	}
	b.WriteString("curve\n")
	publicLine, _ := zpl.Item(2, "public-key", c.PublicTxt())
	b.WriteString(publicLine)
	if withSecret {
		secretLine, _ := zpl.Item(2, "secret-key", c.SecretTxt())
		b.WriteString(secretLine)
	}
	return b.Bytes(), nil
}

// writeFileAtomic writes data to a temporary file next to path with the
// given mode and renames it over path, so readers never see half a file and
// an existing file's looser mode does not survive.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	// The leading dot keeps the temporary file out of certificate stores.
	tmp, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmpName)
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		return fail(err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmpName)
		return err
	}
	if err := os.Rename(tmpName, path); err != nil {
		os.Remove(tmpName)
		return err
	}
	return nil
}
