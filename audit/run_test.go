package audit_test

import (
	"bytes"
	"os"
	"path/filepath"
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

// TestRunBadFilesBesideGoodOne audits broken files named directly next to
// a good one: each broken file gets an error that names it and a line,
// and the good file is still audited.
func TestRunBadFilesBesideGoodOne(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("good-nginx.conf", []byte(goodNginx))

	utf16 := []byte{}
	for _, r := range "http {\n    server { listen 443 ssl; }\n}\n" {
		utf16 = append(utf16, byte(r), 0)
	}
	loopA := write("loop-a.conf", []byte("http {\n    include loop-b.conf;\n}\n"))
	write("loop-b.conf", []byte("include loop-a.conf;\n"))
	huge := bytes.Repeat([]byte("# comment line to fill the file\n"), (50<<20)/32)

	tests := []struct {
		name     string
		path     string
		wantText string // a substring of the error
	}{
		{"binary junk", write("junk-nginx.conf", []byte{0x7f, 'E', 'L', 'F', 0, 1, 2, 3, 0xff, 0xfe}), "junk-nginx.conf"},
		{"utf-16 without byte-order mark", write("utf16-nginx.conf", utf16), "utf16-nginx.conf"},
		{"include loop", loopA, "loop"},
		{"50 MB config", write("huge-nginx.conf", huge), "huge-nginx.conf"},
		{"unbalanced quote", write("quote-nginx.conf", []byte("http {\n    server {\n        ssl_ciphers \"HIGH;\n    }\n}\n")), "quote-nginx.conf:3"},
	}
	paths := []string{good}
	for _, tt := range tests {
		paths = append(paths, tt.path)
	}
	r, err := audit.Run(paths, "nginx", formats())
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	if len(r.Files) != len(paths) {
		t.Fatalf("files = %d, want %d", len(r.Files), len(paths))
	}
	if r.Files[0].Error != "" || len(r.Files[0].Listeners) != 1 {
		t.Errorf("good file = %+v, want one listener and no error", r.Files[0])
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := r.Files[i+1]
			if f.Error == "" {
				t.Fatalf("file %s audited without error: %+v", f.Path, f.Listeners)
			}
			if !strings.Contains(f.Error, tt.wantText) {
				t.Errorf("error = %q, want it to contain %q", f.Error, tt.wantText)
			}
		})
	}
	if r.ExitCode != report.ExitFindings {
		t.Errorf("exit code = %d, want %d: the good file was audited", r.ExitCode, report.ExitFindings)
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
	if r.Files[0].Error != "" {
		t.Errorf("snippet error = %q, want its include resolved against %s", r.Files[0].Error, dir)
	}
}
