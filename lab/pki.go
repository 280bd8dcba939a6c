package lab

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"
)

// Names and validity periods of the lab PKI. The CAs are backdated far enough
// that the expired leaf still lies inside its issuer's validity, as it would
// for a real certificate that was left to expire.
const (
	rootCommonName         = "scimdoctor lab root CA"
	intermediateCommonName = "scimdoctor lab intermediate CA"
	labOrganization        = "scimdoctor lab"

	// The inspection CA is a second root, unrelated to the lab root, as the
	// CA of a TLS-inspection appliance is unrelated to the server's CA.
	inspectionCommonName   = "scimdoctor lab inspection CA"
	inspectionOrganization = "scimdoctor lab inspection"

	caBackdate    = 365 * 24 * time.Hour
	caLifetime    = 2 * 365 * 24 * time.Hour
	leafBackdate  = time.Hour
	leafLifetime  = 90 * 24 * time.Hour
	expiredBefore = 24 * time.Hour      // NotAfter of the expired leaf, before now
	expiredSpan   = 60 * 24 * time.Hour // validity period of the expired leaf
)

// labHost and labIP are what the leaf certificates are issued for, and what
// every endpoint URL uses. wrongHost is a name under the reserved .example
// TLD (RFC 2606), so it can never match a real host.
const (
	labHost   = "localhost"
	wrongHost = "scim.example"
)

var labIP = net.IPv4(127, 0, 0, 1)

// issuer is a CA certificate with its key.
type issuer struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// pki is the lab's certificate hierarchy, made fresh at every Start and kept
// in memory only.
type pki struct {
	now          time.Time
	root         issuer
	intermediate issuer
	// inspection signs the leaves of the inspection-proxy endpoint.
	inspection issuer
	// issuerURL is the AIA caIssuers URL of the leaves: the lab's issuer
	// server once it runs, else labIntermediateURL.
	issuerURL string
}

// newPKI creates the root CA, the intermediate CA and the inspection CA, all
// with ECDSA P-256 keys, which take microseconds to generate.
func newPKI(now time.Time) (*pki, error) {
	p := &pki{now: now}

	rootKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate lab root CA key: %w", err)
	}
	rootTemplate := &x509.Certificate{
		Subject:               pkix.Name{CommonName: rootCommonName, Organization: []string{labOrganization}},
		NotBefore:             now.Add(-caBackdate),
		NotAfter:              now.Add(caLifetime - caBackdate),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            1,
	}
	rootCert, err := createCertificate(rootTemplate, rootKey, issuer{}, rootKey)
	if err != nil {
		return nil, fmt.Errorf("create lab root CA: %w", err)
	}
	p.root = issuer{cert: rootCert, key: rootKey}

	intermediateKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate lab intermediate CA key: %w", err)
	}
	intermediateTemplate := &x509.Certificate{
		Subject:               pkix.Name{CommonName: intermediateCommonName, Organization: []string{labOrganization}},
		NotBefore:             now.Add(-caBackdate),
		NotAfter:              now.Add(caLifetime - caBackdate),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
	}
	intermediateCert, err := createCertificate(intermediateTemplate, intermediateKey, p.root, intermediateKey)
	if err != nil {
		return nil, fmt.Errorf("create lab intermediate CA: %w", err)
	}
	p.intermediate = issuer{cert: intermediateCert, key: intermediateKey}

	inspectionKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate lab inspection CA key: %w", err)
	}
	inspectionTemplate := &x509.Certificate{
		Subject:               pkix.Name{CommonName: inspectionCommonName, Organization: []string{inspectionOrganization}},
		NotBefore:             now.Add(-caBackdate),
		NotAfter:              now.Add(caLifetime - caBackdate),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
	}
	inspectionCert, err := createCertificate(inspectionTemplate, inspectionKey, issuer{}, inspectionKey)
	if err != nil {
		return nil, fmt.Errorf("create lab inspection CA: %w", err)
	}
	p.inspection = issuer{cert: inspectionCert, key: inspectionKey}

	return p, nil
}

// leafSpec describes one server certificate of the lab.
type leafSpec struct {
	dnsNames  []string
	ips       []net.IP
	notBefore time.Time
	notAfter  time.Time
	rsa       bool // RSA-2048 key instead of ECDSA P-256
	// selfSigned makes the leaf its own issuer instead of the intermediate's
	// subject.
	selfSigned bool
	// withoutIntermediate serves the leaf alone, as a server that was given
	// only its own certificate does.
	withoutIntermediate bool
}

// validLeaf returns the spec of the usual lab leaf: localhost and 127.0.0.1,
// valid from an hour ago for 30 days.
func (p *pki) validLeaf() leafSpec {
	return leafSpec{
		dnsNames:  []string{labHost},
		ips:       []net.IP{labIP},
		notBefore: p.now.Add(-leafBackdate),
		notAfter:  p.now.Add(leafLifetime - leafBackdate),
	}
}

// issueLeaf creates a server certificate and returns it as a tls.Certificate
// whose chain is the leaf followed by the intermediate, unless spec says
// otherwise.
// labIntermediateURL is the AIA caIssuers URL of leaves made before the
// lab's issuer server runs, as in unit tests. Port 9 on loopback is discard,
// so a fetch of it fails.
const labIntermediateURL = "http://127.0.0.1:9/scimdoctor-lab-intermediate.crt"

// labIntermediatePath is the path at which the issuer server serves the
// intermediate CA certificate.
const labIntermediatePath = "/scimdoctor-lab-intermediate.crt"

func (p *pki) issueLeaf(spec leafSpec) (tls.Certificate, error) {
	var key crypto.Signer
	var err error
	keyUsage := x509.KeyUsageDigitalSignature
	if spec.rsa {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
		// Static RSA key exchange encrypts the premaster secret to this key,
		// and JSSE rejects an RSA server certificate without keyEncipherment
		// for it (RFC 5280, Section 4.2.1.3).
		keyUsage |= x509.KeyUsageKeyEncipherment
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generate lab leaf key: %w", err)
	}

	commonName := labHost
	if len(spec.dnsNames) > 0 {
		commonName = spec.dnsNames[0]
	}
	organization := labOrganization
	if spec.selfSigned {
		organization = labOrganization + " self-signed"
	}
	template := &x509.Certificate{
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{organization}},
		DNSNames:              spec.dnsNames,
		IPAddresses:           spec.ips,
		NotBefore:             spec.notBefore,
		NotAfter:              spec.notAfter,
		KeyUsage:              keyUsage,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}

	parent := p.intermediate
	if spec.selfSigned {
		parent = issuer{}
	} else {
		// Public CAs name their intermediate in every leaf (AIA caIssuers),
		// which is how a scan distinguishes a missing intermediate from a
		// private root, and how Windows clients complete such a chain.
		url := p.issuerURL
		if url == "" {
			url = labIntermediateURL
		}
		template.IssuingCertificateURL = []string{url}
	}
	cert, err := createCertificate(template, key, parent, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("create lab leaf for %v: %w", spec.dnsNames, err)
	}

	chain := [][]byte{cert.Raw}
	if !spec.selfSigned && !spec.withoutIntermediate {
		chain = append(chain, p.intermediate.cert.Raw)
	}
	return tls.Certificate{Certificate: chain, PrivateKey: key, Leaf: cert}, nil
}

// createCertificate signs template with parent's key, or with selfKey when
// parent is the zero issuer (a self-signed certificate). It fills in a random
// serial number. crypto/x509 adds the subject key identifier of a CA and the
// authority key identifier from the parent.
func createCertificate(template *x509.Certificate, pub crypto.Signer, parent issuer, selfKey crypto.Signer) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("generate serial number: %w", err)
	}
	template.SerialNumber = serial

	parentCert, signer := template, selfKey
	if parent.cert != nil {
		parentCert, signer = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, template, parentCert, pub.Public(), signer)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// rootPEM returns the root CA certificate in PEM form.
func (p *pki) rootPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.root.cert.Raw})
}

// inspectionPEM returns the inspection CA certificate in PEM form.
func (p *pki) inspectionPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.inspection.cert.Raw})
}

// issueInspectionLeaf creates the certificate that a TLS-inspection proxy
// shows in place of the server's: issued by the inspection CA for host (a
// DNS name or an IP literal), with the chain leaf then inspection CA, as an
// appliance that sends its CA along does.
func (p *pki) issueInspectionLeaf(host string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generate lab inspection leaf key: %w", err)
	}
	template := &x509.Certificate{
		Subject:               pkix.Name{CommonName: host, Organization: []string{inspectionOrganization}},
		NotBefore:             p.now.Add(-leafBackdate),
		NotAfter:              p.now.Add(leafLifetime - leafBackdate),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	if ip := net.ParseIP(host); ip != nil {
		template.IPAddresses = []net.IP{ip}
	} else {
		template.DNSNames = []string{host}
	}
	cert, err := createCertificate(template, key, p.inspection, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("create lab inspection leaf for %q: %w", host, err)
	}
	chain := [][]byte{cert.Raw, p.inspection.cert.Raw}
	return tls.Certificate{Certificate: chain, PrivateKey: key, Leaf: cert}, nil
}

// rootPool returns a pool that holds only the root CA.
func (p *pki) rootPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.root.cert)
	return pool
}
