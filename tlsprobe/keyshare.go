package tlsprobe

import (
	"crypto/ecdh"
	"crypto/mlkem"
	"crypto/rand"
	"fmt"
	"math/big"
	"sync"

	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// keyShare returns a client key_share for group (RFC 8446, Section 4.2.8).
// The private keys are dropped: a probe reads the ServerHello and never
// completes the key exchange.
//
// ECDHE and ML-KEM shares are real public keys from crypto/ecdh and
// crypto/mlkem. An X448 share is 56 random bytes, because the standard
// library has no X448 and every 56-byte string decodes to a point. An ffdhe
// share comes from ffdheShare.
//
// A share is made once per group and process and then reused, because key
// generation was about half of a scan's CPU time (X25519, the P-curves and
// ML-KEM in every hello) and a probe never uses the private key. Callers
// must not modify the returned slice.
func keyShare(group uint16) ([]byte, error) {
	if share, ok := keyShareCache.Load(group); ok {
		return share.([]byte), nil
	}
	share, err := newKeyShare(group)
	if err != nil {
		return nil, err
	}
	actual, _ := keyShareCache.LoadOrStore(group, share)
	return actual.([]byte), nil
}

// keyShareCache maps a group id to its key share.
var keyShareCache sync.Map

// newKeyShare makes a fresh key share for group.
func newKeyShare(group uint16) ([]byte, error) {
	switch group {
	case registry.GroupX25519:
		return ecdhPublic(ecdh.X25519())
	case registry.GroupSecp256r1:
		return ecdhPublic(ecdh.P256())
	case registry.GroupSecp384r1:
		return ecdhPublic(ecdh.P384())
	case registry.GroupSecp521r1:
		return ecdhPublic(ecdh.P521())
	case registry.GroupMLKEM768:
		return mlkem768Public()
	case registry.GroupMLKEM1024:
		return mlkem1024Public()
	case registry.GroupX25519MLKEM768:
		// Unlike the other two hybrids, X25519MLKEM768 puts the ML-KEM
		// key first.
		return concatShares(mlkem768Public, func() ([]byte, error) { return ecdhPublic(ecdh.X25519()) })
	case registry.GroupSecP256r1MLKEM768:
		return concatShares(func() ([]byte, error) { return ecdhPublic(ecdh.P256()) }, mlkem768Public)
	case registry.GroupSecP384r1MLKEM1024:
		return concatShares(func() ([]byte, error) { return ecdhPublic(ecdh.P384()) }, mlkem1024Public)
	}
	info, known := registry.Group(group)
	switch {
	case known && group == registry.GroupX448:
		share := make([]byte, info.KeyShareLen)
		rand.Read(share)
		return share, nil
	case known && info.Kind == "FFDHE":
		return ffdheShare(info.KeyShareLen)
	}
	return nil, fmt.Errorf("tls: no key share generator for group %s (0x%04x); leave it out of KeyShares", registry.GroupName(group), group)
}

// ffdheShare returns a public value for an RFC 7919 group whose prime p is
// size bytes long, left-padded to size bytes (RFC 8446, Section 4.2.8.1).
//
// The value is r² for a random integer r in [2, 2^(4·size−1)), so it lies in
// [4, 2^(8·size−2)) and so in [2, p−2], because every RFC 7919 prime starts
// with 64 one bits. Being a square, it is a quadratic residue mod p, which
// for these safe primes means it lies in the subgroup of prime order
// (p−1)/2. A server that validates the share fully checks both conditions,
// and a uniformly random value fails the second one half the time. In
// TLS 1.3, OpenSSL 3.0.19 rejected 8 of 20 random ffdhe2048 shares with the
// alert internal_error.
func ffdheShare(size int) ([]byte, error) {
	if size < 2 {
		return nil, fmt.Errorf("tls: ffdhe prime length %d bytes is too short for a key share; fix the group's KeyShareLen in the registry", size)
	}
	limit := new(big.Int).Lsh(big.NewInt(1), uint(4*size-1))
	limit.Sub(limit, big.NewInt(2))
	r, err := rand.Int(rand.Reader, limit)
	if err != nil {
		return nil, fmt.Errorf("tls: generating an ffdhe key share: %w", err)
	}
	r.Add(r, big.NewInt(2))

	share := make([]byte, size)
	new(big.Int).Mul(r, r).FillBytes(share)
	return share, nil
}

func ecdhPublic(curve ecdh.Curve) ([]byte, error) {
	key, err := curve.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("tls: generating a key share: %w", err)
	}
	return key.PublicKey().Bytes(), nil
}

func mlkem768Public() ([]byte, error) {
	key, err := mlkem.GenerateKey768()
	if err != nil {
		return nil, fmt.Errorf("tls: generating an ML-KEM-768 key share: %w", err)
	}
	return key.EncapsulationKey().Bytes(), nil
}

func mlkem1024Public() ([]byte, error) {
	key, err := mlkem.GenerateKey1024()
	if err != nil {
		return nil, fmt.Errorf("tls: generating an ML-KEM-1024 key share: %w", err)
	}
	return key.EncapsulationKey().Bytes(), nil
}

func concatShares(first, second func() ([]byte, error)) ([]byte, error) {
	a, err := first()
	if err != nil {
		return nil, err
	}
	b, err := second()
	if err != nil {
		return nil, err
	}
	return append(a, b...), nil
}
