package mechanism

import (
	"crypto/ecdh"
	"crypto/rand"
	"errors"

	//lint:ignore SA1019 CurveZMQ is built on the XSalsa20 core itself, as NaCl and libsodium are
	"golang.org/x/crypto/salsa20/salsa"
)

// keySize is the length of CURVE public and secret keys.
const keySize = 32

// errWeakKey reports a key pair whose shared secret is all zeros (a
// low-order public key); libsodium refuses those and so do we.
var errWeakKey = errors.New("mechanism: CURVE key agreement produced a weak shared secret")

// NewKeyPair returns a fresh CURVE key pair: a random secret key from
// crypto/rand and its X25519 public key, as zmq_curve_keypair makes them.
func NewKeyPair() (public, secret [32]byte, err error) {
	if _, err = rand.Read(secret[:]); err != nil {
		return public, secret, err
	}
	public, err = PublicKey(secret)
	return public, secret, err
}

// PublicKey derives the public key of a CURVE secret key (X25519 with the
// base point), as zmq_curve_public does.
func PublicKey(secret [32]byte) ([32]byte, error) {
	var public [32]byte
	priv, err := ecdh.X25519().NewPrivateKey(secret[:])
	if err != nil {
		return public, err
	}
	copy(public[:], priv.PublicKey().Bytes())
	return public, nil
}

// sharedKey computes crypto_box_beforenm: X25519(secret, peer) hashed with
// HSalsa20. The result keys every box between the two key pairs.
func sharedKey(peerPublic, secret []byte) ([32]byte, error) {
	var key [32]byte
	curve := ecdh.X25519()
	priv, err := curve.NewPrivateKey(secret)
	if err != nil {
		return key, err
	}
	pub, err := curve.NewPublicKey(peerPublic)
	if err != nil {
		return key, err
	}
	shared, err := priv.ECDH(pub)
	if err != nil {
		return key, errWeakKey
	}
	var zeroNonce [16]byte
	var raw [32]byte
	copy(raw[:], shared)
	salsa.HSalsa20(&key, &zeroNonce, &raw, &salsa.Sigma)
	return key, nil
}
