package java

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/audit"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []Flag
	}{
		{"setenv-sh", "#!/bin/sh\n# -Dignored=1\nCATALINA_OPTS=\"$CATALINA_OPTS -Dhttps.protocols=TLSv1 -Xmx1g\"\n",
			[]Flag{{Name: "https.protocols", Value: "TLSv1", Line: 3, Text: "-Dhttps.protocols=TLSv1"}}},
		{"jvm-options", "-Xms1g\n-Djdk.tls.client.protocols=TLSv1.2\n  -Dcom.sun.net.ssl.enableECC=false\n",
			[]Flag{{Name: "jdk.tls.client.protocols", Value: "TLSv1.2", Line: 2, Text: "-Djdk.tls.client.protocols=TLSv1.2"},
				{Name: "com.sun.net.ssl.enableECC", Value: "false", Line: 3, Text: "-Dcom.sun.net.ssl.enableECC=false"}}},
		{"systemd-unit", "[Service]\nEnvironment=\"JAVA_OPTS=-Djdk.tls.server.protocols=TLSv1.2,TLSv1.3\"\n",
			[]Flag{{Name: "jdk.tls.server.protocols", Value: "TLSv1.2,TLSv1.3", Line: 2, Text: "-Djdk.tls.server.protocols=TLSv1.2,TLSv1.3"}}},
		{"quoted-value", "java -Djdk.tls.client.protocols=\"TLSv1.2\" -jar app.jar\n",
			[]Flag{{Name: "jdk.tls.client.protocols", Value: "TLSv1.2", Line: 1, Text: "-Djdk.tls.client.protocols=\"TLSv1.2\""}}},
		{"replace-override", "-Djava.security.properties==/etc/app/java.security\n",
			[]Flag{{Name: "java.security.properties", Value: "=/etc/app/java.security", Line: 1, Text: "-Djava.security.properties==/etc/app/java.security"}}},
		{"flag-without-value", "-Dcom.redhat.fips\n",
			[]Flag{{Name: "com.redhat.fips", Value: "", Line: 1, Text: "-Dcom.redhat.fips"}}},
		{"not-a-flag-inside-word", "path=/opt/x-Dy=z\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ParseFlags("f", []byte(tc.input))
			for i := range tc.want {
				tc.want[i].File = "f"
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("ParseFlags(%q)\n got %+v\nwant %+v", tc.input, got, tc.want)
			}
		})
	}
}

func TestFlagsEffects(t *testing.T) {
	tests := []struct {
		name  string
		flags string
		jdk   string
		// listener is the index of the listener checked: 0 server,
		// 1 client, 2 HttpsURLConnection.
		listener int
		versions []string
		note     string
		// byFlag is whether the versions' Setting is the flag.
		byFlag bool
	}{
		{"https-protocols-pins-urlconnection", "-Dhttps.protocols=TLSv1", "8", 2, []string{t10}, "cannot call Okta's or Entra ID's APIs", true},
		{"https-protocols-leaves-default-client", "-Dhttps.protocols=TLSv1", "8", 1, []string{t10, t11, t12}, "", false},
		{"client-protocols-tls12", "-Djdk.tls.client.protocols=TLSv1.2", "17", 1, []string{t12}, "", true},
		{"client-protocols-disabled-tls10", "-Djdk.tls.client.protocols=TLSv1", "17", 1, []string{}, "with no usable protocol version", true},
		{"server-protocols-ignored-on-8u202", "-Djdk.tls.server.protocols=TLSv1.2", "8", 0, []string{t10, t11, t12}, "has no effect on JDK 8u202", false},
		{"server-protocols-unknown-name", "-Djdk.tls.server.protocols=TLS1.2", "17", 0, []string{}, "names the invalid protocol \"TLS1.2\"", true},
		{"disabled-algorithms-as-flag-ignored", "-Djdk.tls.disabledAlgorithms=SSLv3", "17", 0, []string{t12, t13}, "is a security property", false},
		{"client-protocols-tls13-on-8u291", "-Djdk.tls.client.protocols=TLSv1.2,TLSv1.3", "8u291", 1, []string{t12, t13}, "", true},
		{"client-protocols-tls13-unknown-on-8u202", "-Djdk.tls.client.protocols=TLSv1.3", "8", 1, []string{}, "", true},
		{"client-protocols-on-jdk7", "-Djdk.tls.client.protocols=TLSv1.2", "7", 1, []string{t12}, "needs JDK 7u95", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Load(nil, Options{JDK: tc.jdk, Flags: tc.flags})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			listeners := p.Listeners()
			if tc.listener >= len(listeners) {
				t.Fatalf("%d listeners, want listener %d", len(listeners), tc.listener)
			}
			l := listeners[tc.listener]
			if !slices.Equal(l.Versions.Values, tc.versions) {
				t.Errorf("%s: versions %v, want %v", l.Name, l.Versions.Values, tc.versions)
			}
			if tc.note != "" && !containsText(l.Notes, tc.note) {
				t.Errorf("notes %q lack %q", l.Notes, tc.note)
			}
			if got := strings.HasPrefix(l.Versions.Directive, "-D"); got != tc.byFlag {
				t.Errorf("versions set by %q; by a flag: %v, want %v", l.Versions.Directive, got, tc.byFlag)
			}
		})
	}
}

func TestEnableECCFalseRemovesECSuites(t *testing.T) {
	p, err := Load(nil, Options{Flags: "-Dcom.sun.net.ssl.enableECC=false"})
	if err != nil {
		t.Fatal(err)
	}
	versions, _ := p.ServerVersions(nil)
	suites, suites13, by := p.ServerSuites(nil, versions)
	for _, s := range suites {
		if strings.Contains(s, "ECDH") {
			t.Errorf("suite %s kept with enableECC=false", s)
		}
	}
	if len(suites13) != 3 {
		t.Errorf("TLS 1.3 suites %v, want the three of JDK 17", suites13)
	}
	if by.Directive != "-Dcom.sun.net.ssl.enableECC=false" || by.File != "" {
		t.Errorf("suites set by %+v, want the enableECC flag", by)
	}
}

// TestJudgeFixLines runs audit.Judge on the listeners and checks the
// corrected line of each problem.
func TestJudgeFixLines(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		audited  string
		listener int
		fix      string
		file     string
		line     int
	}{
		{"legacy-only-disabled-list", map[string]string{
			"java.security": minimalMaster + "security.overridePropertiesFile=true\njdk.tls.disabledAlgorithms=SSLv3, TLSv1.2, TLSv1.3, RC4, \\\n    include jdk.disabled.namedCurves\n",
		}, "java.security", 0, "jdk.tls.disabledAlgorithms=TLSv1, TLSv1.1, SSLv3, RC4, include jdk.disabled.namedCurves", "java.security", 5},
		{"server-protocols-flag", map[string]string{
			"setenv.sh": "# legacy\nexport JAVA_OPTS=\"-Djdk.tls.server.protocols=TLSv1\"\n",
		}, "setenv.sh", 0, "-Djdk.tls.server.protocols=TLSv1.2,TLSv1.3", "setenv.sh", 2},
		{"https-protocols-flag", map[string]string{
			"app.vmoptions": "-Xmx512m\n-Dhttps.protocols=TLSv1,TLSv1.1\n",
		}, "app.vmoptions", 2, "-Dhttps.protocols=TLSv1.2,TLSv1.3", "app.vmoptions", 2},
		{"ecdhe-disabled-tls12-only", map[string]string{
			"tls.security": "jdk.tls.disabledAlgorithms=SSLv3, TLSv1, TLSv1.1, TLSv1.3, ECDHE, DHE, TLS_RSA_*\n",
		}, "tls.security", 0, "jdk.tls.disabledAlgorithms=SSLv3, TLSv1, TLSv1.1, TLSv1.3, DHE, TLS_RSA_*", "tls.security", 1},
		{"lowercase-pattern-fatal", map[string]string{
			"tls.security": "jdk.tls.disabledAlgorithms=SSLv3, TLSv1, TLSv1.1, tls_rsa_*\n",
		}, "tls.security", 0, "jdk.tls.disabledAlgorithms=SSLv3, TLSv1, TLSv1.1, TLS_RSA_*", "tls.security", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, tc.files)
			listeners, fixer, err := Audit(Options{}, filepath.Join(dir, tc.audited))
			if err != nil {
				t.Fatalf("Audit: %v", err)
			}
			l := listeners[tc.listener]
			audit.Judge(&l, fixer)
			if len(l.Problems) == 0 {
				t.Fatalf("%s: no problem found; versions %v suites %v notes %q", l.Name, l.Versions.Values, l.Suites.Values, l.Notes)
			}
			p := l.Problems[0]
			if p.Fix != tc.fix {
				t.Errorf("fix\n got %q\nwant %q", p.Fix, tc.fix)
			}
			if p.File != filepath.Join(dir, tc.file) || p.Line != tc.line {
				t.Errorf("problem at %s:%d, want %s:%d", p.File, p.Line, tc.file, tc.line)
			}
		})
	}
}
