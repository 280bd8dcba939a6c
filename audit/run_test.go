package audit_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/audit/apache"
	"github.com/scimdoctor/scimdoctor/audit/haproxy"
	"github.com/scimdoctor/scimdoctor/audit/nginx"
	"github.com/scimdoctor/scimdoctor/audit/stunnel"
	"github.com/scimdoctor/scimdoctor/report"
)

func formats() []audit.Format {
	return []audit.Format{nginx.Format(), apache.Format(), haproxy.Format(), stunnel.Format()}
}

const goodNginx = "events {}\nhttp {\n    server {\n        listen 443 ssl;\n        ssl_protocols TLSv1.2 TLSv1.3;\n    }\n}\n"

// badFileFormat is one format's part of TestRunBadFiles: a good file, and
// the files that make an include loop in its syntax.
type badFileFormat struct {
	name string
	good string
	// loop writes files a and b that include each other and a file that
	// includes itself, under dir, and returns the paths to audit. It is
	// nil for HAProxy, which has no include directive.
	loop func(t *testing.T, dir string) (a, self string)
	// quote is a file with an unbalanced quote at quoteLine.
	quote     string
	quoteLine int
}

var badFileFormats = []badFileFormat{
	{
		name: "nginx",
		good: goodNginx,
		loop: func(t *testing.T, dir string) (string, string) {
			writeFile(t, dir, "loop-b.conf", "include loop-a.conf;\n")
			return writeFile(t, dir, "loop-a.conf", "http {\n    include loop-b.conf;\n}\n"),
				writeFile(t, dir, "self.conf", "events {}\ninclude self.conf;\n")
		},
		quote:     "http {\n    server {\n        ssl_ciphers \"HIGH;\n    }\n}\n",
		quoteLine: 3,
	},
	{
		name: "apache",
		good: "<VirtualHost *:443>\n    ServerName scim.example.com\n    SSLEngine on\n    SSLProtocol TLSv1.2 TLSv1.3\n</VirtualHost>\n",
		loop: func(t *testing.T, dir string) (string, string) {
			writeFile(t, dir, "loop-b.conf", "Include loop-a.conf\n")
			return writeFile(t, dir, "loop-a.conf", "ServerName x\nInclude loop-b.conf\n"),
				writeFile(t, dir, "self.conf", "ServerName x\nInclude self.conf\n")
		},
		quote:     "ServerName x\n\nSSLCipherSuite \"HIGH:!aNULL\n",
		quoteLine: 3,
	},
	{
		name:      "haproxy",
		good:      "global\n    ssl-default-bind-options ssl-min-ver TLSv1.2\nfrontend f\n    mode http\n    bind :443 ssl crt x.pem\n    default_backend b\nbackend b\n    server s 127.0.0.1:80\n",
		quote:     "global\n    ssl-default-bind-ciphers \"HIGH:!aNULL\n",
		quoteLine: 2,
	},
	{
		name: "stunnel",
		good: "[scim]\naccept = 443\nconnect = 8080\ncert = x.pem\nsslVersionMin = TLSv1.2\n",
		loop: func(t *testing.T, dir string) (string, string) {
			// stunnel includes folders: la/a.conf reads lb, whose
			// b.conf reads la again, and self/self.conf reads its
			// own folder.
			writeFile(t, dir, "lb/b.conf", "include = ../la\n")
			return writeFile(t, dir, "la/a.conf", "include = ../lb\n"),
				writeFile(t, dir, "self/self.conf", "include = .\n")
		},
		quote:     "[s]\naccept = 1\nciphers = \"HIGH:!aNULL\n",
		quoteLine: 3,
	},
}

// writeFile writes text to dir/name, creating folders, and returns the
// path.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// utf16LE encodes ASCII text as UTF-16 little endian without a byte order
// mark, as some Windows editors save it.
func utf16LE(text string) string {
	var b []byte
	for _, r := range text {
		b = append(b, byte(r), 0)
	}
	return string(b)
}

// TestRunBadFiles audits, for each format, a good file named next to
// broken ones. Each broken file gets an error that names it, the line
// where there is one, and the next step. The good file and its UTF-16
// copy are audited with their listeners, so the exit code is 1.
func TestRunBadFiles(t *testing.T) {
	shared := t.TempDir()
	huge := writeFile(t, shared, "huge.conf", strings.Repeat("# comment line to fill the file\n", (50<<20)/32))

	for _, f := range badFileFormats {
		t.Run(f.name, func(t *testing.T) {
			dir := t.TempDir()
			good := writeFile(t, dir, "good.conf", f.good)
			type badFile struct {
				name string
				path string
				// wantAt is "file:line" or the file alone, and wantNext a
				// phrase of the next step.
				wantAt, wantNext string
			}
			bad := []badFile{
				{"binary junk", writeFile(t, dir, "junk.conf", "# exported\n\x7fELF\x00\x01\x02\x03\xff\xfe"), "junk.conf:2:", "name a text configuration file"},
				{"50 MB config", huge, "huge.conf", "name the configuration file itself"},
				{"unbalanced quote", writeFile(t, dir, "quote.conf", f.quote), fmt.Sprintf("quote.conf:%d:", f.quoteLine), "clos"},
			}
			if f.loop != nil {
				a, self := f.loop(t, dir)
				bad = append(bad,
					badFile{"include loop", a, filepath.Base(a), "remove the include"},
					badFile{"self include", self, filepath.Base(self) + ":2:", "remove the include"},
				)
				if f.name == "stunnel" {
					// The include of a folder line 1 reads the file again.
					bad[len(bad)-2].wantAt = "b.conf:1:"
					bad[len(bad)-1].wantAt = "self.conf:1:"
				}
			}
			if f.name == "stunnel" {
				bad[2].wantNext = "remove the quotes"
			}
			utf16 := writeFile(t, dir, "utf16.conf", utf16LE(f.good))

			paths := []string{good, utf16}
			for _, b := range bad {
				paths = append(paths, b.path)
			}
			r, err := audit.Run(paths, f.name, formats())
			if err != nil {
				t.Fatalf("Run failed: %v", err)
			}
			if len(r.Files) != len(paths) {
				t.Fatalf("files = %d, want %d", len(r.Files), len(paths))
			}
			for _, res := range r.Files[:2] {
				if res.Error != "" {
					t.Errorf("%s: error %q, want it audited", filepath.Base(res.Path), res.Error)
				}
				if len(res.Listeners) != 1 {
					t.Errorf("%s: %d listeners, want 1", filepath.Base(res.Path), len(res.Listeners))
				}
			}
			for i, b := range bad {
				res := r.Files[i+2]
				if res.Error == "" {
					t.Errorf("%s: %s audited without error: %+v", b.name, res.Path, res.Listeners)
					continue
				}
				if !strings.Contains(res.Error, b.wantAt) {
					t.Errorf("%s: error %q does not name %s", b.name, res.Error, b.wantAt)
				}
				if !strings.Contains(strings.ToLower(res.Error), b.wantNext) {
					t.Errorf("%s: error %q does not give the next step %q", b.name, res.Error, b.wantNext)
				}
			}
			if r.ExitCode != report.ExitFindings {
				t.Errorf("exit code = %d, want %d: the good file was audited", r.ExitCode, report.ExitFindings)
			}
		})
	}
}

// TestRunNamedFileWithoutListener forces a format on a file of another
// kind. The parse succeeds but finds no listener, which is an error that
// names what to check, not a pass.
func TestRunNamedFileWithoutListener(t *testing.T) {
	dir := t.TempDir()
	nginxFile := writeFile(t, dir, "nginx.conf", goodNginx)
	apacheFile := writeFile(t, dir, "apache.conf", badFileFormats[1].good)
	tests := []struct {
		name     string
		paths    []string
		wantExit int
	}{
		{"only file", []string{nginxFile}, report.ExitUsage},
		{"beside an audited file", []string{apacheFile, nginxFile}, report.ExitFindings},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := audit.Run(tt.paths, "apache", formats())
			if err != nil {
				t.Fatalf("Run failed: %v", err)
			}
			last := r.Files[len(r.Files)-1]
			if !strings.Contains(last.Error, "no TLS listener found in "+nginxFile+" read as apache") {
				t.Errorf("error = %q, want the missing listener named", last.Error)
			}
			if !strings.Contains(last.Error, "check that --type matches the file") {
				t.Errorf("error = %q, want the --type hint", last.Error)
			}
			if r.ExitCode != tt.wantExit {
				t.Errorf("exit code = %d, want %d", r.ExitCode, tt.wantExit)
			}
		})
	}
}

func TestRunDetectsFormatsInFolder(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"nginx.conf":   goodNginx,
		"haproxy.cfg":  "global\n    ssl-default-bind-options ssl-min-ver TLSv1.2\nfrontend f\n    mode http\n    bind :443 ssl crt x.pem\n    default_backend b\nbackend b\n    server s 127.0.0.1:80\n",
		"notes.txt":    "not a configuration\n",
		"stunnel.conf": "[scim]\naccept = 443\nconnect = 8080\ncert = x.pem\nsslVersionMin = TLSv1.2\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r, err := audit.Run([]string{dir}, "", formats())
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	types := map[string]string{}
	for _, f := range r.Files {
		types[filepath.Base(f.Path)] = f.Type
	}
	want := map[string]string{"haproxy.cfg": "haproxy", "nginx.conf": "nginx", "stunnel.conf": "stunnel"}
	for name, typ := range want {
		if types[name] != typ {
			t.Errorf("%s detected as %q, want %q (all: %v)", name, types[name], typ, types)
		}
	}
	if _, ok := types["notes.txt"]; ok {
		t.Errorf("notes.txt was audited as %q; a file in no format inside a folder is skipped", types["notes.txt"])
	}
}

func TestRunEmptyFolderIsInputError(t *testing.T) {
	r, err := audit.Run([]string{t.TempDir()}, "", formats())
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	if r.ExitCode != report.ExitUsage {
		t.Errorf("exit code = %d, want %d for a folder without configuration files", r.ExitCode, report.ExitUsage)
	}
}

// TestRunNginxSnippetUsesPrefix audits a snippet under a folder whose
// parent holds nginx.conf: its relative include resolves against that
// parent, as nginx does, not against the snippet's own folder.
func TestRunNginxSnippetUsesPrefix(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "snippets"), 0o700); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{
		"nginx.conf":        goodNginx,
		"fastcgi.conf":      "fastcgi_param A b;\n",
		"snippets/php.conf": "include fastcgi.conf;\nfastcgi_pass unix:/run/php.sock;\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r, err := audit.Run([]string{filepath.Join(dir, "snippets", "php.conf")}, "nginx", formats())
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	// The snippet defines no server, so the only error is that it holds
	// no TLS listener, not that its include is missing.
	if got := r.Files[0].Error; !strings.HasPrefix(got, "no TLS listener found") {
		t.Errorf("snippet error = %q, want its include resolved against %s and only the missing listener reported", got, dir)
	}
}

// TestRunDetectsDecodedText detects the format of a UTF-16 file without a
// byte order mark from its decoded text, and reports a binary file named
// directly as binary rather than in no known format.
func TestRunDetectsDecodedText(t *testing.T) {
	dir := t.TempDir()
	utf16 := writeFile(t, dir, "site.conf", utf16LE(goodNginx))
	junk := writeFile(t, dir, "junk.bin", "# exported\n\x7fELF\x00\x01\x02")

	r, err := audit.Run([]string{utf16, junk}, "", formats())
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	if got := r.Files[0]; got.Type != "nginx" || got.Error != "" || len(got.Listeners) != 1 {
		t.Errorf("UTF-16 file = type %q, error %q, %d listeners; want nginx with 1 listener", got.Type, got.Error, len(got.Listeners))
	}
	if got := r.Files[1].Error; !strings.Contains(got, "junk.bin:2: binary content") {
		t.Errorf("binary file error = %q, want the binary content at line 2", got)
	}
}

// TestReportJSONHasNoNull writes the JSON report of every format's
// testdata and of files that fail. It checks that no value is null, so
// every empty list is [], and that the JSON decodes into a Report that
// encodes to the same bytes.
func TestReportJSONHasNoNull(t *testing.T) {
	dir := t.TempDir()
	apacheFile := writeFile(t, dir, "apache.conf", badFileFormats[1].good)
	broken := writeFile(t, dir, "broken.conf", "http {\n")
	tests := []struct {
		name  string
		paths []string
		typ   string
	}{
		{"nginx testdata", []string{"nginx/testdata/legacy.conf", "nginx/testdata/modern.conf"}, "nginx"},
		{"haproxy testdata", []string{"haproxy/testdata"}, "haproxy"},
		{"stunnel testdata", []string{"stunnel/testdata"}, "stunnel"},
		{"apache file", []string{apacheFile}, "apache"},
		{"broken file", []string{broken}, "nginx"},
		{"missing file", []string{filepath.Join(dir, "missing.conf")}, ""},
		{"empty folder", []string{t.TempDir()}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := audit.Run(tt.paths, tt.typ, formats())
			if err != nil {
				t.Fatalf("Run failed: %v", err)
			}
			var first bytes.Buffer
			if err := audit.Write(&first, r, report.FormatJSON); err != nil {
				t.Fatal(err)
			}
			var tree any
			if err := json.Unmarshal(first.Bytes(), &tree); err != nil {
				t.Fatalf("report is not JSON: %v", err)
			}
			for _, path := range nullPaths("", tree) {
				t.Errorf("%s is null, want a value ([] for an empty list)", path)
			}

			var back audit.Report
			if err := json.Unmarshal(first.Bytes(), &back); err != nil {
				t.Fatalf("report does not decode into a Report: %v", err)
			}
			var second bytes.Buffer
			if err := audit.Write(&second, &back, report.FormatJSON); err != nil {
				t.Fatal(err)
			}
			if first.String() != second.String() {
				t.Errorf("round trip changed the report:\nfirst  %s\nsecond %s", first.String(), second.String())
			}
		})
	}
}

// nullPaths returns the JSON paths of the null values in v.
func nullPaths(path string, v any) []string {
	switch v := v.(type) {
	case nil:
		return []string{path}
	case map[string]any:
		var out []string
		for k, x := range v {
			out = append(out, nullPaths(path+"."+k, x)...)
		}
		return out
	case []any:
		var out []string
		for i, x := range v {
			out = append(out, nullPaths(fmt.Sprintf("%s[%d]", path, i), x)...)
		}
		return out
	}
	return nil
}

// TestRunGivesAllFixesAtOnce audits, in each format, a TLS 1.3-only
// listener whose TLS 1.2 cipher string has no suite Entra ID offers and
// that requires a client certificate. One run gives the version fix, the
// cipher fix for once TLS 1.2 is back, and the format's own
// client-certificate line.
func TestRunGivesAllFixesAtOnce(t *testing.T) {
	tests := []struct {
		format   string
		config   string
		wantCert string // a part of the client-certificate fix
	}{
		{"nginx", "events {}\nhttp {\n    server {\n        listen 443 ssl;\n        ssl_protocols TLSv1.3;\n        ssl_ciphers ECDHE-RSA-AES128-SHA;\n        ssl_verify_client on;\n    }\n}\n", "ssl_verify_client optional;"},
		{"apache", "<VirtualHost *:443>\n    SSLEngine on\n    SSLProtocol TLSv1.3\n    SSLCipherSuite ECDHE-RSA-AES128-SHA\n    SSLVerifyClient require\n</VirtualHost>\n", "SSLVerifyClient optional"},
		{"haproxy", "frontend f\n    bind :443 ssl crt x.pem ssl-min-ver TLSv1.3 ciphers ECDHE-RSA-AES128-SHA verify required\n", " verify optional"},
		{"stunnel", "[s]\naccept = 443\nsslVersion = TLSv1.3\nciphers = ECDHE-RSA-AES128-SHA\nCAfile = ca.pem\nverify = 2\n", "verify = 1"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "server.conf", tt.config)
			r, err := audit.Run([]string{path}, tt.format, formats())
			if err != nil {
				t.Fatalf("Run failed: %v", err)
			}
			if r.Files[0].Error != "" || len(r.Files[0].Listeners) != 1 {
				t.Fatalf("file = %+v, want one listener", r.Files[0])
			}
			problems := r.Files[0].Listeners[0].Problems
			if len(problems) != 3 {
				t.Fatalf("problems = %+v, want versions, suites and client certificate", problems)
			}
			if !slices.Equal(problems[0].Clients, []string{"entra"}) || !strings.Contains(problems[0].Title, "no protocol version") {
				t.Errorf("problem 0 = %+v, want Entra ID without a shared version", problems[0])
			}
			if !slices.Equal(problems[1].Clients, []string{"entra"}) || !strings.Contains(problems[1].Title, "once the versions are fixed") {
				t.Errorf("problem 1 = %+v, want Entra ID without a suite once TLS 1.2 is back", problems[1])
			}
			if !strings.Contains(problems[1].Fix, "ECDHE-RSA-AES128-GCM-SHA256") {
				t.Errorf("cipher fix = %q, want a GCM suite that Entra ID offers", problems[1].Fix)
			}
			if !strings.Contains(problems[2].Fix, tt.wantCert) {
				t.Errorf("client-certificate fix = %q, want it to contain %q", problems[2].Fix, tt.wantCert)
			}
		})
	}
}

// TestRunNamedHugeFileWithoutType names a 50 MB file whose head matches no
// format: the error is its size, not an unknown format.
func TestRunNamedHugeFileWithoutType(t *testing.T) {
	huge := writeFile(t, t.TempDir(), "huge.log", strings.Repeat("# comment line to fill the file\n", (50<<20)/32))
	r, err := audit.Run([]string{huge}, "", formats())
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	if got := r.Files[0].Error; !strings.Contains(got, "huge.log is larger than 8 MiB") {
		t.Errorf("error = %q, want the size limit", got)
	}
	if r.ExitCode != report.ExitUsage {
		t.Errorf("exit code = %d, want %d", r.ExitCode, report.ExitUsage)
	}
}

// TestRunAuditsEachFileOnce names one file in several ways and inside a
// named folder: it is audited once.
func TestRunAuditsEachFileOnce(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "nginx.conf", goodNginx)
	t.Chdir(dir)
	r, err := audit.Run([]string{path, "nginx.conf", "./nginx.conf", "../" + filepath.Base(dir) + "/nginx.conf", dir}, "", formats())
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	if len(r.Files) != 1 || r.Files[0].Path != path {
		t.Errorf("files = %+v, want %s once, as first named", r.Files, path)
	}
}

// TestWriteSummarisesFilesWithoutListener walks a folder of snippets and
// one server: the text names the snippets in one line, the JSON lists
// each.
func TestWriteSummarisesFilesWithoutListener(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "nginx.conf", goodNginx)
	for i := range 7 {
		writeFile(t, dir, fmt.Sprintf("snippets/s%d.conf", i), "ssl_session_cache shared:SSL:10m;\nproxy_set_header Host $host;\n")
	}
	r, err := audit.Run([]string{dir}, "nginx", formats())
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	var text bytes.Buffer
	if err := audit.Write(&text, r, report.FormatText); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	if strings.Contains(out, "no TLS listener or version pin found") {
		t.Errorf("text lists a file without listener on its own:\n%s", out)
	}
	want := "7 files had no TLS listener (--format json lists them): " + filepath.Join(dir, "snippets", "s0.conf")
	if !strings.Contains(out, want) || !strings.Contains(out, "and 2 more") {
		t.Errorf("text lacks the summary line %q ... and 2 more:\n%s", want, out)
	}
	if !strings.Contains(out, "OK: Okta and Entra ID can connect") {
		t.Errorf("text lacks the server's verdict:\n%s", out)
	}

	var js bytes.Buffer
	if err := audit.Write(&js, r, report.FormatJSON); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(js.String(), `"path": "`+filepath.Join(dir, "snippets")); n != 7 {
		t.Errorf("JSON lists %d snippets, want 7", n)
	}
}

// TestSettingJSONCases checks that a consumer of the JSON report can
// distinguish a known empty list, an unknown value and a default.
func TestSettingJSONCases(t *testing.T) {
	tests := []struct {
		name    string
		setting audit.Setting
		want    string
	}{
		{"known empty list", audit.Setting{Values: nil, File: "a.conf", Line: 3, Directive: "ciphers NULL"}, `{"values":[],"file":"a.conf","line":3,"directive":"ciphers NULL"}`},
		{"unknown value", audit.Setting{Unknown: true, Directive: "not set: the library's default"}, `{"values":[],"unknown":true,"directive":"not set: the library's default"}`},
		{"software default", audit.Setting{Values: []string{"TLS 1.2"}, Directive: "default of nginx"}, `{"values":["TLS 1.2"],"directive":"default of nginx","default":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.setting)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("JSON = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestRunMarksTLS13SuitesUnset audits nginx servers with and without
// TLS 1.3: the TLS 1.3 suites nginx does not set are the library's
// default in text and JSON, and absent without TLS 1.3.
func TestRunMarksTLS13SuitesUnset(t *testing.T) {
	dir := t.TempDir()
	modern := writeFile(t, dir, "modern.conf", goodNginx)
	old := writeFile(t, dir, "old.conf", "events {}\nhttp {\n    server {\n        listen 443 ssl;\n        ssl_protocols TLSv1.2;\n    }\n}\n")
	r, err := audit.Run([]string{modern, old}, "", formats())
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	s13 := r.Files[0].Listeners[0].Suites13
	if !s13.Unknown || s13.Directive != "not set: the library's default" {
		t.Errorf("TLS 1.3 suites = %+v, want unknown, the library's default", s13)
	}
	var text, js bytes.Buffer
	if err := audit.Write(&text, r, report.FormatText); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "    TLS 1.3 suites: not set: the library's default\n") {
		t.Errorf("text lacks the TLS 1.3 suites line:\n%s", text.String())
	}
	if err := audit.Write(&js, r, report.FormatJSON); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(js.String(), `"suites_tls13"`); n != 1 {
		t.Errorf("JSON has %d suites_tls13 keys, want 1 (none for the TLS 1.2-only server)", n)
	}
}

// TestRunFlagsTLS12WithoutSuites audits TLS 1.2-only listeners whose
// cipher string leaves no suite: a real server fails every handshake with
// handshake_failure, so the audit must not pass them.
func TestRunFlagsTLS12WithoutSuites(t *testing.T) {
	tests := []struct {
		format, config string
	}{
		{"haproxy", "frontend f\n    bind :443 ssl crt x.pem ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.2 ciphers NULL-SHA256\n"},
		{"apache", "<VirtualHost *:443>\n    SSLEngine on\n    SSLProtocol -all +TLSv1.2\n    SSLCipherSuite NULL-SHA256\n</VirtualHost>\n"},
		{"stunnel", "[s]\naccept = 443\nconnect = 8080\ncert = x.pem\nsslVersion = TLSv1.2\nciphers = NULL-SHA256\n"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "server.conf", tt.config)
			r, err := audit.Run([]string{path}, tt.format, formats())
			if err != nil {
				t.Fatalf("Run failed: %v", err)
			}
			if r.Files[0].Error != "" || len(r.Files[0].Listeners) != 1 {
				t.Fatalf("file = %+v, want one listener", r.Files[0])
			}
			l := r.Files[0].Listeners[0]
			var found bool
			for _, p := range l.Problems {
				if strings.Contains(p.Title, "allows no cipher suite at all") {
					found = true
					if !slices.Equal(p.Clients, []string{"okta", "entra"}) {
						t.Errorf("clients = %v, want okta and entra", p.Clients)
					}
					if !strings.Contains(p.Fix, "ECDHE") {
						t.Errorf("fix = %q, want ECDHE suites", p.Fix)
					}
				}
			}
			if !found {
				t.Errorf("problems = %+v, want no cipher suite at all", l.Problems)
			}
			if r.ExitCode != report.ExitFindings {
				t.Errorf("exit code = %d, want %d", r.ExitCode, report.ExitFindings)
			}
		})
	}
}
