package opensslcnf

import (
	"fmt"
	"slices"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/audit/cipherstring"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// Platform is the OpenSSL build whose built-in defaults fill what the
// configuration does not set.
type Platform struct {
	// Name is shown in the descriptions of defaults, such as "Debian 12".
	Name    string
	OpenSSL cipherstring.Version
	// SecurityLevel is the build's default security level.
	SecurityLevel int
	// LegacyBlockedFrom is the lowest security level that rejects TLS 1.0
	// and TLS 1.1, or 0 when no level does.
	LegacyBlockedFrom int
}

// Platforms whose defaults are known.
var (
	// Debian12 is Debian 12's OpenSSL 3.0 at security level 2. The live
	// test measures that s_server without a system_default accepts only
	// TLS 1.2 and 1.3, because OpenSSL 3.0 rejects TLS 1.0 and 1.1 from
	// security level 1 on.
	Debian12 = Platform{Name: "Debian 12", OpenSSL: cipherstring.OpenSSL30, SecurityLevel: 2, LegacyBlockedFrom: 1}
	// Ubuntu2204 is Ubuntu 22.04's OpenSSL 3.0 at security level 2.
	Ubuntu2204 = Platform{Name: "Ubuntu 22.04", OpenSSL: cipherstring.OpenSSL30, SecurityLevel: 2, LegacyBlockedFrom: 1}
	// Ubuntu2004 is Ubuntu 20.04's OpenSSL 1.1.1f. Ubuntu's security
	// documentation ("Disable legacy TLS",
	// https://documentation.ubuntu.com/security/security-features/cryptography/legacy-tls)
	// gives the default level as 2, which disables TLS 1.0 and 1.1, and
	// CipherString = DEFAULT@SECLEVEL=1 as the way to enable them again.
	Ubuntu2004 = Platform{Name: "Ubuntu 20.04", OpenSSL: cipherstring.OpenSSL111, SecurityLevel: 2, LegacyBlockedFrom: 2}
	// Debian11 is Debian 11's OpenSSL 1.1.1, whose version floor comes
	// from its openssl.cnf (MinProtocol = TLSv1.2) rather than the level.
	// NOTE: the build default level of 2 is not measured here; Debian's
	// openssl.cnf sets @SECLEVEL=2 in CipherString anyway.
	Debian11 = Platform{Name: "Debian 11", OpenSSL: cipherstring.OpenSSL111, SecurityLevel: 2}
)

// platforms are the known platforms by the names ParsePlatform reads.
var platforms = map[string]Platform{
	"debian12": Debian12, "debian11": Debian11, "ubuntu2204": Ubuntu2204, "ubuntu2004": Ubuntu2004,
}

// ParsePlatform reads a platform name for a command-line option:
// debian12, debian11, ubuntu2204 or ubuntu2004 (case, spaces, dots and
// dashes ignored, so "Ubuntu 22.04" works too).
func ParsePlatform(s string) (Platform, error) {
	key := strings.ToLower(strings.NewReplacer(" ", "", ".", "", "-", "").Replace(s))
	if p, ok := platforms[key]; ok {
		return p, nil
	}
	return Platform{}, fmt.Errorf("unknown OpenSSL platform %q: use debian12, debian11, ubuntu2204 or ubuntu2004", s)
}

// Options describe the program the audit speaks for.
type Options struct {
	Platform Platform
	// KeyType is the OpenSSL authentication alias of the server's
	// certificate (aRSA, aECDSA); empty means aRSA, the usual key of a
	// SCIM endpoint's certificate.
	KeyType string
}

var (
	versionNames = []string{"TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}
	versionWords = []string{"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}
)

// defaultCiphersuites is OpenSSL 3.0's built-in TLS 1.3 suite list.
const defaultCiphersuites = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"

// Effective returns the listener that stands for every OpenSSL-linked
// server on the host that sets none of its own versions or suites: the
// library defaults of opts.Platform changed by p's commands. An invalid
// command is not an error, because OpenSSL skips it and applies the rest;
// Notes name it.
func Effective(p *Policy, opts Options) audit.Listener {
	if opts.KeyType == "" {
		opts.KeyType = "aRSA"
	}
	l := audit.Listener{
		Software: "openssl",
		Name:     "system default of OpenSSL-linked servers (" + p.Chain + ")",
		File:     p.Path,
	}
	if p.Section != nil {
		l.File, l.Line = p.Section.File, p.Section.Line
	}
	l.Notes = append(l.Notes, p.Notes...)

	res, level, cipherNote := p.cipherList(opts)
	if cipherNote != "" {
		l.Notes = append(l.Notes, cipherNote)
	}
	versions, setting, notes := p.versions(opts, level)
	l.Versions = setting
	l.Notes = append(l.Notes, notes...)
	l.Suites = p.suites(opts, res, level, versions)
	if !slices.Contains(versions, "TLS 1.2") {
		// The suites a fix that allows TLS 1.2 and 1.3 would bring.
		l.SuitesWithTLS12 = p.suites(opts, res, level, []string{"TLS 1.2", "TLS 1.3"}).Values
	}
	if slices.Contains(versions, "TLS 1.3") {
		l.Suites13 = p.suites13(opts, &l)
	}
	l.ClientCertificate = p.clientCertificate(opts)

	l.Notes = append(l.Notes,
		"a server's own directives (nginx ssl_protocols and ssl_ciphers, Apache SSLProtocol and SSLCipherSuite, HAProxy ssl-min-ver and ciphers, stunnel sslVersionMin and ciphers) replace these values",
		minProtocolNote,
		fmt.Sprintf("suites assume an %s certificate; a certificate with another key type gets the suites of its own type", keyTypeName(opts.KeyType)))
	if p.Options != nil && hasOption(p.Options.Value, "ServerPreference") {
		l.Notes = append(l.Notes, fmt.Sprintf("%s:%d: Options ServerPreference makes the server choose the suite in this order", p.Options.File, p.Options.Line))
	}
	if p.Groups != nil {
		l.Notes = append(l.Notes, fmt.Sprintf("%s:%d: key exchange groups limited to %s", p.Groups.File, p.Groups.Line, p.Groups.Value))
	}
	if p.SignatureAlgorithms != nil {
		l.Notes = append(l.Notes, fmt.Sprintf("%s:%d: signature algorithms limited to %s", p.SignatureAlgorithms.File, p.SignatureAlgorithms.Line, p.SignatureAlgorithms.Value))
	}
	return l
}

func keyTypeName(alias string) string {
	switch alias {
	case "aECDSA":
		return "ECDSA"
	case "aDSS":
		return "DSA"
	}
	return "RSA"
}

func describeDefault(opts Options, what string) string {
	return fmt.Sprintf("default of %s's %s (%s)", opts.Platform.Name, opts.Platform.OpenSSL, what)
}

// cipherList evaluates the CipherString, or OpenSSL's DEFAULT when it is
// absent or invalid, and returns the security level in force after it.
func (p *Policy) cipherList(opts Options) (*cipherstring.Result, int, string) {
	base := cipherstring.Options{SecurityLevel: opts.Platform.SecurityLevel}
	if opts.Platform.OpenSSL == cipherstring.OpenSSL102 {
		base.SecurityLevel = 0
	}
	var note string
	if p.CipherString != nil {
		res, err := cipherstring.Evaluate(p.CipherString.Value, opts.Platform.OpenSSL, base)
		if err == nil {
			return res, res.SecurityLevel, ""
		}
		note = fmt.Sprintf("%s:%d: CipherString %q is invalid (%v); OpenSSL skips the command and keeps DEFAULT", p.CipherString.File, p.CipherString.Line, p.CipherString.Value, err)
	}
	res, err := cipherstring.Evaluate("DEFAULT", opts.Platform.OpenSSL, base)
	if err != nil {
		// unreachable: DEFAULT is valid in every table.
		return &cipherstring.Result{SecurityLevel: base.SecurityLevel}, base.SecurityLevel, note
	}
	return res, res.SecurityLevel, note
}

// minProtocolNote names the servers that take MinProtocol from openssl.cnf
// when they set no version directive of their own. Measured on Debian 12
// with MinProtocol = TLSv1.3 in system_default and only a cipher directive
// in each server's configuration.
const minProtocolNote = "MinProtocol applies to stunnel only, and only without a version directive of its own: " +
	"with MinProtocol = TLSv1.3 and no version directive, stunnel 5.68 accepted TLS 1.3 alone, " +
	"while nginx 1.22.1 kept its default ssl_protocols (TLS 1.2 alone at security level 2), " +
	"Apache 2.4 its default SSLProtocol (TLS 1.2 and 1.3) and HAProxy 2.6.12 its default minimum (TLS 1.2 and 1.3)"

// versions applies Protocol, MinProtocol and MaxProtocol to the versions
// the platform builds (TLS 1.0 to 1.3; Debian and Ubuntu build OpenSSL
// without SSLv3), then drops the versions the security level rejects.
func (p *Policy) versions(opts Options, level int) ([]string, audit.Setting, []string) {
	var notes []string
	allowed := []bool{true, true, true, true}
	if opts.Platform.OpenSSL == cipherstring.OpenSSL102 {
		allowed[3] = false
	}
	setting := audit.Setting{Directive: describeDefault(opts, "no MinProtocol, MaxProtocol or Protocol in system_default")}
	var decided *Command

	if c := p.Protocol; c != nil {
		for _, item := range strings.Split(c.Value, ",") {
			item = strings.TrimSpace(item)
			off := strings.HasPrefix(item, "-")
			name := strings.TrimLeft(item, "+-")
			if strings.EqualFold(name, "ALL") {
				for i := range allowed {
					allowed[i] = !off
				}
				continue
			}
			i := slices.IndexFunc(versionWords, func(w string) bool { return strings.EqualFold(w, name) })
			if i < 0 {
				if !strings.EqualFold(name, "SSLv3") && !strings.EqualFold(name, "SSLv2") && !strings.HasPrefix(strings.ToUpper(name), "DTLS") {
					// Measured on Debian 12's OpenSSL 3.0: the items before
					// an unknown one apply, the ones after it do not.
					notes = append(notes, fmt.Sprintf("%s:%d: Protocol item %q is unknown; OpenSSL stops there, so only the items before it apply", c.File, c.Line, item))
					break
				}
				continue
			}
			allowed[i] = !off
		}
		decided = c
	}

	lo, hi := 0, 3
	var minCmd, maxCmd *Command
	for _, bound := range []struct {
		c   *Command
		max bool
	}{{p.MinProtocol, false}, {p.MaxProtocol, true}} {
		c := bound.c
		if c == nil {
			continue
		}
		i, ok := protocolIndex(c.Value)
		if !ok {
			notes = append(notes, fmt.Sprintf("%s:%d: %s value %q is invalid; OpenSSL skips the command (use None, TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3)", c.File, c.Line, c.Name, c.Value))
			continue
		}
		switch {
		case bound.max:
			maxCmd = c
			if i >= 0 {
				hi = i
			}
		default:
			minCmd = c
			if i >= 0 {
				lo = i
			}
		}
	}

	// The line to show is the one whose change would bring versions back:
	// a MaxProtocol below TLS 1.3 first, then a MinProtocol above TLS 1.0,
	// then Protocol, then any bound set, and last the security level.
	switch {
	case maxCmd != nil && hi < 3:
		decided = maxCmd
	case minCmd != nil && lo > 0:
		decided = minCmd
	case decided != nil:
	case maxCmd != nil:
		decided = maxCmd
	case minCmd != nil:
		decided = minCmd
	}
	if decided != nil {
		setting.File, setting.Line, setting.Directive = decided.File, decided.Line, decided.Text
	}

	var out []string
	levelRemoved := false
	for i := lo; i <= hi; i++ {
		if !allowed[i] {
			continue
		}
		if i < 2 && opts.Platform.LegacyBlockedFrom > 0 && level >= opts.Platform.LegacyBlockedFrom {
			enable := fmt.Sprintf("@SECLEVEL=%d or lower", opts.Platform.LegacyBlockedFrom-1)
			if opts.Platform.LegacyBlockedFrom == 1 {
				enable = "@SECLEVEL=0"
			}
			notes = append(notes, fmt.Sprintf("%s is allowed by the protocol settings, but %s rejects it at security level %d; only %s in CipherString enables it", versionNames[i], opts.Platform.OpenSSL, level, enable))
			levelRemoved = true
			continue
		}
		out = append(out, versionNames[i])
	}
	if levelRemoved && (decided == nil || decided == minCmd && lo < 2 || decided == p.Protocol) {
		// The security level, not a protocol line, removed the versions.
		setting.File, setting.Line = "", 0
		setting.Directive = describeDefault(opts, fmt.Sprintf("security level %d rejects TLS 1.0 and TLS 1.1", level))
		if c := p.CipherString; c != nil && strings.Contains(c.Value, "@SECLEVEL") {
			setting.File, setting.Line, setting.Directive = c.File, c.Line, c.Text
		}
	}
	if lo > hi {
		notes = append(notes, fmt.Sprintf("MinProtocol %s is above MaxProtocol %s, so no version is left", versionWords[lo], versionWords[hi]))
	}
	if out == nil {
		out = []string{}
	}
	setting.Values = out
	return out, setting, notes
}

// protocolIndex maps a MinProtocol or MaxProtocol value to an index of
// versionWords, -1 for None. OpenSSL compares these names exactly.
func protocolIndex(value string) (int, bool) {
	if value == "None" {
		return -1, true
	}
	if value == "SSLv3" {
		// Not built on Debian or Ubuntu: as a minimum it allows TLS 1.0 on.
		return 0, true
	}
	i := slices.Index(versionWords, value)
	return i, i >= 0
}

// suites lists the TLS 1.2-and-older suites that a server with a
// certificate of opts.KeyType offers. These are the cipher list's suites
// that pass the security level, without PSK and SRP suites, because a
// server offers them only with a PSK or SRP callback, and without TLS 1.2
// suites when TLS 1.2 is off.
func (p *Policy) suites(opts Options, res *cipherstring.Result, level int, versions []string) audit.Setting {
	setting := audit.Setting{Values: []string{}}
	if p.CipherString != nil {
		setting.File, setting.Line, setting.Directive = p.CipherString.File, p.CipherString.Line, p.CipherString.Text
	} else {
		setting.Directive = describeDefault(opts, fmt.Sprintf("DEFAULT at security level %d; no CipherString in system_default", level))
	}
	hasOld := slices.ContainsFunc(versions, func(v string) bool { return v != "TLS 1.3" })
	if !hasOld {
		return setting
	}
	has12 := slices.Contains(versions, "TLS 1.2")
	for _, s := range res.Usable() {
		switch s.KeyExchange {
		case "kSRP", "kPSK", "kRSAPSK", "kDHEPSK", "kECDHEPSK":
			continue
		}
		if s.Authentication != "aNULL" && s.Authentication != opts.KeyType {
			continue
		}
		if s.Protocol == "TLSv1.2" && !has12 {
			continue
		}
		setting.Values = append(setting.Values, registry.SuiteName(s.ID))
	}
	return setting
}

// suites13 lists the TLS 1.3 suites of Ciphersuites, or OpenSSL's
// default list. Names OpenSSL does not know make it skip the command.
func (p *Policy) suites13(opts Options, l *audit.Listener) audit.Setting {
	setting := audit.Setting{Directive: describeDefault(opts, "Ciphersuites = "+defaultCiphersuites+"; no Ciphersuites in system_default")}
	value := defaultCiphersuites
	if c := p.Ciphersuites; c != nil {
		var names []string
		valid := true
		for _, name := range strings.Split(c.Value, ":") {
			info, ok := registry.SuiteByName(strings.TrimSpace(name))
			if !ok || !strings.HasPrefix(info.Name, "TLS_AES_") && !strings.HasPrefix(info.Name, "TLS_CHACHA20_") {
				valid = false
				break
			}
			names = append(names, info.Name)
		}
		if valid && len(names) > 0 {
			value = strings.Join(names, ":")
			setting.File, setting.Line, setting.Directive = c.File, c.Line, c.Text
		} else {
			l.Notes = append(l.Notes, fmt.Sprintf("%s:%d: Ciphersuites %q names a suite OpenSSL does not know as a TLS 1.3 suite; OpenSSL skips the command and keeps its default list", c.File, c.Line, c.Value))
		}
	}
	setting.Values = []string{}
	for _, name := range strings.Split(value, ":") {
		if !slices.Contains(setting.Values, name) {
			setting.Values = append(setting.Values, name)
		}
	}
	return setting
}

// clientCertificate maps VerifyMode (Peer, Request, Require, Once) to
// "optional" or "required".
func (p *Policy) clientCertificate(opts Options) audit.Setting {
	setting := audit.Setting{Values: []string{"off"}, Directive: describeDefault(opts, "no VerifyMode in system_default")}
	c := p.VerifyMode
	if c == nil {
		return setting
	}
	mode := "off"
	for _, item := range strings.Split(c.Value, ",") {
		switch strings.ToLower(strings.TrimSpace(item)) {
		case "peer", "request":
			if mode == "off" {
				mode = "optional"
			}
		case "require":
			mode = "required"
		}
	}
	return c.Setting([]string{mode})
}

func hasOption(value, name string) bool {
	on := false
	for _, item := range strings.Split(value, ",") {
		item = strings.TrimSpace(item)
		if strings.EqualFold(strings.TrimPrefix(item, "-"), name) {
			on = !strings.HasPrefix(item, "-")
		}
	}
	return on
}
