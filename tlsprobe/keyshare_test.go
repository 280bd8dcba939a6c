package tlsprobe

import (
	"bytes"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"os/exec"
	"testing"

	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// ffdhePrime returns the prime of the RFC 7919 group name ("ffdhe2048") as
// the openssl command line tool prints it in its DH parameters.
func ffdhePrime(t *testing.T, name string) *big.Int {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatalf("openssl not found in PATH: %v; install Debian package openssl", err)
	}
	out, err := exec.Command(bin, "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:"+name).Output()
	if err != nil {
		t.Fatalf("openssl genpkey -genparam for %s: %v", name, err)
	}
	block, _ := pem.Decode(out)
	if block == nil || block.Type != "DH PARAMETERS" {
		t.Fatalf("openssl genpkey printed no DH PARAMETERS block for %s:\n%s", name, out)
	}
	// PKCS #3 DHParameter: SEQUENCE { prime INTEGER, base INTEGER, ... }.
	var params struct {
		P, G *big.Int
		Rest asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(block.Bytes, &params); err != nil {
		t.Fatalf("parsing the DH parameters of %s: %v", name, err)
	}
	return params.P
}

// TestKeyShareFFDHEInSubgroup checks that ffdhe key shares pass a full
// public key check: 1 < y < p-1 and y^q = 1 (mod p) with q = (p-1)/2. A
// random value fails the second condition half the time, and OpenSSL 3.0
// rejects such a share.
func TestKeyShareFFDHEInSubgroup(t *testing.T) {
	groups := []uint16{
		registry.GroupFFDHE2048, registry.GroupFFDHE3072, registry.GroupFFDHE4096,
		registry.GroupFFDHE6144, registry.GroupFFDHE8192,
	}
	// With random values, 8 shares all pass with a chance of 1 in 256.
	const sharesPerGroup = 8
	bigOne := big.NewInt(1)
	for _, group := range groups {
		name := registry.GroupName(group)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := ffdhePrime(t, name)
			pMinus1 := new(big.Int).Sub(p, bigOne)
			q := new(big.Int).Rsh(pMinus1, 1)
			size := (p.BitLen() + 7) / 8

			for i := range sharesPerGroup {
				share, err := newKeyShare(group)
				if err != nil {
					t.Fatalf("share %d: keyShare: %v", i, err)
				}
				if len(share) != size {
					t.Fatalf("share %d: %d bytes, want %d, the length of the prime", i, len(share), size)
				}
				y := new(big.Int).SetBytes(share)
				if y.Cmp(bigOne) <= 0 || y.Cmp(pMinus1) >= 0 {
					t.Errorf("share %d: y = %x is outside [2, p-2]", i, share)
				}
				if new(big.Int).Exp(y, q, p).Cmp(bigOne) != 0 {
					t.Errorf("share %d: y = %x is outside the subgroup of order (p-1)/2", i, share)
				}
			}
		})
	}
}

// TestKeyShareFFDHEShortPrime checks that ffdheShare rejects a prime length
// too short to hold a share.
func TestKeyShareFFDHEShortPrime(t *testing.T) {
	for _, size := range []int{-1, 0, 1} {
		if share, err := ffdheShare(size); err == nil {
			t.Errorf("ffdheShare(%d) = %x, want an error", size, share)
		}
	}
}

func TestKeyShareReused(t *testing.T) {
	first, err := keyShare(registry.GroupX25519)
	if err != nil {
		t.Fatal(err)
	}
	second, err := keyShare(registry.GroupX25519)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Errorf("two x25519 shares differ; want the cached one reused")
	}
	if _, err := keyShare(0xfefe); err == nil {
		t.Errorf("keyShare(0xfefe) succeeded; want an error for a group without a generator")
	}
}
