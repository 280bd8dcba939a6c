package haproxy

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

// versionNames are HAProxy's protocol versions in order, as the audit
// names them. versionWords are the suffixes of the no-* and force-* options,
// and minMaxWords the values of ssl-min-ver and ssl-max-ver.
var (
	versionNames = []string{"SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}
	versionWords = []string{"sslv3", "tlsv10", "tlsv11", "tlsv12", "tlsv13"}
	minMaxWords  = []string{"SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"}
)

const tls12 = 3

// origin is one value and the directive that set it.
type origin struct {
	value string
	file  string
	line  int
	text  string
}

// sslOptions are the TLS settings of a bind line or of the global
// ssl-default-bind-* lines.
type sslOptions struct {
	ciphers, ciphersuites *origin
	// minVersion and maxVersion hold an index into versionNames.
	minVersion, maxVersion *origin
	disabled               [5]*origin
	verify                 *origin
	preferClientCiphers    *origin
	// versionDirective is the last directive that set a version option.
	versionDirective *origin
	// dhParams reports ssl-dh-param-file in the global section.
	dhParams bool
}

// bindKeywordsWithValue are the HAProxy 2.6 bind keywords that take one
// value. Any other keyword is a flag.
var bindKeywordsWithValue = []string{
	"alpn", "backlog", "ca-file", "ca-ignore-err", "ca-sign-file", "ca-sign-pass",
	"ca-verify-file", "ciphers", "ciphersuites", "client-sigalgs", "crl-file", "crt",
	"crt-ignore-err", "crt-list", "curves", "ecdhe", "expose-fd", "gid", "group",
	"id", "interface", "level", "maxconn", "mode", "mss", "name", "namespace",
	"nice", "npn", "process", "proto", "quic-cc-algo", "severity-output", "shards",
	"sigalgs", "ssl-max-ver", "ssl-min-ver", "tcp-ut", "thread", "tls-ticket-keys",
	"uid", "user", "verify",
}

// bindFlags are the HAProxy 2.6 bind keywords without a value.
var bindFlags = []string{
	"accept-netscaler-cip", "accept-proxy", "allow-0rtt", "defer-accept", "generate-certificates",
	"no-ca-names", "no-tls-tickets", "prefer-client-ciphers", "ssl", "strict-sni", "tfo",
	"transparent", "v4v6", "v6only", "quic-force-retry",
}

// applyOption applies one bind option (words[0] and, when it takes one,
// words[1]) to o and returns how many words it used.
func (o *sslOptions) applyOption(d Directive, words []string) (int, error) {
	kw := words[0]
	at := func(v string) *origin { return &origin{value: v, file: d.File, line: d.Line, text: d.Text} }
	if slices.Contains(bindKeywordsWithValue, kw) {
		if len(words) < 2 {
			return 0, &ParseError{File: d.File, Line: d.Line, Reason: fmt.Sprintf("%s needs a value", kw)}
		}
	}
	switch {
	case kw == "ciphers":
		o.ciphers = at(words[1])
	case kw == "ciphersuites":
		o.ciphersuites = at(words[1])
	case kw == "ssl-min-ver" || kw == "ssl-max-ver":
		i := slices.Index(minMaxWords, words[1])
		if i < 0 {
			return 0, &ParseError{File: d.File, Line: d.Line, Reason: fmt.Sprintf("invalid %s %q; use one of %s", kw, words[1], strings.Join(minMaxWords, ", "))}
		}
		if kw == "ssl-min-ver" {
			o.minVersion = at(minMaxWords[i])
		} else {
			o.maxVersion = at(minMaxWords[i])
		}
		o.versionDirective = at("")
	case strings.HasPrefix(kw, "no-") && slices.Contains(versionWords, kw[3:]):
		o.disabled[slices.Index(versionWords, kw[3:])] = at(kw)
		o.versionDirective = at("")
	case strings.HasPrefix(kw, "force-") && slices.Contains(versionWords, kw[6:]):
		v := minMaxWords[slices.Index(versionWords, kw[6:])]
		o.minVersion, o.maxVersion = at(v), at(v)
		o.versionDirective = at("")
	case kw == "verify":
		if !slices.Contains([]string{"none", "optional", "required"}, words[1]) {
			return 0, &ParseError{File: d.File, Line: d.Line, Reason: fmt.Sprintf("invalid verify %q; use none, optional or required", words[1])}
		}
		o.verify = at(words[1])
	case kw == "prefer-client-ciphers":
		o.preferClientCiphers = at(kw)
	}
	if slices.Contains(bindKeywordsWithValue, kw) {
		return 2, nil
	}
	return 1, nil
}

// Effective computes the listeners of cfg for the HAProxy build opts.
//
// The global ssl-default-bind-* lines apply to the bind lines that come
// after them in reading order, files included: HAProxy copies them into a
// bind line when it parses the line's ssl keyword. Measured with HAProxy
// 2.6.12 started with -f on a folder: ssl-default-bind-options
// ssl-min-ver TLSv1.3 in 00-global.cfg applies to a bind line in
// 10-front.cfg, and the same line in 20-global.cfg does not.
func Effective(cfg *Config, opts Options) ([]audit.Listener, error) {
	if opts.Version == "" {
		opts.Version = DefaultVersion
	}
	var global sslOptions
	crtBase := ""
	out := []audit.Listener{}
	for _, s := range cfg.Sections {
		switch s.Kind {
		case "global":
			if err := global.applyGlobal(s, &crtBase); err != nil {
				return nil, err
			}
			continue
		case "frontend", "listen":
		default:
			continue
		}
		for _, d := range s.Directives {
			if d.Args[0] != "bind" {
				continue
			}
			// Each bind line gets the global settings read before it.
			defaults := global
			l, ok, err := bindListener(s, d, &defaults, crtBase, opts)
			if err != nil {
				return nil, err
			}
			if ok {
				if len(cfg.EnvUsed) > 0 {
					l.Notes = append(l.Notes, fmt.Sprintf("the file uses environment variables (%s), expanded here from the audit's own environment, which may differ from the HAProxy service's", strings.Join(cfg.EnvUsed, ", ")))
				}
				out = append(out, l)
			}
		}
	}
	return out, nil
}

// applyGlobal applies the ssl-default-bind-*, ssl-dh-param-file and
// crt-base lines of one global section.
func (o *sslOptions) applyGlobal(s Section, crtBase *string) error {
	for _, d := range s.Directives {
		if len(d.Args) < 2 {
			continue
		}
		switch d.Args[0] {
		case "ssl-default-bind-ciphers":
			o.ciphers = &origin{value: d.Args[1], file: d.File, line: d.Line, text: d.Text}
		case "ssl-default-bind-ciphersuites":
			o.ciphersuites = &origin{value: d.Args[1], file: d.File, line: d.Line, text: d.Text}
		case "ssl-default-bind-options":
			for i := 1; i < len(d.Args); {
				n, err := o.applyOption(d, d.Args[i:])
				if err != nil {
					return err
				}
				i += n
			}
		case "ssl-dh-param-file":
			o.dhParams = true
		case "crt-base":
			*crtBase = d.Args[1]
		}
	}
	return nil
}

// bindListener computes the Listener of one bind line. ok is false when the
// line has no ssl option.
func bindListener(s Section, d Directive, global *sslOptions, crtBase string, opts Options) (audit.Listener, bool, error) {
	if len(d.Args) < 2 {
		return audit.Listener{}, false, &ParseError{File: d.File, Line: d.Line, Reason: "bind without an address; write bind ADDRESS:PORT ssl crt FILE"}
	}
	var bind sslOptions
	useSSL := false
	var crts []string
	var unknown []string
	for i := 2; i < len(d.Args); {
		kw := d.Args[i]
		if kw == "ssl" {
			useSSL = true
		}
		if (kw == "crt" || kw == "crt-list") && i+1 < len(d.Args) {
			crts = append(crts, kw+" "+d.Args[i+1])
		}
		if !slices.Contains(bindKeywordsWithValue, kw) && !slices.Contains(bindFlags, kw) &&
			!strings.HasPrefix(kw, "no-") && !strings.HasPrefix(kw, "force-") {
			unknown = append(unknown, kw)
		}
		n, err := bind.applyOption(d, d.Args[i:])
		if err != nil {
			return audit.Listener{}, false, err
		}
		i += n
	}
	if !useSSL {
		return audit.Listener{}, false, nil
	}

	l := audit.Listener{
		Software: "haproxy",
		Name:     fmt.Sprintf("%s %s, bind %s", s.Kind, s.Name, d.Args[1]),
		File:     d.File,
		Line:     d.Line,
	}
	for _, kw := range unknown {
		l.Notes = append(l.Notes, fmt.Sprintf("%s:%d: unknown bind keyword %s: haproxy -c would reject it, so HAProxy %s does not start with this line; the audit read it as a flag without a value", d.File, d.Line, kw, opts.Version))
	}

	// Cipher string: the bind line's, else the global default, else
	// OpenSSL's built-in DEFAULT (HAProxy then calls no cipher function).
	cipherOrigin := pick(bind.ciphers, global.ciphers)
	cipherString := "DEFAULT"
	if cipherOrigin != nil {
		cipherString = cipherOrigin.value
	} else {
		l.Notes = append(l.Notes, "neither ciphers nor ssl-default-bind-ciphers is set, so HAProxy keeps OpenSSL's cipher list: a CipherString in openssl.cnf, where one is set, replaces the DEFAULT list assumed here")
	}
	res, err := cipherstring.Evaluate(cipherString, opts.OpenSSL, cipherstring.Options{SecurityLevel: opts.SecurityLevel})
	if err != nil {
		where := d
		if cipherOrigin != nil {
			where = Directive{File: cipherOrigin.file, Line: cipherOrigin.line}
		}
		return audit.Listener{}, false, &ParseError{File: where.File, Line: where.Line, Reason: fmt.Sprintf("invalid cipher string: %v", err)}
	}

	versions, versionSetting, versionNotes := effectiveVersions(&bind, global, res, opts, d)
	l.Versions = versionSetting
	l.Notes = append(l.Notes, versionNotes...)

	keyTypes, certDH, keyNote := certificateKeyTypes(crts, crtBase)
	if keyNote != "" {
		l.Notes = append(l.Notes, keyNote)
	}
	l.Suites = suitesSetting(res, versions, keyTypes, global.dhParams || certDH, cipherOrigin, opts)
	if !slices.Contains(versions, "TLS 1.2") {
		// For audit.Judge: the suites TLS 1.2 would bring once allowed.
		l.SuitesWithTLS12 = suitesSetting(res, []string{"TLS 1.2"}, keyTypes, global.dhParams || certDH, cipherOrigin, opts).Values
	}
	if o := pick(bind.preferClientCiphers, global.preferClientCiphers); o != nil {
		l.Notes = append(l.Notes, fmt.Sprintf("prefer-client-ciphers (%s:%d) makes HAProxy follow the client's suite order", o.file, o.line))
	}

	if o := pick(bind.ciphersuites, global.ciphersuites); o != nil {
		var names []string
		for _, name := range strings.Split(o.value, ":") {
			if info, ok := registry.SuiteByName(name); ok && info.ID>>8 == 0x13 {
				names = append(names, info.Name)
			} else {
				l.Notes = append(l.Notes, fmt.Sprintf("ciphersuites at %s:%d names %q, which is no TLS 1.3 suite that OpenSSL knows", o.file, o.line, name))
			}
		}
		l.Suites13 = audit.Setting{Values: names, File: o.file, Line: o.line, Directive: o.text}
	}

	if o := bind.verify; o != nil {
		mode := map[string]string{"none": "off", "optional": "optional", "required": "required"}[o.value]
		l.ClientCertificate = audit.Setting{Values: []string{mode}, File: o.file, Line: o.line, Directive: o.text}
		if mode == "required" {
			l.Notes = append(l.Notes, "verify optional still checks a client certificate that a client sends, and verify none stops asking for one: use verify none when no client of this bind line sends a certificate")
		}
	} else {
		l.ClientCertificate = audit.Setting{Values: []string{"off"}, Directive: fmt.Sprintf("default of HAProxy %s (verify none: no client certificate requested)", opts.Version)}
	}
	return l, true, nil
}

func pick(bind, global *origin) *origin {
	if bind != nil {
		return bind
	}
	return global
}

// effectiveVersions applies HAProxy's rules: no-* options of the global
// line and the bind line add up, the bind line's ssl-min-ver, ssl-max-ver
// or force-* replace the global ones, and from HAProxy 2.2 the minimum
// defaults to TLS 1.2. HAProxy ignores every no-* option of a bind line
// that also gets an ssl-min-ver, ssl-max-ver or force-* option, from the
// bind line or from ssl-default-bind-options. The 2.2 default minimum does
// not count as such an option. HAProxy then sets OpenSSL's minimum and
// maximum to the lowest and highest version left, so a no-* hole between
// them does not disable a version. OpenSSL 3.0 itself rejects TLS 1.1 and
// older above security level 0.
//
// Measured with HAProxy 2.6.12: "ssl-min-ver TLSv1.0 no-tlsv10 no-tlsv11"
// and "ssl-max-ver TLSv1.3 no-tlsv12" warn that the no-* options are
// ignored and accept TLS 1.0 to 1.3 and TLS 1.2 to 1.3, and "no-tlsv13"
// alone accepts TLS 1.2 only.
func effectiveVersions(bind *sslOptions, global *sslOptions, res *cipherstring.Result, opts Options, d Directive) ([]string, audit.Setting, []string) {
	var notes []string
	minO := pick(bind.minVersion, global.minVersion)
	maxO := pick(bind.maxVersion, global.maxVersion)
	disabled := func(i int) bool { return bind.disabled[i] != nil || global.disabled[i] != nil }
	if (minO != nil || maxO != nil) && slices.ContainsFunc([]int{0, 1, 2, 3, 4}, disabled) {
		notes = append(notes, ignoredDisabledNote(bind, global, minO, maxO, d))
		disabled = func(int) bool { return false }
	}
	lo, hi := 0, len(versionNames)-1
	if minO != nil {
		lo = slices.Index(minMaxWords, minO.value)
	} else if compareVersions(opts.Version, "2.2") >= 0 {
		lo = tls12
	}
	if maxO != nil {
		hi = slices.Index(minMaxWords, maxO.value)
	}

	available := func(i int) bool {
		switch opts.OpenSSL {
		case cipherstring.OpenSSL102:
			return i <= tls12
		default:
			// OpenSSL 1.1.1 and 3.0 as Debian builds them: no SSLv3.
			return i >= 1
		}
	}
	first, last := -1, -1
	for i := lo; i <= hi; i++ {
		if !available(i) || disabled(i) {
			continue
		}
		if first < 0 {
			first = i
		}
		last = i
	}

	// The directive that decided: the bind line's version options, else
	// the global line's, else HAProxy's default.
	setting := audit.Setting{Directive: fmt.Sprintf("default of HAProxy %s (ssl-min-ver TLSv1.2 since 2.2; no version option on the bind line or in ssl-default-bind-options)", opts.Version)}
	if compareVersions(opts.Version, "2.2") < 0 {
		setting.Directive = fmt.Sprintf("default of HAProxy %s (no minimum before 2.2; no version option on the bind line or in ssl-default-bind-options)", opts.Version)
	}
	if o := pick(bind.versionDirective, global.versionDirective); o != nil {
		setting.File, setting.Line, setting.Directive = o.file, o.line, o.text
	}

	var versions []string
	for i := first; first >= 0 && i <= last; i++ {
		if disabled(i) {
			notes = append(notes, fmt.Sprintf("%s is disabled with no-%s, but HAProxy sets only a minimum and a maximum version, so %s stays enabled between %s and %s; use ssl-min-ver and ssl-max-ver", versionNames[i], versionWords[i], versionNames[i], versionNames[first], versionNames[last]))
		}
		if i < tls12 && opts.OpenSSL == cipherstring.OpenSSL30 && res.SecurityLevel > 0 {
			notes = append(notes, fmt.Sprintf("%s is allowed by the configuration, but OpenSSL 3.0 rejects it at security level %d; only @SECLEVEL=0 in the cipher string enables it", versionNames[i], res.SecurityLevel))
			continue
		}
		versions = append(versions, versionNames[i])
	}
	if first < 0 {
		notes = append(notes, fmt.Sprintf("all TLS versions are disabled for the bind line at %s:%d, so HAProxy refuses the configuration and does not start (\"all SSL/TLS versions are disabled for bind\")", d.File, d.Line))
	}
	notes = append(notes, "HAProxy sets OpenSSL's minimum and maximum version on every bind line, so MinProtocol and MaxProtocol in openssl.cnf do not change them")
	setting.Values = versions
	if setting.Values == nil {
		setting.Values = []string{}
	}
	return versions, setting, notes
}

// ignoredDisabledNote explains that HAProxy ignores the no-* options of
// the bind line at d because minO or maxO is set, quoting the warning that
// HAProxy 2.6 logs at start.
func ignoredDisabledNote(bind, global *sslOptions, minO, maxO *origin, d Directive) string {
	var words []string
	for i, w := range versionWords {
		if bind.disabled[i] != nil || global.disabled[i] != nil {
			words = append(words, "no-"+w)
		}
	}
	var by []string
	for _, o := range []*origin{minO, maxO} {
		if o != nil && !slices.Contains(by, fmt.Sprintf("%s:%d", o.file, o.line)) {
			by = append(by, fmt.Sprintf("%s:%d", o.file, o.line))
		}
	}
	return fmt.Sprintf("%s are ignored for the bind line at %s:%d, because ssl-min-ver or ssl-max-ver is set (%s): HAProxy warns \"no-sslv3/no-tlsv1x are ignored for bind ... Use only 'ssl-min-ver' and 'ssl-max-ver' to fix\", so only the minimum and maximum decide; set the versions with ssl-min-ver and ssl-max-ver on the bind line in place of the no-* options", strings.Join(words, " "), d.File, d.Line, strings.Join(by, ", "))
}

// suitesSetting lists the TLS 1.2-and-older suites HAProxy offers, which are
// the cipher string's usable suites with some left out. Out go PSK and SRP
// suites (HAProxy sets up neither), suites whose authentication no
// certificate of the bind line provides, DHE suites without DH parameters,
// and TLS 1.2 suites when TLS 1.2 is off.
func suitesSetting(res *cipherstring.Result, versions []string, keyTypes []string, dhParams bool, o *origin, opts Options) audit.Setting {
	setting := audit.Setting{Values: []string{}}
	if o != nil {
		setting.File, setting.Line, setting.Directive = o.file, o.line, o.text
	} else {
		setting.Directive = fmt.Sprintf("default of HAProxy %s with %s (no ciphers or ssl-default-bind-ciphers: OpenSSL's DEFAULT at security level %d)", opts.Version, opts.OpenSSL, opts.SecurityLevel)
	}
	hasOld, has12 := false, slices.Contains(versions, "TLS 1.2")
	for _, v := range versions {
		if v != "TLS 1.3" {
			hasOld = true
		}
	}
	if !hasOld {
		return setting
	}
	for _, s := range res.Usable() {
		switch s.KeyExchange {
		case "kPSK", "kRSAPSK", "kDHEPSK", "kECDHEPSK", "kSRP":
			continue
		case "kDHE":
			// Measured on Debian 12's HAProxy 2.6.12: it offers DHE suites,
			// anonymous ones included, only with DH parameters from
			// ssl-dh-param-file or a DH PARAMETERS block in the crt file.
			if !dhParams {
				continue
			}
		}
		if s.Authentication != "aNULL" && keyTypes != nil && !slices.Contains(keyTypes, s.Authentication) {
			continue
		}
		if s.Protocol == "TLSv1.2" && !has12 {
			continue
		}
		setting.Values = append(setting.Values, registry.SuiteName(s.ID))
	}
	return setting
}

// certificateKeyTypes reads the certificates named by crt options (files
// or folders, relative to crt-base) and returns the OpenSSL authentication
// aliases they provide (aRSA, aECDSA, aDSS), and whether a file holds DH
// parameters. nil types means unknown, with a note.
func certificateKeyTypes(crts []string, crtBase string) ([]string, bool, string) {
	var types []string
	dh := false
	for _, c := range crts {
		kw, path, _ := strings.Cut(c, " ")
		if kw == "crt-list" {
			// TODO: read crt-list files, whose lines can also set ciphers,
			// versions and verify per certificate.
			return nil, false, fmt.Sprintf("crt-list %s is not read, so suites are not narrowed to the certificates' key types and per-certificate options are not applied", path)
		}
		if !filepath.IsAbs(path) && crtBase != "" {
			path = filepath.Join(crtBase, path)
		}
		files := []string{path}
		if info, err := os.Stat(path); err == nil && info.IsDir() {
			entries, _ := os.ReadDir(path)
			files = nil
			for _, e := range entries {
				if e.Type().IsRegular() && !strings.HasSuffix(e.Name(), ".key") && !strings.HasSuffix(e.Name(), ".ocsp") && !strings.HasSuffix(e.Name(), ".issuer") {
					files = append(files, filepath.Join(path, e.Name()))
				}
			}
		}
		for _, f := range files {
			t, hasDH, err := leafKeyType(f)
			dh = dh || hasDH
			if err != nil {
				return nil, dh, fmt.Sprintf("cannot read the certificate %s (%v), so suites are not narrowed to its key type", f, err)
			}
			if !slices.Contains(types, t) {
				types = append(types, t)
			}
		}
	}
	if len(crts) == 0 {
		return nil, false, "the bind line names no crt, so suites are not narrowed to a key type"
	}
	return types, dh, ""
}

// leafKeyType returns the authentication alias of the first certificate in
// the PEM file path, and whether the file holds a DH PARAMETERS block.
func leafKeyType(path string) (string, bool, error) {
	info, err := os.Stat(path)
	if err != nil {
		return "", false, unwrapPath(err)
	}
	if info.Size() > audit.MaxFileSize {
		return "", false, fmt.Errorf("file of %d bytes exceeds the %d-byte limit", info.Size(), audit.MaxFileSize)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", false, unwrapPath(err)
	}
	keyType, dh := "", false
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type == "DH PARAMETERS" {
			dh = true
		}
		if block.Type != "CERTIFICATE" || keyType != "" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return "", dh, err
		}
		switch cert.PublicKeyAlgorithm {
		case x509.RSA:
			keyType = "aRSA"
		case x509.ECDSA:
			keyType = "aECDSA"
		case x509.DSA:
			keyType = "aDSS"
		default:
			return "", dh, fmt.Errorf("unsupported key type %v", cert.PublicKeyAlgorithm)
		}
	}
	if keyType == "" {
		return "", dh, fmt.Errorf("no CERTIFICATE block")
	}
	return keyType, dh, nil
}
