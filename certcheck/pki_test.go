package certcheck

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"
)

// testCert is a certificate made by the tests, with its key.
type testCert struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// certOptions sets what issueCert puts in a certificate. Zero fields take
// the defaults of a current server certificate.
type certOptions struct {
	commonName string
	isCA       bool
	dnsNames   []string
	ips        []net.IP
	notBefore  time.Time
	notAfter   time.Time
	// key defaults to a fresh ECDSA P-256 key.
	key                crypto.Signer
	signatureAlgorithm x509.SignatureAlgorithm
	issuerURLs         []string
}

var (
	rsa1024Key = sync.OnceValue(func() *rsa.PrivateKey {
		// 1024 bits is the smallest size crypto/rsa generates without a
		// GODEBUG setting.
		key, err := rsa.GenerateKey(rand.Reader, 1024)
		if err != nil {
			panic(err)
		}
		return key
	})
	rsa2048Key = sync.OnceValue(func() *rsa.PrivateKey {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		return key
	})
)

func newECDSAKey(t *testing.T, curve elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// issueCert creates a certificate signed by parent, or a self-signed one
// when parent is nil.
func issueCert(t *testing.T, parent *testCert, opts certOptions) *testCert {
	t.Helper()
	key := opts.key
	if key == nil {
		key = newECDSAKey(t, elliptic.P256())
	}
	notBefore, notAfter := opts.notBefore, opts.notAfter
	if notBefore.IsZero() {
		notBefore = time.Now().Add(-time.Hour)
	}
	if notAfter.IsZero() {
		notAfter = time.Now().Add(24 * time.Hour)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: opts.commonName, Organization: []string{"certcheck test"}},
		DNSNames:              opts.dnsNames,
		IPAddresses:           opts.ips,
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		BasicConstraintsValid: true,
		IsCA:                  opts.isCA,
		SignatureAlgorithm:    opts.signatureAlgorithm,
		IssuingCertificateURL: opts.issuerURLs,
	}
	if opts.isCA {
		template.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	} else {
		template.KeyUsage = x509.KeyUsageDigitalSignature
		template.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}

	parentCert, signer := template, key
	if parent != nil {
		parentCert, signer = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, template, parentCert, key.Public(), signer)
	if err != nil {
		t.Fatalf("create certificate %q: %v", opts.commonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCert{cert: cert, key: key}
}

// testHierarchy is a root, an intermediate and a leaf for localhost and
// 127.0.0.1.
type testHierarchy struct {
	root, intermediate, leaf *testCert
}

func newHierarchy(t *testing.T) testHierarchy {
	t.Helper()
	root := issueCert(t, nil, certOptions{commonName: "certcheck test root", isCA: true})
	intermediate := issueCert(t, root, certOptions{commonName: "certcheck test intermediate", isCA: true})
	leaf := issueCert(t, intermediate, certOptions{
		commonName: "localhost",
		dnsNames:   []string{"localhost"},
		ips:        []net.IP{net.IPv4(127, 0, 0, 1)},
	})
	return testHierarchy{root: root, intermediate: intermediate, leaf: leaf}
}

func (h testHierarchy) roots() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(h.root.cert)
	return pool
}

func chainOf(certs ...*testCert) *Chain {
	chain := &Chain{Source: SourceCertificateMessage}
	for _, c := range certs {
		chain.Certificates = append(chain.Certificates, c.cert)
	}
	return chain
}
