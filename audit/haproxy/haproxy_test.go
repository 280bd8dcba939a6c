package haproxy

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/audit"
)

func TestSplitLine(t *testing.T) {
	t.Setenv("SCIMDOCTOR_TEST_CIPHERS", "ECDHE+AESGCM")
	tests := []struct {
		name string
		line string
		want []string
	}{
		{"blanks and tabs", "  bind\t:443   ssl ", []string{"bind", ":443", "ssl"}},
		{"comment after words", "bind :443 # the SCIM port", []string{"bind", ":443"}},
		{"hash inside double quotes", `log-format "a#b"`, []string{"log-format", "a#b"}},
		{"single quotes keep dollar", `ciphers '$HOME:x'`, []string{"ciphers", "$HOME:x"}},
		{"double quotes expand variable", `ciphers "${SCIMDOCTOR_TEST_CIPHERS}"`, []string{"ciphers", "ECDHE+AESGCM"}},
		{"bare variable in quotes", `ciphers "$SCIMDOCTOR_TEST_CIPHERS:x"`, []string{"ciphers", "ECDHE+AESGCM:x"}},
		{"unquoted dollar stays", `x $HOME`, []string{"x", "$HOME"}},
		{"escaped blank joins words", `x a\ b`, []string{"x", "a b"}},
		{"escaped hash", `x a\#b`, []string{"x", "a#b"}},
		{"hex escape", `x \x41`, []string{"x", "A"}},
		{"quotes join with text", `x a"b c"d`, []string{"x", "ab cd"}},
		{"empty quoted word", `x ""`, []string{"x", ""}},
		{"only a comment", "   # nothing", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &Config{}
			got, err := c.splitLine([]byte(tc.line))
			if err != nil {
				t.Fatalf("splitLine(%q): %v", tc.line, err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("splitLine(%q) = %q, want %q", tc.line, got, tc.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		wantLine int
		wantText string
	}{
		{"unbalanced double quote", "global\n    ssl-default-bind-ciphers \"HIGH\n", 2, "unmatched \" quote opened at column 30"},
		{"unbalanced single quote", "frontend a\n  bind :1 ssl ciphers 'x\n", 2, "unmatched ' quote"},
		{"binary junk", "global\n\x00\x01\x02\xff", 2, "NUL byte at offset 7"},
		{"directive before section", "bind :443 ssl\n", 1, `"bind" appears before any section`},
		{"backslash at end", "global\n  x a\\", 2, "backslash at the end of the line"},
		{"bad hex escape", "global\n  x \\xZZ", 2, "invalid \\x escape"},
		{"too many words", "global\n  x" + strings.Repeat(" a", maxArgs+1), 2, "more than 64 words"},
		{"if without endif", "global\n.if 1\n  x\n", 2, ".if block without .endif"},
		{"endif without if", "global\n.endif\n", 2, ".endif without a matching .if"},
		{"unknown predicate", "global\n.if frobnicate(1)\n.endif\n", 2, "unknown predicate frobnicate()"},
		{"alert stops haproxy", "global\n.alert \"old config\"\n", 2, `.alert "old config"`},
		{"unclosed env brace", "global\n  x \"${A\"\n", 2, "${ without a closing }"},
		{"deep parentheses", "global\n.if " + strings.Repeat("(", 100) + "1" + strings.Repeat(")", 100) + "\n.endif\n", 2, "nests deeper than 64"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("test.cfg", []byte(tc.data))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse returned %v, want a *ParseError", err)
			}
			// A file that audit.DecodeText rejects carries the line in
			// the wrapped error's text.
			if pe.Err != nil {
				if at := fmt.Sprintf("test.cfg:%d:", tc.wantLine); !strings.Contains(err.Error(), at) {
					t.Errorf("error %q does not name %s", err, at)
				}
			} else if pe.File != "test.cfg" || pe.Line != tc.wantLine {
				t.Errorf("error at %s:%d, want test.cfg:%d (%v)", pe.File, pe.Line, tc.wantLine, err)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q does not contain %q", err, tc.wantText)
			}
		})
	}
}

func TestParseConditionalBlocks(t *testing.T) {
	data := `global
.if version_atleast(2.2) && !version_before(2.6)
    a
.elif 1
    b
.else
    c
.endif
.if defined(SCIMDOCTOR_SURELY_UNSET) || (feature(OPENSSL) && streq(x,x))
    d
.endif
.if 0
.if 1
    e
.endif
.else
    f
.endif
`
	cfg, err := Parse("cond.cfg", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range cfg.Sections[0].Directives {
		got = append(got, d.Args[0])
	}
	if want := []string{"a", "d", "f"}; !slices.Equal(got, want) {
		t.Errorf("directives read = %v, want %v", got, want)
	}
	if line := cfg.Sections[0].Directives[1].Line; line != 10 {
		t.Errorf("directive d at line %d, want 10", line)
	}
}

func TestParseFilesLimits(t *testing.T) {
	dir := t.TempDir()

	huge := filepath.Join(dir, "huge.cfg")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(audit.MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = ParseFiles(huge)
	if err == nil || !strings.Contains(err.Error(), huge) || !strings.Contains(err.Error(), "larger than 8 MiB") {
		t.Errorf("huge file: got %v, want the file name and the limit", err)
	}

	atLimit := append([]byte("global\n"), bytes.Repeat([]byte("# padding line of a comment\n"), audit.MaxFileSize/28+1)...)
	atLimit = atLimit[:audit.MaxFileSize]
	if _, err := Parse("limit.cfg", atLimit); err != nil {
		t.Errorf("file of exactly %d bytes: %v", len(atLimit), err)
	}
	if _, err := Parse("over.cfg", append(atLimit, '\n')); err == nil {
		t.Errorf("file of %d bytes parsed, want the limit error", len(atLimit)+1)
	}

	// A folder that holds a symbolic link to one of its own files would
	// make HAProxy read the file twice.
	loopDir := filepath.Join(dir, "conf.d")
	if err := os.Mkdir(loopDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(loopDir, "a.cfg"), []byte("global\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a.cfg", filepath.Join(loopDir, "b.cfg")); err != nil {
		t.Fatal(err)
	}
	_, err = ParseFiles(loopDir)
	if err == nil || !strings.Contains(err.Error(), "b.cfg") || !strings.Contains(err.Error(), "read twice") {
		t.Errorf("file reached twice: got %v, want an error naming b.cfg", err)
	}

	// A cycle of symbolic links never resolves.
	cycleDir := filepath.Join(dir, "cycle")
	if err := os.Mkdir(cycleDir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Symlink("y.cfg", filepath.Join(cycleDir, "x.cfg"))
	os.Symlink("x.cfg", filepath.Join(cycleDir, "y.cfg"))
	_, err = ParseFiles(filepath.Join(cycleDir, "x.cfg"))
	if err == nil || !strings.Contains(err.Error(), "x.cfg") {
		t.Errorf("symbolic link cycle: got %v, want an error naming x.cfg", err)
	}

	_, err = ParseFiles(filepath.Join(dir, "missing.cfg"))
	if err == nil || !strings.Contains(err.Error(), "missing.cfg") {
		t.Errorf("missing file: got %v, want an error naming it", err)
	}
}

func TestParseFilesFolderOrder(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "20-frontend.cfg"), []byte("frontend scim\n    bind :443 ssl crt x.pem\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "10-global.cfg"), []byte("global\n    ssl-default-bind-options force-tlsv13\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "README"), []byte("not read\x00"), 0o600)
	listeners, _, err := Audit(DebianOptions, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(listeners) != 1 {
		t.Fatalf("got %d listeners, want 1", len(listeners))
	}
	if got := listeners[0].Versions.Values; !slices.Equal(got, []string{"TLS 1.3"}) {
		t.Errorf("versions = %v, want the global force-tlsv13 of 10-global.cfg", got)
	}
	if got := listeners[0].Versions.File; filepath.Base(got) != "10-global.cfg" {
		t.Errorf("versions traced to %s, want 10-global.cfg", got)
	}
}

func TestAuditLegacyFile(t *testing.T) {
	listeners, _, err := Audit(DebianOptions, "testdata/legacy.cfg")
	if err != nil {
		t.Fatal(err)
	}
	if len(listeners) != 3 {
		t.Fatalf("got %d listeners, want 3 (the plain bind :80 has no ssl)", len(listeners))
	}
	tests := []struct {
		name         string
		listener     audit.Listener
		wantName     string
		versions     []string
		versionsLine int
		suites       []string
		suitesLine   int
		clientCert   string
		certLine     int
	}{
		{"force-tlsv10 on the bind line", listeners[0], "frontend scim, bind :443",
			[]string{"TLS 1.0"}, 16, []string{"TLS_RSA_WITH_AES_128_CBC_SHA"}, 4, "off", 0},
		{"global minimum with client certificate", listeners[1], "frontend scim, bind :8443",
			[]string{"TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}, 5, nil, 4, "required", 17},
		{"bind ciphers at security level 2", listeners[2], "listen admin, bind 127.0.0.1:9443",
			[]string{"TLS 1.2"}, 21, []string{"TLS_RSA_WITH_AES_256_CBC_SHA"}, 21, "off", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := tc.listener
			if l.Name != tc.wantName {
				t.Errorf("name = %q, want %q", l.Name, tc.wantName)
			}
			if !slices.Equal(l.Versions.Values, tc.versions) {
				t.Errorf("versions = %v, want %v", l.Versions.Values, tc.versions)
			}
			if l.Versions.Line != tc.versionsLine {
				t.Errorf("versions traced to line %d (%q), want %d", l.Versions.Line, l.Versions.Directive, tc.versionsLine)
			}
			if tc.suites != nil && !slices.Equal(l.Suites.Values, tc.suites) {
				t.Errorf("suites = %v, want %v", l.Suites.Values, tc.suites)
			}
			if l.Suites.Line != tc.suitesLine {
				t.Errorf("suites traced to line %d, want %d", l.Suites.Line, tc.suitesLine)
			}
			if got := l.ClientCertificate.Values; len(got) != 1 || got[0] != tc.clientCert {
				t.Errorf("client certificate = %v, want %s", got, tc.clientCert)
			}
			if l.ClientCertificate.Line != tc.certLine {
				t.Errorf("client certificate traced to line %d, want %d", l.ClientCertificate.Line, tc.certLine)
			}
		})
	}
	if !slices.ContainsFunc(listeners[2].Notes, func(n string) bool { return strings.Contains(n, "rejects it at security level 2") }) {
		t.Errorf("admin notes %q lack the security level note", listeners[2].Notes)
	}
}

func TestAuditDefaultsByVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "haproxy.cfg")
	os.WriteFile(path, []byte("frontend scim\n    bind :443 ssl crt /nonexistent.pem ciphers ALL:@SECLEVEL=0\n"), 0o600)
	tests := []struct {
		name    string
		version string
		want    []string
	}{
		{"haproxy 2.6 minimum TLS 1.2", "2.6.12", []string{"TLS 1.2", "TLS 1.3"}},
		{"haproxy 2.2 minimum TLS 1.2", "2.2.0", []string{"TLS 1.2", "TLS 1.3"}},
		{"haproxy 2.1 no minimum", "2.1.12", []string{"TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := DebianOptions
			opts.Version = tc.version
			listeners, _, err := Audit(opts, path)
			if err != nil {
				t.Fatal(err)
			}
			l := listeners[0]
			if !slices.Equal(l.Versions.Values, tc.want) {
				t.Errorf("versions = %v, want %v", l.Versions.Values, tc.want)
			}
			if l.Versions.Line != 0 || !strings.Contains(l.Versions.Directive, "default of HAProxy "+tc.version) {
				t.Errorf("versions traced to line %d %q, want the default of %s", l.Versions.Line, l.Versions.Directive, tc.version)
			}
		})
	}
}

func TestAuditBindErrors(t *testing.T) {
	tests := []struct {
		name, bind, want string
	}{
		{"bad ssl-min-ver", "bind :443 ssl ssl-min-ver TLS1.2", `invalid ssl-min-ver "TLS1.2"`},
		{"bad verify", "bind :443 ssl verify always", `invalid verify "always"`},
		{"missing value", "bind :443 ssl ciphers", "ciphers needs a value"},
		{"bad cipher string", "bind :443 ssl ciphers HIGH:@SECLEVEL=9", "invalid cipher string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "haproxy.cfg")
			os.WriteFile(path, []byte("frontend scim\n    "+tc.bind+"\n"), 0o600)
			_, _, err := Audit(DebianOptions, path)
			if err == nil || !strings.Contains(err.Error(), path+":2:") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %s:2 and %q", err, path, tc.want)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name, path, head string
		want             bool
	}{
		{"named haproxy.cfg", "/etc/haproxy/haproxy.cfg", "", true},
		{"frontend with bind", "/srv/lb.conf", "frontend scim\n  bind :443 ssl crt x\n", true},
		{"global with default_backend", "edge.cfg", "global\n  maxconn 10\n", true},
		{"ini file", "setup.cfg", "[metadata]\nname = x\n", false},
		{"nginx", "nginx.conf", "server {\n  listen 443 ssl;\n}\n", false},
		{"binary", "haproxy.bin", "frontend a\n bind \x00", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Detect(tc.path, []byte(tc.head)); got != tc.want {
				t.Errorf("Detect(%q) = %v, want %v", tc.path, got, tc.want)
			}
		})
	}
}

func TestFixerLines(t *testing.T) {
	var f Fixer
	if got, want := f.VersionsLine([]string{"TLS 1.2", "TLS 1.3"}), "ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.3"; !strings.HasPrefix(got, want) {
		t.Errorf("VersionsLine = %q, want prefix %q", got, want)
	}
	got := f.SuitesLine([]string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA"})
	if want := "ciphers ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA"; got != want {
		t.Errorf("SuitesLine = %q, want %q", got, want)
	}
}

// TestFormatWithRun runs the format through audit.Run, judged as the
// scimdoctor audit command does.
func TestFormatWithRun(t *testing.T) {
	r, err := audit.Run([]string{"testdata"}, "", []audit.Format{Format()})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Files) != 2 {
		t.Fatalf("audited %d files, want legacy.cfg and modern.cfg", len(r.Files))
	}
	legacy := r.Files[0]
	if legacy.Type != "haproxy" || legacy.Error != "" {
		t.Fatalf("legacy.cfg: type %q, error %q", legacy.Type, legacy.Error)
	}
	problems := legacy.Listeners[0].Problems
	if len(problems) == 0 || problems[0].Line != 16 || problems[0].Fix != "bind :443 ssl crt scim.pem ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.3" {
		t.Errorf("force-tlsv10 listener problems = %+v, want line 16 rewritten with its version options replaced", problems)
	}
	if len(legacy.Listeners[1].Problems) == 0 {
		t.Errorf("verify required listener has no problem")
	}
	modern := r.Files[1]
	if len(modern.Listeners) != 1 || len(modern.Listeners[0].Problems) != 0 {
		t.Errorf("modern.cfg: %+v, want one listener without problems", modern.Listeners)
	}
	if got := modern.Listeners[0].Suites13.Values; !slices.Equal(got, []string{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"}) {
		t.Errorf("modern.cfg TLS 1.3 suites = %v", got)
	}
}

// TestAuditDebianPackagedFile audits the haproxy.cfg that Debian's package
// installs, which sets defaults but has no frontend.
func TestAuditDebianPackagedFile(t *testing.T) {
	const path = "/etc/haproxy/haproxy.cfg"
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s: %v; install Debian package haproxy (scripts/install-test-deps.sh does)", path, err)
	}
	if !Detect(path, nil) {
		t.Errorf("Detect(%s) = false", path)
	}
	listeners, _, err := Audit(DebianOptions, path)
	if err != nil {
		t.Fatal(err)
	}
	if len(listeners) != 0 {
		t.Errorf("got %d listeners, want none (the packaged file has no frontend)", len(listeners))
	}

	// With a frontend added, its globals decide the listener.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	withFrontend := filepath.Join(t.TempDir(), "haproxy.cfg")
	os.WriteFile(withFrontend, append(data, "\nfrontend scim\n    bind :443 ssl crt /nonexistent.pem\n"...), 0o600)
	listeners, _, err = Audit(DebianOptions, withFrontend)
	if err != nil {
		t.Fatal(err)
	}
	l := listeners[0]
	if !slices.Equal(l.Versions.Values, []string{"TLS 1.2", "TLS 1.3"}) || !strings.HasPrefix(l.Versions.Directive, "ssl-default-bind-options") {
		t.Errorf("versions %v from %q, want TLS 1.2 and 1.3 from ssl-default-bind-options", l.Versions.Values, l.Versions.Directive)
	}
	if !strings.HasPrefix(l.Suites.Directive, "ssl-default-bind-ciphers") || len(l.Suites.Values) == 0 {
		t.Errorf("suites %v from %q, want ssl-default-bind-ciphers", l.Suites.Values, l.Suites.Directive)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"testdata/legacy.cfg", "testdata/modern.cfg"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("global\n.if (1 && !0) || version_atleast(2.2)\n x \"a b\" 'c' \\x41\n.endif\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.cfg", data)
		if err != nil {
			if cfg != nil {
				t.Errorf("Parse returned a config and the error %v", err)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != "fuzz.cfg" {
				t.Errorf("error %v is not a *ParseError naming fuzz.cfg", err)
			}
			return
		}
		// Effective settings must not panic on any parsed config either.
		Effective(cfg, DebianOptions)
	})
}

func TestFixerRewritesTheLineAtFault(t *testing.T) {
	var f Fixer
	modern := []string{"TLS 1.2", "TLS 1.3"}
	tests := []struct {
		name      string
		directive string
		versions  bool
		want      string
	}{
		{"global options keep other options", "ssl-default-bind-options ssl-min-ver TLSv1.0 no-tls-tickets", true, "ssl-default-bind-options no-tls-tickets ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.3"},
		{"bind line keeps its other options", "bind :443 ssl crt a.pem force-tlsv10 alpn http/1.1", true, "bind :443 ssl crt a.pem alpn http/1.1 ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.3"},
		{"default becomes a global line", "default of HAProxy 2.6.12", true, "ssl-default-bind-options ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.3"},
		{"global ciphers", "ssl-default-bind-ciphers AES128-SHA", false, "ssl-default-bind-ciphers ECDHE-RSA-AES128-GCM-SHA256"},
		{"bind ciphers replaced", "bind :443 ssl crt a.pem ciphers AES128-SHA verify none", false, "bind :443 ssl crt a.pem verify none ciphers ECDHE-RSA-AES128-GCM-SHA256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := audit.Setting{Directive: tt.directive}
			got := f.SuitesLineFor(s, []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"})
			if tt.versions {
				got = f.VersionsLineFor(s, modern)
			}
			if got != tt.want {
				t.Errorf("fix = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRunFolderSharesGlobal audits a folder as haproxy -f FOLDER reads it.
// The global section of an earlier file applies to a later file's bind
// line and a later global section does not. A broken file gets its own
// error, and the same file named alone gets HAProxy's defaults.
func TestRunFolderSharesGlobal(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"00-global.cfg": "global\n    ssl-default-bind-options ssl-min-ver TLSv1.3\n",
		"05-broken.cfg": "global\n    ssl-default-bind-ciphers \"HIGH\n",
		"10-front.cfg":  "frontend scim\n    bind :443 ssl crt x.pem\n",
		"20-global.cfg": "global\n    ssl-default-bind-options force-tlsv10\n",
		"30-late.cfg":   "frontend late\n    bind :8443 ssl crt x.pem\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r, err := audit.Run([]string{dir}, "haproxy", []audit.Format{Format()})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]audit.FileResult{}
	for _, f := range r.Files {
		byName[filepath.Base(f.Path)] = f
	}
	if got := byName["05-broken.cfg"].Error; !strings.Contains(got, "05-broken.cfg:2:") {
		t.Errorf("05-broken.cfg error = %q, want its line", got)
	}
	front := byName["10-front.cfg"]
	if front.Error != "" || len(front.Listeners) != 1 {
		t.Fatalf("10-front.cfg = %+v, want one listener", front)
	}
	l := front.Listeners[0]
	if !slices.Equal(l.Versions.Values, []string{"TLS 1.3"}) || filepath.Base(l.Versions.File) != "00-global.cfg" {
		t.Errorf("10-front.cfg versions = %v from %s, want TLS 1.3 from 00-global.cfg", l.Versions.Values, l.Versions.File)
	}
	if !slices.ContainsFunc(l.Notes, func(n string) bool { return strings.Contains(n, "05-broken.cfg") && strings.Contains(n, "not applied") }) {
		t.Errorf("10-front.cfg notes %q, want one on the broken earlier file", l.Notes)
	}
	if !slices.ContainsFunc(l.Notes, func(n string) bool { return strings.Contains(n, "audit the file by name") }) {
		t.Errorf("10-front.cfg notes %q, want one on the shared global section", l.Notes)
	}
	if len(byName["30-late.cfg"].Listeners) != 1 {
		t.Fatalf("30-late.cfg = %+v, want one listener", byName["30-late.cfg"])
	}
	// 20-global.cfg comes after 00-global.cfg, so its force-tlsv10 wins
	// for 30-late.cfg.
	if got := byName["30-late.cfg"].Listeners[0].Versions.File; filepath.Base(got) != "20-global.cfg" {
		t.Errorf("30-late.cfg versions traced to %s, want 20-global.cfg", got)
	}

	alone, err := audit.Run([]string{filepath.Join(dir, "10-front.cfg")}, "haproxy", []audit.Format{Format()})
	if err != nil {
		t.Fatal(err)
	}
	if got := alone.Files[0].Listeners[0].Versions.Values; !slices.Equal(got, []string{"TLS 1.2", "TLS 1.3"}) {
		t.Errorf("10-front.cfg named alone: versions = %v, want HAProxy's default TLS 1.2 and TLS 1.3", got)
	}
}

// TestEffectiveGlobalAfterBind checks that a global section after a bind
// line does not apply to it, as HAProxy copies the defaults when it parses
// the bind line.
func TestEffectiveGlobalAfterBind(t *testing.T) {
	cfg, err := Parse("late.cfg", []byte("frontend scim\n    bind :443 ssl crt x.pem\nglobal\n    ssl-default-bind-options ssl-min-ver TLSv1.3\n"))
	if err != nil {
		t.Fatal(err)
	}
	ls, err := Effective(cfg, DebianOptions)
	if err != nil {
		t.Fatal(err)
	}
	if got := ls[0].Versions.Values; !slices.Equal(got, []string{"TLS 1.2", "TLS 1.3"}) {
		t.Errorf("versions = %v, want the default, as the later global does not apply", got)
	}
}

func TestUnknownBindKeywordNote(t *testing.T) {
	cfg, err := Parse("unk.cfg", []byte("frontend scim\n    bind :443 ssl crt x.pem frobnicate\n"))
	if err != nil {
		t.Fatal(err)
	}
	ls, err := Effective(cfg, DebianOptions)
	if err != nil {
		t.Fatal(err)
	}
	want := "unk.cfg:2: unknown bind keyword frobnicate: haproxy -c would reject it"
	if !slices.ContainsFunc(ls[0].Notes, func(n string) bool { return strings.HasPrefix(n, want) }) {
		t.Errorf("notes = %q, want one starting %q", ls[0].Notes, want)
	}
}

func TestClientCertificateLine(t *testing.T) {
	var f Fixer
	got := f.ClientCertificateLine(audit.Setting{Directive: "bind :443 ssl crt a.pem verify required ca-file ca.pem"})
	if want := "bind :443 ssl crt a.pem ca-file ca.pem verify optional"; got != want {
		t.Errorf("ClientCertificateLine = %q, want %q", got, want)
	}
}

// writeConfig writes text to a haproxy.cfg in a new folder and returns its
// path.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestNoTLSv1xIgnoredWithMinOrMax(t *testing.T) {
	tests := []struct {
		name     string
		config   string
		versions []string
		ignored  bool
	}{
		{"global min and bind no-tlsv1x", "global\n    ssl-default-bind-options ssl-min-ver TLSv1.0\n    ssl-default-bind-ciphers DEFAULT:@SECLEVEL=0\nfrontend fe\n    bind :443 ssl crt a.pem no-tlsv10 no-tlsv11\n",
			[]string{"TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}, true},
		{"bind max and no-tlsv12", "frontend fe\n    bind :443 ssl crt a.pem ssl-max-ver TLSv1.3 no-tlsv12\n",
			[]string{"TLS 1.2", "TLS 1.3"}, true},
		{"force-tlsv12 and no-tlsv12", "frontend fe\n    bind :443 ssl crt a.pem force-tlsv12 no-tlsv12\n",
			[]string{"TLS 1.2"}, true},
		{"no-tlsv13 alone is applied", "frontend fe\n    bind :443 ssl crt a.pem no-tlsv13\n",
			[]string{"TLS 1.2"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ls, _, err := Audit(DebianOptions, writeConfig(t, tt.config))
			if err != nil {
				t.Fatal(err)
			}
			if len(ls) != 1 {
				t.Fatalf("got %d listeners, want 1", len(ls))
			}
			if !slices.Equal(ls[0].Versions.Values, tt.versions) {
				t.Errorf("versions = %v, want %v", ls[0].Versions.Values, tt.versions)
			}
			ignored := slices.ContainsFunc(ls[0].Notes, func(n string) bool {
				return strings.Contains(n, "are ignored for the bind line") && strings.Contains(n, "no-sslv3/no-tlsv1x are ignored for bind")
			})
			if ignored != tt.ignored {
				t.Errorf("note on ignored no-* options present = %v, want %v; notes %q", ignored, tt.ignored, ls[0].Notes)
			}
			if slices.ContainsFunc(ls[0].Notes, func(n string) bool { return strings.Contains(n, "does not start") }) {
				t.Errorf("notes %q claim HAProxy does not start", ls[0].Notes)
			}
		})
	}
}

func TestAllVersionsDisabledNote(t *testing.T) {
	ls, _, err := Audit(DebianOptions, writeConfig(t, "frontend fe\n    bind :443 ssl crt a.pem no-tlsv12 no-tlsv13\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := "all SSL/TLS versions are disabled for bind"
	if !slices.ContainsFunc(ls[0].Notes, func(n string) bool { return strings.Contains(n, want) }) {
		t.Errorf("notes %q lack %q", ls[0].Notes, want)
	}
}

// TestFixesOfOneBindLineCompose checks that the version fix and the client
// certificate fix of one bind line each carry the other's change.
func TestFixesOfOneBindLineCompose(t *testing.T) {
	path := writeConfig(t, `global
    ssl-default-bind-options ssl-min-ver TLSv1.0 ssl-max-ver TLSv1.1
frontend fe
    bind :443 ssl crt a.pem no-tlsv10 no-tlsv11 ciphers AES128-SHA verify required ca-file ca.pem
`)
	ls, fixer, err := Audit(DebianOptions, path)
	if err != nil {
		t.Fatal(err)
	}
	l := ls[0]
	audit.Judge(&l, fixer)
	var fixes []string
	for _, p := range l.Problems {
		if p.Line == 4 {
			fixes = append(fixes, p.Fix)
		}
	}
	if len(fixes) != 3 {
		t.Fatalf("got %d problems at the bind line (%q), want 3: versions, suites, client certificate", len(fixes), fixes)
	}
	for _, fix := range fixes {
		if fix != fixes[0] {
			t.Errorf("fixes of one bind line differ: %q and %q", fixes[0], fix)
		}
	}
	want := "bind :443 ssl crt a.pem ca-file ca.pem ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.3 ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:AES128-SHA verify optional"
	if fixes[0] != want {
		t.Errorf("fix = %q, want %q", fixes[0], want)
	}
}

func TestNamedFileWithoutGlobalNote(t *testing.T) {
	path := writeConfig(t, "frontend fe\n    bind :443 ssl crt a.pem\n")
	ls, _, err := Audit(DebianOptions, path)
	if err != nil {
		t.Fatal(err)
	}
	want := "has no global section"
	if !slices.ContainsFunc(ls[0].Notes, func(n string) bool { return strings.Contains(n, want) && strings.Contains(n, "audit the folder") }) {
		t.Errorf("notes %q lack %q", ls[0].Notes, want)
	}

	withGlobal := writeConfig(t, "global\n    maxconn 100\nfrontend fe\n    bind :443 ssl crt a.pem\n")
	ls, _, err = Audit(DebianOptions, withGlobal)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(ls[0].Notes, func(n string) bool { return strings.Contains(n, want) }) {
		t.Errorf("notes %q name a missing global section that the file has", ls[0].Notes)
	}
}
