package tomcat

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/audit"
)

// auditText writes text to dir/server.xml and audits it.
func auditText(t *testing.T, opts Options, text string) ([]audit.Listener, audit.Fixer) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "server.xml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	listeners, fixer, err := Audit(opts, path)
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	return listeners, fixer
}

// hostXML is a server.xml with one NIO connector on port 8443 whose
// SSLHostConfig gets attrs.
func hostXML(attrs string) string {
	return `<Server port="-1">
  <Service name="Catalina">
    <Connector port="8443" SSLEnabled="true">
      <SSLHostConfig ` + attrs + `>
        <Certificate certificateKeystoreFile="conf/k.p12" type="RSA"/>
      </SSLHostConfig>
    </Connector>
  </Service>
</Server>
`
}

func TestAuditDebianLikeFile(t *testing.T) {
	listeners, _, err := Audit(Options{}, "testdata/debian-like.xml")
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	if len(listeners) != 1 {
		t.Fatalf("got %d listeners, want 1 (the 8080 connector has no TLS, AJP is skipped): %+v", len(listeners), listeners)
	}
	l := listeners[0]
	if l.Line != 11 || !strings.Contains(l.Name, ":8443 ") {
		t.Errorf("listener %q at line %d, want the 8443 connector at line 11", l.Name, l.Line)
	}
	if !slices.Equal(l.Versions.Values, []string{"TLS 1.2", "TLS 1.3"}) {
		t.Errorf("versions %v, want TLS 1.2 and TLS 1.3", l.Versions.Values)
	}
	for _, s := range l.Suites.Values {
		if strings.Contains(s, "ECDSA") || strings.Contains(s, "DSS") {
			t.Errorf("suite %s listed for a type=\"RSA\" certificate", s)
		}
	}
	if !hasNote(l, "AprLifecycleListener") || !hasNote(l, "java.security was not audited") {
		t.Errorf("notes %q lack the AprLifecycleListener or java.security note", l.Notes)
	}
}

func TestAuditSNIHostConfigs(t *testing.T) {
	listeners, _, err := Audit(Options{}, "testdata/sni-hosts.xml")
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	if len(listeners) != 2 {
		t.Fatalf("got %d listeners, want 2", len(listeners))
	}
	if !strings.HasSuffix(listeners[0].Name, "SSLHostConfig scim.example.com") {
		t.Errorf("first listener %q, want the defaultSSLHostConfigName one", listeners[0].Name)
	}
	var rsa, ec bool
	for _, s := range listeners[0].Suites.Values {
		rsa = rsa || strings.Contains(s, "_RSA_")
		ec = ec || strings.Contains(s, "_ECDSA_")
	}
	if !rsa || !ec {
		t.Errorf("suites %v, want RSA and ECDSA suites for the two certificates", listeners[0].Suites.Values)
	}
	admin := listeners[1]
	if !slices.Equal(admin.Versions.Values, []string{"TLS 1.3"}) || admin.Versions.Line != 8 {
		t.Errorf("admin versions %v from line %d, want TLS 1.3 from line 8", admin.Versions.Values, admin.Versions.Line)
	}
	if admin.ClientCertificate.Values[0] != "required" || admin.ClientCertificate.Line != 9 {
		t.Errorf("admin client certificate %v from line %d, want required from line 9", admin.ClientCertificate.Values, admin.ClientCertificate.Line)
	}
}

func TestAuditLegacyConnectorAttributes(t *testing.T) {
	for _, tc := range []struct {
		version    string
		versions   []string
		clientCert string
		note       string
	}{
		{"9.0", []string{}, "optional", ""},
		{"10.1", []string{}, "off", "Tomcat 10.1 ignores the Connector attribute sslEnabledProtocols"},
	} {
		t.Run(tc.version, func(t *testing.T) {
			listeners, fixer, err := Audit(Options{Version: tc.version}, "testdata/legacy-tomcat9.xml")
			if err != nil {
				t.Fatalf("Audit: %v", err)
			}
			l := listeners[0]
			if !slices.Equal(l.Versions.Values, tc.versions) {
				t.Errorf("versions %v (from %q), want %v", l.Versions.Values, l.Versions.Directive, tc.versions)
			}
			if l.ClientCertificate.Values[0] != tc.clientCert {
				t.Errorf("client certificate %v, want %s", l.ClientCertificate.Values, tc.clientCert)
			}
			if tc.note != "" && !hasNote(l, tc.note) {
				t.Errorf("notes %q lack %q", l.Notes, tc.note)
			}
			if tc.version != "9.0" {
				return
			}
			audit.Judge(&l, fixer)
			if len(l.Problems) == 0 {
				t.Fatalf("no problem for a TLS 1.0/1.1-only connector on JDK 17")
			}
			p := l.Problems[0]
			if p.Line != 8 || !strings.Contains(p.Directive, "sslEnabledProtocols") || !strings.Contains(p.Directive, "the JVM removes TLS 1.0, TLS 1.1") {
				t.Errorf("problem at line %d with directive %q, want line 8 naming sslEnabledProtocols and the JVM", p.Line, p.Directive)
			}
			if p.Fix != `sslEnabledProtocols="TLSv1.2,TLSv1.3" on the Connector` {
				t.Errorf("fix %q", p.Fix)
			}
		})
	}
}

func TestAuditProperties(t *testing.T) {
	listeners, _, err := Audit(Options{Properties: map[string]string{"https.port": "9443"}}, "testdata/properties/server.xml")
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	l := listeners[0]
	if !strings.Contains(l.Name, ":9443 ") {
		t.Errorf("name %q, want port 9443 from Options.Properties over catalina.properties", l.Name)
	}
	if !hasNote(l, "${tls.ciphers}") {
		t.Errorf("notes %q lack the unresolved ${tls.ciphers}", l.Notes)
	}
	// catalina.properties sets TLS 1.2+TLS 1.3. The unresolved ciphers
	// leave TLS 1.2 no suite, so only TLS 1.3 remains and the ciphers
	// line is the one to fix.
	if !slices.Equal(l.Versions.Values, []string{"TLS 1.3"}) || !strings.HasPrefix(l.Versions.Directive, `ciphers="${tls.ciphers}"`) {
		t.Errorf("versions %v from %q, want TLS 1.3 from the ciphers line", l.Versions.Values, l.Versions.Directive)
	}
}

// blockModernJVM is a JVM whose java.security disables TLS 1.2 and 1.3.
var blockModernJVM = JVM{
	Versions: []string{"TLS 1.0", "TLS 1.1"},
	Suites:   JDK17.Suites,
	Limit:    audit.Setting{File: "/etc/java-17-openjdk/security/java.security", Line: 710, Directive: "jdk.tls.disabledAlgorithms=TLSv1.2, TLSv1.3"},
}

func TestJVMRemovingModernVersionsIsTheProblem(t *testing.T) {
	listeners, fixer := auditText(t, Options{Runtime: blockModernJVM}, hostXML(`protocols="TLSv1.2+TLSv1.3"`))
	l := listeners[0]
	if len(l.Versions.Values) != 0 {
		t.Errorf("versions %v, want none", l.Versions.Values)
	}
	if hasNote(l, "java.security was not audited") {
		t.Errorf("notes %q claim the java.security was not audited although Runtime was given", l.Notes)
	}
	audit.Judge(&l, fixer)
	if len(l.Problems) != 1 {
		t.Fatalf("problems %+v, want one", l.Problems)
	}
	p := l.Problems[0]
	if p.File != blockModernJVM.Limit.File || p.Line != 710 {
		t.Errorf("problem at %s:%d, want the JVM's java.security line", p.File, p.Line)
	}
	if !strings.Contains(p.Directive, "jdk.tls.disabledAlgorithms") || !strings.Contains(p.Directive, `protocols="TLSv1.2+TLSv1.3"`) {
		t.Errorf("directive %q, want both the JVM limit and the connector line", p.Directive)
	}
	if !strings.Contains(p.Fix, `protocols="TLSv1.2+TLSv1.3"`) || !strings.Contains(p.Fix, "remove TLSv1.2, TLSv1.3 from jdk.tls.disabledAlgorithms") {
		t.Errorf("fix %q, want the protocols attribute and the java.security change", p.Fix)
	}
}

func TestConnectorLineIsTheProblem(t *testing.T) {
	listeners, fixer := auditText(t, Options{}, hostXML(`protocols="TLSv1+TLSv1.1"`))
	l := listeners[0]
	audit.Judge(&l, fixer)
	if len(l.Problems) != 1 {
		t.Fatalf("problems %+v, want one", l.Problems)
	}
	p := l.Problems[0]
	if p.Line != 4 || !strings.HasPrefix(p.Directive, `protocols="TLSv1+TLSv1.1"; the JVM removes TLS 1.0, TLS 1.1`) {
		t.Errorf("problem at line %d with directive %q, want line 4 naming the connector attribute first", p.Line, p.Directive)
	}
	if p.Fix != `protocols="TLSv1.2+TLSv1.3" on the SSLHostConfig` {
		t.Errorf("fix %q", p.Fix)
	}
}

func TestSuitesWithTLS12ForTLS10OnlyConnector(t *testing.T) {
	listeners, fixer := auditText(t, Options{}, hostXML(`protocols="TLSv1" ciphers="AES128-SHA:ECDHE-RSA-AES128-SHA"`))
	l := listeners[0]
	if !slices.Equal(l.SuitesWithTLS12, []string{"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"}) {
		t.Errorf("SuitesWithTLS12 %q, want the ECDHE suite the JVM allows", l.SuitesWithTLS12)
	}
	audit.Judge(&l, fixer)
	if len(l.Problems) != 2 {
		t.Fatalf("problems %+v, want the version problem and the cipher problem after it", l.Problems)
	}
	p := l.Problems[1]
	if !slices.Equal(p.Clients, []string{"entra"}) || p.Line != 4 || !strings.HasPrefix(p.Directive, "ciphers=") {
		t.Errorf("second problem %+v, want entra at the ciphers attribute on line 4 (its profile does not offer TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA)", p)
	}
}

func TestConnectorThatTomcatCannotStart(t *testing.T) {
	tests := []struct{ name, attrs, note string }{
		{"unknown-protocol-names", `protocols="tlsv1.2"`, "Tomcat does not start this connector"},
		{"no-supported-cipher", `ciphers="TLS_RSA_WITH_AES_128_CBC_SHA" cipherSuites=""`, "supports none of the suites"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			listeners, _ := auditText(t, Options{}, hostXML(tc.attrs))
			l := listeners[0]
			if len(l.Versions.Values) != 0 || !hasNote(l, tc.note) {
				t.Errorf("versions %v, notes %q; want none and a note %q", l.Versions.Values, l.Notes, tc.note)
			}
		})
	}
}

func TestOpenSSLImplementation(t *testing.T) {
	listeners, _ := auditText(t, Options{}, strings.Replace(hostXML(`protocols="all"`), `SSLEnabled="true"`,
		`SSLEnabled="true" sslImplementationName="org.apache.tomcat.util.net.openssl.OpenSSLImplementation"`, 1))
	l := listeners[0]
	if !slices.Equal(l.Versions.Values, []string{"TLS 1.2", "TLS 1.3"}) {
		t.Errorf("versions %v, want TLS 1.2 and 1.3 (OpenSSL 3.0 at security level 2)", l.Versions.Values)
	}
	if hasNote(l, "java.security was not audited") || !hasNote(l, "TLS by OpenSSL") {
		t.Errorf("notes %q, want the OpenSSL note and no java.security note", l.Notes)
	}
}

func TestFixerLines(t *testing.T) {
	f := &Fixer{runtime: JDK17}
	tests := []struct{ name, got, want string }{
		{"versions", f.VersionsLine([]string{"TLS 1.2", "TLS 1.3"}), `protocols="TLSv1.2+TLSv1.3" on the SSLHostConfig`},
		{"versions-apr", f.VersionsLineFor(audit.Setting{Directive: `SSLProtocol="TLSv1"`}, []string{"TLS 1.2"}), `SSLProtocol="TLSv1.2" on the Connector`},
		{"versions-jvm-blocked", f.VersionsLine([]string{"TLS 1.1", "TLS 1.2"}),
			`protocols="TLSv1.1+TLSv1.2" on the SSLHostConfig, and remove TLSv1.1 from jdk.tls.disabledAlgorithms in the JVM's java.security (now ` + JDK17.Limit.Directive + `)`},
		{"suites", f.SuitesLine([]string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA"}),
			`ciphers="TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" on the SSLHostConfig`},
		{"suites-default", f.SuitesLineFor(audit.Setting{Directive: "default of Tomcat 10.1 (ciphers absent: HIGH)"}, []string{"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"}),
			`ciphers="TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" on the SSLHostConfig`},
		{"suites-apr", f.SuitesLineFor(audit.Setting{Directive: `SSLCipherSuite="RC4"`}, []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}),
			`SSLCipherSuite="ECDHE-RSA-AES128-GCM-SHA256" on the Connector`},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s:\ngot  %s\nwant %s", tc.name, tc.got, tc.want)
		}
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name, path, head string
		want             bool
	}{
		{"by-name", "/etc/tomcat10/server.xml", "", true},
		{"by-name-any-case", "Server.XML", "", true},
		{"by-content", "conf/prod.xml", "<Server port=\"-1\">\n<Service>\n<Connector port=\"8443\"/>", true},
		{"web-xml", "conf/web.xml", "<web-app><servlet/></web-app>", false},
		{"context-xml", "conf/context.xml", "<Context><Resource/></Context>", false},
		{"binary", "server.xml", "\x00\x01<Server <Connector", false},
	}
	for _, tc := range tests {
		if got := Detect(tc.path, []byte(tc.head)); got != tc.want {
			t.Errorf("%s: Detect(%q) = %v, want %v", tc.name, tc.path, got, tc.want)
		}
	}
}

func TestRunReportsBadFilesAndAuditsTheRest(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("a-good/server.xml", []byte(hostXML(`protocols="TLSv1.2"`)))
	write("b-binary/server.xml", append([]byte("<Server>\n<Connector "), 0, 1, 2))
	write("c-huge/server.xml", bytes.Repeat([]byte("<!-- padding -->\n"), 50<<20/17))
	write("d-quote/server.xml", []byte("<Server>\n  <Service>\n    <Connector port=\"8443 SSLEnabled=\"true\"/>\n  </Service>\n</Server>\n"))
	write("e-malformed/server.xml", []byte("<Server>\n  <Connector>\n  </Service>\n</Server>\n"))
	write("f-not-server/server.xml", []byte("<Context>\n  <Connector/>\n</Context>\n"))
	write("g-empty/server.xml", nil)

	// Run skips a binary file inside a folder and reports it when named.
	r, err := audit.Run([]string{dir, filepath.Join(dir, "b-binary", "server.xml")}, "", []audit.Format{Format()})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := map[string]string{
		"a-good":       "",
		"b-binary":     "binary content",
		"c-huge":       "larger than 8 MiB",
		"d-quote":      "server.xml:3:",
		"e-malformed":  "server.xml:3:",
		"f-not-server": "root element is <Context>",
		"g-empty":      "no root element",
	}
	if len(r.Files) != len(want) {
		t.Fatalf("Run reported %d files, want %d: %+v", len(r.Files), len(want), r.Files)
	}
	for _, f := range r.Files {
		key := filepath.Base(filepath.Dir(f.Path))
		substr := want[key]
		switch {
		case substr == "" && f.Error != "":
			t.Errorf("%s: error %q, want an audit", key, f.Error)
		case substr == "" && len(f.Listeners) != 1:
			t.Errorf("%s: %d listeners, want 1", key, len(f.Listeners))
		case substr != "" && !strings.Contains(f.Error, substr):
			t.Errorf("%s: error %q, want it to contain %q", key, f.Error, substr)
		}
	}
}

func TestParseXMLLines(t *testing.T) {
	text := "<?xml version=\"1.0\"?>\n<Server>\n  <Service>\n    <Connector\n        port=\"8443\"\n        SSLEnabled=\"true\">\n      <SSLHostConfig hostName=\"a\"\n         protocols=\"TLSv1.2\"/>\n    </Connector>\n  </Service>\n</Server>\n"
	root, err := ParseXML("server.xml", []byte(text))
	if err != nil {
		t.Fatalf("ParseXML: %v", err)
	}
	conn := root.Children[0].Children[0]
	if conn.Line != 4 {
		t.Errorf("Connector line %d, want 4", conn.Line)
	}
	if a, _ := conn.Attr("SSLEnabled"); a.Line != 6 {
		t.Errorf("SSLEnabled line %d, want 6", a.Line)
	}
	host := conn.Children[0]
	if a, _ := host.Attr("protocols"); a.Line != 8 || a.Value != "TLSv1.2" {
		t.Errorf("protocols %q at line %d, want TLSv1.2 at line 8", a.Value, a.Line)
	}
	if _, ok := host.Attr("Protocols"); ok {
		t.Errorf("Attr matched Protocols case-insensitively")
	}
}

func TestParseXMLErrors(t *testing.T) {
	tests := []struct {
		name, text string
		line       int
	}{
		{"unclosed-quote", "<Server>\n<Connector port=\"8443/>\n</Server>\n", 3},
		{"mismatched-end", "<Server>\n<Service>\n</Server>\n", 3},
		{"too-deep", "<Server>\n" + strings.Repeat("<a>", maxDepth+1), 2},
		{"no-root", "<!-- nothing -->\n", 2},
		{"undeclared-entity", "<Server>\n<Connector port=\"&port;\"/>\n</Server>\n", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseXML("conf/server.xml", []byte(tc.text))
			var perr *ParseError
			if !errors.As(err, &perr) {
				t.Fatalf("ParseXML error %v, want a *ParseError", err)
			}
			if perr.Line != tc.line || perr.File != "conf/server.xml" {
				t.Errorf("error at %s:%d (%v), want line %d", perr.File, perr.Line, err, tc.line)
			}
		})
	}
}

func FuzzParseXML(f *testing.F) {
	for _, name := range []string{"debian-like.xml", "legacy-tomcat9.xml", "sni-hosts.xml", "malformed.xml", "mismatched.xml"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		root, err := ParseXML("server.xml", data)
		if (root == nil) == (err == nil) {
			t.Fatalf("ParseXML returned root %v and error %v; want exactly one", root, err)
		}
		if root == nil {
			return
		}
		a := &auditor{opts: Options{Version: DefaultVersion}, file: "server.xml", props: map[string]string{}, runtime: JDK17, fixer: &Fixer{runtime: JDK17}}
		a.effective(root)
	})
}

func FuzzEvaluateCiphers(f *testing.F) {
	for _, s := range []string{defaultCiphers, "ECDHE+AESGCM:!ECDSA", "TLS_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "${x}:+!@", "@STRENGTH:@SECLEVEL=9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		evaluateCiphers(s)
		parseProtocols(s)
		parseCipherSuites(s)
	})
}

func hasNote(l audit.Listener, substr string) bool {
	for _, n := range l.Notes {
		if strings.Contains(n, substr) {
			return true
		}
	}
	return false
}

func TestConnectorWithoutDefaultHostConfigDoesNotStart(t *testing.T) {
	tests := []struct {
		name, xml, fix string
	}{
		{"legacy attributes on Tomcat 10.1", `<Server><Service name="Catalina">
<Connector port="8443" SSLEnabled="true"
  keystoreFile="conf/keystore.p12" keystorePass="changeit"
  sslEnabledProtocols="TLSv1,TLSv1.1" clientAuth="true"/>
</Service></Server>`,
			`<SSLHostConfig protocols="TLSv1.2+TLSv1.3"><Certificate certificateKeystoreFile="conf/keystore.p12" certificateKeystorePassword="changeit"/></SSLHostConfig> inside the Connector, in place of its keystore and TLS attributes`},
		{"no SSLHostConfig at all", `<Server><Service name="Catalina">
<Connector port="8443" SSLEnabled="true"/>
</Service></Server>`,
			`<SSLHostConfig protocols="TLSv1.2+TLSv1.3"><Certificate certificateKeystoreFile="${user.home}/.keystore" certificateKeystorePassword="changeit"/></SSLHostConfig> inside the Connector, in place of its keystore and TLS attributes`},
		{"SSLHostConfig not named as the default", `<Server><Service name="Catalina">
<Connector port="8443" SSLEnabled="true">
  <SSLHostConfig hostName="scim.example.com"><Certificate certificateKeystoreFile="conf/k.p12"/></SSLHostConfig>
</Connector>
</Service></Server>`,
			`defaultSSLHostConfigName="scim.example.com" on the Connector`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			listeners, fixer := auditText(t, Options{}, tc.xml)
			for _, l := range listeners {
				if len(l.Versions.Values) != 0 || l.Versions.Line != 2 {
					t.Errorf("versions %v from line %d, want none from the Connector on line 2", l.Versions.Values, l.Versions.Line)
				}
				if !hasNote(l, "Tomcat 10.1 does not start this connector") {
					t.Errorf("notes %q lack that Tomcat 10.1 does not start the connector", l.Notes)
				}
				audit.Judge(&l, fixer)
				if len(l.Problems) == 0 || l.Problems[0].Fix != tc.fix {
					t.Errorf("problems %+v, want the fix %q first", l.Problems, tc.fix)
				}
			}
		})
	}

	// Tomcat 9 builds the default SSLHostConfig from the attributes.
	listeners, _ := auditText(t, Options{Version: "9.0"}, `<Server><Service name="Catalina">
<Connector port="8443" SSLEnabled="true" keystoreFile="conf/keystore.p12" sslEnabledProtocols="TLSv1.2"/>
</Service></Server>`)
	if l := listeners[0]; !slices.Equal(l.Versions.Values, []string{"TLS 1.2"}) || hasNote(l, "does not start") {
		t.Errorf("Tomcat 9: versions %v, notes %q; want TLS 1.2 and no start failure", l.Versions.Values, l.Notes)
	}
}

func TestClientCertificateLine(t *testing.T) {
	tests := []struct{ directive, want string }{
		{`certificateVerification="required"`, `certificateVerification="optional"`},
		{`clientAuth="true"`, `clientAuth="want"`},
		{`SSLVerifyClient="require"`, `SSLVerifyClient="optional"`},
	}
	var f Fixer
	for _, tc := range tests {
		if got := f.ClientCertificateLine(audit.Setting{Directive: tc.directive}); got != tc.want {
			t.Errorf("ClientCertificateLine(%s) = %q, want %q", tc.directive, got, tc.want)
		}
	}
}
