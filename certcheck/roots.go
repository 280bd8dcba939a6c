package certcheck

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"sync"

	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// Trust stores that Roots loads.
const (
	// StoreMozilla is the Mozilla NSS root set as bundled in
	// golang.org/x/crypto/x509roots/fallback, with its distrust-after dates.
	// It is the same on every machine, so a report made with it can be
	// reproduced elsewhere.
	StoreMozilla = "mozilla"
	// StoreSystem is the operating system's store (x509.SystemCertPool).
	StoreSystem = "system"
	// StoreNone is an empty store, for chains that only extra CA files
	// anchor.
	StoreNone = "none"
)

// mozillaRoots parses the bundled roots once. Roots hands out clones, so a
// caller's additions never reach other callers.
var mozillaRoots = sync.OnceValues(func() (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	for root := range bundle.Roots() {
		cert, err := x509.ParseCertificate(root.Certificate)
		if err != nil {
			return nil, fmt.Errorf("parse bundled Mozilla root: %w", err)
		}
		if root.Constraint == nil {
			pool.AddCert(cert)
		} else {
			pool.AddCertWithConstraint(cert, root.Constraint)
		}
	}
	return pool, nil
})

// Roots returns a new pool with the roots of store (StoreMozilla, StoreSystem
// or StoreNone) and the certificates of every extra PEM file, which act as
// trust anchors as curl's --cacert files do. A file that cannot be read, holds
// a CERTIFICATE block that does not parse, or holds no CERTIFICATE block at
// all is an error that names the file.
func Roots(store string, extraPEMFiles ...string) (*x509.CertPool, error) {
	var pool *x509.CertPool
	switch store {
	case StoreMozilla:
		base, err := mozillaRoots()
		if err != nil {
			return nil, err
		}
		pool = base.Clone()
	case StoreSystem:
		base, err := x509.SystemCertPool()
		if err != nil {
			return nil, fmt.Errorf("load the system trust store: %w; use the %s store instead", err, StoreMozilla)
		}
		pool = base
	case StoreNone:
		pool = x509.NewCertPool()
	default:
		return nil, fmt.Errorf("unknown trust store %q: use %s, %s or %s", store, StoreMozilla, StoreSystem, StoreNone)
	}

	for _, name := range extraPEMFiles {
		certs, err := readPEMCertificates(name)
		if err != nil {
			return nil, err
		}
		for _, cert := range certs {
			pool.AddCert(cert)
		}
	}
	return pool, nil
}

// readPEMCertificates parses every CERTIFICATE block of a PEM file and skips
// other blocks, such as private keys.
func readPEMCertificates(name string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	var certs []*x509.Certificate
	for block, rest := pem.Decode(data); block != nil; block, rest = pem.Decode(rest) {
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("CA file %s: certificate %d does not parse: %w", name, len(certs)+1, err)
		}
		certs = append(certs, cert)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("CA file %s contains no PEM certificate: expected a block that starts with -----BEGIN CERTIFICATE-----", name)
	}
	return certs, nil
}
