package apache

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/audit/cipherstring"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// versionNames are the versions mod_ssl accepts in SSLProtocol, oldest first, and
// protocolWords the SSLProtocol keywords for them.
var (
	versionNames  = []string{"SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}
	protocolWords = []string{"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}
)

const (
	sslv3 = 0
	tls12 = 3
)

// protocolSet is a set of versions, bit i for versionNames[i].
type protocolSet uint8

// allProtocols is the set that "all" selects in httpd 2.4 built against an
// OpenSSL without SSLv3 (Debian 12): TLSv1 to TLSv1.3.
const allProtocols protocolSet = 0b11110

// origin is one directive that set a value.
type origin struct {
	file string
	line int
	text string
}

func originOf(d Directive) *origin { return &origin{file: d.File, line: d.Line, text: d.Text} }

// sslScope is the mod_ssl settings of the main server or of one
// VirtualHost. A nil field is unset, so the main server's value applies.
type sslScope struct {
	engine            *bool
	engineAt          *origin
	protocols         *protocolSet
	protocolAt        *origin
	ciphers, ciphers3 *string
	ciphersAt         *origin
	ciphers13At       *origin
	verify            *string
	verifyAt          *origin
	honorOrder        *bool
	honorAt           *origin
	certFiles         []string
	notes             []string
}

// parseProtocol applies mod_ssl's SSLProtocol rules: every directive starts
// from the empty set, +X adds, -X removes, and a word without a sign
// replaces the set built so far ("all" included).
func parseProtocol(d Directive) (protocolSet, []string, error) {
	if len(d.Args) == 0 {
		return 0, nil, &ParseError{File: d.File, Line: d.Line, Reason: "SSLProtocol needs at least one protocol, such as SSLProtocol -all +TLSv1.2 +TLSv1.3"}
	}
	var set protocolSet
	var notes []string
	for _, w := range d.Args {
		action := byte(0)
		word := w
		if word != "" && (word[0] == '+' || word[0] == '-') {
			action, word = word[0], word[1:]
		}
		var this protocolSet
		switch {
		case strings.EqualFold(word, "all"):
			this = allProtocols
		default:
			i := slices.IndexFunc(protocolWords, func(p string) bool { return strings.EqualFold(p, word) })
			if i < 0 {
				return 0, nil, &ParseError{File: d.File, Line: d.Line, Reason: fmt.Sprintf("SSLProtocol: invalid protocol %q; use all, SSLv3, TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3 with + or -", w)}
			}
			if i == sslv3 && action != '-' {
				return 0, nil, &ParseError{File: d.File, Line: d.Line, Reason: "SSLProtocol: SSLv3 is not supported by Debian's OpenSSL, so httpd fails to start; remove +SSLv3"}
			}
			this = 1 << i
		}
		switch action {
		case '+':
			set |= this
		case '-':
			set &^= this
		default:
			if set != 0 {
				notes = append(notes, fmt.Sprintf("SSLProtocol at %s:%d: %q has no + or - sign, so it replaces the protocols listed before it", d.File, d.Line, w))
			}
			set = this
		}
	}
	return set, notes, nil
}

// apply records one mod_ssl directive in s.
func (s *sslScope) apply(d Directive) error {
	switch strings.ToLower(d.Name) {
	case "sslengine":
		if len(d.Args) != 1 {
			return &ParseError{File: d.File, Line: d.Line, Reason: "SSLEngine takes one word: on, off or optional"}
		}
		on := strings.EqualFold(d.Args[0], "on")
		s.engine, s.engineAt = &on, originOf(d)
	case "sslprotocol":
		set, notes, err := parseProtocol(d)
		if err != nil {
			return err
		}
		s.protocols, s.protocolAt = &set, originOf(d)
		s.notes = append(s.notes, notes...)
	case "sslciphersuite":
		switch {
		case len(d.Args) == 1:
			s.ciphers, s.ciphersAt = &d.Args[0], originOf(d)
		case len(d.Args) == 2 && (strings.EqualFold(d.Args[0], "SSL") || strings.EqualFold(d.Args[0], "TLSv1.2")):
			s.ciphers, s.ciphersAt = &d.Args[1], originOf(d)
		case len(d.Args) == 2 && strings.EqualFold(d.Args[0], "TLSv1.3"):
			s.ciphers3, s.ciphers13At = &d.Args[1], originOf(d)
		default:
			return &ParseError{File: d.File, Line: d.Line, Reason: fmt.Sprintf("SSLCipherSuite takes [SSL|TLSv1.3] CIPHERS, got %d words", len(d.Args))}
		}
	case "sslverifyclient":
		if len(d.Args) != 1 {
			return &ParseError{File: d.File, Line: d.Line, Reason: "SSLVerifyClient takes one word: none, optional, require or optional_no_ca"}
		}
		mode, ok := map[string]string{"none": "off", "optional": "optional", "optional_no_ca": "optional", "require": "required"}[strings.ToLower(d.Args[0])]
		if !ok {
			return &ParseError{File: d.File, Line: d.Line, Reason: fmt.Sprintf("SSLVerifyClient: invalid mode %q; use none, optional, require or optional_no_ca", d.Args[0])}
		}
		s.verify, s.verifyAt = &mode, originOf(d)
	case "sslhonorcipherorder":
		on := len(d.Args) == 1 && strings.EqualFold(d.Args[0], "on")
		s.honorOrder, s.honorAt = &on, originOf(d)
	case "sslcertificatefile":
		if len(d.Args) == 1 {
			s.certFiles = append(s.certFiles, d.Args[0])
		}
	}
	return nil
}

// scopeWalker collects the main server's settings and the VirtualHosts.
type scopeWalker struct {
	defines map[string]bool
	main    sslScope
	vhosts  []vhost
	notes   []string
}

type vhost struct {
	at    Directive
	scope sslScope
}

// walk visits dirs in order. Conditional sections are entered as httpd
// would with mod_ssl loaded: <IfModule> unless negated, <IfDefine> by the
// Define lines seen so far, and <IfVersion> always. Per-directory sections
// do not change the handshake, so they are skipped with a note.
func (w *scopeWalker) walk(dirs []Directive, scope *sslScope, inVhost bool) error {
	for _, d := range dirs {
		name := strings.ToLower(d.Name)
		if !d.Section {
			if name == "define" && len(d.Args) > 0 {
				w.defines[d.Args[0]] = true
			}
			if err := scope.apply(d); err != nil {
				return err
			}
			continue
		}
		switch name {
		case "virtualhost":
			if inVhost {
				return &ParseError{File: d.File, Line: d.Line, Reason: "<VirtualHost> inside another <VirtualHost>; httpd rejects it"}
			}
			v := vhost{at: d}
			if err := w.walk(d.Children, &v.scope, true); err != nil {
				return err
			}
			w.vhosts = append(w.vhosts, v)
		case "ifmodule":
			if len(d.Args) == 1 && strings.HasPrefix(d.Args[0], "!") {
				continue
			}
			if err := w.walk(d.Children, scope, inVhost); err != nil {
				return err
			}
		case "ifdefine":
			if len(d.Args) != 1 {
				return &ParseError{File: d.File, Line: d.Line, Reason: "<IfDefine> takes one parameter name"}
			}
			param, negate := strings.CutPrefix(d.Args[0], "!")
			if w.defines[param] == negate {
				continue
			}
			if err := w.walk(d.Children, scope, inVhost); err != nil {
				return err
			}
		case "ifversion":
			scope.notes = append(scope.notes, fmt.Sprintf("<IfVersion> at %s:%d is read as true; the audit does not compare httpd versions", d.File, d.Line))
			if err := w.walk(d.Children, scope, inVhost); err != nil {
				return err
			}
		default:
			if containsSSLDirective(d.Children) {
				scope.notes = append(scope.notes, fmt.Sprintf("<%s> at %s:%d sets mod_ssl directives per request (renegotiation); the handshake does not use them", d.Name, d.File, d.Line))
			}
		}
	}
	return nil
}

func containsSSLDirective(dirs []Directive) bool {
	for _, d := range dirs {
		if strings.HasPrefix(strings.ToLower(d.Name), "ssl") || containsSSLDirective(d.Children) {
			return true
		}
	}
	return false
}

// Effective computes the listeners of cfg: one per VirtualHost whose
// SSLEngine is on (its own or the main server's), and one for the main
// server when SSLEngine on is set outside every VirtualHost.
func Effective(cfg *Config, opts Options) ([]audit.Listener, error) {
	w := &scopeWalker{defines: map[string]bool{}}
	if err := w.walk(cfg.Directives, &w.main, false); err != nil {
		return nil, err
	}
	var out []audit.Listener
	if w.main.engine != nil && *w.main.engine {
		l, err := listener("main server", w.main.engineAt.file, w.main.engineAt.line, &sslScope{}, &w.main, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	for _, v := range w.vhosts {
		engine := v.scope.engine
		if engine == nil {
			engine = w.main.engine
		}
		if engine == nil || !*engine {
			continue
		}
		l, err := listener("VirtualHost "+strings.Join(v.at.Args, " "), v.at.File, v.at.Line, &v.scope, &w.main, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

func pick[T any](own, main *T) *T {
	if own != nil {
		return own
	}
	return main
}

// listener merges a VirtualHost's scope over the main server's, as mod_ssl
// merges server configurations, and computes the effective settings.
func listener(name, file string, line int, own, main *sslScope, opts Options) (audit.Listener, error) {
	l := audit.Listener{Software: "apache", Name: name, File: file, Line: line}
	l.Notes = append(l.Notes, main.notes...)
	if own != main {
		l.Notes = append(l.Notes, own.notes...)
	}

	// Cipher string: the VirtualHost's, else the main server's, else
	// OpenSSL's DEFAULT, which mod_ssl keeps when SSLCipherSuite is unset.
	cipherString, cipherAt := "DEFAULT", (*origin)(nil)
	if own.ciphers != nil {
		cipherString, cipherAt = *own.ciphers, own.ciphersAt
	} else if main.ciphers != nil {
		cipherString, cipherAt = *main.ciphers, main.ciphersAt
	}
	res, err := cipherstring.Evaluate(cipherString, opts.OpenSSL, cipherstring.Options{SecurityLevel: opts.SecurityLevel})
	if err != nil {
		pe := &ParseError{File: file, Line: line, Reason: fmt.Sprintf("invalid cipher string %q: %v", cipherString, err)}
		if cipherAt != nil {
			pe.File, pe.Line = cipherAt.file, cipherAt.line
		}
		return l, pe
	}

	l.Versions = versionsSetting(own, main, res, opts, &l)
	keyTypes := certKeyTypes(append(slices.Clone(main.certFiles), own.certFiles...), &l)
	l.Suites = suitesSetting(res, l.Versions.Values, keyTypes, cipherAt, opts)
	if !slices.Contains(l.Versions.Values, "TLS 1.2") {
		// For audit.Judge: the suites TLS 1.2 would bring once allowed.
		l.SuitesWithTLS12 = suitesSetting(res, []string{"TLS 1.2"}, keyTypes, cipherAt, opts).Values
	}
	if order := pick(own.honorOrder, main.honorOrder); order == nil || !*order {
		l.Notes = append(l.Notes, "SSLHonorCipherOrder is off (the default), so httpd follows the client's cipher suite order")
	}

	if s13, at := pick(own.ciphers3, main.ciphers3), pick(own.ciphers13At, main.ciphers13At); s13 != nil {
		var names []string
		for _, n := range strings.Split(*s13, ":") {
			if info, ok := registry.SuiteByName(n); ok && info.ID>>8 == 0x13 {
				names = append(names, info.Name)
			} else {
				l.Notes = append(l.Notes, fmt.Sprintf("SSLCipherSuite TLSv1.3 at %s:%d names %q, which is no TLS 1.3 suite that OpenSSL knows", at.file, at.line, n))
			}
		}
		l.Suites13 = audit.Setting{Values: names, File: at.file, Line: at.line, Directive: at.text}
	}

	if mode, at := pick(own.verify, main.verify), pick(own.verifyAt, main.verifyAt); mode != nil {
		l.ClientCertificate = audit.Setting{Values: []string{*mode}, File: at.file, Line: at.line, Directive: at.text}
		if *mode == "required" {
			l.Notes = append(l.Notes, "SSLVerifyClient optional still verifies a certificate that a client sends, and SSLVerifyClient none stops asking for one: use none when no client of this host sends a certificate")
		}
	} else {
		l.ClientCertificate = audit.Setting{Values: []string{"off"}, Directive: fmt.Sprintf("default of Apache httpd %s (SSLVerifyClient none)", opts.Version)}
	}
	return l, nil
}

// versionsSetting turns the SSLProtocol set into the versions OpenSSL
// accepts. mod_ssl (httpd 2.4 with OpenSSL 1.1 or later) sets the maximum to
// the highest version in the set and the minimum to the lowest version
// reachable from it without a gap, so versions below a gap are off. OpenSSL
// 3.0 rejects TLS 1.1 and older above security level 0.
func versionsSetting(own, main *sslScope, res *cipherstring.Result, opts Options, l *audit.Listener) audit.Setting {
	setting := audit.Setting{Directive: fmt.Sprintf("default of Apache httpd %s (SSLProtocol all -SSLv3)", opts.Version)}
	set := allProtocols
	if p, at := pick(own.protocols, main.protocols), pick(own.protocolAt, main.protocolAt); p != nil {
		set = *p
		setting.File, setting.Line, setting.Directive = at.file, at.line, at.text
	}
	hi := -1
	for i := len(versionNames) - 1; i >= 0; i-- {
		if set&(1<<i) != 0 {
			hi = i
			break
		}
	}
	lo := hi
	for lo > 0 && set&(1<<(lo-1)) != 0 {
		lo--
	}
	setting.Values = []string{}
	if hi < 0 {
		l.Notes = append(l.Notes, "SSLProtocol leaves no protocol enabled, so httpd fails to start")
		return setting
	}
	for i := 0; i < lo; i++ {
		if set&(1<<i) != 0 {
			l.Notes = append(l.Notes, fmt.Sprintf("%s is listed in SSLProtocol, but a gap separates it from %s, and mod_ssl enables only the versions from the highest down to the first gap", versionNames[i], versionNames[hi]))
		}
	}
	for i := lo; i <= hi; i++ {
		if i < tls12 && opts.OpenSSL == cipherstring.OpenSSL30 && res.SecurityLevel > 0 {
			l.Notes = append(l.Notes, fmt.Sprintf("%s is allowed by SSLProtocol, but OpenSSL 3.0 rejects it at security level %d; only @SECLEVEL=0 in SSLCipherSuite enables it", versionNames[i], res.SecurityLevel))
			continue
		}
		setting.Values = append(setting.Values, versionNames[i])
	}
	return setting
}

// suitesSetting lists the TLS 1.2-and-older suites httpd offers: the cipher
// string's usable suites without PSK and SRP suites (mod_ssl sets up
// neither), without anonymous suites, without suites whose authentication no certificate provides,
// and without TLS 1.2 suites when TLS 1.2 is off.
func suitesSetting(res *cipherstring.Result, versions, keyTypes []string, at *origin, opts Options) audit.Setting {
	setting := audit.Setting{Values: []string{}}
	if at != nil {
		setting.File, setting.Line, setting.Directive = at.file, at.line, at.text
	} else {
		setting.Directive = fmt.Sprintf("default of Apache httpd %s with %s (SSLCipherSuite unset: OpenSSL's DEFAULT at security level %d)", opts.Version, opts.OpenSSL, opts.SecurityLevel)
	}
	hasOld := slices.ContainsFunc(versions, func(v string) bool { return v != "TLS 1.3" })
	if !hasOld {
		return setting
	}
	has12 := slices.Contains(versions, "TLS 1.2")
	for _, s := range res.Usable() {
		switch s.KeyExchange {
		case "kPSK", "kRSAPSK", "kDHEPSK", "kECDHEPSK", "kSRP":
			continue
		}
		// Measured on Debian 12's apache2 with "SSLCipherSuite ALL": no
		// anonymous suite is accepted, though DHE suites are (httpd sets
		// automatic DH parameters).
		if s.Authentication == "aNULL" {
			continue
		}
		if keyTypes != nil && !slices.Contains(keyTypes, s.Authentication) {
			continue
		}
		if s.Protocol == "TLSv1.2" && !has12 {
			continue
		}
		setting.Values = append(setting.Values, registry.SuiteName(s.ID))
	}
	return setting
}

// certKeyTypes returns the OpenSSL authentication aliases (aRSA, aECDSA)
// of the SSLCertificateFile certificates, or nil with a note when one
// cannot be read.
func certKeyTypes(files []string, l *audit.Listener) []string {
	if len(files) == 0 {
		l.Notes = append(l.Notes, "no SSLCertificateFile applies, so suites are not narrowed to a key type")
		return nil
	}
	var types []string
	for _, f := range files {
		t, err := leafKeyType(f)
		if err != nil {
			l.Notes = append(l.Notes, fmt.Sprintf("cannot read the certificate %s (%v), so suites are not narrowed to its key type", f, err))
			return nil
		}
		if !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	return types
}

func leafKeyType(path string) (string, error) {
	info, err := os.Stat(filepath.Clean(path))
	if err != nil {
		return "", unwrapPath(err)
	}
	if info.Size() > audit.MaxFileSize {
		return "", fmt.Errorf("file of %d bytes exceeds the %d-byte limit", info.Size(), audit.MaxFileSize)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", unwrapPath(err)
	}
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return "", fmt.Errorf("no CERTIFICATE block")
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return "", err
		}
		switch cert.PublicKeyAlgorithm {
		case x509.RSA:
			return "aRSA", nil
		case x509.ECDSA:
			return "aECDSA", nil
		case x509.DSA:
			return "aDSS", nil
		}
		return "", fmt.Errorf("unsupported key type %v", cert.PublicKeyAlgorithm)
	}
}
