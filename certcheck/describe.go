package certcheck

import (
	"bytes"
	"crypto/dsa" // deprecated, imported only to name the DSA keys of old certificates
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"strings"
	"time"
)

// Info is the part of a certificate that a report shows.
type Info struct {
	Subject     string    `json:"subject"`
	Issuer      string    `json:"issuer"`
	DNSNames    []string  `json:"dns_names,omitempty"`
	IPAddresses []string  `json:"ip_addresses,omitempty"`
	NotBefore   time.Time `json:"not_before"`
	NotAfter    time.Time `json:"not_after"`
	// KeyType is "RSA", "ECDSA", "Ed25519", "DSA" or "unknown".
	KeyType string `json:"key_type"`
	// KeyBits is the RSA modulus size, the ECDSA curve size, 256 for
	// Ed25519 and the size of the DSA prime P.
	KeyBits int `json:"key_bits"`
	// Curve is the ECDSA curve name, such as "P-256".
	Curve              string `json:"curve,omitempty"`
	SignatureAlgorithm string `json:"signature_algorithm"`
	// SelfSigned reports a certificate whose issuer is its own subject and
	// whose signature verifies with its own key.
	SelfSigned bool `json:"self_signed"`
	// SerialHex is the serial number in uppercase hex, as
	// "openssl x509 -serial" prints it.
	SerialHex string `json:"serial_hex"`
	// SHA256Fingerprint is the SHA-256 hash of the DER certificate in
	// colon-separated uppercase hex, as "openssl x509 -fingerprint -sha256"
	// prints it.
	SHA256Fingerprint string `json:"sha256_fingerprint"`
}

// Describe extracts the Info of c.
func Describe(c *x509.Certificate) Info {
	info := Info{
		Subject:            c.Subject.String(),
		Issuer:             c.Issuer.String(),
		DNSNames:           c.DNSNames,
		NotBefore:          c.NotBefore,
		NotAfter:           c.NotAfter,
		SignatureAlgorithm: c.SignatureAlgorithm.String(),
		SelfSigned:         isSelfSigned(c),
		SHA256Fingerprint:  fingerprint(c.Raw),
	}
	for _, ip := range c.IPAddresses {
		info.IPAddresses = append(info.IPAddresses, ip.String())
	}
	if c.SerialNumber != nil {
		info.SerialHex = strings.ToUpper(c.SerialNumber.Text(16))
	}
	info.KeyType, info.KeyBits, info.Curve = describeKey(c.PublicKey)
	return info
}

func describeKey(pub any) (keyType string, bits int, curve string) {
	switch key := pub.(type) {
	case *rsa.PublicKey:
		return "RSA", key.N.BitLen(), ""
	case *ecdsa.PublicKey:
		params := key.Curve.Params()
		return "ECDSA", params.BitSize, params.Name
	case ed25519.PublicKey:
		return "Ed25519", 256, ""
	case *dsa.PublicKey:
		return "DSA", key.P.BitLen(), ""
	}
	return "unknown", 0, ""
}

// isSelfSigned reports whether c names itself as issuer and its signature
// verifies with its own public key. CheckSignature accepts SHA-1, so an old
// SHA-1 self-signed root still counts.
func isSelfSigned(c *x509.Certificate) bool {
	if !bytes.Equal(c.RawIssuer, c.RawSubject) {
		return false
	}
	return c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	var b strings.Builder
	for i, octet := range sum {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02X", octet)
	}
	return b.String()
}
