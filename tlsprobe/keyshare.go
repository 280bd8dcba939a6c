package tlsprobe

import (
	"crypto/ecdh"
	"crypto/mlkem"
	"crypto/rand"
	"fmt"

	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// keyShare returns a client key_share for group (RFC 8446, Section 4.2.8).
// The private keys are dropped: a probe reads the ServerHello and never
// completes the key exchange.
//
// ECDHE and ML-KEM shares are real public keys from crypto/ecdh and
// crypto/mlkem. X448 and ffdhe shares are random values of the right length
// that pass a server's range checks. The standard library has no X448. A
// random ffdhe value below 2^(n-1) lies in [2, p-2], because every RFC 7919
// prime starts with 64 one bits.
func keyShare(group uint16) ([]byte, error) {
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
	if known && (group == registry.GroupX448 || info.Kind == "FFDHE") {
		share := make([]byte, info.KeyShareLen)
		rand.Read(share)
		if info.Kind == "FFDHE" {
			share[0] &= 0x7f
			share[len(share)-1] |= 0x02 // never 0 or 1
		}
		return share, nil
	}
	return nil, fmt.Errorf("tls: no key share generator for group %s (0x%04x); leave it out of KeyShares", registry.GroupName(group), group)
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
