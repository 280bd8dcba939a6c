// Package java audits the TLS policy of a JVM from its files. It reads
// the security properties of java.security (jdk.tls.disabledAlgorithms,
// security.overridePropertiesFile, include, security.provider.N and FIPS
// providers) and of override files given with -Djava.security.properties.
// It also reads JVM options written as text (setenv.sh, jvm.options,
// *.vmoptions, systemd units), such as -Djdk.tls.client.protocols or
// -Dcom.sun.net.ssl.enableECC=false. Absent settings take the defaults of
// the chosen JDK line (7, 8, 8u291, 11, 17, 21 or 25).
//
// Use Format or FormatFor to register the format with audit.Run, Audit
// to read one file, or Load and the Policy methods (ServerVersions,
// ServerSuites) to apply a JVM's policy to another format's listener,
// such as a Tomcat JSSE connector.
package java

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
)

// Format returns the audit format "java" for Debian 12's OpenJDK 17.
func Format() audit.Format {
	return FormatFor(Options{})
}

// FormatFor returns the audit format "java" for the JVM opts describes.
func FormatFor(opts Options) audit.Format {
	return audit.Format{
		Name:   "java",
		Detect: Detect,
		Audit: func(path string) ([]audit.Listener, audit.Fixer, error) {
			return Audit(opts, path)
		},
	}
}

// Detect reports whether the file is a JVM security properties file or a
// file of JVM options: by name (java.security, *.security, setenv.sh,
// jvm.options, *.vmoptions) or by content (a jdk.tls.disabledAlgorithms=,
// security.provider.N= or fips.provider.N= line, or a -Djdk.tls.,
// -Dhttps.protocols or -Djava.security.properties flag).
func Detect(path string, head []byte) bool {
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	base := strings.ToLower(filepath.Base(path))
	switch {
	case base == "java.security", strings.HasSuffix(base, ".security"),
		base == "setenv.sh", base == "jvm.options", strings.HasSuffix(base, ".vmoptions"):
		return true
	}
	return securityContent.Match(head) || looksLikeFlags(string(head))
}

// Audit reads the file at path together with the files the JVM reads
// with it: the override file that a -Djava.security.properties flag
// names, or the files of JVM options next to a security file that name
// it. It returns the JVM's server and client listeners and the Fixer for
// corrected lines. Errors name the file and line. A file that is neither
// named as a JVM file nor sets a security property or -D flag, such as an
// nginx.conf forced with --type java, gives no listener rather than the
// JDK's defaults.
func Audit(opts Options, path string) ([]audit.Listener, audit.Fixer, error) {
	data, err := audit.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	if !holdsJavaSetting(path, data) {
		return nil, nil, nil
	}
	p, err := Load(relatedFiles(path), opts)
	if err != nil {
		return nil, nil, err
	}
	return p.Listeners(), Fixer{p: p}, nil
}

// Listeners returns the JVM's server side, which is what an
// SSLServerSocket or a Tomcat JSSE connector without its own protocols or
// ciphers allows. Then comes its client side, what the default SSLContext
// offers (HttpClient, Apache HttpClient, JDBC drivers), and, when
// https.protocols is set, HttpsURLConnection's client side.
func (p *Policy) Listeners() []audit.Listener {
	server := p.listener(serverSide, fmt.Sprintf("JVM server side, %s (SSLServerSocket and Tomcat JSSE connector defaults)", p.line.update))
	client := p.listener(clientSide, fmt.Sprintf("JVM client side, %s (default SSLContext: HttpClient, Apache HttpClient, JDBC)", p.line.update))
	out := []audit.Listener{server, client}
	if f, ok := p.flags["https.protocols"]; ok && strings.TrimSpace(f.Value) != "" {
		out = append(out, p.listener(httpsSide, fmt.Sprintf("JVM client side, %s (HttpsURLConnection, which alone reads https.protocols)", p.line.update)))
	}
	return out
}

func (p *Policy) listener(s side, name string) audit.Listener {
	vr := p.sideVersions(s, nil)
	suiteSide := s
	if s == httpsSide {
		suiteSide = clientSide
	}
	sr := p.sideSuites(suiteSide, nil, vr.versions)
	l := audit.Listener{
		Software: "java",
		Name:     name,
		File:     p.file,
		// The policy belongs to the whole file, so the listener starts at
		// its first line.
		Line:     1,
		Versions: withValues(vr.by, vr.versions),
		Suites:   withValues(sr.by, sr.suites),
		Suites13: withValues(sr.by, sr.suites13),
		ClientCertificate: audit.Setting{
			Values:    []string{"off"},
			Directive: "JSSE default: no client certificate is requested unless the application asks (Tomcat: certificateVerification)",
		},
		Notes:  slices.Clone(p.notes),
		Client: s != serverSide,
	}
	if !slices.Contains(vr.versions, "TLS 1.2") {
		// Judge weighs these suites for the version fix, so that one run
		// gives both fixes.
		l.SuitesWithTLS12 = p.sideSuites(suiteSide, nil, []string{"TLS 1.2"}).suites
	}
	if vr.fatal != "" {
		l.Notes = append(l.Notes, vr.fatal)
	}
	if s != serverSide && vr.fatal == "" && !slices.Contains(vr.versions, "TLS 1.2") && !slices.Contains(vr.versions, "TLS 1.3") {
		l.Notes = append(l.Notes, fmt.Sprintf("an outbound client %s cannot call Okta's or Entra ID's APIs, which require TLS 1.2 or later", describeVersions(vr.versions)))
	}
	if s == httpsSide {
		l.Notes = append(l.Notes, "https.protocols applies only to HttpsURLConnection and URL.openStream; jdk.tls.client.protocols sets every other client")
	}
	return l
}

// holdsJavaSetting reports whether the file at path, whose text is data,
// is a JVM file. That is a file named as a security properties file or a
// file of JVM options (java.security, *.security, setenv.sh, jvm.options
// and the like), whose absent settings mean the JDK's defaults. It is also
// any file that sets at least one security property or -D flag.
func holdsJavaSetting(path string, data []byte) bool {
	base := strings.ToLower(filepath.Base(path))
	if base == "java.security" || strings.HasSuffix(base, ".security") || isFlagsName(base) {
		return true
	}
	return securityContent.Match(data) || len(ParseFlags(path, data)) > 0
}

func withValues(s audit.Setting, values []string) audit.Setting {
	s.Values = values
	if s.Values == nil {
		s.Values = []string{}
	}
	return s
}

// describeVersions describes an outbound client's versions for a note.
func describeVersions(versions []string) string {
	if len(versions) == 0 {
		return "with no usable protocol version"
	}
	return "limited to " + strings.Join(versions, " and ")
}
