package nginx

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/audit/cipherstring"
)

func TestAuditLegacyFile(t *testing.T) {
	ls, err := Audit("testdata/legacy.conf", Debian12)
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	if len(ls) != 3 {
		t.Fatalf("got %d listeners, want 3 (the port 80 server has no TLS)", len(ls))
	}

	scim := ls[0]
	if !strings.Contains(scim.Name, "scim.example.com") || scim.Line != 22 {
		t.Errorf("listener 0 = %q at line %d, want scim.example.com at line 22", scim.Name, scim.Line)
	}
	if want := []string{"TLS 1.0", "TLS 1.1", "TLS 1.2"}; !slices.Equal(scim.Versions.Values, want) {
		t.Errorf("scim versions %q, want %q", scim.Versions.Values, want)
	}
	if scim.Versions.Line != 11 || scim.Versions.Directive != "ssl_protocols TLSv1 TLSv1.1 TLSv1.2;" {
		t.Errorf("scim versions from line %d %q, want the http block's line 11", scim.Versions.Line, scim.Versions.Directive)
	}
	// Debian 12's OpenSSL 3.0 has no 3DES suite, so DES-CBC3-SHA selects
	// nothing.
	wantSuites := []string{"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"}
	if !slices.Equal(scim.Suites.Values, wantSuites) {
		t.Errorf("scim suites %q, want %q", scim.Suites.Values, wantSuites)
	}
	if got := scim.ClientCertificate.Values; !slices.Equal(got, []string{"optional"}) || scim.ClientCertificate.Line != 26 {
		t.Errorf("scim client certificate %q at line %d, want optional at line 26", got, scim.ClientCertificate.Line)
	}

	admin := ls[1]
	if want := []string{"TLS 1.2"}; !slices.Equal(admin.Versions.Values, want) || admin.Versions.Line != 35 {
		t.Errorf("admin versions %q at line %d, want %q at line 35", admin.Versions.Values, admin.Versions.Line, want)
	}
	if got := admin.ClientCertificate.Values; !slices.Equal(got, []string{"required"}) {
		t.Errorf("admin client certificate %q, want required", got)
	}

	stream := ls[2]
	if !strings.HasPrefix(stream.Name, "stream server") {
		t.Errorf("listener 2 = %q, want the stream server", stream.Name)
	}
	if want := []string{"TLS 1.3"}; !slices.Equal(stream.Versions.Values, want) {
		t.Errorf("stream versions %q, want %q", stream.Versions.Values, want)
	}
	if len(stream.Suites.Values) != 0 {
		t.Errorf("stream TLS 1.2 suites %q, want none on a TLS 1.3-only listener", stream.Suites.Values)
	}
}

func TestAuditModernFile(t *testing.T) {
	ls, err := Audit("testdata/modern.conf", Debian12)
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	if len(ls) != 2 {
		t.Fatalf("got %d listeners, want 2", len(ls))
	}
	scim := ls[0]
	if want := []string{"TLS 1.2"}; !slices.Equal(scim.Versions.Values, want) {
		t.Errorf("versions %q, want %q because Protocol -TLSv1.3 removes TLS 1.3", scim.Versions.Values, want)
	}
	if scim.Versions.Line != 10 {
		t.Errorf("versions traced to line %d, want the ssl_conf_command of line 10", scim.Versions.Line)
	}
	// The certificate cannot be read, so the audit assumes RSA and drops
	// the ECDSA suite.
	if want := []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"}; !slices.Equal(scim.Suites.Values, want) {
		t.Errorf("suites %q, want %q", scim.Suites.Values, want)
	}
	if want := []string{"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"}; !slices.Equal(scim.Suites13.Values, want) || scim.Suites13.Line != 9 {
		t.Errorf("TLS 1.3 suites %q at line %d, want %q at line 9", scim.Suites13.Values, scim.Suites13.Line, want)
	}
	if !slices.ContainsFunc(scim.Notes, func(n string) bool { return strings.Contains(n, "cannot read the certificate") }) {
		t.Errorf("notes %q lack the unreadable certificate", scim.Notes)
	}

	reject := ls[1]
	if len(reject.Versions.Values) != 0 || reject.Versions.Line != 17 {
		t.Errorf("reject versions %q at line %d, want none at line 17", reject.Versions.Values, reject.Versions.Line)
	}
}

func TestAuditDefaults(t *testing.T) {
	conf := "http {\n server {\n  listen 443 ssl;\n }\n}\n"
	tests := []struct {
		name         string
		opts         Options
		wantVersions []string
		wantNote     string
	}{
		{"nginx 1.22.1 at level 2", Debian12, []string{"TLS 1.2"}, "security level 2 rejects it"},
		{"nginx 1.22.1 at level 0", Options{NginxVersion: "1.22.1", OpenSSL: cipherstring.OpenSSL30}, []string{"TLS 1.0", "TLS 1.1", "TLS 1.2"}, ""},
		{"nginx 1.24.0", Options{NginxVersion: "1.24.0", OpenSSL: cipherstring.OpenSSL30, SecurityLevel: 2}, []string{"TLS 1.2", "TLS 1.3"}, ""},
		{"nginx 1.23.3", Options{NginxVersion: "1.23.3", OpenSSL: cipherstring.OpenSSL30, SecurityLevel: 2}, []string{"TLS 1.2"}, ""},
		{"nginx 1.18.0 with OpenSSL 1.1.1", Options{NginxVersion: "1.18.0", OpenSSL: cipherstring.OpenSSL111, SecurityLevel: 2}, []string{"TLS 1.0", "TLS 1.1", "TLS 1.2"}, ""},
		{"nginx 1.6.2 with OpenSSL 1.0.2", Options{NginxVersion: "1.6.2", OpenSSL: cipherstring.OpenSSL102}, []string{"SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"nginx.conf": conf})
			ls, err := Audit(filepath.Join(dir, "nginx.conf"), tc.opts)
			if err != nil {
				t.Fatalf("Audit: %v", err)
			}
			l := ls[0]
			if !slices.Equal(l.Versions.Values, tc.wantVersions) {
				t.Errorf("versions %q, want %q (notes %q)", l.Versions.Values, tc.wantVersions, l.Notes)
			}
			if l.Versions.Line != 0 || !strings.HasPrefix(l.Versions.Directive, "default of nginx "+tc.opts.NginxVersion) {
				t.Errorf("versions traced to line %d %q, want the default of nginx %s", l.Versions.Line, l.Versions.Directive, tc.opts.NginxVersion)
			}
			if !strings.HasPrefix(l.Suites.Directive, "default of nginx") || !strings.HasSuffix(l.Suites.Directive, "HIGH:!aNULL:!MD5") {
				t.Errorf("suites traced to %q, want the HIGH:!aNULL:!MD5 default", l.Suites.Directive)
			}
			if tc.wantNote != "" && !slices.ContainsFunc(l.Notes, func(n string) bool { return strings.Contains(n, tc.wantNote) }) {
				t.Errorf("notes %q lack %q", l.Notes, tc.wantNote)
			}
		})
	}
}

func TestAuditConfigErrors(t *testing.T) {
	tests := []struct {
		name     string
		conf     string
		wantLine int
		wantText string
	}{
		{"duplicate ssl_protocols", "http {\n ssl_protocols TLSv1.2;\n ssl_protocols TLSv1.3;\n server { listen 443 ssl; }\n}\n", 3, "is duplicate"},
		{"invalid protocol", "http {\n server {\n  listen 443 ssl;\n  ssl_protocols TLSv1.4;\n }\n}\n", 4, `invalid value "TLSv1.4"`},
		{"cipher string that matches nothing", "http {\n server {\n  listen 443 ssl;\n  ssl_ciphers NOSUCHCIPHER;\n }\n}\n", 4, "nginx would not start"},
		{"conf command without value", "http {\n server {\n  listen 443 ssl;\n  ssl_conf_command Ciphersuites;\n }\n}\n", 4, "takes a name and a value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"nginx.conf": tc.conf})
			_, err := Audit(filepath.Join(dir, "nginx.conf"), Debian12)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Audit = %v, want a *ParseError", err)
			}
			if pe.Line != tc.wantLine || !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q at line %d, want %q at line %d", err, pe.Line, tc.wantText, tc.wantLine)
			}
		})
	}
}

func TestAuditInvalidVersionOption(t *testing.T) {
	_, err := Audit("testdata/modern.conf", Options{NginxVersion: "latest", OpenSSL: cipherstring.OpenSSL30})
	if err == nil || !strings.Contains(err.Error(), `invalid nginx version "latest"`) {
		t.Errorf("Audit with version latest = %v, want an invalid version error", err)
	}
}

func TestFixer(t *testing.T) {
	var f Fixer
	if got, want := f.VersionsLine([]string{"TLS 1.2", "TLS 1.3"}), "ssl_protocols TLSv1.2 TLSv1.3;"; got != want {
		t.Errorf("VersionsLine = %q, want %q", got, want)
	}
	got := f.SuitesLine([]string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_NO_SUCH_SUITE"})
	if want := "ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA;"; got != want {
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
		{"nginx.conf by name", "/etc/nginx/nginx.conf", "", true},
		{"site under nginx folder", "/etc/nginx/sites-enabled/default", "", true},
		{"server block by content", "/tmp/site.txt", "server {\n listen 443 ssl;\n}", true},
		{"ssl directive by content", "/tmp/tls.inc", "ssl_protocols TLSv1.2;\n", true},
		{"apache vhost", "/etc/apache2/sites-enabled/x.conf", "<VirtualHost *:443>\nSSLProtocol all\n</VirtualHost>", false},
		{"haproxy config", "/etc/haproxy/haproxy.cfg", "frontend scim\n bind :443 ssl crt /x.pem\n", false},
		{"binary file", "/etc/nginx/nginx.conf", "\x00\x01server {", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Detect(tc.path, []byte(tc.head)); got != tc.want {
				t.Errorf("Detect(%q) = %v, want %v", tc.path, got, tc.want)
			}
		})
	}
}

func TestFormatInRun(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"nginx.conf": "http {\n server {\n  listen 443 ssl;\n  ssl_protocols TLSv1 TLSv1.1;\n  ssl_ciphers 'DEFAULT:@SECLEVEL=0';\n }\n}\n",
	})
	r, err := audit.Run([]string{dir}, "", []audit.Format{Format()})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(r.Files) != 1 || r.Files[0].Type != "nginx" || r.Files[0].Error != "" {
		t.Fatalf("files %+v, want one nginx file without error", r.Files)
	}
	ls := r.Files[0].Listeners
	if len(ls) != 1 || len(ls[0].Problems) == 0 {
		t.Fatalf("listeners %+v, want one with a problem", ls)
	}
	p := ls[0].Problems[0]
	if p.Line != 4 || p.Fix != "ssl_protocols TLSv1.2 TLSv1.3;" {
		t.Errorf("problem at line %d with fix %q, want line 4 and ssl_protocols TLSv1.2 TLSv1.3;", p.Line, p.Fix)
	}
	if r.ExitCode == 0 {
		t.Errorf("exit code 0, want findings")
	}
}

// TestDHECiphersWithoutDHParam checks that a cipher line of DHE suites
// without ssl_dhparam, which leaves TLS 1.2 no suite, is the line blamed
// and fixed, and that the fixed file fails no IdP.
func TestDHECiphersWithoutDHParam(t *testing.T) {
	tests := []struct {
		name      string
		protocols string
	}{
		{"TLS 1.2 and 1.3", "TLSv1.2 TLSv1.3"},
		{"TLS 1.2 only", "TLSv1.2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cipherLine := "ssl_ciphers DHE-RSA-AES256-GCM-SHA384;"
			conf := "http {\n server {\n  listen 443 ssl;\n  ssl_protocols " + tc.protocols + ";\n  " + cipherLine + "\n }\n}\n"
			dir := writeFiles(t, map[string]string{"nginx.conf": conf})
			ls, err := Audit(filepath.Join(dir, "nginx.conf"), Debian12)
			if err != nil {
				t.Fatalf("Audit: %v", err)
			}
			l := ls[0]
			if slices.Contains(l.Versions.Values, "TLS 1.2") {
				t.Errorf("versions %q include TLS 1.2, which has no suite", l.Versions.Values)
			}
			if l.Versions.Line != 5 {
				t.Errorf("versions traced to line %d %q, want the ssl_ciphers line 5", l.Versions.Line, l.Versions.Directive)
			}
			if !slices.ContainsFunc(l.Notes, func(n string) bool { return strings.Contains(n, "ssl_dhparam") && strings.Contains(n, "ssl_ciphers") }) {
				t.Errorf("notes %q name neither ssl_ciphers nor the missing ssl_dhparam", l.Notes)
			}

			audit.Judge(&l, Fixer{})
			if len(l.Problems) == 0 {
				t.Fatal("no problem reported")
			}
			fix := ""
			for _, p := range l.Problems {
				if p.Line != 5 || !strings.HasPrefix(p.Directive, "ssl_ciphers") {
					t.Errorf("problem %q at line %d %q, want the ssl_ciphers line", p.Title, p.Line, p.Directive)
				}
				if fix != "" && p.Fix != fix {
					t.Errorf("fixes of one line differ: %q and %q", fix, p.Fix)
				}
				fix = p.Fix
			}

			fixed := strings.Replace(conf, cipherLine, fix, 1)
			dir = writeFiles(t, map[string]string{"nginx.conf": fixed})
			ls, err = Audit(filepath.Join(dir, "nginx.conf"), Debian12)
			if err != nil {
				t.Fatalf("Audit of the fixed file: %v", err)
			}
			audit.Judge(&ls[0], Fixer{})
			if len(ls[0].Problems) != 0 {
				t.Errorf("fixed file %q still has problems %+v", fixed, ls[0].Problems)
			}
		})
	}
}

// TestSharedAddressNoteNamesDefaultServerOnce checks the note of a server
// behind another default server on the same address, whose name starts
// with "server" already.
func TestSharedAddressNoteNamesDefaultServerOnce(t *testing.T) {
	conf := "http {\n server {\n  listen 443 ssl default_server;\n  server_name default.example.com;\n  ssl_protocols TLSv1.3;\n }\n" +
		" server {\n  listen 443 ssl;\n  server_name scim.example.com;\n  ssl_protocols TLSv1.2;\n }\n}\n"
	dir := writeFiles(t, map[string]string{"nginx.conf": conf})
	ls, err := Audit(filepath.Join(dir, "nginx.conf"), Debian12)
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	i := slices.IndexFunc(ls, func(l audit.Listener) bool { return strings.Contains(l.Name, "scim.example.com") })
	if i < 0 {
		t.Fatalf("no listener for scim.example.com among %+v", ls)
	}
	found := false
	for _, n := range ls[i].Notes {
		if strings.Contains(n, "the default server of that address") {
			found = true
		}
		if strings.Contains(n, "server server") {
			t.Errorf("note %q repeats the word server", n)
		}
	}
	if !found {
		t.Errorf("notes %q lack the shared default server", ls[i].Notes)
	}
}
