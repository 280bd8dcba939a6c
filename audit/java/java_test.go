package java

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/audit"
)

func TestFIPSProviders(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		flags   string
		narrows bool
		note    string
	}{
		{"nss-fips-sunpkcs11", map[string]string{
			"java.security": "security.provider.1=SunPKCS11 ${java.home}/conf/security/nss.fips.cfg\nsecurity.provider.2=SunJSSE\njdk.certpath.disabledAlgorithms=MD2\njdk.tls.disabledAlgorithms=SSLv3, TLSv1, TLSv1.1\n",
		}, "", true, "NSS's FIPS mode"},
		{"bcfips-approved-only-flag", map[string]string{
			"java.security": "security.provider.1=org.bouncycastle.jcajce.provider.BouncyCastleFipsProvider\nsecurity.provider.2=org.bouncycastle.jsse.provider.BouncyCastleJsseProvider fips:BCFIPS\njdk.certpath.disabledAlgorithms=MD2\njdk.tls.disabledAlgorithms=SSLv3, TLSv1, TLSv1.1\n",
		}, "-Dorg.bouncycastle.fips.approved_only=true", true, "BouncyCastleJsseProvider"},
		{"bcfips-without-approved-only", map[string]string{
			"java.security": "security.provider.1=BCFIPS\nsecurity.provider.2=SunJSSE\njdk.certpath.disabledAlgorithms=MD2\n",
		}, "", false, "without approved-only mode"},
		{"rhel-fips-list-with-flag", map[string]string{
			"java.security": minimalMaster + "fips.provider.1=SunPKCS11 ${java.home}/conf/security/nss.fips.cfg\njdk.tls.disabledAlgorithms=SSLv3, TLSv1, TLSv1.1\n",
		}, "-Dcom.redhat.fips=true", true, "Red Hat's OpenJDK in FIPS mode"},
		{"rhel-fips-list-without-flag", map[string]string{
			"java.security": minimalMaster + "fips.provider.1=SunPKCS11 ${java.home}/conf/security/nss.fips.cfg\n",
		}, "", false, "neither is known here"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, tc.files)
			p, err := Load([]string{filepath.Join(dir, "java.security")}, Options{Flags: tc.flags})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if !containsText(p.Notes(), tc.note) {
				t.Errorf("notes %q lack %q", p.Notes(), tc.note)
			}
			versions, _ := p.ServerVersions(nil)
			suites, suites13, _ := p.ServerSuites(nil, versions)
			chacha := slices.ContainsFunc(append(suites, suites13...), func(s string) bool { return strings.Contains(s, "CHACHA20") })
			if chacha == tc.narrows {
				t.Errorf("ChaCha20 suites kept: %v; narrowed: want %v (suites %v %v)", chacha, tc.narrows, suites13, suites)
			}
			if tc.narrows {
				for _, s := range suites {
					if !strings.Contains(s, "_AES_") || strings.Contains(s, "ECDH_") || strings.Contains(s, "DHE_DSS") {
						t.Errorf("suite %s kept in FIPS mode", s)
					}
				}
			}
		})
	}
}

// TestServerAPIForTomcat checks the calls the Tomcat audit makes for a
// JSSE connector with its own protocols and ciphers.
func TestServerAPIForTomcat(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"java.security": minimalMaster + "security.overridePropertiesFile=true\njdk.tls.disabledAlgorithms=SSLv3, TLSv1, TLSv1.1, TLSv1.2, ECDH, TLS_RSA_*\n",
	})
	p, err := Load([]string{filepath.Join(dir, "java.security")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	versions, by := p.ServerVersions([]string{"TLSv1.2", "TLSv1.3"})
	if !slices.Equal(versions, []string{t13}) {
		t.Errorf("ServerVersions(TLSv1.2, TLSv1.3) = %v, want [TLS 1.3]", versions)
	}
	if by.Line != 5 || !strings.HasPrefix(by.Directive, "jdk.tls.disabledAlgorithms=") {
		t.Errorf("versions set by line %d %q, want the disabledAlgorithms line 5", by.Line, by.Directive)
	}
	versions, _ = p.ServerVersions([]string{"TLS 1.0", "TLSv1.3", "bogus"})
	if !slices.Equal(versions, []string{t13}) {
		t.Errorf("ServerVersions with audit names = %v, want [TLS 1.3]", versions)
	}

	requested := []string{"TLS_RSA_WITH_AES_128_GCM_SHA256", "SSL_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA"}
	suites, suites13, _ := p.ServerSuites(requested, []string{t12, t13})
	if want := []string{"TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"}; !slices.Equal(suites, want) {
		t.Errorf("ServerSuites TLS 1.2 = %v, want %v (TLS_RSA_* leaves the SSL_ suite, ECDH and CAMELLIA go)", suites, want)
	}
	if !slices.Equal(suites13, []string{"TLS_AES_128_GCM_SHA256"}) {
		t.Errorf("ServerSuites TLS 1.3 = %v", suites13)
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		path, head string
		want       bool
	}{
		{"/etc/java-17-openjdk/security/java.security", "", true},
		{"/opt/app/custom.security", "", true},
		{"/opt/tomcat/bin/setenv.sh", "", true},
		{"/opt/idea/bin/idea64.vmoptions", "", true},
		{"/etc/elasticsearch/jvm.options", "", true},
		{"/etc/app/app.properties", "jdk.tls.disabledAlgorithms=SSLv3\n", true},
		{"/etc/app/x.cfg", "  security.provider.1=SUN\n", true},
		{"/etc/default/app", "JAVA_OPTS=\"-Djdk.tls.client.protocols=TLSv1.2\"\n", true},
		{"/etc/systemd/system/app.service", "ExecStart=/usr/bin/java -Dhttps.protocols=TLSv1 -jar app.jar\n", true},
		{"/etc/nginx/nginx.conf", "server { listen 443 ssl; }\n", false},
		{"/etc/app/binary.security.bak", "\x00\x01jdk.tls.disabledAlgorithms=", false},
	}
	for _, tc := range tests {
		if got := Detect(tc.path, []byte(tc.head)); got != tc.want {
			t.Errorf("Detect(%s, %q) = %v, want %v", tc.path, tc.head, got, tc.want)
		}
	}
}

// TestRunWithFormat audits a folder through audit.Run as the command does.
func TestRunWithFormat(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"setenv.sh":    "CATALINA_OPTS=\"-Djdk.tls.server.protocols=TLSv1.1\"\n",
		"README.txt":   "not a configuration file\n",
		"app.security": "jdk.tls.disabledAlgorithms=SSLv3\n",
	})
	r, err := audit.Run([]string{dir}, "", []audit.Format{FormatFor(Options{JDK: "11"})})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Files) != 2 {
		t.Fatalf("%d files audited, want app.security and setenv.sh: %+v", len(r.Files), r.Files)
	}
	for _, f := range r.Files {
		if f.Error != "" || f.Type != "java" {
			t.Errorf("%s: type %q, error %q", f.Path, f.Type, f.Error)
		}
	}
	setenv := r.Files[1]
	if server := setenv.Listeners[0]; len(server.Problems) == 0 || server.Problems[0].Fix != "-Djdk.tls.server.protocols=TLSv1.2,TLSv1.3" {
		t.Errorf("setenv.sh server problems %+v, want the protocols flag fix", server.Problems)
	}
	if r.ExitCode != 1 {
		t.Errorf("exit code %d, want 1", r.ExitCode)
	}
	if _, err := os.Stat(filepath.Join(dir, "README.txt")); err != nil {
		t.Fatal(err)
	}
}

// TestAuditFileWithoutJavaSetting audits files forced as java: a file
// with no security property or -D flag, such as an nginx.conf, gives no
// listener, while a JVM options file by name gives the JDK's defaults.
func TestAuditFileWithoutJavaSetting(t *testing.T) {
	tests := []struct {
		name, file, text string
		wantListeners    bool
	}{
		{"nginx.conf forced as java", "nginx.conf", "events {}\nhttp {\n    server {\n        listen 443 ssl;\n        ssl_protocols TLSv1.2;\n    }\n}\n", false},
		{"empty file of another name", "app.conf", "", false},
		{"setenv.sh without flags", "setenv.sh", "#!/bin/sh\nCATALINA_OPTS=\"-Xmx512m\"\n", true},
		{"file of another name with a flag", "run.sh", "exec java -Djdk.tls.client.protocols=TLSv1.2 -jar app.jar\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.file)
			if err := os.WriteFile(path, []byte(tt.text), 0o600); err != nil {
				t.Fatal(err)
			}
			listeners, _, err := Audit(Options{}, path)
			if err != nil {
				t.Fatalf("Audit: %v", err)
			}
			if got := len(listeners) > 0; got != tt.wantListeners {
				t.Errorf("listeners = %d, want some: %v", len(listeners), tt.wantListeners)
			}
		})
	}
}

// TestListenerSides checks that the JVM's client listeners are marked as
// clients and its server listener is not.
func TestListenerSides(t *testing.T) {
	path := filepath.Join(t.TempDir(), "setenv.sh")
	if err := os.WriteFile(path, []byte("CATALINA_OPTS=\"-Dhttps.protocols=TLSv1.2\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	listeners, _, err := Audit(Options{}, path)
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	if len(listeners) != 3 {
		t.Fatalf("listeners = %d, want server, client and HttpsURLConnection", len(listeners))
	}
	for _, l := range listeners {
		wantClient := strings.Contains(l.Name, "client side")
		if l.Client != wantClient {
			t.Errorf("%s: Client = %v, want %v", l.Name, l.Client, wantClient)
		}
	}
}
