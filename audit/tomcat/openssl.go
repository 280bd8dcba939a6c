package tomcat

import (
	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/audit/cipherstring"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// openSSLSettings fills l for a connector whose TLS is OpenSSL 3.0 through
// tomcat-native or FFM: OpenSSL's security level 2 (Debian 12's default)
// rejects TLS 1.0 and 1.1 and weak suites, and no JVM limit applies.
// TODO: OpenSSL mode is modelled, not measured, because tomcat-native is
// not installed here: the TLS 1.3 suites are taken from the same
// cipherSuites and ciphers lists as with JSSE, limited to the three that
// OpenSSL enables by default.
func (a *auditor) openSSLSettings(l *audit.Listener, protocols []string, list cipherList, auth []string, versionSetting, suiteSetting, suite13Setting audit.Setting) {
	var requested []string
	for _, v := range sortVersions(protocols) {
		if v == "TLS 1.2" || v == "TLS 1.3" {
			requested = append(requested, v)
		}
	}

	var suites []string
	for _, name := range list.Suites {
		info, ok := registry.SuiteByName(name)
		if !ok {
			continue
		}
		for _, s := range openSSLSuites() {
			if s.ID == info.ID && cipherstring.SecurityLevelAllows(s, 2) {
				suites = append(suites, name)
			}
		}
	}
	suites = filterAuth(suites, auth)

	suites13 := keep(list.Suites13, []string{aes256GCM, chacha20, aes128GCM})
	final, used := usableVersions(requested, suites, suites13)
	l.Versions = versionSetting
	l.Versions.Values = final
	if len(final) == 0 {
		l.Versions.Values = []string{}
	}
	l.Suites = suiteSetting
	l.Suites.Values = used
	if !contains(final, "TLS 1.2") {
		l.SuitesWithTLS12 = suitesForTLS12(suites)
	}
	if contains(final, "TLS 1.3") {
		l.Suites13 = suite13Setting
		l.Suites13.Values = suites13
	}
}

// openSSLSuites returns OpenSSL 3.0's TLS 1.2-and-older suites.
func openSSLSuites() []cipherstring.Suite {
	r, err := cipherstring.Evaluate("ALL:COMPLEMENTOFALL", cipherstring.OpenSSL30, cipherstring.Options{})
	if err != nil {
		return nil // unreachable: the string is valid for every table
	}
	return r.Suites
}
