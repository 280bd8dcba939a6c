package tomcat

import (
	"fmt"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/audit/cipherstring"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// openSSLSettings fills l for a connector whose TLS is OpenSSL 3.0 through
// tomcat-native or FFM: OpenSSL's security level 2 (Debian 12's default)
// rejects TLS 1.0 and 1.1 and weak suites, and no JVM limit applies. The
// TLS 1.3 suites are taken from the same cipherSuites and ciphers lists as
// with JSSE, limited to the three that OpenSSL enables by default.
// TODO: these OpenSSL rules are not measured on a live Tomcat: Tomcat
// 10.1.60 rejects Debian 12's tomcat-native 1.2.35 (it needs 1.3.9 or
// later), and its FFM implementation needs Java 22 or later.
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

// nativeNote explains what Tomcat needs to run the OpenSSL implementation
// impl, the value of sslImplementationName, and what happens without it.
// The library versions are those Tomcat 10.1.60 checks.
func (a *auditor) nativeNote(impl string) string {
	if strings.Contains(impl, ".panama.") {
		return fmt.Sprintf("sslImplementationName=%q is Tomcat's FFM OpenSSL implementation, which needs Java 22 or later, an OpenSSLLifecycleListener in the Server and the tomcat-coyote-ffm classes (Debian 12's tomcat10 package leaves them out); on JDK 17 the connector does not start", impl)
	}
	listener := ""
	if !a.aprListen {
		listener = " The Server has no AprLifecycleListener, which loads tomcat-native, so add <Listener className=\"org.apache.catalina.core.AprLifecycleListener\"/> to it."
	}
	return fmt.Sprintf("sslImplementationName=%q needs tomcat-native 1.3.9 or later for Tomcat %s: with an older library, such as Debian 12's libtcnative-1 1.2.35, Tomcat logs \"A suitable Tomcat Native implementation is not available\" and this connector does not start (measured on Tomcat 10.1.60). The audit lists what OpenSSL 3.0 allows once a usable library is installed; to keep Debian's library, use org.apache.tomcat.util.net.jsse.JSSEImplementation.%s", impl, a.opts.Version, listener)
}
