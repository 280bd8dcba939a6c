package stunnel

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/audit"
)

// writeFiles writes files (relative name to content) under a new folder
// and returns it.
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

func TestParseGrammar(t *testing.T) {
	dir := writeFiles(t, map[string]string{"stunnel.conf": "\xef\xbb\xbf; comment\r\n" +
		"  # another comment\n" +
		"foreground=yes\n" +
		"\n" +
		"CIPHERS = HIGH ; not a comment\n" +
		"[ scim ]\n" +
		"accept =   127.0.0.1:8443  \n" +
		"exec = /bin/echo\n" +
		"execArgs = echo \"a = b\"\n" +
		"[other]\n" +
		"accept = 8444"})
	cfg, err := Parse(filepath.Join(dir, "stunnel.conf"))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(cfg.Global) != 2 {
		t.Fatalf("global options %+v, want 2", cfg.Global)
	}
	if got := cfg.Global[1]; !got.Is("ciphers") || got.Value != "HIGH ; not a comment" || got.Line != 5 {
		t.Errorf("global option %+v, want ciphers = \"HIGH ; not a comment\" at line 5", got)
	}
	if len(cfg.Services) != 2 {
		t.Fatalf("services %+v, want 2", cfg.Services)
	}
	scim := cfg.Services[0]
	if scim.Name != "scim" || scim.Line != 6 {
		t.Errorf("first service %q at line %d, want scim at line 6", scim.Name, scim.Line)
	}
	if len(scim.Options) != 3 || scim.Options[0].Value != "127.0.0.1:8443" || scim.Options[2].Value != "echo \"a = b\"" {
		t.Errorf("scim options %+v", scim.Options)
	}
	if o := cfg.Services[1].Options; len(o) != 1 || o[0].Line != 11 {
		t.Errorf("other options %+v, want accept at line 11", o)
	}
}

func TestParseIncludeOrderAndSections(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"stunnel.conf":        "sslVersionMin = TLSv1\ninclude = conf.d\nciphers = HIGH\n",
		"conf.d/10-b.conf":    "[b]\naccept = 2\n",
		"conf.d/00-a.conf":    "securityLevel = 1\n[a]\naccept = 1\n",
		"conf.d/sub/ignored":  "[ignored]\n",
		"conf.d/20-tail.conf": "; options after the include join [b]\n",
	})
	cfg, err := Parse(filepath.Join(dir, "stunnel.conf"))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	var names []string
	for _, s := range cfg.Services {
		names = append(names, s.Name)
	}
	if !slices.Equal(names, []string{"a", "b"}) {
		t.Errorf("services %v, want [a b]", names)
	}
	if len(cfg.Global) != 2 || !cfg.Global[1].Is("securityLevel") {
		t.Errorf("global %+v, want sslVersionMin and securityLevel", cfg.Global)
	}
	// The line after the include continues the last included section.
	last := cfg.Services[1].Options
	if len(last) != 2 || !last[1].Is("ciphers") || !strings.HasSuffix(last[1].File, "stunnel.conf") || last[1].Line != 3 {
		t.Errorf("[b] options %+v, want accept then ciphers from stunnel.conf:3", last)
	}
}

func TestParseBadFiles(t *testing.T) {
	huge := strings.Repeat("; padding line to exceed the size limit of the parser\n", audit.MaxFileSize/50)
	tests := []struct {
		name  string
		files map[string]string
		// want are substrings of the error, file and line included.
		want []string
	}{
		{"binary junk", map[string]string{"stunnel.conf": "accept = 1\n\x7fELF\x02\x01\x01\x00\x00"}, []string{"stunnel.conf:2:", "NUL byte", "binary"}},
		{"binary junk without NUL", map[string]string{"stunnel.conf": "; ok\n\xff\xfe\xfd = x\n"}, []string{"stunnel.conf:2:", "binary content"}},
		{"invalid utf8 in a value", map[string]string{"stunnel.conf": "; caf\xe9 in a Latin-1 comment is fine\n[s]\naccept = 1\ncert = caf\xe9.pem\n"}, []string{"stunnel.conf:4:", "invalid UTF-8"}},
		{"include loop", map[string]string{"stunnel.conf": "include = conf.d\n", "conf.d/a.conf": "include = ../loop\n", "loop/b.conf": "include = ../conf.d\n"}, []string{"b.conf:1:", "include loop", "a.conf"}},
		{"folder including itself", map[string]string{"stunnel.conf": "include = d\n", "d/self.conf": "include = .\n"}, []string{"self.conf:1:", "include loop"}},
		{"unbalanced quote in ciphers", map[string]string{"stunnel.conf": "[s]\naccept = 1\nciphers = \"HIGH:!aNULL\n"}, []string{"stunnel.conf:3:", "quote", "remove the quotes"}},
		{"huge file", map[string]string{"stunnel.conf": huge}, []string{"stunnel.conf", "larger than 8 MiB"}},
		{"long line", map[string]string{"stunnel.conf": "ciphers = " + strings.Repeat("A", maxLineBytes) + "\n"}, []string{"stunnel.conf:1:", "line limit"}},
		{"line without equals", map[string]string{"stunnel.conf": "[s]\naccept 443\n"}, []string{"stunnel.conf:2:", "no '='"}},
		{"unclosed section", map[string]string{"stunnel.conf": "\n[scim\n"}, []string{"stunnel.conf:2:", "closing ']'"}},
		{"empty section", map[string]string{"stunnel.conf": "[ ]\n"}, []string{"stunnel.conf:1:", "empty service name"}},
		{"missing include directory", map[string]string{"stunnel.conf": "include = nowhere\n"}, []string{"stunnel.conf:1:", "include directory", "nowhere"}},
		{"include names a file", map[string]string{"stunnel.conf": "include = other.conf\n", "other.conf": ""}, []string{"stunnel.conf:1:", "not a directory"}},
		{"bad sslVersionMin", map[string]string{"stunnel.conf": "[s]\naccept = 1\nsslVersionMin = TLS1.2\n"}, []string{"stunnel.conf:3:", "TLS1.2", "TLSv1.2"}},
		{"bad verify level", map[string]string{"stunnel.conf": "verify = 7\n[s]\naccept = 1\n"}, []string{"stunnel.conf:1:", "0 to 4"}},
		{"bad cipher string", map[string]string{"stunnel.conf": "[s]\naccept = 1\nciphers = NOSUCHCIPHER\n"}, []string{"stunnel.conf:3:", "NOSUCHCIPHER"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, tc.files)
			_, _, err := Audit(DebianOptions, filepath.Join(dir, "stunnel.conf"))
			if err == nil {
				t.Fatalf("Audit succeeded, want an error containing %q", tc.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Errorf("error %T is not a *ParseError", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestEffectiveTracesSettings(t *testing.T) {
	dir := writeFiles(t, map[string]string{"stunnel.conf": "sslVersionMin = TLSv1.1\nverify = 2\nCAfile = /etc/ssl/certs/ca-certificates.crt\n" +
		"[scim]\naccept = 443\nsslVersionMax = TLSv1.2\nciphers = ECDHE+AESGCM\n" +
		"[out]\nclient = yes\naccept = 8080\n" +
		"[plain]\nconnect = 25\n" +
		"[relaxed]\naccept = 444\nverify = 0\nsslVersion = TLSv1.3\n"})
	path := filepath.Join(dir, "stunnel.conf")
	listeners, fixer, err := Audit(Options{}, path)
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	if len(listeners) != 2 {
		t.Fatalf("%d listeners, want [scim] and [relaxed]: %+v", len(listeners), listeners)
	}
	scim, relaxed := listeners[0], listeners[1]
	if scim.Name != "[scim] accept = 443" || scim.Line != 4 {
		t.Errorf("name %q at line %d", scim.Name, scim.Line)
	}
	if !slices.Equal(scim.Versions.Values, []string{"TLS 1.2"}) || scim.Versions.Line != 6 || scim.Versions.Directive != "sslVersionMax = TLSv1.2" {
		t.Errorf("versions %+v, want TLS 1.2 from line 6", scim.Versions)
	}
	if scim.Suites.Line != 7 || len(scim.Suites.Values) == 0 || !strings.HasPrefix(scim.Suites.Values[0], "TLS_ECDHE_") {
		t.Errorf("suites %+v, want ECDHE suites from line 7", scim.Suites)
	}
	if len(scim.Suites13.Values) != 0 {
		t.Errorf("TLS 1.3 suites %v without TLS 1.3", scim.Suites13.Values)
	}
	if scim.ClientCertificate.Values[0] != "required" || scim.ClientCertificate.Line != 2 {
		t.Errorf("client certificate %+v, want required from line 2", scim.ClientCertificate)
	}
	if !slices.ContainsFunc(scim.Notes, func(n string) bool { return strings.HasPrefix(n, "TLS 1.1 is allowed") }) {
		t.Errorf("notes %q lack the OpenSSL 3.0 note on TLS 1.1", scim.Notes)
	}

	if !slices.Equal(relaxed.Versions.Values, []string{"TLS 1.3"}) || relaxed.ClientCertificate.Values[0] != "optional" {
		t.Errorf("[relaxed] versions %v, client certificate %v", relaxed.Versions.Values, relaxed.ClientCertificate.Values)
	}
	if len(relaxed.Suites.Values) != 0 || !slices.Equal(relaxed.Suites13.Values, []string{"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"}) {
		t.Errorf("[relaxed] suites %v, TLS 1.3 suites %v", relaxed.Suites.Values, relaxed.Suites13.Values)
	}
	if relaxed.Suites13.Line != 0 || !strings.Contains(relaxed.Suites13.Directive, "default of stunnel 5.68") {
		t.Errorf("[relaxed] TLS 1.3 suites directive %q, want stunnel's default", relaxed.Suites13.Directive)
	}

	audit.Judge(&scim, fixer)
	if len(scim.Problems) == 0 {
		t.Errorf("Judge found no problem with a required client certificate")
	}
}

// TestEffectiveConfigCommands applies config = COMMAND:VALUE lines after
// the other options, whatever their order, as stunnel 5.68 does.
func TestEffectiveConfigCommands(t *testing.T) {
	tests := []struct {
		name         string
		lines        string
		wantVersions []string
		wantFrom     string // the directive behind the versions
		wantSuites   string // a substring of the suites' directive
		wantSuites13 []string
	}{
		{"MinProtocol beats a later sslVersionMin", "config = MinProtocol:TLSv1.3\nsslVersionMin = TLSv1.2\n", []string{"TLS 1.3"}, "config = MinProtocol:TLSv1.3", "", nil},
		{"MaxProtocol None lifts sslVersionMax", "sslVersionMax = TLSv1.2\nconfig = MaxProtocol:None\n", []string{"TLS 1.2", "TLS 1.3"}, "config = MaxProtocol:None", "", nil},
		{"Protocol disables TLS 1.3", "config = Protocol:-TLSv1.3\n", []string{"TLS 1.2"}, "", "", nil},
		{"CipherString beats a later ciphers", "sslVersionMax = TLSv1.2\nconfig = CipherString:AES128-SHA\nciphers = ECDHE+AESGCM\n", []string{"TLS 1.2"}, "", "config = CipherString:AES128-SHA", nil},
		{"lowercase command name", "config = ciphersuites:TLS_AES_128_GCM_SHA256\n", []string{"TLS 1.2", "TLS 1.3"}, "", "", []string{"TLS_AES_128_GCM_SHA256"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"stunnel.conf": "[s]\naccept = 443\n" + tt.lines})
			listeners, _, err := Audit(DebianOptions, filepath.Join(dir, "stunnel.conf"))
			if err != nil {
				t.Fatalf("Audit: %v", err)
			}
			l := listeners[0]
			if !slices.Equal(l.Versions.Values, tt.wantVersions) {
				t.Errorf("versions = %v, want %v", l.Versions.Values, tt.wantVersions)
			}
			if tt.wantFrom != "" && l.Versions.Directive != tt.wantFrom {
				t.Errorf("versions from %q, want %q", l.Versions.Directive, tt.wantFrom)
			}
			if tt.wantSuites != "" {
				if l.Suites.Directive != tt.wantSuites {
					t.Errorf("suites from %q, want %q", l.Suites.Directive, tt.wantSuites)
				}
				if !slices.Equal(l.Suites.Values, []string{"TLS_RSA_WITH_AES_128_CBC_SHA"}) {
					t.Errorf("suites = %v, want AES128-SHA alone", l.Suites.Values)
				}
			}
			if tt.wantSuites13 != nil && !slices.Equal(l.Suites13.Values, tt.wantSuites13) {
				t.Errorf("TLS 1.3 suites = %v, want %v", l.Suites13.Values, tt.wantSuites13)
			}
		})
	}
}

func TestEffectiveConfigErrors(t *testing.T) {
	tests := []struct {
		name  string
		lines string
		want  []string
	}{
		{"unknown command", "config = Frobnicate:1\n", []string{"stunnel.conf:3:", "unknown OpenSSL configuration command \"Frobnicate\"", "MinProtocol"}},
		{"no colon", "config = MinProtocol\n", []string{"stunnel.conf:3:", "COMMAND:VALUE"}},
		{"version in the wrong case", "config = MinProtocol:tlsv1.2\n", []string{"stunnel.conf:3:", "\"tlsv1.2\"", "spelled in this case"}},
		{"unknown protocol word", "config = Protocol:-TLSv9\n", []string{"stunnel.conf:3:", "-TLSv1.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"stunnel.conf": "[s]\naccept = 443\n" + tt.lines})
			_, _, err := Audit(DebianOptions, filepath.Join(dir, "stunnel.conf"))
			if err == nil {
				t.Fatalf("Audit succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestFixerLines(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"modern versions", Fixer{}.VersionsLine([]string{"TLS 1.2", "TLS 1.3"}), "sslVersionMin = TLSv1.2"},
		{"one version", Fixer{}.VersionsLine([]string{"TLS 1.2"}), "sslVersion = TLSv1.2"},
		{"maximum line raised", Fixer{}.VersionsLineFor(audit.Setting{Directive: "sslVersionMax = TLSv1.1"}, []string{"TLS 1.2", "TLS 1.3"}), "sslVersionMax = TLSv1.3"},
		{"verify level without CA", Fixer{}.ClientCertificateLine(audit.Setting{Directive: "verify = 2" + noCASuffix}), "verify = 0"},
		{"verify level with CA", Fixer{}.ClientCertificateLine(audit.Setting{Directive: "verify = 2"}), "verify = 1"},
		{"verifyChain without CA", Fixer{}.ClientCertificateLine(audit.Setting{Directive: "verifyChain = yes" + noCASuffix}), "verifyChain = no"},
		{"verifyChain with CA", Fixer{}.ClientCertificateLine(audit.Setting{Directive: "verifyChain = yes"}), "requireCert = no"},
		{"suites", Fixer{}.SuitesLine([]string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA"}), "ciphers = ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name, path, head string
		want             bool
	}{
		{"by file name", "/etc/stunnel/stunnel.conf", "", true},
		{"by content", "/etc/tls/scim.conf", "; tunnel\n[scim]\naccept = 443\ncert = /x.pem\n", true},
		{"nginx file", "/etc/nginx/nginx.conf", "server {\n listen 443 ssl;\n}\n", false},
		{"ini without accept", "/etc/app.conf", "[main]\ncert = x\n", false},
		{"binary", "/tmp/stunnel.conf", "\x00\x01", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Detect(tc.path, []byte(tc.head)); got != tc.want {
				t.Errorf("Detect = %v, want %v", got, tc.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("[scim]\naccept = 443\nciphers = HIGH\n"))
	f.Add([]byte("; c\nsslVersion = TLSv1.2\n[a]\n[b\n"))
	f.Add([]byte("verify = 2\n[s]\naccept=1\nverifyChain = yes\nrequireCert = no\noptions = -NO_TLSv1\n"))
	f.Add([]byte("\xef\xbb\xbf\x00=\n"))
	f.Add([]byte("config = MaxProtocol:TLSv1.2\n[s]\naccept = 1\nconfig = Protocol:-TLSv1.3,+TLSv1.1\nconfig = Options:ServerPreference\nconfig = CipherString:AES128-SHA\n"))
	// One file per fuzzing process: the inputs of a process run one at a
	// time, and a temp dir per input made the target too slow.
	path := filepath.Join(f.TempDir(), "stunnel.conf")
	f.Fuzz(func(t *testing.T, data []byte) {
		// Include directives are left out: they read other files.
		if strings.Contains(strings.ToLower(string(data)), "include") {
			return
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := Parse(path)
		if err != nil {
			if !strings.HasPrefix(err.Error(), path) {
				t.Fatalf("error %q does not start with the file name", err)
			}
			return
		}
		if _, err := Effective(cfg, DebianOptions); err != nil && !strings.HasPrefix(err.Error(), path) {
			t.Fatalf("error %q does not start with the file name", err)
		}
	})
}

func TestRunLegacyTestdata(t *testing.T) {
	r, err := audit.Run([]string{"testdata/legacy-stunnel.conf"}, "", []audit.Format{Format()})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(r.Files) != 1 || r.Files[0].Type != "stunnel" || r.Files[0].Error != "" {
		t.Fatalf("files %+v, want one stunnel file without error", r.Files)
	}
	l := r.Files[0].Listeners[0]
	if !slices.Equal(l.Versions.Values, []string{"TLS 1.0"}) || l.Versions.Line != 3 {
		t.Errorf("versions %+v, want TLS 1.0 from line 3", l.Versions)
	}
	var fixes []string
	for _, p := range l.Problems {
		fixes = append(fixes, p.Fix)
	}
	want := []string{
		"sslVersionMin = TLSv1.2",
		// Entra ID, which has TLS 1.2 alone, would share no suite once the
		// versions are fixed, so the cipher fix comes in the same run.
		"ciphers = ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:AES128-SHA",
		"verify = 1",
	}
	if !slices.Equal(fixes, want) {
		t.Errorf("fixes %q, want %q", fixes, want)
	}
	if r.ExitCode != 1 {
		t.Errorf("exit code %d, want 1", r.ExitCode)
	}
}

// TestRefusedConfigurations checks the settings with which stunnel 5.68
// refuses the whole configuration: every service accepts no version,
// traced to the line at fault, whose fix lets stunnel start.
func TestRefusedConfigurations(t *testing.T) {
	tests := []struct {
		name    string
		config  string
		line    int
		fix     string
		message string
	}{
		{"minimum above maximum", "[a]\naccept = 443\n[b]\naccept = 444\nsslVersionMin = TLSv1.3\nsslVersionMax = TLSv1.2\n",
			5, "sslVersionMin = TLSv1.2", "Invalid protocol version range"},
		{"maximum below TLS 1.2 and minimum above it", "[a]\naccept = 443\nsslVersionMax = TLSv1.1\nsslVersionMin = TLSv1.3\n",
			3, "sslVersionMax = TLSv1.3", "Invalid protocol version range"},
		{"verify level without CA", "[a]\naccept = 443\nverify = 2\n",
			3, "verify = 0", "has to be configured"},
		{"global verifyPeer without CA", "verifyPeer = yes\n[a]\naccept = 443\n",
			1, "verifyPeer = no", "has to be configured"},
		{"client service fails too", "[out]\nclient = yes\naccept = 8080\nconnect = 443\nverifyChain = yes\n[a]\naccept = 443\n",
			5, "verifyChain = no", "has to be configured"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"stunnel.conf": tc.config})
			listeners, fixer, err := Audit(Options{}, filepath.Join(dir, "stunnel.conf"))
			if err != nil {
				t.Fatalf("Audit: %v", err)
			}
			for _, l := range listeners {
				if len(l.Versions.Values) != 0 || l.Versions.Line != tc.line {
					t.Errorf("%s: versions %v from line %d, want none from line %d", l.Name, l.Versions.Values, l.Versions.Line, tc.line)
				}
				if !slices.ContainsFunc(l.Notes, func(n string) bool { return strings.Contains(n, tc.message) && strings.Contains(n, "no service runs") }) {
					t.Errorf("%s: notes %q lack %q", l.Name, l.Notes, tc.message)
				}
				audit.Judge(&l, fixer)
				for _, p := range l.Problems {
					if p.Line == tc.line && p.Fix != tc.fix {
						t.Errorf("%s: fix %q at line %d, want %q", l.Name, p.Fix, p.Line, tc.fix)
					}
				}
			}
		})
	}
}

func TestRequireCertWithoutCANote(t *testing.T) {
	dir := writeFiles(t, map[string]string{"stunnel.conf": "[a]\naccept = 443\nrequireCert = yes\n"})
	listeners, _, err := Audit(Options{}, filepath.Join(dir, "stunnel.conf"))
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	want := "No trusted certificates found"
	if !slices.ContainsFunc(listeners[0].Notes, func(n string) bool { return strings.Contains(n, want) }) {
		t.Errorf("notes %q lack %q", listeners[0].Notes, want)
	}
	if !slices.Equal(listeners[0].Versions.Values, []string{"TLS 1.2", "TLS 1.3"}) {
		t.Errorf("versions %v, want TLS 1.2 and TLS 1.3: stunnel starts with requireCert = yes alone", listeners[0].Versions.Values)
	}
}
