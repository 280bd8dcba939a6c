package opensslcnf

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
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

func TestParseValues(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		section string
		key     string
		want    string
	}{
		{"plain", "a = b c  ", DefaultSection, "a", "b c"},
		{"comment after value", "a = b # note", DefaultSection, "a", "b"},
		{"hash in double quotes", `a = "b # c"`, DefaultSection, "a", "b # c"},
		{"hash in single quotes", `a = 'b # c'`, DefaultSection, "a", "b # c"},
		{"escaped hash", `a = b \# c`, DefaultSection, "a", "b # c"},
		{"escape sequences", `a = x\ty\nz`, DefaultSection, "a", "x\ty\nz"},
		{"escaped quote in double quotes", `a = "say \"hi\""`, DefaultSection, "a", `say "hi"`},
		{"doubled single quote", `a = 'it''s'`, DefaultSection, "a", "it's"},
		{"continuation", "a = one \\\n two", DefaultSection, "a", "one  two"},
		{"continuation with comment", "a = one \\\n two # c\nb = 2", DefaultSection, "b", "2"},
		{"dollar variable", "x = 1\ny = $x.2", DefaultSection, "y", "1.2"},
		{"braced variable", "x = 1\ny = ${x}b", DefaultSection, "y", "1b"},
		{"parenthesized variable", "x = 1\ny = $(x)b", DefaultSection, "y", "1b"},
		{"section variable", "[s]\nv = TLSv1.2\n[t]\nmin = $s::v", "t", "min", "TLSv1.2"},
		{"braced section variable", "[s]\nv = 2\n[t]\nw = ${s::v}x", "t", "w", "2x"},
		{"default section fallback", "d = deflt\n[s]\nv = $d", "s", "v", "deflt"},
		{"environment", "v = $ENV::SCIMDOCTOR_TEST_VAR", DefaultSection, "v", "from env"},
		{"ENV section wins over environment", "[ENV]\nSCIMDOCTOR_TEST_VAR = from file\n[s]\nv = $ENV::SCIMDOCTOR_TEST_VAR", "s", "v", "from file"},
		{"dollarid pragma", ".pragma dollarid:on\nv = a$b", DefaultSection, "v", "a$b"},
		{"dollarid pragma braces still expand", ".pragma = dollarid:true\nb = 1\nv = a${b}", DefaultSection, "v", "a1"},
		{"last value wins", "a = 1\na = 2", DefaultSection, "a", "2"},
		{"section with spaces", "[  sect  ]\na = 1", "sect", "a", "1"},
		{"section reopened", "[s]\na = 1\n[t]\n[s]\nb = 2", "s", "b", "2"},
		{"other section assignment", "[t]\ns::a = 5", "s", "a", "5"},
		{"name with dot", "[s]\nTLS.MinProtocol = TLSv1.2", "s", "TLS.MinProtocol", "TLSv1.2"},
		{"crlf line ends", "[s]\r\na = 1\r\n", "s", "a", "1"},
		{"empty value", "a =", DefaultSection, "a", ""},
		{"equal sign without spaces", "a=b=c", DefaultSection, "a", "b=c"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseText("test.cnf", []byte(tc.text), ParseOptions{Env: map[string]string{"SCIMDOCTOR_TEST_VAR": "from env"}, NoIncludes: true})
			if err != nil {
				t.Fatalf("ParseText: %v", err)
			}
			s := cfg.Section(tc.section)
			if s == nil {
				t.Fatalf("no section [%s]; sections %v", tc.section, cfg.Sections())
			}
			v, ok := s.Get(tc.key)
			if !ok {
				t.Fatalf("no %s in [%s]: %+v", tc.key, tc.section, s.Values)
			}
			if v.Value != tc.want {
				t.Errorf("%s = %q, want %q", tc.key, v.Value, tc.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		text string
		line int
		want string
	}{
		{"missing equal sign", "a = 1\nfoo bar\n", 2, "missing equal sign"},
		{"missing close bracket", "[sect\n", 1, "missing closing bracket"},
		{"text after section", "[s] a = 1\n", 1, "after the section name"},
		{"bad section character", "[s t]\n", 1, "invalid character"},
		{"empty section name", "[ ]\n", 1, "empty section name"},
		{"undefined variable", "a = 1\nb = $missing\n", 2, "variable missing has no value"},
		{"undefined section variable", "b = $nosuch::x\n", 1, "variable nosuch::x has no value"},
		{"variable defined later", "b = $a\na = 1\n", 1, "variable a has no value"},
		{"unset environment", "b = $ENV::SCIMDOCTOR_SURELY_UNSET\n", 1, "is not set"},
		{"unclosed brace", "a = 1\nb = ${a\n", 2, "missing '}'"},
		{"lone dollar", "b = x $ y\n", 1, "without a variable name"},
		{"unterminated double quote", "a = 1\n\nb = \"DEFAULT # note\n", 3, "unterminated double quote"},
		{"unterminated single quote", "b = 'abc\n", 1, "unterminated single quote"},
		{"unterminated quote after continuation", "b = \"abc \\\n def\n", 1, "unterminated double quote"},
		{"bad pragma value", ".pragma dollarid:maybe\n", 1, "invalid .pragma dollarid value"},
		{"pragma without colon", ".pragma dollarid\n", 1, "write .pragma name:value"},
		{"line of punctuation only", "= x\n", 1, "invalid line"},
		{"exploding value", "a = xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n" +
			strings.Repeat("", 0) + "b = $a$a$a$a$a$a$a$a$a$a$a$a$a$a$a$a\nc = $b$b$b$b$b$b$b$b$b$b$b$b$b$b$b$b\nd = $c$c$c$c$c$c$c$c$c$c$c$c$c$c$c$c\n", 4, "longer than 65536 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseText("bad.cnf", []byte(tc.text), ParseOptions{NoIncludes: true})
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseText error %v, want a *ParseError", err)
			}
			if pe.File != "bad.cnf" || pe.Line != tc.line {
				t.Errorf("error at %s:%d, want bad.cnf:%d (%v)", pe.File, pe.Line, tc.line, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestParseIncludes(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.cnf": "openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl]\nsystem_default = sys\n[sys]\n" +
			".include = policy.config\n" +
			".include conf.d\n" +
			"after = yes\n",
		"policy.config":       "MinProtocol = TLSv1.2\n",
		"conf.d/10-a.cnf":     "CipherString = DEFAULT\n",
		"conf.d/20-b.conf":    "[late]\nx = 1\n",
		"conf.d/ignored.txt":  "[nope]\n",
		"conf.d/sub/deep.cnf": "[deeper]\n",
	})
	cfg, err := Parse(filepath.Join(dir, "main.cnf"))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	sys := cfg.Section("sys")
	if v, ok := sys.Get("MinProtocol"); !ok || v.File != filepath.Join(dir, "policy.config") || v.Line != 1 {
		t.Errorf("MinProtocol %+v, want it in [sys] from policy.config:1", v)
	}
	if _, ok := sys.Get("CipherString"); !ok {
		t.Errorf("CipherString from conf.d/10-a.cnf not in [sys]: %+v", sys.Values)
	}
	if cfg.Section("late") == nil {
		t.Errorf("section [late] of conf.d/20-b.conf missing; sections %v", cfg.Sections())
	}
	// The section opened by the included folder carries back out of it.
	if v, ok := cfg.Section("late").Get("after"); !ok || v.Line != 9 {
		t.Errorf("after = yes not in [late] at main.cnf:9: %+v", cfg.Section("late").Values)
	}
	if cfg.Section("nope") != nil || cfg.Section("deeper") != nil {
		t.Errorf("files without .cnf or .conf or in subfolders were read: %v", cfg.Sections())
	}
	if len(cfg.Files) != 4 {
		t.Errorf("files read %v, want 4", cfg.Files)
	}
}

func TestParseIncludeDirAndPragmas(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"inc/x.cnf": "x = from include dir\n",
		"main.cnf":  ".include x.cnf\n",
		"abs.cnf":   ".pragma abspath:on\n.include x.cnf\n",
		"pr.cnf":    ".pragma includedir:INC\n.include x.cnf\n",
	})
	cfg, err := ParseWith(filepath.Join(dir, "main.cnf"), ParseOptions{IncludeDir: filepath.Join(dir, "inc")})
	if err != nil {
		t.Fatalf("ParseWith: %v", err)
	}
	if v, ok := cfg.Section(DefaultSection).Get("x"); !ok || v.Value != "from include dir" {
		t.Errorf("x = %+v, want the value from OPENSSL_CONF_INCLUDE's folder", v)
	}

	_, err = Parse(filepath.Join(dir, "abs.cnf"))
	if err == nil || !strings.Contains(err.Error(), "abspath") || !strings.Contains(err.Error(), "abs.cnf:2") {
		t.Errorf("relative include under abspath: error %v, want abs.cnf:2 naming abspath", err)
	}

	text, _ := os.ReadFile(filepath.Join(dir, "pr.cnf"))
	path := filepath.Join(dir, "pr.cnf")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(text), "INC", filepath.Join(dir, "inc"))), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err = Parse(path)
	if err != nil {
		t.Fatalf("Parse with includedir pragma: %v", err)
	}
	if _, ok := cfg.Section(DefaultSection).Get("x"); !ok {
		t.Errorf("includedir pragma not applied: %+v", cfg.Section(DefaultSection).Values)
	}
}

func TestParseMissingIncludeWarns(t *testing.T) {
	dir := writeFiles(t, map[string]string{"main.cnf": ".include /nonexistent/scimdoctor.cnf\na = 1\n"})
	cfg, err := Parse(filepath.Join(dir, "main.cnf"))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0], "OpenSSL skips it") {
		t.Errorf("warnings %q, want one saying OpenSSL skips the include", cfg.Warnings)
	}
	if _, ok := cfg.Section(DefaultSection).Get("a"); !ok {
		t.Error("lines after the missing include were not read")
	}
}

func TestParseRejectsBadFiles(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"self.cnf":   ".include self.cnf\n",
		"a.cnf":      "x = 1\n.include b.cnf\n",
		"b.cnf":      "\n.include a.cnf\n",
		"binary.cnf": "a = 1\n\x00\x01\x02\x03",
		"inc.cnf":    ".include binary.cnf\n",
	})
	big := filepath.Join(dir, "big.cnf")
	if err := os.WriteFile(big, []byte(strings.Repeat("a = 1\n", 50<<20/6)), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, file string
		want       []string
	}{
		{"include of itself", "self.cnf", []string{"self.cnf:1", "includes itself"}},
		{"include loop through another file", "a.cnf", []string{"b.cnf:2", ".include loop", "a.cnf:2"}},
		{"binary file", "binary.cnf", []string{"binary.cnf:2", "binary content"}},
		{"binary include", "inc.cnf", []string{"inc.cnf:1", "binary content"}},
		{"50 MB file", "big.cnf", []string{"big.cnf", "larger than 8 MiB"}},
		{"missing file", "none.cnf", []string{"none.cnf", "no such file"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(filepath.Join(dir, tc.file))
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestParseDebianShippedFile(t *testing.T) {
	cfg, err := Parse(debianConf)
	if err != nil {
		t.Fatalf("Parse(%s): %v; install Debian package openssl", debianConf, err)
	}
	init, ok := cfg.Section(DefaultSection).Get("openssl_conf")
	if !ok || init.Value != "openssl_init" {
		t.Errorf("openssl_conf = %+v, want openssl_init", init)
	}
	// [pbm] reads $insta::ref, defined earlier in [insta].
	if v, ok := cfg.Section("pbm").Get("ref"); !ok || v.Value != "3078" {
		t.Errorf("[pbm] ref = %+v, want 3078 expanded from $insta::ref", v)
	}
	p, err := PolicyOf(cfg)
	if err != nil {
		t.Fatalf("PolicyOf: %v", err)
	}
	if p.Section != nil || !strings.Contains(p.Chain, "has no ssl_conf") {
		t.Errorf("chain %q, section %v: want no ssl_conf in [openssl_init]", p.Chain, p.Section)
	}
}

func FuzzParse(f *testing.F) {
	seeds := []string{
		"", "a = b\n", "[s]\nx = $a\n", "a = 1\nb = ${a}\n", ".include x\n", ".pragma dollarid:on\n",
		"a = \"unterminated\n", "a = \\\n", "[s\n", "a = $ENV::HOME\n", "s::a = 1\n",
		"openssl_conf = i\n[i]\nssl_conf = s\n[s]\nsystem_default = d\n[d]\nMinProtocol = TLSv1.2\n",
	}
	if data, err := os.ReadFile(debianConf); err == nil {
		seeds = append(seeds, string(data))
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseText("fuzz.cnf", data, ParseOptions{NoIncludes: true})
		if err != nil {
			if cfg != nil {
				t.Fatal("ParseText returned a config with an error")
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		p, err := PolicyOf(cfg)
		if err != nil {
			return
		}
		Effective(p, Options{Platform: Debian12})
	})
}
