// Package opensslcnf audits OpenSSL's configuration file, openssl.cnf, for
// the system-wide TLS settings it gives every OpenSSL-linked server: the
// system_default section that openssl_conf -> ssl_conf -> system_default
// leads to, with MinProtocol, MaxProtocol, CipherString (and its
// @SECLEVEL) and Ciphersuites, on top of the defaults of the platform's
// OpenSSL build.
//
// Use Format to register the format with audit.Run, SystemDefault and
// Effective to feed the system default into another format's audit, or
// Parse for the configuration language alone.
package opensslcnf

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

// Format returns the audit format "openssl" for Debian 12's OpenSSL 3.0.
func Format() audit.Format {
	return FormatFor(Options{Platform: Debian12})
}

// FormatFor returns the audit format "openssl" for the platform in opts.
func FormatFor(opts Options) audit.Format {
	return audit.Format{
		Name:   "openssl",
		Detect: Detect,
		Audit: func(path string) ([]audit.Listener, audit.Fixer, error) {
			return Audit(path, opts)
		},
	}
}

var (
	opensslConfLine = regexp.MustCompile(`(?m)^[ \t]*(openssl_conf|ssl_conf|system_default)[ \t]*=`)
	systemSection   = regexp.MustCompile(`(?m)^[ \t]*\[[ \t]*system_default_sect[ \t]*\]`)
	sslCommandLine  = regexp.MustCompile(`(?m)^[ \t]*(MinProtocol|MaxProtocol|CipherString|Ciphersuites)[ \t]*=`)
	sectionLine     = regexp.MustCompile(`(?m)^[ \t]*\[[ \t]*[A-Za-z0-9_.]+[ \t]*\]`)
)

// Detect reports whether the file is an OpenSSL configuration. That is a
// file named openssl*.cnf, or one whose head has an openssl_conf, ssl_conf
// or system_default line or a [system_default_sect] section, or a .cnf file
// with a [section] and a MinProtocol, MaxProtocol, CipherString or
// Ciphersuites line.
func Detect(path string, head []byte) bool {
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	base := strings.ToLower(filepath.Base(path))
	if strings.HasPrefix(base, "openssl") && strings.HasSuffix(base, ".cnf") {
		return true
	}
	if opensslConfLine.Match(head) || systemSection.Match(head) {
		return true
	}
	return strings.HasSuffix(base, ".cnf") && sectionLine.Match(head) && sslCommandLine.Match(head)
}

// Audit reads the openssl.cnf at path and returns the one listener that
// stands for OpenSSL-linked servers without settings of their own, and
// the Fixer for system_default lines. Errors name the file and line.
func Audit(path string, opts Options) ([]audit.Listener, audit.Fixer, error) {
	if opts.Platform.Name == "" {
		opts.Platform = Debian12
	}
	cfg, err := Parse(path)
	if err != nil {
		return nil, nil, err
	}
	p, err := PolicyOf(cfg)
	if err != nil {
		return nil, nil, err
	}
	l := Effective(p, opts)
	for _, w := range cfg.Warnings {
		l.Notes = append(l.Notes, w)
	}
	return []audit.Listener{l}, Fixer{Policy: p}, nil
}

// Fixer writes system_default commands. When the file has no
// system_default section, its lines name the chain to add.
type Fixer struct {
	Policy *Policy
}

// VersionsLine returns "MinProtocol = TLSv1.2" for the lowest of versions,
// with "MaxProtocol = ..." when the highest is below TLS 1.3 or the file
// sets a lower MaxProtocol, and the section to put it in.
func (f Fixer) VersionsLine(versions []string) string {
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
		lo, hi = 2, 3
	}
	line := "MinProtocol = " + versionWords[lo]
	switch {
	case hi < 3:
		line += " and MaxProtocol = " + versionWords[hi]
	case f.Policy != nil && f.Policy.MaxProtocol != nil && f.Policy.MaxProtocol.Value != "TLSv1.3" && f.Policy.MaxProtocol.Value != "None":
		line += " and MaxProtocol = TLSv1.3"
	}
	if f.Policy != nil && f.Policy.Protocol != nil {
		line += ", without a Protocol line"
	}
	return f.placeLine(line)
}

// SuitesLine returns "CipherString = NAME:NAME...@SECLEVEL=2" with the
// OpenSSL names of the TLS 1.2-and-older suites among suites (IANA names),
// in order. Suites OpenSSL does not implement are left out.
func (f Fixer) SuitesLine(suites []string) string {
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
	return f.placeLine("CipherString = " + strings.Join(names, ":") + ":@SECLEVEL=2")
}

// placeLine appends to line the system_default section to put it in. Without
// that section it appends the chain of sections to create first.
func (f Fixer) placeLine(line string) string {
	if f.Policy != nil && f.Policy.Section != nil {
		return fmt.Sprintf("%s in [%s] (%s:%d)", line, f.Policy.Section.Name, f.Policy.Section.File, f.Policy.Section.Line)
	}
	return fmt.Sprintf("add openssl_conf = openssl_init to the default section, ssl_conf = ssl_sect to [openssl_init], system_default = system_default_sect to [ssl_sect], and %s to [system_default_sect]", line)
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
