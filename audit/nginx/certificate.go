package nginx

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
)

// certificateKeys reads the ssl_certificate files and reports which key
// types they carry. A certificate it cannot read counts as RSA, the most
// common case, with a note.
func (e *evaluation) certificateKeys() (rsaKey, ecKey bool) {
	certs := e.eff["ssl_certificate"]
	if len(certs) == 0 {
		e.note("no ssl_certificate is set, so nginx would reject TLS handshakes; the audit assumes an RSA certificate")
		return true, false
	}
	for _, d := range certs {
		if len(d.Args) != 1 {
			continue
		}
		path := d.Args[0]
		if strings.Contains(path, "$") {
			e.note(fmt.Sprintf("%s:%d: the certificate path has a variable, so the audit assumes an RSA key", d.File, d.Line))
			rsaKey = true
			continue
		}
		if !filepath.IsAbs(path) {
			path = filepath.Join(e.opts.Prefix, path)
		}
		// TODO: a key below the security level's minimum (RSA under 2048
		// bits at level 2) makes nginx fail to start, but the audit does
		// not check key sizes.
		switch keyType(path) {
		case "rsa":
			rsaKey = true
		case "ecdsa":
			ecKey = true
		case "ed25519":
		default:
			e.note(fmt.Sprintf("%s:%d: cannot read the certificate %s, so the audit assumes an RSA key", d.File, d.Line, path))
			rsaKey = true
		}
	}
	return rsaKey, ecKey
}

// keyType returns "rsa", "ecdsa" or "ed25519" for the first certificate of
// a PEM file, or "" when it cannot be read or exceeds audit.MaxFileSize.
func keyType(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, audit.MaxFileSize+1))
	if err != nil || len(data) > audit.MaxFileSize {
		return ""
	}
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return ""
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return ""
		}
		switch cert.PublicKey.(type) {
		case *rsa.PublicKey:
			return "rsa"
		case *ecdsa.PublicKey:
			return "ecdsa"
		case ed25519.PublicKey:
			return "ed25519"
		}
		return ""
	}
}
