package tlsprobe

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// sigAlgECDSACert makes a self-signed ECDSA P-256 certificate for
// 127.0.0.1, valid for a day.
func sigAlgECDSACert(t testing.TB) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("generating an ECDSA P-256 key failed: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("creating the ECDSA certificate failed: %v", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// sigAlgStartGoTLS starts a crypto/tls server with cert that accepts only
// version and, when curves is not nil, only those groups.
func sigAlgStartGoTLS(t testing.TB, version uint16, cert tls.Certificate, curves []tls.CurveID) string {
	t.Helper()
	return startGoTLSConfig(t, &tls.Config{
		Certificates:     []tls.Certificate{cert},
		MinVersion:       version,
		MaxVersion:       version,
		CurvePreferences: curves,
	})
}

func schemeNames(ids []uint16) string { return namesOf(ids, registry.SchemeName) }

// TestSignatureAlgorithmsRealServers scans OpenSSL 3.0 and Go servers whose
// signature schemes are fixed by their configuration and certificate key.
//   - OpenSSL's -sigalgs limits the schemes the server signs with. Its
//     SelfSigned certificate has an RSA key, so only rsa_* schemes can work.
//   - Go 1.26 in TLS 1.3 signs with an ECDSA key only in the scheme of the
//     key's curve. In TLS 1.2 it accepts any ECDSA scheme with SHA-256 to
//     SHA-512, whatever the curve, and no SHA-1 scheme (its GODEBUG
//     tlssha1 is off by default).
func TestSignatureAlgorithmsRealServers(t *testing.T) {
	tests := []struct {
		name         string
		start        func(t *testing.T) string
		version      Version
		wantAccepted []uint16
		// wantProbes is, for TLS 1.2, one per accepted scheme plus the
		// rejected last offer. For TLS 1.3 it is one baseline probe (two
		// after a HelloRetryRequest), one per family of several schemes and
		// one per scheme that is alone or in an accepted family.
		wantProbes int
	}{
		{
			name: "openssl tls12 pss and pkcs1 sha256",
			start: func(t *testing.T) string {
				return testservers.StartOpenSSL(t, "-tls1_2", "-sigalgs", "RSA-PSS+SHA256:RSA+SHA256", "-www")
			},
			version:      VersionTLS12,
			wantAccepted: []uint16{registry.SchemeRSAPKCS1SHA256, registry.SchemeRSAPSSRSAESHA256},
			wantProbes:   3,
		},
		{
			name: "openssl tls13 pss sha384",
			start: func(t *testing.T) string {
				return testservers.StartOpenSSL(t, "-tls1_3", "-sigalgs", "RSA-PSS+SHA384", "-www")
			},
			version:      VersionTLS13,
			wantAccepted: []uint16{registry.SchemeRSAPSSRSAESHA384},
			wantProbes:   1 + tls13FamilyProbes("RSA-PSS"),
		},
		{
			name: "go tls13 ecdsa p256",
			start: func(t *testing.T) string {
				return sigAlgStartGoTLS(t, tls.VersionTLS13, sigAlgECDSACert(t), nil)
			},
			version:      VersionTLS13,
			wantAccepted: []uint16{registry.SchemeECDSAP256SHA256},
			wantProbes:   1 + tls13FamilyProbes("ECDSA"),
		},
		{
			// The server has no group of ModernHello's key shares, so the
			// first hello gets a HelloRetryRequest for secp384r1 and is sent
			// again with a secp384r1 share.
			name: "go tls13 secp384r1 only retry",
			start: func(t *testing.T) string {
				return sigAlgStartGoTLS(t, tls.VersionTLS13, sigAlgECDSACert(t), []tls.CurveID{tls.CurveP384})
			},
			version:      VersionTLS13,
			wantAccepted: []uint16{registry.SchemeECDSAP256SHA256},
			wantProbes:   2 + tls13FamilyProbes("ECDSA"),
		},
		{
			name: "go tls12 ecdsa p256",
			start: func(t *testing.T) string {
				return sigAlgStartGoTLS(t, tls.VersionTLS12, sigAlgECDSACert(t), nil)
			},
			version: VersionTLS12,
			wantAccepted: []uint16{registry.SchemeECDSAP256SHA256, registry.SchemeECDSAP384SHA384,
				registry.SchemeECDSAP521SHA512},
			wantProbes: 4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr := tt.start(t)
			p := &Prober{Timeout: 3 * time.Second}
			scan := p.SignatureAlgorithms(context.Background(), addr, "", tt.version)
			if scan.Err != "" {
				t.Errorf("Err = %q, want none", scan.Err)
			}
			if !slices.Equal(scan.Accepted, tt.wantAccepted) {
				t.Errorf("Accepted = %s, want %s", schemeNames(scan.Accepted), schemeNames(tt.wantAccepted))
			}
			if scan.Probes != tt.wantProbes {
				t.Errorf("Probes = %d, want %d", scan.Probes, tt.wantProbes)
			}
			if got := p.Connections(); got != int64(scan.Probes) {
				t.Errorf("Connections = %d, want Probes (%d)", got, scan.Probes)
			}
		})
	}
}

// tls13FamilyProbes returns the probes of a TLS 1.3 family scan after the
// baseline when only the family named accepted is accepted: one per family
// of several schemes, and one per scheme of a single-scheme family or of
// the accepted family.
func tls13FamilyProbes(accepted string) int {
	n := 0
	for _, family := range sigAlgFamilies(sigAlgCandidates(VersionTLS13)) {
		info, _ := registry.Scheme(family[0])
		name := info.Signature
		if name == "RSA-PSS" && strings.HasPrefix(info.Name, "rsa_pss_pss_") {
			name = "RSA-PSS-PSS"
		}
		switch {
		case len(family) == 1:
			n++
		case name == accepted:
			n += 1 + len(family)
		default:
			n++
		}
	}
	return n
}

// TestSignatureAlgorithmsNoSignedSuite scans an OpenSSL server that has only
// a static RSA suite, so no TLS 1.2 hello of the scan can succeed.
func TestSignatureAlgorithmsNoSignedSuite(t *testing.T) {
	addr := testservers.StartOpenSSL(t, "-tls1_2", "-cipher", "AES128-SHA", "-www")
	scan := (&Prober{Timeout: 3 * time.Second}).SignatureAlgorithms(context.Background(), addr, "", VersionTLS12)
	if !strings.Contains(scan.Err, "signed key exchange") {
		t.Errorf("Err = %q, want the rejected baseline hello", scan.Err)
	}
	if len(scan.Accepted) != 0 {
		t.Errorf("Accepted = %s, want none", schemeNames(scan.Accepted))
	}
	if scan.Probes != 1 {
		t.Errorf("Probes = %d, want 1 (the baseline only)", scan.Probes)
	}
}

func TestSignatureAlgorithmsInvalidVersion(t *testing.T) {
	tests := []struct {
		name    string
		version Version
	}{
		{"tls11", VersionTLS11},
		{"ssl30", VersionSSL30},
		{"unknown", Version(0x0305)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Prober{}
			scan := p.SignatureAlgorithms(context.Background(), "127.0.0.1:1", "", tt.version)
			if !strings.Contains(scan.Err, "invalid version") {
				t.Errorf("Err = %q, want an invalid version error", scan.Err)
			}
			if scan.Probes != 0 || p.Connections() != 0 {
				t.Errorf("Probes = %d and Connections = %d, want no probe", scan.Probes, p.Connections())
			}
		})
	}
}

func TestSigAlgCandidatesTLS13(t *testing.T) {
	for _, id := range sigAlgCandidates(VersionTLS13) {
		info, _ := registry.Scheme(id)
		if info.Signature == "RSA-PKCS1" || info.Signature == "DSA" || info.Legacy {
			t.Errorf("TLS 1.3 candidates contain %s, which RFC 8446 forbids in CertificateVerify", info.Name)
		}
	}
	if got, want := len(sigAlgCandidates(VersionTLS12)), len(registry.Schemes()); got != want {
		t.Errorf("TLS 1.2 candidates = %d, want every registry scheme (%d)", got, want)
	}
}

func TestServerKeyExchangeScheme(t *testing.T) {
	const (
		ecdheRSA = 0xc02f // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
		dheRSA   = 0x009e // TLS_DHE_RSA_WITH_AES_128_GCM_SHA256
		rsa      = 0x009c // TLS_RSA_WITH_AES_128_GCM_SHA256
	)
	tests := []struct {
		name   string
		suite  uint16
		body   string
		wantID uint16
		wantOK bool
	}{
		{"ecdhe rsa pss sha256", ecdheRSA, "03 0017 02 aabb 0804 0002 cccc", 0x0804, true},
		{"dhe pkcs1 sha256", dheRSA, "0001 05 0001 02 0002 aaaa 0401 0001 cc", 0x0401, true},
		{"ecdhe truncated point", ecdheRSA, "03 0017 04 aabb", 0, false},
		{"ecdhe no scheme", ecdheRSA, "03 0017 02 aabb", 0, false},
		{"ecdhe half scheme", ecdheRSA, "03 0017 02 aabb 08", 0, false},
		{"dhe truncated generator", dheRSA, "0001 05 0002 02", 0, false},
		{"static rsa", rsa, "0804", 0, false},
		{"unknown suite", 0xfefe, "0804", 0, false},
		{"empty body", ecdheRSA, "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, ok := serverKeyExchangeScheme(tt.suite, mustHex(tt.body))
			if ok != tt.wantOK {
				t.Errorf("ok = %v, want %v", ok, tt.wantOK)
			}
			if id != tt.wantID {
				t.Errorf("scheme = 0x%04x, want 0x%04x", id, tt.wantID)
			}
		})
	}
}
