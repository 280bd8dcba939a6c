package nginx

import (
	"fmt"
	"slices"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/audit/cipherstring"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// sslKeys are the directives that a server block inherits from its http or
// stream block when it does not set them.
var sslKeys = []string{
	"ssl", "ssl_protocols", "ssl_ciphers", "ssl_prefer_server_ciphers",
	"ssl_verify_client", "ssl_reject_handshake", "ssl_dhparam",
	"ssl_certificate",
}

// scope holds the ssl directives set in one block. ssl_certificate and
// ssl_conf_command may repeat, so each key maps to every occurrence.
type scope map[string][]*Directive

func collect(block []*Directive) (scope, error) {
	s := scope{}
	for _, d := range block {
		if d.Block != nil {
			continue
		}
		if d.Name == "ssl_conf_command" || d.Name == "ssl_certificate" {
			s[d.Name] = append(s[d.Name], d)
			continue
		}
		if !slices.Contains(sslKeys, d.Name) {
			continue
		}
		if prev := s[d.Name]; len(prev) > 0 {
			return nil, &ParseError{File: d.File, Line: d.Line, Reason: fmt.Sprintf("%q directive is duplicate of the one at %s:%d, which nginx -t rejects: keep one", d.Name, prev[0].File, prev[0].Line)}
		}
		s[d.Name] = []*Directive{d}
	}
	return s, nil
}

// merge returns the server's settings with the parent's filling every key
// the server leaves unset, as nginx merges server configuration.
func merge(server, parent scope) scope {
	out := scope{}
	for k, v := range parent {
		out[k] = v
	}
	for k, v := range server {
		out[k] = v
	}
	return out
}

func (s scope) one(key string) *Directive {
	if v := s[key]; len(v) > 0 {
		return v[0]
	}
	return nil
}

// listeners walks the parsed configuration and returns one Listener per
// server block of an http or stream block that terminates TLS.
func listeners(top []*Directive, opts Options, v nginxVersion) ([]audit.Listener, error) {
	var out []audit.Listener
	for _, d := range top {
		if d.Block == nil || (d.Name != "http" && d.Name != "stream") {
			continue
		}
		parent, err := collect(d.Block)
		if err != nil {
			return nil, err
		}
		var servers []serverTLS
		for _, srv := range d.Block {
			if srv.Block == nil || srv.Name != "server" {
				continue
			}
			own, err := collect(srv.Block)
			if err != nil {
				return nil, err
			}
			s, ok, err := listener(d.Name, srv, merge(own, parent), opts, v)
			if err != nil {
				return nil, err
			}
			if ok {
				servers = append(servers, s)
			}
		}
		shareVersions(servers)
		for _, s := range servers {
			out = append(out, s.listener)
		}
	}
	return out, nil
}

// serverTLS is one TLS server block with what shareVersions needs.
type serverTLS struct {
	listener audit.Listener
	// addresses are the listen addresses, such as "*:443", and
	// defaultFor the ones where the block is marked default_server.
	addresses  []string
	defaultFor map[string]bool
	// handshakeVersions is the versions setting before
	// ssl_reject_handshake, which still applies to clients whose SNI
	// selects another server on the same address.
	handshakeVersions audit.Setting
	// usable are the TLS 1.2-and-older suites of the server's cipher
	// string that its certificate and settings allow.
	usable []cipherstring.Suite
}

// listener computes the effective TLS settings of one server block. ok is
// false when the block does not terminate TLS.
func listener(context string, srv *Directive, eff scope, opts Options, v nginxVersion) (s serverTLS, ok bool, err error) {
	s.defaultFor = map[string]bool{}
	var tlsListens []string
	sslOn := false
	if d := eff.one("ssl"); d != nil && len(d.Args) == 1 && d.Args[0] == "on" {
		sslOn = true
	}
	hasListen := false
	for _, d := range srv.Block {
		if d.Name != "listen" || d.Block != nil || len(d.Args) == 0 {
			continue
		}
		hasListen = true
		if sslOn || slices.Contains(d.Args, "ssl") {
			tlsListens = append(tlsListens, strings.TrimSuffix(d.Text(), ";"))
			addr := listenAddress(d.Args[0])
			s.addresses = append(s.addresses, addr)
			if slices.Contains(d.Args, "default_server") || slices.Contains(d.Args, "default") {
				s.defaultFor[addr] = true
			}
		}
	}
	if !hasListen && sslOn {
		tlsListens = append(tlsListens, "listen *:80 (default)")
		s.addresses = append(s.addresses, "*:80")
	}
	if len(tlsListens) == 0 {
		return s, false, nil
	}

	name := "_"
	for _, d := range srv.Block {
		if d.Name == "server_name" && len(d.Args) > 0 {
			name = strings.Join(d.Args, " ")
		}
	}
	l := audit.Listener{
		Software: "nginx",
		Name:     fmt.Sprintf("%s server %s (%s)", context, name, strings.Join(tlsListens, ", ")),
		File:     srv.File,
		Line:     srv.Line,
	}
	if context == "http" {
		l.Name = fmt.Sprintf("server %s (%s)", name, strings.Join(tlsListens, ", "))
	}
	if d := eff.one("ssl"); d != nil && sslOn {
		l.Notes = append(l.Notes, fmt.Sprintf("%s:%d: \"ssl on\" is deprecated since nginx 1.15.0 and removed in 1.25.1; use \"listen ... ssl\"", d.File, d.Line))
	}

	e := &evaluation{opts: opts, version: v, eff: eff, l: &l}
	if err := e.run(); err != nil {
		return s, false, err
	}
	s.listener = l
	s.handshakeVersions = e.handshakeVersions
	s.usable = e.usable
	return s, true, nil
}

// evaluation computes one listener's settings step by step.
type evaluation struct {
	opts    Options
	version nginxVersion
	eff     scope
	l       *audit.Listener

	protocols  []string // nginx keywords, before library limits
	cipherText string
	cipherFrom audit.Setting
	minProto   string
	maxProto   string
	protoEdits []string // Protocol command items, such as "-TLSv1.1"
	serverPref bool

	// handshakeVersions is Versions before ssl_reject_handshake.
	handshakeVersions audit.Setting
	usable            []cipherstring.Suite
}

func (e *evaluation) defaultOf(directive string) string {
	return fmt.Sprintf("default of nginx %d.%d.%d (%s absent)", e.version[0], e.version[1], e.version[2], directive)
}

func (e *evaluation) run() error {
	l := e.l

	// Versions as ssl_protocols sets them.
	if d := e.eff.one("ssl_protocols"); d != nil {
		if len(d.Args) == 0 {
			return &ParseError{File: d.File, Line: d.Line, Reason: "ssl_protocols needs at least one protocol, such as TLSv1.2"}
		}
		for _, a := range d.Args {
			if _, ok := protocolNames[a]; !ok {
				return &ParseError{File: d.File, Line: d.Line, Reason: fmt.Sprintf("invalid value %q in ssl_protocols: use SSLv2, SSLv3, TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3", a)}
			}
		}
		e.protocols = d.Args
		l.Versions = audit.Setting{File: d.File, Line: d.Line, Directive: d.Text()}
	} else {
		e.protocols = defaultProtocols(e.version)
		l.Versions = audit.Setting{Directive: e.defaultOf("ssl_protocols") + ": " + strings.Join(e.protocols, " ")}
	}

	// Cipher string as ssl_ciphers sets it.
	if d := e.eff.one("ssl_ciphers"); d != nil {
		if len(d.Args) != 1 {
			return &ParseError{File: d.File, Line: d.Line, Reason: fmt.Sprintf("ssl_ciphers takes one cipher string, got %d arguments; join them with \":\"", len(d.Args))}
		}
		e.cipherText = d.Args[0]
		e.cipherFrom = audit.Setting{File: d.File, Line: d.Line, Directive: d.Text()}
	} else {
		e.cipherText = defaultCiphers
		e.cipherFrom = audit.Setting{Directive: e.defaultOf("ssl_ciphers") + ": " + defaultCiphers}
	}
	if d := e.eff.one("ssl_prefer_server_ciphers"); d != nil && len(d.Args) == 1 && d.Args[0] == "on" {
		e.serverPref = true
	}

	// ssl_conf_command runs after ssl_protocols and ssl_ciphers, so its
	// commands override them.
	if err := e.confCommands(); err != nil {
		return err
	}

	res, err := cipherstring.Evaluate(e.cipherText, e.opts.OpenSSL, cipherstring.Options{SecurityLevel: e.opts.SecurityLevel})
	if err != nil {
		return &ParseError{File: e.cipherFrom.File, Line: e.cipherFrom.Line, Reason: fmt.Sprintf("nginx would not start: %v", err)}
	}
	e.usable = e.serverSuites(res)
	e.versions(res, e.usable)
	e.l.Suites = e.cipherFrom
	e.l.Suites.Values = suiteNames(e.usable, e.l.Versions.Values)
	e.l.SuitesWithTLS12 = suitesWithTLS12(e.usable, e.l.Versions.Values)
	if !e.serverPref && len(l.Suites.Values) > 1 {
		l.Notes = append(l.Notes, "ssl_prefer_server_ciphers is off, so the client's order picks the TLS 1.2 suite; Suites lists the cipher string's order")
	}
	e.clientCertificate()
	e.handshakeVersions = e.l.Versions
	e.reject()
	return nil
}

// confCommands applies the ssl_conf_command directives that change
// versions, suites or their order, and notes the others.
func (e *evaluation) confCommands() error {
	for _, d := range e.eff["ssl_conf_command"] {
		if len(d.Args) != 2 {
			return &ParseError{File: d.File, Line: d.Line, Reason: fmt.Sprintf("ssl_conf_command takes a name and a value, got %d arguments", len(d.Args))}
		}
		name, value := d.Args[0], d.Args[1]
		switch strings.ToLower(name) {
		case "ciphersuites":
			var suites []string
			for _, s := range strings.Split(value, ":") {
				if s == "" {
					continue
				}
				if info, ok := registry.SuiteByName(s); ok {
					suites = append(suites, info.Name)
				} else {
					e.l.Notes = append(e.l.Notes, fmt.Sprintf("%s:%d: OpenSSL does not know TLS 1.3 suite %q and skips it", d.File, d.Line, s))
				}
			}
			e.l.Suites13 = audit.Setting{Values: suites, File: d.File, Line: d.Line, Directive: d.Text()}
		case "cipherstring":
			e.cipherText = value
			e.cipherFrom = audit.Setting{File: d.File, Line: d.Line, Directive: d.Text()}
		case "minprotocol":
			e.minProto = value
			e.l.Versions = audit.Setting{File: d.File, Line: d.Line, Directive: d.Text()}
		case "maxprotocol":
			e.maxProto = value
			e.l.Versions = audit.Setting{File: d.File, Line: d.Line, Directive: d.Text()}
		case "protocol":
			e.protoEdits = append(e.protoEdits, strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == ' ' })...)
			e.l.Versions = audit.Setting{File: d.File, Line: d.Line, Directive: d.Text()}
		case "options":
			for _, o := range strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == ' ' }) {
				switch o {
				case "ServerPreference", "+ServerPreference":
					e.serverPref = true
				case "-ServerPreference":
					e.serverPref = false
				}
			}
		default:
			e.l.Notes = append(e.l.Notes, fmt.Sprintf("%s:%d: %s is not modelled by the audit; check its effect with a scan", d.File, d.Line, d.Text()))
		}
	}
	return nil
}

// versions fills Versions.Values: the listed protocols that the OpenSSL
// build and security level allow and that have a usable suite.
func (e *evaluation) versions(res *cipherstring.Result, usable []cipherstring.Suite) {
	allowed := map[string]bool{}
	for _, p := range e.protocols {
		allowed[protocolNames[p]] = true
	}
	for _, edit := range e.protoEdits {
		switch {
		case strings.EqualFold(edit, "ALL"), strings.EqualFold(edit, "+ALL"):
			for _, v := range versionOrder {
				allowed[v] = true
			}
		case strings.EqualFold(edit, "-ALL"):
			clear(allowed)
		case strings.HasPrefix(edit, "-"):
			delete(allowed, protocolNames[edit[1:]])
		default:
			if name, ok := protocolNames[strings.TrimPrefix(edit, "+")]; ok {
				allowed[name] = true
			}
		}
	}
	// nginx sets its own version range from ssl_protocols or its default,
	// so MinProtocol in openssl.cnf does not apply: with MinProtocol =
	// TLSv1.3 system-wide, nginx 1.22.1 without ssl_protocols accepted
	// TLS 1.2 alone (measured on Debian 12).
	// TODO: a CipherString in /etc/ssl/openssl.cnf is not read; the audit
	// assumes Debian 12's stock openssl.cnf, which sets none.
	minIndex, maxIndex := 0, len(versionOrder)-1
	if name, ok := protocolNames[e.minProto]; ok {
		minIndex = slices.Index(versionOrder, name)
	}
	if name, ok := protocolNames[e.maxProto]; ok {
		maxIndex = slices.Index(versionOrder, name)
	}

	legacySuite, tls12Suite := false, false
	for _, s := range usable {
		tls12Suite = true
		if s.Protocol != "TLSv1.2" {
			legacySuite = true
		}
	}

	var out []string
	for i, v := range versionOrder {
		if !allowed[v] || i < minIndex || i > maxIndex {
			continue
		}
		switch v {
		case "SSL 2.0":
			e.note("SSLv2 is listed but OpenSSL 1.1.0 and later cannot speak it")
			continue
		case "SSL 3.0":
			if e.opts.OpenSSL != cipherstring.OpenSSL102 {
				e.note("SSLv3 is listed but Debian builds OpenSSL 1.1.1 and 3.0 without it")
				continue
			}
		case "TLS 1.0", "TLS 1.1":
			// OpenSSL 3.0 rejects TLS 1.0 and 1.1 from security level
			// 1 up, because their handshake signs with SHA-1.
			if e.opts.OpenSSL == cipherstring.OpenSSL30 && res.SecurityLevel > 0 {
				e.note(fmt.Sprintf("%s is listed but OpenSSL 3.0 at security level %d rejects it; only @SECLEVEL=0 in the cipher string allows it", v, res.SecurityLevel))
				continue
			}
			if !legacySuite {
				e.note(fmt.Sprintf("%s is listed but the cipher string leaves no suite older than TLS 1.2, so no %s handshake completes", v, v))
				continue
			}
		case "TLS 1.2":
			if !tls12Suite {
				e.noTLS12Suite(res)
				continue
			}
		case "TLS 1.3":
			if e.opts.OpenSSL == cipherstring.OpenSSL102 {
				e.note("TLS 1.3 is listed but OpenSSL 1.0.2 cannot speak it")
				continue
			}
			if e.l.Suites13.Directive != "" && len(e.l.Suites13.Values) == 0 {
				e.note("TLS 1.3 is listed but ssl_conf_command Ciphersuites leaves no TLS 1.3 suite")
				continue
			}
		}
		out = append(out, v)
	}
	e.l.Versions.Values = out
}

// noTLS12Suite notes that the cipher directive leaves TLS 1.2 no suite,
// with the reason when DHE suites lack ssl_dhparam. It traces Versions to
// the cipher directive, because that is the line to change, and a fix of
// ssl_protocols would repeat the line as it is.
func (e *evaluation) noTLS12Suite(res *cipherstring.Result) {
	where := e.cipherFrom.Directive
	if e.cipherFrom.Line > 0 {
		where = fmt.Sprintf("%s (%s:%d)", strings.TrimSpace(e.cipherFrom.Directive), e.cipherFrom.File, e.cipherFrom.Line)
	}
	reason := "no suite that this server's certificate and settings can use"
	hasDHE := slices.ContainsFunc(res.Usable(), func(s cipherstring.Suite) bool { return s.KeyExchange == "kDHE" })
	if hasDHE && e.eff.one("ssl_dhparam") == nil {
		reason = "no suite this server can use, because nginx offers no DHE suite without ssl_dhparam, which is not set"
	}
	e.note(fmt.Sprintf("TLS 1.2 is listed, but %s leaves %s, so no TLS 1.2 handshake completes; the fix is an ssl_ciphers line with ECDHE suites (or ssl_dhparam for the DHE suites)", where, reason))
	if e.cipherFrom.Line > 0 {
		e.l.Versions.File, e.l.Versions.Line, e.l.Versions.Directive = e.cipherFrom.File, e.cipherFrom.Line, e.cipherFrom.Directive
	}
}

// suiteNames returns the IANA names of the usable suites that the
// TLS 1.2-and-older versions among versions can negotiate.
func suiteNames(usable []cipherstring.Suite, versions []string) []string {
	tls12 := slices.Contains(versions, "TLS 1.2")
	legacy := slices.ContainsFunc(versions, func(v string) bool { return v != "TLS 1.2" && v != "TLS 1.3" })
	names := []string{}
	for _, s := range usable {
		if !tls12 && (!legacy || s.Protocol == "TLSv1.2") {
			continue
		}
		names = append(names, registry.SuiteName(s.ID))
	}
	return names
}

// suitesWithTLS12 returns, when versions lacks TLS 1.2, the suites TLS 1.2
// would negotiate once allowed, for audit.Judge; nil otherwise.
func suitesWithTLS12(usable []cipherstring.Suite, versions []string) []string {
	if slices.Contains(versions, "TLS 1.2") {
		return nil
	}
	return suiteNames(usable, []string{"TLS 1.2"})
}

// serverSuites filters the usable suites of the cipher string down to those
// this server can negotiate: its certificate's key type decides the
// authentication, DHE needs ssl_dhparam, and nginx configures no PSK or
// SRP.
func (e *evaluation) serverSuites(res *cipherstring.Result) []cipherstring.Suite {
	rsaKey, ecKey := e.certificateKeys()
	dhe := e.eff.one("ssl_dhparam") != nil
	var out []cipherstring.Suite
	for _, s := range res.Usable() {
		switch s.KeyExchange {
		case "kRSA", "kECDHE":
		case "kDHE":
			if !dhe {
				continue
			}
		default:
			continue
		}
		switch s.Authentication {
		case "aRSA":
			if !rsaKey {
				continue
			}
		case "aECDSA":
			if !ecKey {
				continue
			}
		default:
			continue
		}
		out = append(out, s)
	}
	return out
}

func (e *evaluation) clientCertificate() {
	d := e.eff.one("ssl_verify_client")
	if d == nil {
		e.l.ClientCertificate = audit.Setting{Values: []string{"off"}, Directive: e.defaultOf("ssl_verify_client") + ": off"}
		return
	}
	value := "off"
	if len(d.Args) == 1 {
		switch d.Args[0] {
		case "on":
			value = "required"
		case "optional", "optional_no_ca":
			value = "optional"
		}
	}
	e.l.ClientCertificate = audit.Setting{Values: []string{value}, File: d.File, Line: d.Line, Directive: d.Text()}
	if value == "required" {
		e.note("nginx completes the handshake without a client certificate and answers HTTP 400 (\"No required SSL certificate was sent\")")
		e.note("ssl_verify_client optional; still verifies a certificate that a client sends, and ssl_verify_client off; stops asking for one: use off when no client of this server sends a certificate")
	}
}

// reject applies ssl_reject_handshake on: the server block completes no
// handshake, so no version or suite is allowed.
func (e *evaluation) reject() {
	d := e.eff.one("ssl_reject_handshake")
	if d == nil || len(d.Args) != 1 || d.Args[0] != "on" {
		return
	}
	e.handshakeVersions = e.l.Versions
	e.l.Versions = audit.Setting{Values: []string{}, File: d.File, Line: d.Line, Directive: d.Text()}
	e.l.Suites.Values = []string{}
	e.l.RejectsHandshakes = true
	e.note("ssl_reject_handshake is on: a client whose SNI selects this server, or that sends no SNI when this is the default server, gets the alert unrecognized_name; Java sends no SNI for localhost or IP literals")
}

func (e *evaluation) note(s string) {
	e.l.Notes = append(e.l.Notes, s)
}
