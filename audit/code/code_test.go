package code

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/audit"
)

const (
	s30 = "SSL 3.0"
	t10 = "TLS 1.0"
	t11 = "TLS 1.1"
	t12 = "TLS 1.2"
	t13 = "TLS 1.3"
)

// hit is one expected listener of a testdata file.
type hit struct {
	// line is the Listener line; name is a part of its Name.
	line     int
	name     string
	versions []string
	// broken lists the IdPs Judge must report, nil for none.
	broken []string
	// fix is a part of the first problem's fix.
	fix string
	// note is a part of one note, or "".
	note string
}

// pinFiles lists, per testdata file, every hit in file order. Every
// other mention of a pin in those files (comments, strings, docstrings,
// heredocs, unrelated names) is a trap that must not hit.
var pinFiles = []struct {
	file string
	hits []hit
}{
	{"go/pins.go", []hit{
		{14, "tls.Config{...} (TLS server)", []string{t10, t11}, []string{"okta", "entra"}, "line 15: MinVersion: tls.VersionTLS12,; line 16: MaxVersion: tls.VersionTLS13,", ""},
		{22, "tls.Config{...} (TLS client)", []string{t12, t13}, nil, "", "InsecureSkipVerify: true"},
		{27, "cfg field assignments (TLS client or server)", []string{t12}, nil, "", "caps TLS at 1.2"},
		{32, "tls.Config{...}", []string{t10, t11, t12, t13}, nil, "", "also allows TLS 1.0 and TLS 1.1"},
		{36, "tls.Config{...}", []string{t12}, []string{"okta", "entra"}, "CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_128_CBC_SHA},", ""},
		{43, "tls.Config{...} (TLS client)", nil, []string{"okta", "entra"}, `&tls.Config{MaxVersion: tls.VersionTLS13})`, "no supported versions"},
		{60, "tls.Config{...} (TLS server)", []string{t11, t12, t13}, nil, "", "also allows TLS 1.1"},
	}},
	{"go/renamed.go", []hit{
		{6, "gotls.Config{...}", []string{t11}, []string{"okta", "entra"}, "return &gotls.Config{MinVersion: gotls.VersionTLS12, MaxVersion: gotls.VersionTLS13}", ""},
	}},
	{"java/Libraries.java", []hit{
		{10, "tlsVersions(...) (TLS client)", []string{t10, t11}, []string{"okta", "entra"}, ".tlsVersions(TlsVersion.TLS_1_3, TlsVersion.TLS_1_2)", ""},
		{15, "ConnectionSpec.COMPATIBLE_TLS (TLS client)", []string{t10, t11, t12, t13}, nil, "", "also allows TLS 1.0 and TLS 1.1"},
		{19, "SSLConnectionSocketFactory", []string{t10}, []string{"okta", "entra"}, `new String[] {"TLSv1.3", "TLSv1.2"}, null,`, ""},
	}},
	{"java/Pins.java", []hit{
		{14, `SSLContext.getInstance("TLSv1")`, []string{t10}, []string{"okta", "entra"}, `return SSLContext.getInstance("TLS");`, "server sockets"},
		{18, `SSLContext.getInstance("TLSv1.2")`, []string{t10, t11, t12}, nil, "", "caps TLS at 1.2"},
		{22, `SSLContext.getInstance("TLS")`, []string{t12, t13}, nil, "", "com.ibm.jsse2.overrideDefaultTLS=true"},
		{26, "setEnabledProtocols", []string{t10, t11}, []string{"okta", "entra"}, `socket.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});`, ""},
	}},
	{"csharp/Pins.cs", []hit{
		{14, "SecurityProtocol = ... (TLS client)", []string{s30, t10}, []string{"okta", "entra"}, "ServicePointManager.SecurityProtocol = SecurityProtocolType.Tls12 | SecurityProtocolType.Tls13;", ""},
		{19, "SecurityProtocol |= ...", []string{t12, t13}, nil, "", "|= adds to the process default"},
		// A client left with TLS 1.3 alone still reaches Okta's and
		// Entra ID's API servers, which accept TLS 1.3.
		{24, "SecurityProtocol &= ~...", []string{t13}, nil, "", ""},
		{31, "SslProtocols: SslProtocols.Tls | SslProtocols.Tls11 (TLS client)", []string{t10, t11}, []string{"okta", "entra"}, "SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,", ""},
		{38, "AuthenticateAsClient: SslProtocols.Tls (TLS client)", []string{t10}, []string{"okta", "entra"}, `stream.AuthenticateAsClient("127.0.0.1", null, SslProtocols.Tls12 | SslProtocols.Tls13, false);`, ""},
		{43, "SecurityProtocol = ...", []string{t12}, nil, "", "caps TLS at 1.2"},
		{65, "SslProtocols: SslProtocols.Tls12 (TLS server)", []string{t12}, nil, "", "caps TLS at 1.2"},
	}},
	{"js/pins.js", []hit{
		{8, "minVersion: 'TLSv1', maxVersion: 'TLSv1.1' (TLS server)", []string{t10, t11}, []string{"okta", "entra"}, "line 9: minVersion: 'TLSv1.2',; line 10: maxVersion: 'TLSv1.3',", ""},
		{13, "secureProtocol: 'TLSv1_method' (TLS client)", []string{t10}, []string{"okta", "entra"}, "{ minVersion: 'TLSv1.2' }", ""},
		{15, "tls.DEFAULT_MAX_VERSION = 'TLSv1.2'", []string{t12}, nil, "", "caps TLS at 1.2"},
		{17, `minVersion: "TLSv1.1" (TLS client)`, []string{t11, t12, t13}, nil, "", "also allows TLS 1.1"},
		{30, "maxVersion: 'TLSv1.2' (TLS server)", []string{t12}, nil, "", "caps TLS at 1.2"},
	}},
	{"js/server.ts", []hit{
		{4, "secureProtocol: 'TLSv1_1_server_method' (TLS server)", []string{t11}, []string{"okta", "entra"}, "{ minVersion: 'TLSv1.2' }", ""},
	}},
	{"python/pins.py", []hit{
		{18, "ssl_version=ssl.PROTOCOL_TLSv1", []string{t10}, []string{"okta", "entra"}, "block=block, ssl_version=ssl.PROTOCOL_TLS_CLIENT)", ""},
		{23, "ctx.minimum_version = TLSVersion.TLSv1, ctx.maximum_version = TLSVersion.TLSv1_1", []string{t10, t11}, []string{"okta", "entra"}, "line 23: ctx.minimum_version = ssl.TLSVersion.TLSv1_2; line 24: ctx.maximum_version = ssl.TLSVersion.TLSv1_3", ""},
		{29, "PROTOCOL_TLSv1_1", []string{t11}, []string{"okta", "entra"}, "return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)", ""},
		{33, `ssl_version="TLSv1"`, []string{t10}, []string{"okta", "entra"}, `PoolManager(ssl_version="PROTOCOL_TLS_CLIENT")`, ""},
		{46, "ssl_version=ssl.PROTOCOL_TLSv1_2 (TLS server)", []string{t12}, nil, "", "caps TLS at 1.2"},
	}},
	{"ruby/pins.rb", []hit{
		{12, "ssl_version = :TLSv1 (TLS client)", []string{t10}, []string{"okta", "entra"}, "http.min_version = OpenSSL::SSL::TLS1_2_VERSION", ""},
		{18, "min_version = OpenSSL::SSL::TLS1_VERSION, max_version = OpenSSL::SSL::TLS1_1_VERSION", []string{t10, t11}, []string{"okta", "entra"}, "line 18: ctx.min_version = OpenSSL::SSL::TLS1_2_VERSION; line 19: ctx.max_version = OpenSSL::SSL::TLS1_3_VERSION", ""},
		{24, "ssl_version: :TLSv1_1 (TLS client)", []string{t11}, []string{"okta", "entra"}, "use_ssl: true, min_version: OpenSSL::SSL::TLS1_2_VERSION)", ""},
	}},
	{"php/pins.php", []hit{
		{11, "CURLOPT_SSLVERSION 4 (TLS client)", []string{t10, t11, t12, t13}, nil, "", "libcurl before 7.54.0"},
		{13, "CURLOPT_SSLVERSION CURL_SSLVERSION_TLSv1_0 | CURL_SSLVERSION_MAX_TLSv1_1", []string{t10, t11}, []string{"okta", "entra"}, "CURLOPT_SSLVERSION => CURL_SSLVERSION_TLSv1_2,", ""},
		{20, "STREAM_CRYPTO_METHOD_TLSv1_0_CLIENT (TLS client)", []string{t10}, []string{"okta", "entra"}, "'crypto_method' => STREAM_CRYPTO_METHOD_TLSv1_2_CLIENT | STREAM_CRYPTO_METHOD_TLSv1_3_CLIENT]", ""},
		{26, "STREAM_CRYPTO_METHOD_TLSv1_1_SERVER (TLS server)", []string{t11}, []string{"okta", "entra"}, "STREAM_CRYPTO_METHOD_TLSv1_2_SERVER | STREAM_CRYPTO_METHOD_TLSv1_3_SERVER);", ""},
	}},
	{"node/package.json", []hit{
		{5, `npm script "start": node --tls-min-v1.3 server.js`, []string{t13}, []string{"entra"}, `"start": "node --tls-min-v1.2 server.js",`, ""},
		{6, `npm script "legacy"`, []string{t12}, nil, "", "caps TLS at 1.2"},
	}},
	{"node/Dockerfile", []hit{
		{3, `ENV NODE_OPTIONS="--tls-max-v1.2`, []string{t12}, nil, "", "caps TLS at 1.2"},
		{5, `CMD ["node", \ "--tls-min-v1.1", "server.js"]`, []string{t11, t12, t13}, nil, "", "also allows TLS 1.1"},
	}},
}

// auditFile audits path as audit.Run does and judges each listener.
func auditFile(t *testing.T, path string) []audit.Listener {
	t.Helper()
	listeners, fix, err := Audit(path)
	if err != nil {
		t.Fatalf("Audit(%s): %v", path, err)
	}
	for i := range listeners {
		audit.Judge(&listeners[i], fix)
	}
	return listeners
}

func TestAuditPinFiles(t *testing.T) {
	for _, tc := range pinFiles {
		t.Run(tc.file, func(t *testing.T) {
			listeners := auditFile(t, filepath.Join("testdata", tc.file))
			if len(listeners) != len(tc.hits) {
				for _, l := range listeners {
					t.Logf("got %s:%d %s %v", l.File, l.Line, l.Name, l.Versions.Values)
				}
				t.Fatalf("got %d listeners, want %d: a trap hit or a pin was missed", len(listeners), len(tc.hits))
			}
			for i, want := range tc.hits {
				checkHit(t, listeners[i], want)
			}
		})
	}
}

func checkHit(t *testing.T, l audit.Listener, want hit) {
	t.Helper()
	if l.Line != want.line {
		t.Errorf("listener %q at line %d, want line %d", l.Name, l.Line, want.line)
	}
	if !strings.Contains(l.Name, want.name) {
		t.Errorf("line %d: name %q, want it to contain %q", want.line, l.Name, want.name)
	}
	if !slices.Equal(l.Versions.Values, want.versions) {
		t.Errorf("line %d: versions %v, want %v", want.line, l.Versions.Values, want.versions)
	}
	if l.Versions.Directive == "" {
		t.Errorf("line %d: empty versions directive", want.line)
	}
	var broken []string
	fix := ""
	for _, p := range l.Problems {
		broken = append(broken, p.Clients...)
		if fix == "" {
			fix = p.Fix
		}
	}
	if !slices.Equal(broken, want.broken) {
		t.Errorf("line %d: problems for %v, want %v (%+v)", want.line, broken, want.broken, l.Problems)
	}
	if !strings.Contains(fix, want.fix) {
		t.Errorf("line %d: fix %q, want it to contain %q", want.line, fix, want.fix)
	}
	if want.note != "" && !slices.ContainsFunc(l.Notes, func(n string) bool { return strings.Contains(n, want.note) }) {
		t.Errorf("line %d: notes %q, want one containing %q", want.line, l.Notes, want.note)
	}
}

// writeFile writes text to name in a new folder and returns its path.
func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeFileIn writes text to dir/name, creating dir.
func writeFileIn(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestAuditSyntaxErrors(t *testing.T) {
	tests := []struct {
		name, file, text string
		// want is a part of the error.
		want string
	}{
		{"go does not parse", "broken.go", "package p\n\nimport \"crypto/tls\"\n\nvar c = &tls.Config{MinVersion: tls.VersionTLS10\n", "broken.go:5: Go syntax error"},
		{"java block comment", "A.java", "class A {\n/* open\nSSLContext.getInstance(\"TLSv1\");\n", "A.java:2: unterminated block comment"},
		{"java text block", "A.java", "class A {\nString s = \"\"\"\nabc\n", "A.java:2: unterminated string opened with \"\"\""},
		{"csharp verbatim string", "A.cs", "class A {\nstring s = @\"abc\n", "A.cs:2: unterminated verbatim string"},
		{"csharp raw string", "A.cs", "var s = \"\"\"\nabc\n\"\"", "A.cs:1: unterminated raw string literal"},
		{"csharp interpolation", "A.cs", "var s = $\"{ x \n", "A.cs:1: unterminated interpolated string"},
		{"js template", "a.js", "const a = 1;\nconst s = `abc ${ x\n", "a.js:2: unterminated template literal"},
		{"js block comment", "a.ts", "/*\n", "a.ts:1: unterminated block comment"},
		{"python triple quote", "a.py", "x = 1\ns = '''abc\n", "a.py:2: unterminated triple-quoted string"},
		{"python f-string hole", "a.py", "s = f\"{x\n", "a.py:1: unterminated f-string"},
		{"ruby begin", "a.rb", "x = 1\n=begin\nabc\n", "a.rb:2: unterminated =begin comment"},
		{"ruby heredoc", "a.rb", "s = <<~EOS\nabc\n", "a.rb:1: unterminated heredoc <<EOS"},
		{"ruby percent literal", "a.rb", "s = %w[a b\n", "a.rb:1: unterminated % literal"},
		{"ruby string", "a.rb", "s = \"abc\n", "a.rb:1: unterminated string opened with \""},
		{"php heredoc", "a.php", "<?php\n$s = <<<EOT\nabc\n", "a.php:2: unterminated heredoc <<<EOT"},
		{"php string", "a.php", "<?php\n$s = 'abc\n", "a.php:2: unterminated string opened with '"},
		{"package.json invalid", "package.json", "{\"scripts\": {\"start\": }\n", "package.json:1: invalid JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, tc.file, tc.text)
			_, _, err := Audit(path)
			if err == nil {
				t.Fatalf("Audit gave no error, want one containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestAuditSingleLineStringRecovers(t *testing.T) {
	// An unterminated string in Java, C# or JavaScript ends at its line,
	// as the compiler reports it, so a pin on a later line still hits.
	path := writeFile(t, "A.java", "class A {\nString s = \"open\nSSLContext c = SSLContext.getInstance(\"TLSv1\");\n}\n")
	listeners := auditFile(t, path)
	if len(listeners) != 1 || listeners[0].Line != 3 {
		t.Fatalf("listeners %+v, want one at line 3", listeners)
	}
}

func TestAuditNoHit(t *testing.T) {
	tests := []struct{ file, text string }{
		{"empty.go", ""},
		{"main.go", "package main\n\nfunc main() {}\n"},
		{"notls.go", "package p\n\ntype Config struct{ MinVersion uint16 }\n\nvar c = Config{MinVersion: 0x0301}\n"},
		{"A.java", "class A { SSLContext c = SSLContext.getInstance(\"TLSv1.3\"); }\n"},
		{"a.py", "import ssl\nctx = ssl.create_default_context()\nctx2 = ssl.SSLContext(ssl.PROTOCOL_SSLv23)\n"},
		{"a.js", "const o = { minVersion: process.env.MIN };\n"},
		{"a.mjs", "const pkg = { minVersion: '1.0.0', secureProtocol: 'TLS_method' };\n"},
		{"a.rb", "ctx.ssl_version = :SSLv23\n"},
		{"a.php", "<?php curl_setopt($ch, CURLOPT_SSLVERSION, CURL_SSLVERSION_DEFAULT) ?>"},
		{"A.cs", "ServicePointManager.SecurityProtocol = SecurityProtocolType.SystemDefault;\nvar h = new HttpClientHandler { SslProtocols = SslProtocols.None };\n"},
		{"package.json", "{\"scripts\": {\"start\": \"node server.js\"}, \"description\": \"--tls-min-v1.0\"}"},
		{"Dockerfile", "FROM node:20\n# ENV NODE_OPTIONS=--tls-min-v1.0\nLABEL note=\"--tls-min-v1.0\"\n"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			if listeners := auditFile(t, writeFile(t, tc.file, tc.text)); len(listeners) != 0 {
				t.Errorf("got %d listeners, want none: %+v", len(listeners), listeners)
			}
		})
	}
}

func TestAuditRefusesBinaryAndHuge(t *testing.T) {
	binary := writeFile(t, "blob.go", "package p\x00\x01\x02")
	if _, _, err := Audit(binary); err == nil || !strings.Contains(err.Error(), "binary content") {
		t.Errorf("binary file: error %v, want binary content", err)
	}
	huge := writeFile(t, "huge.js", strings.Repeat("// filler line\n", audit.MaxFileSize/15+1))
	if _, _, err := Audit(huge); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("huge file: error %v, want larger than", err)
	}
}

func TestAuditUTF16(t *testing.T) {
	// Visual Studio can save C# files as UTF-16 with a byte order mark.
	text := "ServicePointManager.SecurityProtocol = SecurityProtocolType.Tls;\n"
	data := []byte{0xFF, 0xFE}
	for _, r := range text {
		data = append(data, byte(r), 0)
	}
	path := filepath.Join(t.TempDir(), "A.cs")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	listeners := auditFile(t, path)
	if len(listeners) != 1 || !slices.Equal(listeners[0].Versions.Values, []string{t10}) {
		t.Fatalf("listeners %+v, want one with TLS 1.0", listeners)
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"src/main.go", true},
		{"src/Main.java", true},
		{"src/Program.cs", true},
		{"src/app.js", true},
		{"src/app.mjs", true},
		{"src/app.cjs", true},
		{"src/app.ts", true},
		{"src/app.py", true},
		{"src/app.rb", true},
		{"src/index.php", true},
		{"package.json", true},
		{"Dockerfile", true},
		{"Dockerfile.prod", true},
		{"api.dockerfile", true},
		{"nginx.conf", false},
		{"README.md", false},
		{"package-lock.json", false},
		{"node_modules/tls-lib/index.js", false},
		{"vendor/github.com/x/y/tls.go", false},
		{".git/hooks/pre-commit.py", false},
		{"testdata/pins.go", true},
	}
	for _, tc := range tests {
		if got := Detect(tc.path, nil); got != tc.want {
			t.Errorf("Detect(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
}

func TestRunFolder(t *testing.T) {
	r, err := audit.Run([]string{"testdata"}, "", []audit.Format{Format()})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, f := range r.Files {
		if f.Error != "" {
			t.Errorf("%s: %s", f.Path, f.Error)
		}
		if f.Type != "code" {
			t.Errorf("%s: type %q, want code", f.Path, f.Type)
		}
		total += len(f.Listeners)
	}
	want := 0
	for _, tc := range pinFiles {
		want += len(tc.hits)
	}
	if total != want {
		t.Errorf("Run found %d listeners, want %d", total, want)
	}
	if r.ExitCode != 1 {
		t.Errorf("exit code %d, want 1 for the pins that break Okta and Entra ID", r.ExitCode)
	}
}

func TestRunNamedFileWithoutPin(t *testing.T) {
	path := writeFile(t, "main.go", "package main\n\nfunc main() {}\n")
	r, err := audit.Run([]string{path}, "", []audit.Format{Format()})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Files) != 1 {
		t.Fatalf("files %+v, want the named file", r.Files)
	}
	if r.Files[0].Error != "" || len(r.Files[0].Listeners) != 0 {
		t.Errorf("file %+v, want no listener and no error: most source files pin no TLS version", r.Files[0])
	}
	if r.ExitCode != 0 {
		t.Errorf("exit code %d, want 0", r.ExitCode)
	}
}

func TestRunFolderLeavesOutFilesWithoutPin(t *testing.T) {
	dir := t.TempDir()
	writeFileIn(t, dir, "main.go", "package main\n\nfunc main() {}\n")
	writeFileIn(t, dir, "client.py", "import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1)\n")
	writeFileIn(t, filepath.Join(dir, "node_modules", "x"), "index.js", "tls.connect({secureProtocol: 'TLSv1_method'})\n")
	r, err := audit.Run([]string{dir}, "", []audit.Format{Format()})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Files) != 1 || filepath.Base(r.Files[0].Path) != "client.py" {
		t.Fatalf("files %+v, want only client.py", r.Files)
	}
}

// BenchmarkAuditTestdata audits every pin file of testdata once per
// iteration.
func BenchmarkAuditTestdata(b *testing.B) {
	for b.Loop() {
		for _, tc := range pinFiles {
			if _, _, err := Audit(filepath.Join("testdata", tc.file)); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkLexLargeJavaScript tokenizes about 1 MiB of JavaScript with
// comments, strings, templates and regular expressions.
func BenchmarkLexLargeJavaScript(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "js", "pins.js"))
	if err != nil {
		b.Fatal(err)
	}
	src := strings.Repeat(string(data), (1<<20)/len(data)+1)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, lexErr := lexJavaScript(src); lexErr != nil {
			b.Fatalf("unterminated %s at line %d", lexErr.construct, lexErr.line)
		}
	}
}

func TestListenerSideFromCode(t *testing.T) {
	listeners := auditFile(t, filepath.Join("testdata", "go", "pins.go"))
	for _, l := range listeners {
		wantClient := strings.Contains(l.Name, "(TLS client)")
		if l.Client != wantClient {
			t.Errorf("%s: Client = %v, want %v", l.Name, l.Client, wantClient)
		}
		if !l.Suites.Unknown && l.Suites.Line == 0 {
			t.Errorf("%s: suites %+v left to the library but not marked Unknown", l.Name, l.Suites)
		}
	}
}

func TestFolderWalkSkipsNonSourceFiles(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"README.md": "tls.VersionTLS10 is what the old code used\n",
		"main.go":   "package main\n\nimport \"crypto/tls\"\n\nvar cfg = &tls.Config{MaxVersion: tls.VersionTLS11}\n",
		"notes.txt": "MinVersion: tls.VersionTLS10\n",
		"Makefile":  "build:\n\tgo build\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r, err := audit.Run([]string{dir}, "code", []audit.Format{Format()})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(r.Files) != 1 || filepath.Base(r.Files[0].Path) != "main.go" || r.Files[0].Error != "" {
		t.Fatalf("files = %+v, want main.go alone, without error", r.Files)
	}

	// A file named directly still gets the extension error.
	r, err = audit.Run([]string{filepath.Join(dir, "notes.txt")}, "code", []audit.Format{Format()})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(r.Files) != 1 || !strings.Contains(r.Files[0].Error, "no source file extension") {
		t.Errorf("named notes.txt = %+v, want the extension error", r.Files)
	}
}
