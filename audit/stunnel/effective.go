package stunnel

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/audit/cipherstring"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// Defaults of stunnel 5.68 as `stunnel4 -version` prints them on Debian 12
// (package stunnel4 3:5.68-2+deb12u1), and the sslVersionMin default from
// its stunnel(8) manual page.
const (
	defaultCiphers      = "HIGH:!aNULL:!SSLv2:!DH:!kDHEPSK"
	defaultCipherSuites = "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256"
	// defaultSecurityLevel is stunnel's securityLevel default, which is
	// also Debian 12's OpenSSL default.
	defaultSecurityLevel = 2
)

// Protocol versions by index, lowest first.
const (
	ssl30 = iota
	tls10
	tls11
	tls12
	tls13
)

var (
	versionNames = []string{"SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}
	versionWords = []string{"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}
	// noVersionOptions are the OpenSSL option names, without the SSL_OP_
	// prefix, that disable one version each.
	noVersionOptions = []string{"NO_SSLv3", "NO_TLSv1", "NO_TLSv1_1", "NO_TLSv1_2", "NO_TLSv1_3"}
)

// state is the value of the TLS options of one section after its lines so
// far. A nil *Option means stunnel's default.
type state struct {
	minVersion, maxVersion *Option
	// minIndex and maxIndex index versionNames. A maxIndex of -1 means
	// "all".
	minIndex, maxIndex    int
	ciphers, cipherSuites *Option
	securityLevel         *Option
	disabled              [5]*Option
	serverPreference      *Option
	client                bool
	accept, cert          *Option
	pskSecrets            *Option
	request, require      bool
	clientCertificate     *Option
	// verifyRequested is set by a verify level, which requests a client
	// certificate even when it does not require one.
	verifyRequested         bool
	verifyChain, verifyPeer bool
	// verifyLevel is the verify level set by a verify line, -1 when none.
	verifyLevel int
	// verifyLine is the last verify, verifyChain or verifyPeer line that
	// turned verification on, and requireLine the requireCert = yes line.
	verifyLine, requireLine *Option
	// caSet reports a CAfile, CApath or CAengine line with a value.
	caSet bool
	// config lists the config = COMMAND:VALUE lines in order.
	config []Option
}

// newState returns stunnel's defaults: sslVersionMin = TLSv1 and
// sslVersionMax = all, as stunnel(8) of 5.68 gives them.
func newState() state {
	return state{minIndex: tls10, maxIndex: -1, verifyLevel: -1}
}

// apply changes s by one option line. Unknown options are left alone,
// because they do not change the TLS settings this package computes.
func (s *state) apply(o Option) error {
	name := strings.ToLower(o.Name)
	bad := func(want string) error {
		return &ParseError{File: o.File, Line: o.Line, Reason: fmt.Sprintf("invalid %s value %q; use %s", o.Name, o.Value, want)}
	}
	switch name {
	case "sslversion", "sslversionmin", "sslversionmax":
		i, ok := versionIndex(o.Value)
		if !ok {
			return bad("all, SSLv3, TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3")
		}
		opt := o
		if name != "sslversionmax" {
			s.minVersion, s.minIndex = &opt, i
			if i < 0 {
				s.minIndex = ssl30
			}
		}
		if name != "sslversionmin" {
			s.maxVersion, s.maxIndex = &opt, i
		}
	case "ciphers":
		if strings.ContainsAny(o.Value, `"'`) {
			return &ParseError{File: o.File, Line: o.Line, Reason: fmt.Sprintf("ciphers value %q contains a quote; stunnel has no quoting and passes it to OpenSSL, which rejects the cipher string, so remove the quotes", o.Value)}
		}
		opt := o
		s.ciphers = &opt
	case "ciphersuites":
		if strings.ContainsAny(o.Value, `"'`) {
			return &ParseError{File: o.File, Line: o.Line, Reason: fmt.Sprintf("ciphersuites value %q contains a quote; stunnel has no quoting and passes it to OpenSSL, which rejects the suite list, so remove the quotes", o.Value)}
		}
		opt := o
		s.cipherSuites = &opt
	case "securitylevel":
		if n, err := strconv.Atoi(o.Value); err != nil || n < 0 || n > 5 {
			return bad("a level from 0 to 5")
		}
		opt := o
		s.securityLevel = &opt
	case "options":
		value, clear := strings.CutPrefix(strings.ToUpper(o.Value), "-")
		opt := &o
		if clear {
			opt = nil
		}
		for i, word := range noVersionOptions {
			if value == strings.ToUpper(word) {
				s.disabled[i] = opt
			}
		}
		if value == "CIPHER_SERVER_PREFERENCE" {
			s.serverPreference = opt
		}
	case "config":
		cmd, _, ok := strings.Cut(o.Value, ":")
		if !ok {
			return bad("COMMAND:VALUE, such as MinProtocol:TLSv1.2")
		}
		if !slices.ContainsFunc(confCommands, func(c string) bool { return strings.EqualFold(c, strings.TrimSpace(cmd)) }) {
			return &ParseError{File: o.File, Line: o.Line, Reason: fmt.Sprintf("unknown OpenSSL configuration command %q, with which stunnel fails to start; use one of %s", cmd, strings.Join(confCommands, ", "))}
		}
		// The lines add up, the global section's first: they are applied
		// by applyConfig after every other option.
		s.config = append(slices.Clip(s.config), o)
	case "client":
		yes, err := yesNo(o)
		if err != nil {
			return err
		}
		s.client = yes
	case "accept":
		opt := o
		s.accept = &opt
	case "cert":
		opt := o
		s.cert = &opt
	case "psksecrets":
		opt := o
		s.pskSecrets = &opt
	case "verify":
		n, err := strconv.Atoi(o.Value)
		if err != nil || n < 0 || n > 4 {
			// stunnel 5.68 rejects "verify = none" too ("Bad verify
			// level", then "Configuration failed"), measured.
			return &ParseError{File: o.File, Line: o.Line, Reason: fmt.Sprintf("invalid verify value %q, with which stunnel fails to start (\"Bad verify level\"); use a level from 0 to 4, or remove the line", o.Value)}
		}
		// Levels as stunnel(8) lists them: 0 requests and ignores the
		// certificate, 1 verifies it if present, 2 to 4 require it.
		s.verifyRequested = true
		s.require = n >= 2
		s.verifyLevel = n
		opt := o
		s.clientCertificate = &opt
		s.verifyLine = nil
		if n >= 1 {
			s.verifyLine = &opt
		}
	case "cafile", "capath", "caengine":
		s.caSet = strings.TrimSpace(o.Value) != ""
	case "verifychain", "verifypeer":
		yes, err := yesNo(o)
		if err != nil {
			return err
		}
		if name == "verifychain" {
			s.verifyChain = yes
		} else {
			s.verifyPeer = yes
		}
		// stunnel(8): verifyChain = yes and verifyPeer = yes imply
		// requireCert = yes, and a later requireCert = no undoes it
		// (measured on Debian 12's stunnel 5.68).
		opt := o
		if yes {
			s.require = true
			s.verifyLine = &opt
		} else if !s.verifyChain && !s.verifyPeer && s.verifyLevel < 1 {
			s.verifyLine = nil
		}
		s.clientCertificate = &opt
	case "requirecert":
		yes, err := yesNo(o)
		if err != nil {
			return err
		}
		// Measured on stunnel 5.68: requireCert = yes alone makes stunnel
		// request a certificate and reject clients without one.
		s.require = yes
		opt := o
		s.clientCertificate = &opt
		s.requireLine = nil
		if yes {
			s.requireLine = &opt
		}
	}
	return nil
}

// confCommands are the OpenSSL 3.0 SSL_CONF_cmd commands allowed in a
// configuration file, which stunnel's config option passes on. OpenSSL
// compares these names without regard to case.
var confCommands = []string{
	"SignatureAlgorithms", "ClientSignatureAlgorithms", "Curves", "Groups",
	"ECDHParameters", "CipherString", "Ciphersuites", "Protocol", "MinProtocol",
	"MaxProtocol", "Options", "VerifyMode", "Certificate", "PrivateKey",
	"ServerInfoFile", "ChainCAPath", "ChainCAFile", "VerifyCAPath", "VerifyCAFile",
	"RequestCAFile", "ClientCAFile", "RequestCAPath", "ClientCAPath",
	"DHParameters", "RecordPadding", "NumTickets",
}

// applyConfig applies the config = COMMAND:VALUE lines to s and returns
// notes on the commands it does not model. stunnel 5.68 passes them to
// OpenSSL after its own options, so they win over sslVersionMin,
// sslVersionMax, ciphers and ciphersuites whatever the line order. A
// service's lines add to those of the global section. Both were measured
// with Debian 12's stunnel4 5.68 and OpenSSL 3.0. A value OpenSSL rejects
// stops stunnel, so it is an error here too.
func (s *state) applyConfig() ([]string, error) {
	var notes []string
	for _, o := range s.config {
		cmd, value, _ := strings.Cut(o.Value, ":")
		cmd, value = strings.TrimSpace(cmd), strings.TrimSpace(value)
		bad := func(want string) error {
			return &ParseError{File: o.File, Line: o.Line, Reason: fmt.Sprintf("invalid %s value %q, with which stunnel fails to start; use %s", cmd, value, want)}
		}
		opt := o
		opt.arg = value
		switch strings.ToLower(cmd) {
		case "minprotocol", "maxprotocol":
			i, ok := confVersionIndex(value)
			if !ok {
				return nil, bad("None, SSLv3, TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3, spelled in this case")
			}
			if strings.EqualFold(cmd, "MinProtocol") {
				s.minVersion, s.minIndex = &opt, max(i, ssl30)
			} else {
				s.maxVersion, s.maxIndex = &opt, i
			}
		case "cipherstring":
			s.ciphers = &opt
		case "ciphersuites":
			s.cipherSuites = &opt
		case "protocol":
			for _, item := range strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
				name, disable := strings.CutPrefix(item, "-")
				name = strings.TrimPrefix(name, "+")
				var set *Option
				if disable {
					set = &opt
				}
				switch i, ok := confVersionIndex(name); {
				case name == "ALL":
					for j := range s.disabled {
						s.disabled[j] = set
					}
				case ok && i >= 0:
					s.disabled[i] = set
				case name == "SSLv2" || name == "DTLSv1" || name == "DTLSv1.2":
					// Not a TLS version this audit lists.
				default:
					return nil, bad("a list such as -TLSv1.1,-TLSv1 of ALL, SSLv3, TLSv1, TLSv1.1, TLSv1.2 and TLSv1.3")
				}
			}
		case "options":
			for _, item := range strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
				switch item {
				case "ServerPreference":
					s.serverPreference = &opt
				case "-ServerPreference":
					s.serverPreference = nil
				}
			}
		default:
			notes = append(notes, fmt.Sprintf("%s:%d: %s is passed to OpenSSL, which the audit does not model; it does not change versions or cipher suites, but VerifyMode can change the client-certificate mode", o.File, o.Line, o.Text()))
		}
	}
	return notes, nil
}

// confVersionIndex maps a MinProtocol, MaxProtocol or Protocol word of
// OpenSSL, which compares them with case, to its index: -1 for None.
func confVersionIndex(word string) (int, bool) {
	if word == "None" {
		return -1, true
	}
	i := slices.Index(versionWords, word)
	return i, i >= 0
}

func yesNo(o Option) (bool, error) {
	switch strings.ToLower(o.Value) {
	case "yes":
		return true, nil
	case "no":
		return false, nil
	}
	return false, &ParseError{File: o.File, Line: o.Line, Reason: fmt.Sprintf("invalid %s value %q; use yes or no", o.Name, o.Value)}
}

// versionIndex maps an sslVersion* word to its index, -1 for "all".
func versionIndex(word string) (int, bool) {
	if strings.EqualFold(word, "all") {
		return -1, true
	}
	for i, w := range versionWords {
		if strings.EqualFold(word, w) {
			return i, true
		}
	}
	return 0, false
}

// Effective computes one Listener per TLS server service of cfg: a
// service with accept and without client = yes. Each service starts from
// the options of the global section, then applies its own lines in order.
// Errors name the file and line of an invalid value.
//
// stunnel 5.68 refuses the whole configuration when one service, client
// services included, fails to initialise: every listener then accepts no
// version, traced to the line at fault, with a note (see startFailure).
func Effective(cfg *Config, opts Options) ([]audit.Listener, error) {
	if opts.Version == "" {
		opts.Version = DefaultVersion
	}
	global := newState()
	for _, o := range cfg.Global {
		if err := global.apply(o); err != nil {
			return nil, err
		}
	}
	listeners := []audit.Listener{}
	var failure *startFailure
	for _, sec := range cfg.Services {
		s := global
		for _, o := range sec.Options {
			if err := s.apply(o); err != nil {
				return nil, err
			}
		}
		if failure == nil {
			failure = s.startFailure(sec)
		}
		if s.client || s.accept == nil {
			continue
		}
		l, err := listener(sec, &s, opts)
		if err != nil {
			return nil, err
		}
		listeners = append(listeners, l)
	}
	if failure != nil {
		for i := range listeners {
			failure.apply(&listeners[i])
		}
	}
	return listeners, nil
}

// startFailure is a service setting with which stunnel refuses the whole
// configuration at start ("Configuration failed"), so no service runs.
type startFailure struct {
	// at is the line to change, and directive its text with the context
	// that makes it fail.
	at        *Option
	directive string
	// message is stunnel's log line for the service.
	message string
	section string
}

// startFailure returns why stunnel 5.68 refuses the service sec with the
// settings s, or nil. Both cases were measured on Debian 12's stunnel4:
// sslVersionMin above sslVersionMax gives "Invalid protocol version
// range", and a verify level of 1 or more, verifyChain = yes or
// verifyPeer = yes without CAfile, CApath or CAengine gives "Either
// "CAengine", "CAfile" or "CApath" has to be configured".
func (s *state) startFailure(sec Section) *startFailure {
	if s.minVersion != nil && s.maxVersion != nil && s.maxIndex >= 0 && s.minIndex > s.maxIndex {
		// The line to change is the bound that keeps TLS 1.2 out.
		at, other := s.minVersion, s.maxVersion
		if s.maxIndex < tls12 {
			at, other = s.maxVersion, s.minVersion
		}
		return &startFailure{
			at:        at,
			directive: fmt.Sprintf("%s (with %s at %s:%d)", at.Text(), other.Text(), other.File, other.Line),
			message:   "Invalid protocol version range",
			section:   sec.Name,
		}
	}
	if s.verifyLine != nil && !s.caSet {
		return &startFailure{
			at:        s.verifyLine,
			directive: s.verifyLine.Text() + noCASuffix,
			message:   `Either "CAengine", "CAfile" or "CApath" has to be configured`,
			section:   sec.Name,
		}
	}
	return nil
}

// apply makes l accept no version, traced to the line at fault, and notes
// why.
func (f *startFailure) apply(l *audit.Listener) {
	if !slices.Contains(l.Versions.Values, "TLS 1.2") {
		l.SuitesWithTLS12 = nil
	} else {
		l.SuitesWithTLS12 = l.Suites.Values
	}
	l.Versions = audit.Setting{Values: []string{}, File: f.at.File, Line: f.at.Line, Directive: f.directive}
	if c := &l.ClientCertificate; c.File == f.at.File && c.Line == f.at.Line {
		// The same line: its fix must be the one that lets stunnel start.
		c.Directive = f.directive
	}
	l.Notes = append(l.Notes, fmt.Sprintf("stunnel refuses the whole configuration, so no service runs, this one included: service [%s] fails with \"%s\" because of %s:%d, %s, then stunnel logs \"Configuration failed\" and exits", f.section, f.message, f.at.File, f.at.Line, f.directive))
}

func listener(sec Section, s *state, opts Options) (audit.Listener, error) {
	configNotes, err := s.applyConfig()
	if err != nil {
		return audit.Listener{}, err
	}
	l := audit.Listener{
		Software: "stunnel",
		Name:     fmt.Sprintf("[%s] accept = %s", sec.Name, s.accept.Value),
		File:     sec.File,
		Line:     sec.Line,
	}

	level := defaultSecurityLevel
	if s.securityLevel != nil {
		level, _ = strconv.Atoi(s.securityLevel.Value)
	}
	ciphers := defaultCiphers
	if s.ciphers != nil {
		ciphers = s.ciphers.value()
	}
	res, err := cipherstring.Evaluate(ciphers, opts.OpenSSL, cipherstring.Options{SecurityLevel: level})
	if err != nil {
		if s.ciphers != nil {
			return l, &ParseError{File: s.ciphers.File, Line: s.ciphers.Line, Reason: fmt.Sprintf("ciphers value %q is invalid (%v); stunnel fails to start with it, so fix the cipher string", ciphers, err)}
		}
		return l, &ParseError{File: sec.File, Line: sec.Line, Reason: fmt.Sprintf("stunnel's default cipher string %q is invalid for %s: %v", ciphers, opts.OpenSSL, err)}
	}

	versions, setting, notes := effectiveVersions(s, res, opts)
	l.Versions = setting
	l.Notes = append(l.Notes, configNotes...)
	l.Notes = append(l.Notes, notes...)

	keyTypes, note := certificateKeyType(s.cert)
	if note != "" {
		l.Notes = append(l.Notes, note)
	}
	l.Suites = suitesSetting(s, res, versions, keyTypes, opts)
	if !slices.Contains(versions, "TLS 1.2") {
		// For audit.Judge: the suites TLS 1.2 would bring once allowed.
		l.SuitesWithTLS12 = suitesSetting(s, res, []string{"TLS 1.2"}, keyTypes, opts).Values
	}
	if s.serverPreference == nil && len(l.Suites.Values) > 1 {
		l.Notes = append(l.Notes, "stunnel leaves CIPHER_SERVER_PREFERENCE off unless an options = CIPHER_SERVER_PREFERENCE line sets it, so the client's suite order decides and the listed order is only the cipher string's")
	}
	if slices.Contains(versions, "TLS 1.3") {
		l.Suites13 = suites13Setting(s, opts)
	}
	l.ClientCertificate = clientCertificateSetting(s, opts)
	if !s.caSet && (s.requireLine != nil || s.verifyLevel == 0) {
		// Measured on stunnel 5.68: it starts, logs "No trusted
		// certificates found" and can verify no client certificate.
		o := s.requireLine
		if o == nil {
			o = s.clientCertificate
		}
		l.Notes = append(l.Notes, fmt.Sprintf("%s:%d: %s without CAfile, CApath or CAengine: stunnel logs \"No trusted certificates found\" and trusts no client certificate, so a client that sends one fails too; set CAfile to the CA of the client certificates, or requireCert = no", o.File, o.Line, o.Text()))
	}
	if s.require && (s.verifyChain || s.verifyPeer) {
		l.Notes = append(l.Notes, "the client-certificate fix replaces verifyChain or verifyPeer with requireCert = no, which stops verifying; to keep verifying a certificate that a client sends, keep that line and add requireCert = no after it (stunnel 5.68 then still verifies a certificate that comes, measured)")
	}
	return l, nil
}

// effectiveVersions returns the versions a service accepts, the setting
// that decided them and notes on versions the configuration allows but
// OpenSSL does not.
func effectiveVersions(s *state, res *cipherstring.Result, opts Options) ([]string, audit.Setting, []string) {
	lo, hi := s.minIndex, s.maxIndex
	if hi < 0 {
		hi = tls13
	}
	setting := audit.Setting{Directive: describeDefault(opts, "sslVersionMin = TLSv1 and sslVersionMax = all; no sslVersion option")}
	// The line that decides is the later of the two bounds set.
	var decided *Option
	for _, o := range []*Option{s.minVersion, s.maxVersion} {
		if o != nil && (decided == nil || o.File != decided.File || o.Line > decided.Line) {
			decided = o
		}
	}
	if decided != nil {
		setting.File, setting.Line, setting.Directive = decided.File, decided.Line, decided.Text()
	}

	var versions, notes []string
	for i := lo; i <= hi; i++ {
		switch {
		case i == ssl30:
			// Debian 12's OpenSSL 3.0 is built without SSLv3, and stunnel
			// sets NO_SSLv3 by default.
			continue
		case s.disabled[i] != nil:
			if setting.Line == 0 {
				setting.File, setting.Line, setting.Directive = s.disabled[i].File, s.disabled[i].Line, s.disabled[i].Text()
			}
			continue
		case i < tls12 && opts.OpenSSL == cipherstring.OpenSSL30 && res.SecurityLevel > 0:
			notes = append(notes, fmt.Sprintf("%s is allowed by the configuration, but OpenSSL 3.0 rejects it at security level %d; only securityLevel = 0 or @SECLEVEL=0 in the cipher string enables it", versionNames[i], res.SecurityLevel))
			continue
		}
		versions = append(versions, versionNames[i])
	}
	if lo > hi {
		notes = append(notes, fmt.Sprintf("sslVersionMin %s is above sslVersionMax %s, so no version is left", versionWords[lo], versionWords[hi]))
	}
	if s.minVersion == nil {
		notes = append(notes, "without sslVersion or sslVersionMin, stunnel leaves the minimum version to OpenSSL, so a MinProtocol in openssl.cnf (system_default) applies: with MinProtocol = TLSv1.3, stunnel 5.68 accepted TLS 1.3 alone (measured); the audit assumes Debian 12's openssl.cnf, which sets none")
	}
	if !slices.Contains(versions, "TLS 1.2") {
		notes = append(notes, "the versions fix replaces the line at fault; remove any other sslVersion, sslVersionMin, sslVersionMax or options = NO_TLSv1_2 line of this service and of the global section that still keeps TLS 1.2 out")
	}
	setting.Values = versions
	if setting.Values == nil {
		setting.Values = []string{}
	}
	return versions, setting, notes
}

// suitesSetting lists the TLS 1.2-and-older suites stunnel offers, which
// are the cipher string's usable suites with some left out. Out go SRP
// suites, PSK suites unless PSKsecrets is set, suites whose authentication
// the certificate does not provide, and TLS 1.2 suites when TLS 1.2 is off.
// DHE suites stay, because Debian 12's stunnel 5.68 offers them without DH
// parameters in the certificate file (measured).
func suitesSetting(s *state, res *cipherstring.Result, versions []string, keyTypes []string, opts Options) audit.Setting {
	setting := audit.Setting{Values: []string{}}
	if s.ciphers != nil {
		setting.File, setting.Line, setting.Directive = s.ciphers.File, s.ciphers.Line, s.ciphers.Text()
	} else {
		setting.Directive = describeDefault(opts, fmt.Sprintf("ciphers = %s at security level %d; no ciphers option", defaultCiphers, res.SecurityLevel))
	}
	hasOld := slices.ContainsFunc(versions, func(v string) bool { return v != "TLS 1.3" })
	if !hasOld {
		return setting
	}
	has12 := slices.Contains(versions, "TLS 1.2")
	for _, suite := range res.Usable() {
		switch suite.KeyExchange {
		case "kSRP":
			continue
		case "kPSK", "kRSAPSK", "kDHEPSK", "kECDHEPSK":
			if s.pskSecrets == nil {
				continue
			}
		}
		if suite.Authentication != "aNULL" && suite.Authentication != "aPSK" && keyTypes != nil && !slices.Contains(keyTypes, suite.Authentication) {
			continue
		}
		if suite.Protocol == "TLSv1.2" && !has12 {
			continue
		}
		setting.Values = append(setting.Values, registry.SuiteName(suite.ID))
	}
	return setting
}

// suites13Setting lists the TLS 1.3 suites of the ciphersuites option, or
// stunnel's default list, in order. Names OpenSSL does not know are left
// out, as OpenSSL skips them.
func suites13Setting(s *state, opts Options) audit.Setting {
	value := defaultCipherSuites
	setting := audit.Setting{Directive: describeDefault(opts, "ciphersuites = "+defaultCipherSuites+"; no ciphersuites option")}
	if s.cipherSuites != nil {
		value = s.cipherSuites.value()
		setting.File, setting.Line, setting.Directive = s.cipherSuites.File, s.cipherSuites.Line, s.cipherSuites.Text()
	}
	setting.Values = []string{}
	for _, name := range strings.Split(value, ":") {
		if info, ok := registry.SuiteByName(strings.TrimSpace(name)); ok && !slices.Contains(setting.Values, info.Name) {
			setting.Values = append(setting.Values, info.Name)
		}
	}
	return setting
}

// clientCertificateSetting returns "required", "optional" or "off" and the
// line that decided it.
func clientCertificateSetting(s *state, opts Options) audit.Setting {
	mode := "off"
	switch {
	case s.require:
		mode = "required"
	case s.verifyRequested || s.verifyChain || s.verifyPeer:
		mode = "optional"
	}
	setting := audit.Setting{Values: []string{mode}, Directive: describeDefault(opts, "no verify, verifyChain, verifyPeer or requireCert option")}
	if o := s.clientCertificate; o != nil {
		setting.File, setting.Line, setting.Directive = o.File, o.Line, o.Text()
	}
	return setting
}

// certificateKeyType returns the OpenSSL authentication alias (aRSA,
// aECDSA, aDSS) of the first certificate in the cert file. nil means
// unknown, with a note saying why.
func certificateKeyType(cert *Option) ([]string, string) {
	if cert == nil {
		return nil, "the service names no cert, so suites are not narrowed to a key type (stunnel needs a certificate in server mode)"
	}
	path := cert.Value
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(cert.File), path)
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Sprintf("cannot read the certificate %s (%v), so suites are not narrowed to its key type", path, pathErrorReason(err))
	}
	if info.Size() > audit.MaxFileSize {
		return nil, fmt.Sprintf("the certificate %s exceeds %d bytes, so suites are not narrowed to its key type", path, audit.MaxFileSize)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Sprintf("cannot read the certificate %s (%v), so suites are not narrowed to its key type", path, pathErrorReason(err))
	}
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Sprintf("cannot parse the certificate in %s (%v), so suites are not narrowed to its key type", path, err)
		}
		switch c.PublicKeyAlgorithm {
		case x509.RSA:
			return []string{"aRSA"}, ""
		case x509.ECDSA:
			return []string{"aECDSA"}, ""
		case x509.DSA:
			return []string{"aDSS"}, ""
		}
		return nil, fmt.Sprintf("the certificate in %s has a %v key, so suites are not narrowed to its key type", path, c.PublicKeyAlgorithm)
	}
	return nil, fmt.Sprintf("no PEM CERTIFICATE block in %s (a PKCS#12 file is not read), so suites are not narrowed to its key type", path)
}
