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

// Setting is one effective value and where it comes from. Its JSON
// distinguishes three cases. A known list may be empty, which means none.
// A default of the software has Line 0, and the JSON marks it
// "default": true. A value the audit cannot know is marked "unknown": true.
type Setting struct {
	// Values are protocol version names such as "TLS 1.2", or IANA cipher
	// suite names, in the order the server uses them. An empty list means
	// none, unless Unknown is set.
	Values []string `json:"values"`
	// Unknown marks a value the audit cannot know, such as the suites of
	// code that leaves them to its TLS library. Values is then empty and
	// Judge assumes the value lets every IdP connect.
	Unknown bool `json:"unknown,omitempty"`
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
	// Ciphersuites, ciphersuites). A format that does not model them
	// leaves Suites13 as the zero Setting, which Run turns into Unknown
	// when Versions holds TLS 1.3. The JSON leaves it out when it stays
	// zero, because the listener then allows no TLS 1.3.
	Suites   Setting `json:"suites"`
	Suites13 Setting `json:"suites_tls13,omitzero"`
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
	// Client marks the client side of a TLS stack, such as a JVM's
	// default SSLContext or the SCHANNEL client, which calls Okta's and
	// Entra ID's APIs rather than receiving their SCIM requests. Judge
	// weighs it against those API servers.
	Client bool `json:"client,omitempty"`

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
	// Walked marks a file that Run found by walking a folder, rather
	// than one named on the command line.
	Walked bool `json:"-"`
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
// A client listener (l.Client) is judged by judgeClient instead, against
// the servers of Okta's and Entra ID's APIs.
//
// When an IdP shares no version, its suites are judged against the
// versions of the fix (TLS 1.2 and TLS 1.3, with l.SuitesWithTLS12 when
// the format set it), so that one run gives both the version and the
// cipher fix.
//
// A suite list is judged only when it is known: a Setting with Unknown
// set, or a TLS 1.3 list that the format left as the zero Setting, counts
// as the library's default, which every IdP shares. A known empty list
// means the listener has no suite at all for those versions. The suites a
// version fix would bring are judged only when the list is not empty.
func Judge(l *Listener, fix Fixer) {
	l.Problems = []Problem{}
	if l.RejectsHandshakes {
		return
	}
	if l.Client {
		judgeClient(l, fix)
		return
	}
	want := modernVersions(l.Versions.Values)
	var noVersion, noSuite, noSuite13 []string
	afterFix := false
	for _, name := range idps {
		p, err := clients.Load(name)
		if err != nil {
			continue
		}
		shared := sharedVersions(p, l.Versions.Values)
		suites := l.Suites
		if len(shared) == 0 {
			noVersion = append(noVersion, name)
			shared = sharedVersions(p, want)
			if l.SuitesWithTLS12 != nil {
				suites.Values = l.SuitesWithTLS12
			}
			if len(suites.Values) == 0 {
				// An empty list for versions the listener does not allow
				// yet can mean "not computed" or a library default, such
				// as OpenSSL's DEFAULT after a cipher string that selects
				// nothing, so it is not judged.
				suites.Unknown = true
			}
		}
		switch {
		case len(shared) == 0 || usableTLS13(p, shared, l.Suites13) || usableLegacy(p, shared, suites):
		case slices.Equal(shared, []string{"TLS 1.3"}):
			noSuite13 = append(noSuite13, name)
		default:
			noSuite = append(noSuite, name)
			afterFix = afterFix || slices.Contains(noVersion, name)
		}
	}
	if len(noVersion) > 0 {
		l.Problems = append(l.Problems, Problem{
			Clients:   noVersion,
			Severity:  report.SeverityHigh,
			Title:     fmt.Sprintf("%s %s no protocol version with this listener, which allows %s", idpNames(noVersion), shareVerb(noVersion), describe(l.Versions.Values)),
			File:      l.Versions.File,
			Line:      l.Versions.Line,
			Directive: l.Versions.Directive,
			Fix:       versionsFix(fix, l.Versions, want),
		})
	}
	if len(noSuite) > 0 {
		suites := l.Suites.Values
		title := fmt.Sprintf("%s %s no TLS 1.2 cipher suite with this listener", idpNames(noSuite), shareVerb(noSuite))
		switch {
		case afterFix:
			title = fmt.Sprintf("%s would share no TLS 1.2 cipher suite with this listener once the versions are fixed", idpNames(noSuite))
			if l.SuitesWithTLS12 != nil {
				suites = l.SuitesWithTLS12
			}
		case len(suites) == 0:
			title = fmt.Sprintf("%s %s no cipher suite with this listener, which allows no cipher suite at all", idpNames(noSuite), shareVerb(noSuite))
		}
		l.Problems = append(l.Problems, Problem{
			Clients:   noSuite,
			Severity:  report.SeverityHigh,
			Title:     title,
			File:      l.Suites.File,
			Line:      l.Suites.Line,
			Directive: l.Suites.Directive,
			Fix:       suitesFix(fix, l.Suites, append(slices.Clone(fixSuites), suites...)),
		})
	}
	if len(noSuite13) > 0 {
		l.Problems = append(l.Problems, Problem{
			Clients:   noSuite13,
			Severity:  report.SeverityHigh,
			Title:     fmt.Sprintf("%s %s no TLS 1.3 cipher suite with this listener, which allows TLS 1.3 only", idpNames(noSuite13), shareVerb(noSuite13)),
			File:      l.Suites13.File,
			Line:      l.Suites13.Line,
			Directive: l.Suites13.Directive,
			Fix:       "allow " + strings.Join(apiSuites13[:2], " and ") + " among the TLS 1.3 suites of this line, or allow TLS 1.2 too",
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

// fixSuites are the TLS 1.2 suites a suite fix puts first: ECDHE with
// AES-128-GCM, which Okta, Entra ID and their API servers all use.
var fixSuites = []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}

// usableTLS13 reports whether the client profile p can complete a TLS 1.3
// handshake: TLS 1.3 is among the shared versions and the listener's
// TLS 1.3 suites are unknown, left to the library, or include one p
// offers.
func usableTLS13(p *clients.Profile, shared []string, s Setting) bool {
	if !slices.Contains(shared, "TLS 1.3") {
		return false
	}
	if s.Unknown || (len(s.Values) == 0 && s.Directive == "") {
		return true
	}
	return offersAny(p, s.Values)
}

// usableLegacy reports whether p can complete a handshake at a shared
// version below TLS 1.3 with the suites s, which an unknown list passes.
func usableLegacy(p *clients.Profile, shared []string, s Setting) bool {
	if !slices.ContainsFunc(shared, func(v string) bool { return v != "TLS 1.3" }) {
		return false
	}
	return s.Unknown || offersAny(p, s.Values)
}

// apiVersions and apiSuites model the HTTPS servers of Okta's and Entra
// ID's APIs, which a client listener calls. Both vendors have retired
// TLS 1.0 and 1.1 for their APIs. The suites are an estimate, a modern
// set of ECDHE with AES-GCM or ChaCha20, because neither vendor publishes
// its servers' list.
var (
	apiVersions = []string{"TLS 1.2", "TLS 1.3"}
	apiSuites   = []string{
		"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
		"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
		"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
	}
	apiSuites13 = []string{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}
)

// judgeClient fills l.Problems for a client listener, which calls Okta's
// and Entra ID's APIs rather than receiving their calls: it fails when it
// shares no version or no suite with their servers. A client certificate
// setting is not judged, because these servers request none.
func judgeClient(l *Listener, fix Fixer) {
	want := modernVersions(l.Versions.Values)
	shared := intersect(l.Versions.Values, apiVersions)
	suites := l.Suites
	if len(shared) == 0 {
		if len(l.Versions.Values) == 0 {
			l.Problems = append(l.Problems, clientProblem(l.Versions, "it allows no protocol version at all; they require TLS 1.2 or later", versionsFix(fix, l.Versions, want)))
		} else {
			l.Problems = append(l.Problems, clientProblem(l.Versions, fmt.Sprintf("it allows only %s; they require TLS 1.2 or later", describe(l.Versions.Values)), versionsFix(fix, l.Versions, want)))
		}
		shared = want
		if l.SuitesWithTLS12 != nil {
			suites.Values = l.SuitesWithTLS12
		}
		if len(suites.Values) == 0 {
			// As in Judge: an empty list for versions not yet allowed is
			// not judged.
			suites.Unknown = true
		}
	}
	s13 := l.Suites13
	ok13 := slices.Contains(shared, "TLS 1.3") && (s13.Unknown || (len(s13.Values) == 0 && s13.Directive == "") || len(intersect(s13.Values, apiSuites13)) > 0)
	ok12 := slices.Contains(shared, "TLS 1.2") && (suites.Unknown || len(intersect(suites.Values, apiSuites)) > 0)
	if ok13 || ok12 {
		return
	}
	reason := "it offers no TLS 1.2 cipher suite their servers accept (an estimate: ECDHE with AES-GCM or ChaCha20)"
	if len(suites.Values) == 0 {
		reason = "it allows no cipher suite at all"
	}
	l.Problems = append(l.Problems, clientProblem(l.Suites, reason, suitesFix(fix, l.Suites, append(slices.Clone(fixSuites), suites.Values...))))
}

func clientProblem(s Setting, reason, fix string) Problem {
	return Problem{
		Clients:   slices.Clone(idps),
		Severity:  report.SeverityHigh,
		Title:     "calls from this client to Okta's and Entra ID's APIs fail: " + reason,
		File:      s.File,
		Line:      s.Line,
		Directive: s.Directive,
		Fix:       fix,
	}
}

// intersect returns the values of a that b contains, in a's order.
func intersect(a, b []string) []string {
	var out []string
	for _, v := range a {
		if slices.Contains(b, v) {
			out = append(out, v)
		}
	}
	return out
}

// idpNames returns the display names of the profiles names, joined with
// "and", such as "Okta and Entra ID".
func idpNames(names []string) string {
	display := make([]string, len(names))
	for i, n := range names {
		switch n {
		case "okta":
			display[i] = "Okta"
		case "entra":
			display[i] = "Entra ID"
		default:
			display[i] = n
		}
	}
	return strings.Join(display, " and ")
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
		return "no protocol version at all"
	}
	return strings.Join(values, ", ")
}
