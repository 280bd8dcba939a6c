// Package audit computes the effective TLS settings of server configuration
// files (nginx, HAProxy, ...) and judges them as the identity providers'
// clients would. For each listener it finds the versions and cipher suites
// really allowed, defaults and inheritance included, the IdP that fails on
// them and the line to change. Each format has its own subpackage that
// returns Listeners, and this package judges them.
package audit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/scimdoctor/scimdoctor/clients"
	"github.com/scimdoctor/scimdoctor/report"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// Schema names the JSON layout of Report.
const Schema = "scimdoctor.audit/v1"

// Setting is one effective value and where it comes from.
type Setting struct {
	// Values are protocol version names such as "TLS 1.2", or IANA cipher
	// suite names, in the order the server uses them.
	Values []string `json:"values"`
	// File and Line locate the directive that set it; Line is 0 when the
	// value is the software's default.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	// Directive is the directive as written, such as
	// "ssl_protocols TLSv1 TLSv1.1;", or a description of the default,
	// such as "default of nginx 1.22.1 (ssl_protocols absent)".
	Directive string `json:"directive"`
}

// Listener is the effective TLS configuration of one server block, virtual
// host, bind line or connector.
type Listener struct {
	// Software is the format's software, such as "nginx" or "haproxy".
	Software string `json:"software"`
	// Name identifies the listener, such as "server scim.example.com
	// (listen 443 ssl)" or "frontend scim, bind :443".
	Name string `json:"name"`
	File string `json:"file"`
	Line int    `json:"line"`

	Versions Setting `json:"versions"`
	// Suites lists the TLS 1.2-and-older suites. Suites13 lists the TLS 1.3
	// suites when the format sets them apart (ssl_conf_command
	// Ciphersuites, ciphersuites); empty means the library's default.
	Suites   Setting `json:"suites"`
	Suites13 Setting `json:"suites_tls13,omitempty"`
	// ClientCertificate is "required", "optional" or "off".
	ClientCertificate Setting `json:"client_certificate"`
	// SuitesWithTLS12 lists, when Versions lacks TLS 1.2, the TLS 1.2
	// suites the cipher setting offers once TLS 1.2 is allowed, so that
	// Judge can give the cipher fix together with the version fix. nil
	// means Suites.Values.
	SuitesWithTLS12 []string `json:"-"`
	// Notes are facts about the listener that judge nothing, such as a
	// directive that another setting can override.
	Notes []string `json:"notes"`
	// RejectsHandshakes marks a listener set to reject every handshake on
	// purpose, such as nginx's catch-all server with ssl_reject_handshake:
	// its empty version list is no fault of its own.
	RejectsHandshakes bool `json:"rejects_handshakes,omitempty"`

	// Problems are filled by Judge.
	Problems []Problem `json:"problems"`
}

// Problem is one reason an IdP fails on a listener, with the line to change
// and its replacement.
type Problem struct {
	// Clients names the profiles that fail, such as ["okta", "entra"].
	Clients  []string        `json:"clients"`
	Severity report.Severity `json:"severity"`
	Title    string          `json:"title"`
	File     string          `json:"file,omitempty"`
	Line     int             `json:"line,omitempty"`
	// Directive is the line at fault as written, and Fix the line that
	// replaces it.
	Directive string `json:"directive"`
	Fix       string `json:"fix"`
}

// FileResult is the audit of one file.
type FileResult struct {
	Path string `json:"path"`
	// Type is the detected or forced format, such as "nginx".
	Type      string     `json:"type"`
	Listeners []Listener `json:"listeners"`
	// Error is set when the file could not be audited; the other files
	// still are.
	Error string `json:"error,omitempty"`
}

// Report is the outcome of one audit run.
type Report struct {
	Schema   string       `json:"schema"`
	Files    []FileResult `json:"files"`
	ExitCode int          `json:"exit_code"`
}

// Fixer writes the corrected directive for a format: the versions line for
// the wanted versions, and the cipher line for the wanted suites.
type Fixer interface {
	VersionsLine(versions []string) string
	SuitesLine(suites []string) string
}

// ClientCertificateFixer is a Fixer that writes the line that stops
// requiring a client certificate, in place of the directive s that
// requires one. Judge prefers it over generic advice when a format
// implements it.
type ClientCertificateFixer interface {
	ClientCertificateLine(s Setting) string
}

// SettingFixer is a Fixer that writes the corrected line for the
// directive that set the value, such as a global default rather than a
// listener's own line. Judge prefers it when a format implements it.
type SettingFixer interface {
	VersionsLineFor(s Setting, versions []string) string
	SuitesLineFor(s Setting, suites []string) string
}

// idps are the identity providers whose failures an audit reports.
var idps = []string{"okta", "entra"}

// Judge fills l.Problems with the IdPs that share no version with the
// listener, share a version but no cipher suite, or lack the client
// certificate the listener requires. fix writes the replacement lines.
//
// When an IdP shares no version, its suites are judged against the
// versions of the fix (TLS 1.2 and TLS 1.3, with l.SuitesWithTLS12 when
// the format set it), so that one run gives both the version and the
// cipher fix.
func Judge(l *Listener, fix Fixer) {
	l.Problems = []Problem{}
	if l.RejectsHandshakes {
		return
	}
	want := modernVersions(l.Versions.Values)
	var noVersion, noSuite []string
	afterFix := false
	for _, name := range idps {
		p, err := clients.Load(name)
		if err != nil {
			continue
		}
		shared := sharedVersions(p, l.Versions.Values)
		suites := l.Suites.Values
		if len(shared) == 0 {
			noVersion = append(noVersion, name)
			shared = sharedVersions(p, want)
			if l.SuitesWithTLS12 != nil {
				suites = l.SuitesWithTLS12
			}
		}
		if len(shared) > 0 && !slices.Contains(shared, "TLS 1.3") && len(suites) > 0 && !offersAny(p, suites) {
			noSuite = append(noSuite, name)
			afterFix = afterFix || slices.Contains(noVersion, name)
		}
	}
	if len(noVersion) > 0 {
		l.Problems = append(l.Problems, Problem{
			Clients:   noVersion,
			Severity:  report.SeverityHigh,
			Title:     fmt.Sprintf("%s %s no protocol version with this listener, which allows %s", strings.Join(noVersion, " and "), shareVerb(noVersion), describe(l.Versions.Values)),
			File:      l.Versions.File,
			Line:      l.Versions.Line,
			Directive: l.Versions.Directive,
			Fix:       versionsFix(fix, l.Versions, want),
		})
	}
	if len(noSuite) > 0 {
		title := fmt.Sprintf("%s %s no TLS 1.2 cipher suite with this listener", strings.Join(noSuite, " and "), shareVerb(noSuite))
		suites := l.Suites.Values
		if afterFix {
			title = fmt.Sprintf("%s would share no TLS 1.2 cipher suite with this listener once the versions are fixed", strings.Join(noSuite, " and "))
			if l.SuitesWithTLS12 != nil {
				suites = l.SuitesWithTLS12
			}
		}
		l.Problems = append(l.Problems, Problem{
			Clients:   noSuite,
			Severity:  report.SeverityHigh,
			Title:     title,
			File:      l.Suites.File,
			Line:      l.Suites.Line,
			Directive: l.Suites.Directive,
			Fix:       suitesFix(fix, l.Suites, append([]string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}, suites...)),
		})
	}
	if slices.Contains(l.ClientCertificate.Values, "required") {
		l.Problems = append(l.Problems, Problem{
			Clients:   slices.Clone(idps),
			Severity:  report.SeverityHigh,
			Title:     "the listener requires a client certificate, which Okta and Entra ID never send",
			File:      l.ClientCertificate.File,
			Line:      l.ClientCertificate.Line,
			Directive: l.ClientCertificate.Directive,
			Fix:       clientCertificateFix(fix, l.ClientCertificate),
		})
	}
}

// clientCertificateFix returns the format's line when fix implements
// ClientCertificateFixer, and generic advice otherwise.
func clientCertificateFix(fix Fixer, s Setting) string {
	if cf, ok := fix.(ClientCertificateFixer); ok {
		return cf.ClientCertificateLine(s)
	}
	return "make client certificates optional or off for the SCIM path"
}

func versionsFix(fix Fixer, s Setting, versions []string) string {
	if sf, ok := fix.(SettingFixer); ok {
		return sf.VersionsLineFor(s, versions)
	}
	return fix.VersionsLine(versions)
}

func suitesFix(fix Fixer, s Setting, suites []string) string {
	if sf, ok := fix.(SettingFixer); ok {
		return sf.SuitesLineFor(s, suites)
	}
	return fix.SuitesLine(suites)
}

func shareVerb(names []string) string {
	if len(names) == 1 {
		return "shares"
	}
	return "share"
}

func sharedVersions(p *clients.Profile, versions []string) []string {
	var out []string
	for _, v := range p.Versions() {
		if slices.Contains(versions, v.String()) {
			out = append(out, v.String())
		}
	}
	return out
}

func offersAny(p *clients.Profile, suites []string) bool {
	for _, name := range suites {
		if info, ok := registry.SuiteByName(name); ok && p.Offers(info.ID) {
			return true
		}
	}
	return false
}

// modernVersions returns the versions to allow: TLS 1.2 and TLS 1.3, and
// nothing older.
func modernVersions([]string) []string {
	return []string{"TLS 1.2", "TLS 1.3"}
}

func describe(values []string) string {
	if len(values) == 0 {
		return "no protocol version"
	}
	return strings.Join(values, ", ")
}
