// Package tomcat audits Apache Tomcat's conf/server.xml. For each TLS
// Connector and each of its SSLHostConfig elements it computes the protocol
// versions, cipher suites and client-certificate mode that Tomcat really
// uses: the protocols, ciphers and certificateVerification attributes with
// Tomcat's own parsing rules and defaults, narrowed by the certificate's key
// type and by the JVM's limits (jdk.tls.disabledAlgorithms), or by
// OpenSSL's when the connector uses tomcat-native or FFM.
//
// Use Format (Tomcat 10.1 on OpenJDK 17, as Debian 12 ships them) or
// FormatFor to register the format with audit.Run, or Audit to read a file
// directly. The JVM's limits come from Options.Runtime, which the audit of
// a java.security file provides. Without it JDK17's defaults apply, and
// each listener carries a note about that.
package tomcat

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// DefaultVersion is the Tomcat version assumed when none is given: Debian
// 12's tomcat10 package (10.1.60 when the defaults were measured).
const DefaultVersion = "10.1"

// Options describe the Tomcat and JVM that run the audited file.
type Options struct {
	// Version is the Tomcat version, such as "9.0" or "10.1". Below 10.1
	// the Connector's own TLS attributes (sslEnabledProtocols, ciphers,
	// clientAuth, SSLProtocol, SSLCipherSuite, ...) feed its default
	// SSLHostConfig; from 10.1 on Tomcat ignores them. Empty means
	// DefaultVersion.
	// NOTE: the protocols and ciphers defaults are those measured on
	// 10.1.60 for every Version.
	Version string
	// Runtime is the JVM's limit on JSSE connectors. Nil means JDK17, and
	// every listener gets a note that the JVM's java.security was not
	// audited.
	Runtime Runtime
	// Properties are system properties (-Dname=value) for ${name} in
	// attribute values. They take precedence over catalina.properties
	// beside server.xml.
	Properties map[string]string
}

// Format returns the audit format "tomcat" for Tomcat 10.1 on OpenJDK 17's
// default limits.
func Format() audit.Format {
	return FormatFor(Options{})
}

// FormatFor returns the audit format "tomcat" for opts.
func FormatFor(opts Options) audit.Format {
	return audit.Format{
		Name:   "tomcat",
		Detect: Detect,
		Audit: func(path string) ([]audit.Listener, audit.Fixer, error) {
			return Audit(opts, path)
		},
	}
}

// Detect reports whether the file is a Tomcat server.xml: its name is
// server.xml (any case), or its head is text with a <Server element and a
// <Connector element.
func Detect(path string, head []byte) bool {
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	if strings.EqualFold(filepath.Base(path), "server.xml") {
		return true
	}
	return bytes.Contains(head, []byte("<Server")) && bytes.Contains(head, []byte("<Connector"))
}

// Audit parses the server.xml at path and returns one Listener per
// SSLHostConfig of each TLS Connector (SSLEnabled="true", AJP excluded),
// the default SSLHostConfig of a connector first, and the Fixer that writes
// corrected attributes. ${name} in attribute values is replaced from
// opts.Properties and catalina.properties in the same folder. Errors name
// the file and line: a file ReadFile refuses, malformed XML, or a root
// element other than <Server>.
func Audit(opts Options, path string) ([]audit.Listener, audit.Fixer, error) {
	if opts.Version == "" {
		opts.Version = DefaultVersion
	}
	legacyOK, err := legacyAttributesApply(opts.Version)
	if err != nil {
		return nil, nil, err
	}

	data, err := audit.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	root, err := ParseXML(path, data)
	if err != nil {
		return nil, nil, err
	}

	props, propsPath, err := loadProperties(path)
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s for ${...} values in %s: %w", propsPath, path, err)
	}
	for k, v := range opts.Properties {
		props[k] = v
	}

	runtime := opts.Runtime
	if runtime == nil {
		runtime = JDK17
	}
	a := &auditor{opts: opts, file: path, props: props, legacyOK: legacyOK, runtime: runtime, fixer: &Fixer{runtime: runtime}}
	listeners, err := a.effective(root)
	if err != nil {
		return nil, nil, err
	}
	return listeners, a.fixer, nil
}

// legacyAttributesApply reports whether Tomcat version still copies the
// Connector's TLS attributes to the default SSLHostConfig. Tomcat 8.5 and 9
// do, and 10.1 has no setters for them (checked with javap on 10.1.60).
// NOTE: 10.0 is taken to behave like 9, which was not checked.
func legacyAttributesApply(version string) (bool, error) {
	majorText, minorText, _ := strings.Cut(version, ".")
	major, err := strconv.Atoi(majorText)
	if err != nil || major < 7 {
		return false, fmt.Errorf("invalid Tomcat version %q: give major.minor, such as 9.0 or 10.1", version)
	}
	minor := 0
	if minorText != "" {
		m, _, _ := strings.Cut(minorText, ".")
		if minor, err = strconv.Atoi(m); err != nil {
			return false, fmt.Errorf("invalid Tomcat version %q: give major.minor, such as 9.0 or 10.1", version)
		}
	}
	return major < 10 || (major == 10 && minor == 0), nil
}

// Fixer writes corrected Tomcat attributes, and names the JVM's
// java.security too when its limits remove the versions or suites wanted.
type Fixer struct {
	runtime Runtime
	// contexts maps a Setting's Directive that names the JVM's limit to
	// the connector attribute behind it.
	contexts map[string]fixContext
}

// fixContext is the connector attribute behind a Setting that names
// another line, such as the JVM's limit.
type fixContext struct {
	attribute string
	// replacement, when set, is the whole fix, such as the SSLHostConfig
	// that a connector Tomcat does not start lacks.
	replacement string
}

func (f *Fixer) remember(s audit.Setting, ctx fixContext) {
	if f.contexts == nil {
		f.contexts = map[string]fixContext{}
	}
	f.contexts[s.Directive] = ctx
}

// VersionsLine returns protocols="TLSv1.2+TLSv1.3" for the versions, for an
// SSLHostConfig, and the jdk.tls.disabledAlgorithms change when the JVM
// disables one of them.
func (f *Fixer) VersionsLine(versions []string) string {
	return f.VersionsLineFor(audit.Setting{Directive: "protocols"}, versions)
}

// VersionsLineFor returns the corrected attribute that set s (protocols,
// sslEnabledProtocols or SSLProtocol) with versions, and, when the JVM
// disables some of versions, the change to jdk.tls.disabledAlgorithms too.
func (f *Fixer) VersionsLineFor(s audit.Setting, versions []string) string {
	attr := attributeOf(s)
	if ctx, ok := f.contexts[s.Directive]; ok {
		if ctx.replacement != "" {
			return ctx.replacement
		}
		attr = ctx.attribute
	}
	if attr == "ciphers" || attr == "SSLCipherSuite" {
		// The versions are enabled but the ciphers leave them no suite.
		return f.SuitesLineFor(audit.Setting{Directive: attr + "="}, fallbackSuites)
	}
	var names []string
	for _, v := range versions {
		names = append(names, protocolName(v))
	}
	sep := "+"
	if attr == "sslEnabledProtocols" {
		sep = ","
	}
	line := fmt.Sprintf("%s=%q on the %s", attr, strings.Join(names, sep), elementOf(attr))
	allowed, limit := f.runtime.ServerVersions(versions)
	var blocked []string
	for _, v := range versions {
		if !contains(allowed, v) {
			blocked = append(blocked, protocolName(v))
		}
	}
	if len(blocked) > 0 {
		line += fmt.Sprintf(", and remove %s from jdk.tls.disabledAlgorithms in the JVM's java.security (now %s)", strings.Join(blocked, ", "), limit.Directive)
	}
	return line
}

// ClientCertificateLine returns the attribute that stops requiring a
// client certificate in place of the one s names, as optional still
// verifies a certificate that a client sends: certificateVerification=
// "optional" on the SSLHostConfig, or for Tomcat 9's Connector attributes
// clientAuth="want" or SSLVerifyClient="optional".
func (f *Fixer) ClientCertificateLine(s audit.Setting) string {
	switch attributeOf(s) {
	case "clientAuth":
		return `clientAuth="want"`
	case "SSLVerifyClient":
		return `SSLVerifyClient="optional"`
	}
	return `certificateVerification="optional"`
}

// SuitesLine returns ciphers="..." with the JSSE names of suites that the
// JVM allows, in order, for an SSLHostConfig.
func (f *Fixer) SuitesLine(suites []string) string {
	return f.SuitesLineFor(audit.Setting{Directive: "ciphers"}, suites)
}

// SuitesLineFor returns the corrected attribute that set s (ciphers or
// SSLCipherSuite) with suites. JSSE and IANA names are the same for the
// suites JSSE implements, and Tomcat reads comma-separated names.
func (f *Fixer) SuitesLineFor(s audit.Setting, suites []string) string {
	attr := attributeOf(s)
	allowed, limit := f.runtime.ServerSuites(suites)
	names := allowed
	sep := ","
	if attr == "SSLCipherSuite" {
		names, sep = nil, ":"
		for _, name := range suites {
			if info, ok := registry.SuiteByName(name); ok && openSSLNames()[info.ID] != "" {
				names = append(names, openSSLNames()[info.ID])
			}
		}
	}
	line := fmt.Sprintf("%s=%q on the %s", attr, strings.Join(names, sep), elementOf(attr))
	if len(allowed) == 0 && attr != "SSLCipherSuite" {
		line += fmt.Sprintf(", and allow one of them in the JVM's jdk.tls.disabledAlgorithms (now %s)", limit.Directive)
	}
	return line
}

// fallbackSuites are the suites a ciphers fix offers when the versions
// fix must be a ciphers line: TLS 1.2 suites that the okta and entra client
// profiles both offer.
var fallbackSuites = []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"}

// elementOf names the element that carries attr: the Connector for the
// Tomcat 9 attributes, the SSLHostConfig otherwise.
func elementOf(attr string) string {
	for _, names := range legacyAttrs {
		if names[0] == attr || names[1] == attr {
			if attr != "ciphers" {
				return "Connector"
			}
		}
	}
	return "SSLHostConfig"
}

// attributeOf returns the attribute a Setting's Directive names, such as
// "protocols" for `protocols="TLSv1"`, or the SSLHostConfig attribute of a
// default.
func attributeOf(s audit.Setting) string {
	d := s.Directive
	if name, _, ok := strings.Cut(d, "="); ok && !strings.ContainsAny(name, " (") {
		return name
	}
	switch {
	case strings.Contains(d, "(protocols absent"):
		return "protocols"
	case strings.Contains(d, "(ciphers absent"):
		return "ciphers"
	}
	return d
}
