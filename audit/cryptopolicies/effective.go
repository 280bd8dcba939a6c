package cryptopolicies

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/audit/cipherstring"
	"github.com/scimdoctor/scimdoctor/clients"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

var (
	versionNames = []string{"TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}
	policyNames  = []string{"TLS1.0", "TLS1.1", "TLS1.2", "TLS1.3"}
)

// Effective returns the listener for an OpenSSL-linked server (nginx,
// Apache httpd, HAProxy, stunnel) on a host running c, when the server sets
// no versions or suites of its own. Its versions are those between the
// policy's lowest and highest TLS version that the security level lets
// OpenSSL use. Its suites are the TLS 1.2-and-older suites of the
// generated CipherString for an RSA certificate, and the generated
// Ciphersuites.
func Effective(c *Composite) audit.Listener {
	s := c.For(OpenSSL)
	l := audit.Listener{
		Software: "crypto-policies",
		Name:     fmt.Sprintf("%s system policy %s (OpenSSL back end)", c.Release, c.Spec),
	}
	if f := c.Files[0]; !c.BuiltIn[f] {
		l.File = f.Path
	}

	level := securityLevel(s)
	cipherString := OpenSSLCipherString(s)
	versions, setting, notes := versionsOf(c, s, level)
	l.Versions = setting
	l.Notes = append(l.Notes, notes...)
	l.Suites = suitesOf(c, s, cipherString, versions, &l)
	if !slices.Contains(versions, "TLS 1.2") {
		// The suites a fix that allows TLS 1.2 and 1.3 would bring.
		var discard audit.Listener
		l.SuitesWithTLS12 = suitesOf(c, s, cipherString, []string{"TLS 1.2", "TLS 1.3"}, &discard).Values
	}
	if slices.Contains(versions, "TLS 1.3") {
		l.Suites13 = suites13Of(c, s)
	}
	l.ClientCertificate = audit.Setting{Values: []string{"off"}, Directive: "crypto-policies sets no client-certificate mode; the server's own configuration decides"}

	l.Notes = append(l.Notes, fmt.Sprintf("the OpenSSL back end writes CipherString = %s", cipherString))
	l.Notes = append(l.Notes, fmt.Sprintf("certificates need RSA keys of at least %d bits and DH parameters of at least %d bits (min_rsa_size, min_dh_size); OpenSSL runs at security level %d", s.Integers["min_rsa_size"], s.Integers["min_dh_size"], level))
	if s.Integers["__openssl_block_sha1_signatures"] == 1 && c.Release != RHEL8 {
		l.Notes = append(l.Notes, "OpenSSL rejects SHA-1 signatures, in certificates and in the TLS handshake; the SHA1 module allows them again")
	}
	if s.Enums["__ems"] == "ENFORCE" {
		l.Notes = append(l.Notes, "TLS 1.2 clients must send the extended master secret extension (RFC 7627); the NO-ENFORCE-EMS module relaxes this")
	}
	if groups := s.Enabled["group"]; len(groups) > 0 {
		l.Notes = append(l.Notes, "key exchange groups: "+strings.Join(groups, ", "))
	}
	l.Notes = append(l.Notes,
		"a server's own directives (nginx ssl_protocols and ssl_ciphers, Apache SSLProtocol and SSLCipherSuite) replace the policy's values, but only the ones they set; the policy still sets the minimum key sizes",
		"suites assume an RSA certificate; an ECDSA certificate gets the ECDSA suites instead",
		// TODO: compute the GnuTLS and NSS back ends, whose version and
		// suite lists differ from OpenSSL's for the same policy.
		"this listener covers the OpenSSL back end (back-ends/opensslcnf.config under /etc/crypto-policies) and the next one the Java back end (java.config); GnuTLS servers (gnutls.config) and NSS servers (nss.config) follow the same policy with their own version and suite lists, which this audit does not compute, so read those files on the server")
	for _, f := range c.Files[1:] {
		if !changesTLS(f) {
			l.Notes = append(l.Notes, fmt.Sprintf("module %s changes no setting that a TLS back end reads", f.Name))
		}
	}
	for _, f := range c.Files {
		l.Notes = append(l.Notes, f.Warnings...)
	}
	if c.Spec.Policy == "FIPS" {
		l.Notes = append(l.Notes, fipsNote(l.Suites.Values, l.Suites13.Values))
	}
	return l
}

// changesTLS reports whether a module has a directive that a TLS back end
// reads.
func changesTLS(p *Policy) bool {
	for _, d := range p.Directives {
		if scopeMatches(d.Scope, backendScopes[OpenSSL]) || scopeMatches(d.Scope, backendScopes[GnuTLS]) || scopeMatches(d.Scope, backendScopes[NSS]) || scopeMatches(d.Scope, backendScopes[Java]) {
			return true
		}
	}
	return false
}

// describe returns the Directive text of the directive that last set
// property, marked when it comes from a built-in policy.
func describe(c *Composite, s *Scoped, property string) audit.Setting {
	d, ok := s.Source[property]
	if !ok {
		return audit.Setting{Directive: fmt.Sprintf("no %s line in %s", property, c.Spec)}
	}
	if s.BuiltIn[property] {
		return audit.Setting{File: d.File, Directive: fmt.Sprintf("%s (line %d of %s as built into %s)", d.Text, d.Line, filepath.Base(d.File), c.Release)}
	}
	return audit.Setting{File: d.File, Line: d.Line, Directive: d.Text}
}

// versionsOf returns the TLS versions OpenSSL allows. The back end writes
// only a minimum and a maximum, so a version between them is allowed even
// when the policy leaves it out.
func versionsOf(c *Composite, s *Scoped, level int) ([]string, audit.Setting, []string) {
	setting := describe(c, s, "protocol")
	var notes []string
	lo, hi := 0, 3
	if v := s.minTLS(); v != "" {
		if i := slices.Index(policyNames, v); i >= 0 {
			lo = i
		}
	}
	if v := s.maxTLS(); v != "" {
		if i := slices.Index(policyNames, v); i >= 0 {
			hi = i
		} else if v == "SSL3.0" || v == "SSL2.0" {
			hi = -1
		}
	} else {
		notes = append(notes, "the policy enables no TLS version, so the back end writes no MinProtocol and OpenSSL keeps its own range")
	}
	var out []string
	for i := lo; i <= hi; i++ {
		if !s.Has("protocol", policyNames[i]) && s.minTLS() != "" {
			notes = append(notes, fmt.Sprintf("%s is not in the policy's protocol list, but OpenSSL allows it because the back end writes only MinProtocol = %s and MaxProtocol = %s", versionNames[i], openSSLProtocols[s.minTLS()], openSSLProtocols[s.maxTLS()]))
		}
		if i < 2 && c.Release.openSSL() == cipherstring.OpenSSL30 && level >= 1 {
			notes = append(notes, fmt.Sprintf("%s is allowed by the policy, but OpenSSL 3 on %s rejects it at security level %d; only a policy with min_rsa_size and min_dh_size below 1023 (security level 0) enables it", versionNames[i], c.Release, level))
			continue
		}
		out = append(out, versionNames[i])
	}
	if out == nil {
		out = []string{}
	}
	setting.Values = out
	return out, setting, notes
}

// suitesOf evaluates the generated cipher string and keeps the suites an
// RSA-certificate server without PSK or SRP offers at the allowed versions.
func suitesOf(c *Composite, s *Scoped, cipherString string, versions []string, l *audit.Listener) audit.Setting {
	setting := describe(c, s, "cipher")
	setting.Values = []string{}
	if !slices.ContainsFunc(versions, func(v string) bool { return v != "TLS 1.3" }) {
		return setting
	}
	res, err := cipherstring.Evaluate(cipherString, c.Release.openSSL(), cipherstring.Options{SecurityLevel: 1})
	if err != nil {
		l.Notes = append(l.Notes, fmt.Sprintf("the generated cipher string selects no TLS 1.2 suite (%v), so OpenSSL keeps its DEFAULT list; update-crypto-policies would report this policy as broken", err))
		return setting
	}
	has12 := slices.Contains(versions, "TLS 1.2")
	// NOTE: the suite table is that of Debian 12's OpenSSL 3.0 build (no
	// 3DES, RC4 or SEED); RHEL's builds are assumed to implement the same
	// TLS 1.2 suites.
	for _, suite := range res.Usable() {
		switch suite.KeyExchange {
		case "kSRP", "kPSK", "kRSAPSK", "kDHEPSK", "kECDHEPSK":
			continue
		}
		if suite.Authentication != "aRSA" {
			continue
		}
		if suite.Protocol == "TLSv1.2" && !has12 {
			continue
		}
		setting.Values = append(setting.Values, registry.SuiteName(suite.ID))
	}
	return setting
}

func suites13Of(c *Composite, s *Scoped) audit.Setting {
	setting := describe(c, s, "cipher")
	setting.Values = []string{}
	for _, name := range strings.Split(OpenSSLCiphersuites(s), ":") {
		if name != "" {
			setting.Values = append(setting.Values, name)
		}
	}
	return setting
}

// fipsNote names the suites of a FIPS policy that Okta's and Entra ID's
// clients offer, and the TLS 1.3 suites left.
func fipsNote(suites, suites13 []string) string {
	var parts []string
	for _, name := range []string{"okta", "entra"} {
		p, err := clients.Load(name)
		if err != nil {
			continue
		}
		var shared []string
		for _, s := range suites {
			if info, ok := registry.SuiteByName(s); ok && p.Offers(info.ID) {
				shared = append(shared, s)
			}
		}
		list := "none"
		if len(shared) > 0 {
			list = strings.Join(shared, ", ")
		}
		parts = append(parts, fmt.Sprintf("%s offers %s", name, list))
	}
	tls13 := "TLS 1.3 is off"
	if len(suites13) > 0 {
		tls13 = "the TLS 1.3 suites left are " + strings.Join(suites13, ", ")
	}
	return "FIPS policy: the IdP must negotiate a FIPS-approved suite (AES-GCM or AES-CBC with ECDHE or DHE, no ChaCha20); of the TLS 1.2 suites left, " + strings.Join(parts, "; ") + "; " + tls13
}
