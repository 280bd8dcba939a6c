package java

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeFiles writes files (name to text) to a new folder and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// minimalMaster is the start of a master java.security: it registers
// providers and sets jdk.certpath.disabledAlgorithms.
const minimalMaster = "security.provider.1=SUN\nsecurity.provider.2=SunJSSE\njdk.certpath.disabledAlgorithms=MD2\n"

func TestIncludeOnJDK25(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"java.security":       minimalMaster + "security.overridePropertiesFile=true\njdk.tls.disabledAlgorithms=SSLv3\ninclude extra/tls.security\n",
		"extra/tls.security":  "include ${java.home}/deep.security\n",
		"home/deep.security":  "jdk.tls.disabledAlgorithms=SSLv3, TLSv1.2\n",
		"unused/tls.security": "",
	})
	p, err := Load([]string{filepath.Join(dir, "java.security")}, Options{JDK: "25", JavaHome: filepath.Join(dir, "home")})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	versions, by := p.ServerVersions(nil)
	if want := []string{t10, t11, t13}; !slices.Equal(versions, want) {
		t.Errorf("versions %v, want %v", versions, want)
	}
	if by.File != filepath.Join(dir, "home", "deep.security") || by.Line != 1 {
		t.Errorf("versions set by %s:%d, want the included file's line 1", by.File, by.Line)
	}
}

func TestIncludeIgnoredBeforeJDK24(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"java.security": minimalMaster + "jdk.tls.disabledAlgorithms=SSLv3\ninclude tls.security\n",
		"tls.security":  "jdk.tls.disabledAlgorithms=TLSv1.2\n",
	})
	p, err := Load([]string{filepath.Join(dir, "java.security")}, Options{JDK: "17"})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if versions, _ := p.ServerVersions(nil); !slices.Equal(versions, []string{t10, t11, t12, t13}) {
		t.Errorf("versions %v: the include must do nothing on JDK 17", versions)
	}
	if !containsText(p.Notes(), "include lines work from JDK 24 on") {
		t.Errorf("notes %q lack the include note", p.Notes())
	}
}

func TestIncludeErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		// wantFile and wantLine locate the include at fault.
		wantFile string
		wantLine int
		wantText string
	}{
		{"loop-of-two", map[string]string{
			"java.security": minimalMaster + "include a.security\n",
			"a.security":    "# a\ninclude java.security\n",
		}, "a.security", 2, "include loop"},
		{"self-include", map[string]string{
			"java.security": minimalMaster + "include ./java.security\n",
		}, "java.security", 4, "includes itself"},
		{"missing-file", map[string]string{
			"java.security": minimalMaster + "\ninclude missing.security\n",
		}, "java.security", 5, "missing.security"},
		{"empty-after-expansion", map[string]string{
			"java.security": minimalMaster + "include ${unset.property}\n",
		}, "java.security", 4, "names no file"},
		{"malformed-escape-in-included-file", map[string]string{
			"java.security": minimalMaster + "include bad.security\n",
			"bad.security":  "k=\\u12\n",
		}, "bad.security", 1, "malformed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, tc.files)
			_, err := Load([]string{filepath.Join(dir, "java.security")}, Options{JDK: "25"})
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Load error %v, want *ParseError", err)
			}
			if pe.File != filepath.Join(dir, tc.wantFile) || pe.Line != tc.wantLine {
				t.Errorf("error at %s:%d, want %s:%d: %v", pe.File, pe.Line, tc.wantFile, tc.wantLine, err)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q lacks %q", err, tc.wantText)
			}
		})
	}
}

func TestOverrideFiles(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		// audited are the files given to Load, in order.
		audited  []string
		flags    string
		versions []string
		note     string
	}{
		{"append-adds-to-master", map[string]string{
			"java.security":  minimalMaster + "security.overridePropertiesFile=true\njdk.tls.disabledAlgorithms=SSLv3, TLSv1, TLSv1.1\n",
			"extra.security": "jdk.tls.disabledAlgorithms=SSLv3\n",
			"setenv.sh":      "JAVA_OPTS=\"-Djava.security.properties=/etc/app/extra.security\"\n",
		}, []string{"java.security", "extra.security", "setenv.sh"}, "", []string{t10, t11, t12, t13}, ""},
		{"replace-drops-master-keys", map[string]string{
			"java.security": minimalMaster + "security.overridePropertiesFile=true\njdk.tls.disabledAlgorithms=SSLv3, TLSv1, TLSv1.1\n",
			"only.security": "security.provider.1=SUN\n",
		}, []string{"java.security", "only.security"}, "-Djava.security.properties==only.security", []string{t10, t11, t12, t13}, "replaces the master java.security"},
		{"override-disallowed-by-master", map[string]string{
			"java.security":  minimalMaster + "security.overridePropertiesFile=false\njdk.tls.disabledAlgorithms=SSLv3, TLSv1, TLSv1.1\n",
			"extra.security": "jdk.tls.disabledAlgorithms=SSLv3\n",
		}, []string{"java.security", "extra.security"}, "-Djava.security.properties=extra.security", []string{t12, t13}, "security.overridePropertiesFile is set to false"},
		{"override-disallowed-when-absent-from-master", map[string]string{
			"java.security":  minimalMaster + "jdk.tls.disabledAlgorithms=TLSv1.3\n",
			"extra.security": "jdk.tls.disabledAlgorithms=SSLv3\n",
		}, []string{"java.security", "extra.security"}, "", []string{t10, t11, t12}, "security.overridePropertiesFile is absent"},
		{"override-alone-adds-to-jdk-default", map[string]string{
			"tls.security": "# re-enable TLS 1.1 for a legacy partner\njdk.tls.disabledAlgorithms=SSLv3, TLSv1\n",
		}, []string{"tls.security"}, "", []string{t11, t12, t13}, "read as a -Djava.security.properties file"},
		{"override-not-found", map[string]string{
			"setenv.sh": "CATALINA_OPTS=\"-Djava.security.properties=/nonexistent/x.security\"\n",
		}, []string{"setenv.sh"}, "", []string{t12, t13}, "not found on disk"},
		{"master-without-disabled-key", map[string]string{
			"java.security": minimalMaster,
		}, []string{"java.security"}, "", []string{t10, t11, t12, t13}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, tc.files)
			var paths []string
			for _, name := range tc.audited {
				paths = append(paths, filepath.Join(dir, name))
			}
			flags := strings.ReplaceAll(tc.flags, "==", "=="+dir+"/")
			if !strings.Contains(tc.flags, "==") {
				flags = strings.ReplaceAll(tc.flags, "=extra", "="+dir+"/extra")
			}
			p, err := Load(paths, Options{JDK: "17", Flags: flags})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if versions, by := p.ServerVersions(nil); !slices.Equal(versions, tc.versions) {
				t.Errorf("versions %v (from %s:%d %q), want %v; notes %q", versions, by.File, by.Line, by.Directive, tc.versions, p.Notes())
			}
			if tc.note != "" && !containsText(p.Notes(), tc.note) {
				t.Errorf("notes %q lack %q", p.Notes(), tc.note)
			}
		})
	}
}

func TestLoadBadInput(t *testing.T) {
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.security")
	if err := os.WriteFile(huge, bytes.Repeat([]byte("# padding line of a fifty megabyte file\n"), 50<<20/40), 0o600); err != nil {
		t.Fatal(err)
	}
	junk := filepath.Join(dir, "junk.security")
	junkData := make([]byte, 4096)
	for i := range junkData {
		junkData[i] = byte(i*7 + 1)
	}
	if err := os.WriteFile(junk, junkData, 0o600); err != nil {
		t.Fatal(err)
	}
	escape := filepath.Join(dir, "escape.security")
	if err := os.WriteFile(escape, []byte("a=1\njdk.tls.disabledAlgorithms=SSLv3, \\\n  \\uZZZZ\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string
	}{
		{"fifty-megabytes", huge, "larger than 8 MiB"},
		{"binary-junk", junk, "binary content"},
		{"unbalanced-escape", escape, escape + ":2: value of \"jdk.tls.disabledAlgorithms\": malformed"},
		{"missing-file", filepath.Join(dir, "absent.security"), "cannot read"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Audit(Options{}, tc.path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Audit(%s) error %v, want %q", tc.name, err, tc.want)
			}
		})
	}
}

func TestRelatedFilesFindsFlagsNextToSecurityFile(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"custom.security": "jdk.tls.disabledAlgorithms=SSLv3\n",
		"setenv.sh":       "CATALINA_OPTS=\"-Djava.security.properties=/opt/app/conf/custom.security -Dcom.sun.net.ssl.enableECC=false\"\n",
		"other.vmoptions": "-Dhttps.protocols=TLSv1\n",
	})
	listeners, _, err := Audit(Options{}, filepath.Join(dir, "custom.security"))
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	server := listeners[0]
	if !slices.Equal(server.Versions.Values, []string{t10, t11, t12, t13}) {
		t.Errorf("versions %v, want TLS 1.0 to 1.3 from custom.security", server.Versions.Values)
	}
	for _, s := range server.Suites.Values {
		if strings.Contains(s, "ECDH") {
			t.Errorf("suite %s enabled although setenv.sh sets enableECC=false", s)
		}
	}
	if len(listeners) != 2 {
		t.Errorf("%d listeners, want 2: other.vmoptions does not name custom.security", len(listeners))
	}
}

func TestFlagsFileFindsCopyBesideIt(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"setenv.sh":     "CATALINA_OPTS=\"-Djava.security.properties==/nonexistent/conf/scim.security\"\n",
		"scim.security": minimalMaster + "jdk.tls.disabledAlgorithms=SSLv3, TLSv1.2, TLSv1.3\n",
	})
	listeners, _, err := Audit(Options{}, filepath.Join(dir, "setenv.sh"))
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	if !slices.Equal(listeners[0].Versions.Values, []string{t10, t11}) {
		t.Errorf("versions %v, want TLS 1.0 and 1.1 from the scim.security copy beside setenv.sh", listeners[0].Versions.Values)
	}
}

func containsText(notes []string, text string) bool {
	for _, n := range notes {
		if strings.Contains(n, text) {
			return true
		}
	}
	return false
}
