package tomcat

import (
	"slices"

	"github.com/scimdoctor/scimdoctor/audit"
)

// Runtime is the JVM's own limit on a JSSE server: the protocol versions
// and cipher suites that its java.security and flags leave. The audit of a
// java.security file implements it, and JDK17 is the default.
type Runtime interface {
	// ServerVersions returns the versions among requested (audit names,
	// such as "TLS 1.0") that a JSSE server of this JVM negotiates, in the
	// order given, and the setting that removes the others.
	ServerVersions(requested []string) ([]string, audit.Setting)
	// ServerSuites returns the suites among requested (IANA names) that
	// this JVM implements and allows, in the order given, and the setting
	// that removes the others.
	ServerSuites(requested []string) ([]string, audit.Setting)
}

// JVM is a Runtime given by its lists.
type JVM struct {
	// Versions are the versions a JSSE server negotiates, such as
	// ["TLS 1.2", "TLS 1.3"].
	Versions []string
	// Suites are the IANA names that SSLEngine.getSupportedCipherSuites
	// returns: the JDK's suites minus those jdk.tls.disabledAlgorithms
	// removes.
	Suites []string
	// Limit locates jdk.tls.disabledAlgorithms, or describes the default.
	Limit audit.Setting
}

// ServerVersions implements Runtime.
func (j JVM) ServerVersions(requested []string) ([]string, audit.Setting) {
	return keep(requested, j.Versions), j.Limit
}

// ServerSuites implements Runtime.
func (j JVM) ServerSuites(requested []string) ([]string, audit.Setting) {
	return keep(requested, j.Suites), j.Limit
}

func keep(values, allowed []string) []string {
	var out []string
	for _, v := range values {
		if slices.Contains(allowed, v) && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// JDK17 is the default Runtime: OpenJDK 17.0.21 with its own java.security
// (Debian 12 package openjdk-17-jre-headless), whose
// jdk.tls.disabledAlgorithms is "SSLv3, TLSv1, TLSv1.1, DTLSv1.0, RC4, DES,
// MD5withRSA, DH keySize < 1024, EC keySize < 224, 3DES_EDE_CBC, anon, NULL,
// ECDH, TLS_RSA_*" and three SHA-1 signature entries. JDK 17.0.16 added
// TLS_RSA_*, so older 17 updates still allow static RSA key exchange.
// Suites is the list that SSLEngine.getSupportedCipherSuites returned
// there, in that order.
var JDK17 = JVM{
	Versions: []string{"TLS 1.2", "TLS 1.3"},
	Suites: []string{
		"TLS_AES_256_GCM_SHA384",
		"TLS_AES_128_GCM_SHA256",
		"TLS_CHACHA20_POLY1305_SHA256",
		"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
		"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
		"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
		"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
		"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
		"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
		"TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
		"TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
		"TLS_DHE_DSS_WITH_AES_256_GCM_SHA384",
		"TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
		"TLS_DHE_DSS_WITH_AES_128_GCM_SHA256",
		"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
		"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
		"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
		"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
		"TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
		"TLS_DHE_DSS_WITH_AES_256_CBC_SHA256",
		"TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
		"TLS_DHE_DSS_WITH_AES_128_CBC_SHA256",
		"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
		"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
		"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
		"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
		"TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
		"TLS_DHE_DSS_WITH_AES_256_CBC_SHA",
		"TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
		"TLS_DHE_DSS_WITH_AES_128_CBC_SHA",
	},
	Limit: audit.Setting{
		Directive: "default of OpenJDK 17.0.21 (jdk.tls.disabledAlgorithms of its java.security lists SSLv3, TLSv1, TLSv1.1, RC4, DES, 3DES_EDE_CBC, anon, NULL, ECDH and TLS_RSA_*)",
	},
}
