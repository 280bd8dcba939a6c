package apache

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/audit"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestParseBadFiles(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		wantFile string
		wantLine int
		wantText string
	}{
		{"binary junk", map[string]string{"httpd.conf": "SSLEngine on\n\x7fELF\x00\x01\x02"}, "httpd.conf", 2, "NUL byte"},
		{"include loop", map[string]string{"httpd.conf": "Include a.conf\n", "a.conf": "\n\nInclude b.conf\n", "b.conf": "Include a.conf\n"}, "b.conf", 1, "include loop"},
		{"self include by glob", map[string]string{"httpd.conf": "ServerName x\nIncludeOptional *.conf\n"}, "httpd.conf", 2, "include loop"},
		{"unbalanced quote", map[string]string{"httpd.conf": "ServerName x\n\nSSLCipherSuite \"HIGH:!aNULL\n"}, "httpd.conf", 3, "unbalanced quote"},
		{"unclosed section", map[string]string{"httpd.conf": "<VirtualHost *:443>\nSSLEngine on\n"}, "httpd.conf", 1, "never closed"},
		{"mismatched close", map[string]string{"httpd.conf": "<VirtualHost *:443>\n</IfModule>\n"}, "httpd.conf", 2, "closes <VirtualHost>"},
		{"missing include", map[string]string{"httpd.conf": "Include missing.conf\n"}, "httpd.conf", 1, "IncludeOptional"},
		{"invalid protocol", map[string]string{"httpd.conf": "SSLEngine on\nSSLProtocol +TLSv9\n"}, "httpd.conf", 2, `"+TLSv9"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, tc.files)
			_, _, err := Audit(DebianOptions, filepath.Join(dir, "httpd.conf"))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Audit error %v, want *ParseError", err)
			}
			// A file that audit.ReadFile rejects carries the line in
			// the wrapped error's text.
			if pe.Err != nil {
				if at := fmt.Sprintf("%s:%d:", tc.wantFile, tc.wantLine); filepath.Base(pe.File) != tc.wantFile || !strings.Contains(err.Error(), at) {
					t.Errorf("error %q does not name %s", err, at)
				}
			} else if filepath.Base(pe.File) != tc.wantFile || pe.Line != tc.wantLine {
				t.Errorf("error at %s:%d, want %s:%d (%v)", filepath.Base(pe.File), pe.Line, tc.wantFile, tc.wantLine, err)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q lacks %q", err, tc.wantText)
			}
		})
	}
}

func TestParseHugeFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "httpd.conf")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(audit.MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = Parse(path)
	if err == nil || !strings.Contains(err.Error(), "larger than 8 MiB") {
		t.Fatalf("Parse error %v, want the size limit", err)
	}
}

func TestVirtualHostScoping(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"httpd.conf": `Define LEGACY
SSLProtocol -all +TLSv1.2
SSLCipherSuite "ECDHE+AESGCM"
<VirtualHost 127.0.0.1:443>
    SSLEngine on
</VirtualHost>
<VirtualHost 127.0.0.1:8443>
    SSLEngine on
    SSLProtocol \
        all
    SSLVerifyClient optional_no_ca
</VirtualHost>
<VirtualHost 127.0.0.1:80>
    ServerName plain
</VirtualHost>
<IfDefine !LEGACY>
<VirtualHost 127.0.0.1:9443>
    SSLEngine on
</VirtualHost>
</IfDefine>
`})
	ls, _, err := Audit(DebianOptions, filepath.Join(dir, "httpd.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 2 {
		t.Fatalf("got %d listeners, want 2: %+v", len(ls), ls)
	}
	if got := ls[0].Versions; strings.Join(got.Values, ",") != "TLS 1.2" || got.Line != 2 {
		t.Errorf("first VirtualHost versions %v from line %d, want TLS 1.2 from line 2", got.Values, got.Line)
	}
	if got := ls[0].Suites; got.Line != 3 || len(got.Values) == 0 {
		t.Errorf("first VirtualHost suites %v from line %d, want the main server's line 3", got.Values, got.Line)
	}
	if got := ls[1].Versions; strings.Join(got.Values, ",") != "TLS 1.2,TLS 1.3" || got.Line != 9 {
		t.Errorf("second VirtualHost versions %v from line %d, want TLS 1.2, TLS 1.3 from line 9", got.Values, got.Line)
	}
	if got := ls[1].ClientCertificate.Values; len(got) != 1 || got[0] != "optional" {
		t.Errorf("second VirtualHost client certificate %v, want optional", got)
	}
}

// TestDefineExpandedBeforeSplit checks that a Define value with blanks
// becomes several words, as httpd replaces ${VAR} before it splits a line.
func TestDefineExpandedBeforeSplit(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"httpd.conf": `Define PROTO "-all +TLSv1.3"
Define QUOTED "'ECDHE+AESGCM'"
<VirtualHost 127.0.0.1:443>
    SSLEngine on
    SSLProtocol ${PROTO}
    SSLCipherSuite ${QUOTED}
</VirtualHost>
`})
	ls, _, err := Audit(DebianOptions, filepath.Join(dir, "httpd.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 1 {
		t.Fatalf("got %d listeners, want 1", len(ls))
	}
	if got := ls[0].Versions; strings.Join(got.Values, ",") != "TLS 1.3" || got.Line != 5 {
		t.Errorf("versions %v from line %d, want TLS 1.3 from line 5", got.Values, got.Line)
	}
	if got := ls[0].Suites; got.Line != 6 {
		t.Errorf("suites %v from line %d, want line 6", got.Values, got.Line)
	}
}

func TestFixerLines(t *testing.T) {
	var f Fixer
	if got, want := f.VersionsLine([]string{"TLS 1.2", "TLS 1.3"}), "SSLProtocol -all +TLSv1.2 +TLSv1.3"; got != want {
		t.Errorf("VersionsLine = %q, want %q", got, want)
	}
	if got, want := f.SuitesLine([]string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA"}), "SSLCipherSuite ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA"; got != want {
		t.Errorf("SuitesLine = %q, want %q", got, want)
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		path string
		head string
		want bool
	}{
		{"debian main file", "/etc/apache2/apache2.conf", "", true},
		{"site with VirtualHost", "/srv/site.conf", "<VirtualHost *:443>\n", true},
		{"nginx server block", "/etc/nginx/nginx.conf", "server {\n listen 443 ssl;\n}\n", false},
		{"binary", "/tmp/x.conf", "SSLEngine on\x00", false},
	}
	for _, tc := range tests {
		if got := Detect(tc.path, []byte(tc.head)); got != tc.want {
			t.Errorf("%s: Detect = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// FuzzParse checks that no input makes the parser panic, and that an error
// comes with no result.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"<VirtualHost *:443>\nSSLEngine on\nSSLProtocol -all +TLSv1.2\n</VirtualHost>\n",
		"SSLCipherSuite \"HIGH:!aNULL\nLine \\\n continued\n",
		"<IfModule !ssl_module>\n</IfModule>\nDefine X y\nServerName ${X}\n",
		"</VirtualHost>\n<a\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		p := &parser{serverRoot: t.TempDir(), defines: map[string]string{}}
		dirs, err := p.parseData("fuzz.conf", []byte(text))
		if err != nil && dirs != nil {
			t.Fatalf("error %v with a result", err)
		}
		if err == nil {
			if _, err := Effective(&Config{Directives: dirs}, DebianOptions); err != nil {
				var pe *ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("Effective error %T, want *ParseError", err)
				}
			}
		}
	})
}
