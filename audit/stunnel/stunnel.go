// Package stunnel audits stunnel configuration files. For each TLS server
// service (a [section] with accept and without client = yes) it computes
// the protocol versions, cipher suites and client-certificate mode that
// stunnel really uses. Service-level options of the global section apply
// to every service, and stunnel's and OpenSSL 3.0's defaults fill the rest.
//
// Use Format (Debian 12: stunnel 5.68 with OpenSSL 3.0) or FormatFor to
// register the format with audit.Run, or Audit to read a file directly.
package stunnel

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/audit/cipherstring"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// DefaultVersion is the stunnel version assumed when none is given:
// Debian 12's stunnel4 package.
const DefaultVersion = "5.68"

// Options describe the stunnel build that runs the audited file.
type Options struct {
	// Version is the stunnel version, such as "5.68", shown in the
	// descriptions of defaults. Empty means DefaultVersion.
	// NOTE: the defaults applied are those of 5.68 for every Version.
	Version string
	// OpenSSL is the OpenSSL line stunnel links (Debian 12: OpenSSL30).
	OpenSSL cipherstring.Version
}

// DebianOptions are the options of Debian 12: stunnel 5.68 linked with
// OpenSSL 3.0.
var DebianOptions = Options{Version: DefaultVersion, OpenSSL: cipherstring.OpenSSL30}

// Format returns the audit format "stunnel" for Debian 12's stunnel.
func Format() audit.Format {
	return FormatFor(DebianOptions)
}

// FormatFor returns the audit format "stunnel" for the stunnel build opts.
func FormatFor(opts Options) audit.Format {
	return audit.Format{
		Name:   "stunnel",
		Detect: Detect,
		Audit: func(path string) ([]audit.Listener, audit.Fixer, error) {
			return Audit(opts, path)
		},
	}
}

var (
	serviceLine = regexp.MustCompile(`(?m)^[ \t]*\[[^\]\r\n]+\][ \t]*\r?$`)
	acceptLine  = regexp.MustCompile(`(?mi)^[ \t]*(accept|connect)[ \t]*=`)
	stunnelWord = regexp.MustCompile(`(?mi)^[ \t]*(cert|sslVersion|sslVersionMin|sslVersionMax|verifyChain|verifyPeer|CAfile|foreground|client)[ \t]*=`)
)

// Detect reports whether the file is a stunnel configuration. Either its
// name contains "stunnel" and ends in .conf, or its head has a [service]
// line, an accept or connect option and another option that stunnel uses,
// such as cert or sslVersionMin, all written "name = value".
func Detect(path string, head []byte) bool {
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	base := strings.ToLower(filepath.Base(path))
	if strings.Contains(base, "stunnel") && strings.HasSuffix(base, ".conf") {
		return true
	}
	return serviceLine.Match(head) && acceptLine.Match(head) && stunnelWord.Match(head)
}

// Audit parses the file at path with its includes and returns one Listener
// per TLS server service, in file order, and the Fixer that writes
// corrected lines. Errors name the file and line.
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

// Fixer writes stunnel service-level option lines, which fit both a
// service section and the global section.
type Fixer struct{}

// VersionsLine returns "sslVersionMin = TLSv1.2" for the lowest of
// versions, or "sslVersion = TLSv1.2" for one version. The line sets no
// maximum, so versions above the highest stay allowed, as audit.Judge's
// fix of TLS 1.2 and TLS 1.3 expects.
func (Fixer) VersionsLine(versions []string) string {
	lo, hi := -1, -1
	for i, name := range versionNames {
		if slices.Contains(versions, name) {
			if lo < 0 {
				lo = i
			}
			hi = i
		}
	}
	if lo < 0 {
		lo, hi = tls12, tls13
	}
	if lo == hi {
		return "sslVersion = " + versionWords[lo]
	}
	return "sslVersionMin = " + versionWords[lo]
}

// VersionsLineFor returns the line that replaces s, the line that decided
// the versions: the same option with the bound that lets versions in. For
// a verify line that stops stunnel from starting, it is the verify line
// that needs no CA file.
func (f Fixer) VersionsLineFor(s audit.Setting, versions []string) string {
	name, _, _ := strings.Cut(s.Directive, "=")
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "sslversionmax":
		hi := tls12
		for i, v := range versionNames {
			if slices.Contains(versions, v) {
				hi = i
			}
		}
		return "sslVersionMax = " + versionWords[hi]
	case "verify", "verifychain", "verifypeer":
		return f.ClientCertificateLine(s)
	}
	return f.VersionsLine(versions)
}

// SuitesLineFor returns SuitesLine(suites).
func (f Fixer) SuitesLineFor(_ audit.Setting, suites []string) string {
	return f.SuitesLine(suites)
}

// SuitesLine returns "ciphers = NAME:NAME..." with the OpenSSL names of
// the TLS 1.2-and-older suites among suites (IANA names), in order. Suites
// that OpenSSL does not implement are left out.
func (Fixer) SuitesLine(suites []string) string {
	var names []string
	for _, s := range suites {
		info, ok := registry.SuiteByName(s)
		if !ok {
			continue
		}
		if name, ok := openSSLNames()[info.ID]; ok && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return "ciphers = " + strings.Join(names, ":")
}

// ClientCertificateLine returns the option line that replaces the line s
// that requires a client certificate: verify = 1 for a verify level, which
// still checks a certificate a client sends, and requireCert = no for
// requireCert, verifyChain and verifyPeer. Where no CAfile, CApath or
// CAengine is set, with which stunnel 5.68 refuses verify levels 1 to 4,
// verifyChain = yes and verifyPeer = yes, it is verify = 0, verifyChain =
// no or verifyPeer = no, which need none.
func (Fixer) ClientCertificateLine(s audit.Setting) string {
	name, _, _ := strings.Cut(s.Directive, "=")
	noCA := strings.HasSuffix(s.Directive, noCASuffix)
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "verify":
		if noCA {
			return "verify = 0"
		}
		return "verify = 1"
	case "verifychain":
		if noCA {
			return "verifyChain = no"
		}
	case "verifypeer":
		if noCA {
			return "verifyPeer = no"
		}
	}
	return "requireCert = no"
}

// noCASuffix ends the Directive of a verify line that stops stunnel from
// starting because no CA is set.
const noCASuffix = " (no CAfile, CApath or CAengine is set)"

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

// describeDefault returns the Directive text for a stunnel default.
func describeDefault(opts Options, what string) string {
	return fmt.Sprintf("default of stunnel %s with %s (%s)", opts.Version, opts.OpenSSL, what)
}
