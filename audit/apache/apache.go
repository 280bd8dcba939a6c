// Package apache audits Apache httpd configuration files with mod_ssl. For
// each VirtualHost with SSLEngine on it computes the protocol versions,
// cipher suites and client-certificate mode that httpd really uses, with
// the main server's settings inherited, httpd's defaults and OpenSSL 3.0's
// security level applied.
//
// Use Format (Debian 12: httpd 2.4 with OpenSSL 3.0) or FormatFor to
// register the format with audit.Run, or Audit to read a file directly.
package apache

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/audit/cipherstring"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// DefaultVersion is the httpd version assumed when none is given: Debian
// 12's apache2 package line.
const DefaultVersion = "2.4"

// Options describe the httpd build that runs the audited file.
type Options struct {
	// Version is the httpd version named in default descriptions, such as
	// "2.4.62". Empty means DefaultVersion. The rules applied are those of
	// httpd 2.4 whatever the value.
	Version string
	// OpenSSL is the OpenSSL line httpd links (Debian 12: OpenSSL30).
	OpenSSL cipherstring.Version
	// SecurityLevel is OpenSSL's level before any @SECLEVEL term: 2 on
	// Debian 12, whose OpenSSL is built with that default.
	SecurityLevel int
}

// DebianOptions are the options of Debian 12: httpd 2.4 linked with
// OpenSSL 3.0 at security level 2.
var DebianOptions = Options{Version: DefaultVersion, OpenSSL: cipherstring.OpenSSL30, SecurityLevel: 2}

// Format returns the audit format "apache" for Debian 12's httpd.
func Format() audit.Format {
	return FormatFor(DebianOptions)
}

// FormatFor returns the audit format "apache" for the httpd build opts.
func FormatFor(opts Options) audit.Format {
	return audit.Format{
		Name:   "apache",
		Detect: Detect,
		Audit: func(path string) ([]audit.Listener, audit.Fixer, error) {
			return Audit(opts, path)
		},
	}
}

var (
	apacheSection   = regexp.MustCompile(`(?mi)^[ \t]*</?(VirtualHost|IfModule|Directory|Location|IfDefine)\b`)
	apacheDirective = regexp.MustCompile(`(?mi)^[ \t]*(SSLEngine|SSLProtocol|SSLCipherSuite|SSLCertificateFile|ServerName|DocumentRoot|LoadModule|IncludeOptional|ServerRoot)[ \t]`)
)

// Detect reports whether the file is an httpd configuration: its name is
// httpd.conf, apache2.conf or ssl.conf, or it sits under an apache2 or
// httpd folder and ends in .conf, or its head has an httpd section tag
// (<VirtualHost, <IfModule ...) or an httpd-only directive such as
// SSLEngine or SSLProtocol.
func Detect(path string, head []byte) bool {
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	base := strings.ToLower(filepath.Base(path))
	switch base {
	case "httpd.conf", "apache2.conf", "httpd-ssl.conf":
		return true
	}
	slashed := filepath.ToSlash(strings.ToLower(path))
	if strings.HasSuffix(base, ".conf") && (strings.Contains(slashed, "/apache2/") || strings.Contains(slashed, "/httpd/")) {
		return true
	}
	return apacheSection.Match(head) || apacheDirective.Match(head)
}

// Audit parses the file at path, includes expanded, and returns one
// Listener per TLS VirtualHost (and the main server when SSLEngine on is set
// outside every VirtualHost), in file order, with the Fixer that writes
// corrected lines. Errors are *ParseError naming the file and line.
func Audit(opts Options, path string) ([]audit.Listener, audit.Fixer, error) {
	if opts.Version == "" {
		opts.Version = DefaultVersion
	}
	cfg, err := Parse(path)
	if err != nil {
		return nil, nil, err
	}
	listeners, err := Effective(cfg, opts)
	if err != nil {
		return nil, nil, err
	}
	return listeners, Fixer{}, nil
}

// Fixer writes mod_ssl directives.
type Fixer struct{}

// VersionsLine returns "SSLProtocol -all +TLSv1.2 +TLSv1.3" for versions.
// The line starts with -all, so it does not depend on earlier words.
func (Fixer) VersionsLine(versions []string) string {
	words := []string{"SSLProtocol", "-all"}
	for i, name := range versionNames {
		for _, v := range versions {
			if v == name && i != sslv3 {
				words = append(words, "+"+protocolWords[i])
			}
		}
	}
	if len(words) == 2 {
		words = append(words, "+TLSv1.2", "+TLSv1.3")
	}
	return strings.Join(words, " ")
}

// SuitesLine returns "SSLCipherSuite NAME:NAME..." with the OpenSSL names
// of the TLS 1.2-and-older suites among suites (IANA names), in order.
// Suites that OpenSSL does not implement are left out.
func (Fixer) SuitesLine(suites []string) string {
	var names []string
	for _, s := range suites {
		info, ok := registry.SuiteByName(s)
		if !ok {
			continue
		}
		if name, ok := openSSLNames()[info.ID]; ok && !strings.Contains(":"+strings.Join(names, ":")+":", ":"+name+":") {
			names = append(names, name)
		}
	}
	return "SSLCipherSuite " + strings.Join(names, ":")
}

// ClientCertificateLine returns the SSLVerifyClient line that stops
// requiring a client certificate. optional still verifies a certificate
// that a client sends, and the listener's note names none, which stops
// asking for one.
func (Fixer) ClientCertificateLine(audit.Setting) string {
	return "SSLVerifyClient optional"
}

// openSSLNames maps IANA ids to OpenSSL names for every suite OpenSSL 3.0
// implements.
var openSSLNames = sync.OnceValue(func() map[uint16]string {
	table := map[uint16]string{}
	if r, err := cipherstring.Evaluate("ALL:COMPLEMENTOFALL", cipherstring.OpenSSL30, cipherstring.Options{}); err == nil {
		for _, s := range r.Suites {
			table[s.ID] = s.Name
		}
	}
	return table
})
