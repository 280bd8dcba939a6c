package cryptopolicies

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseDirectives(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []Directive
	}{
		{"new list", "cipher = AES-256-GCM AES-128-GCM", []Directive{
			{Property: "cipher", Scope: "*", Op: OpReset},
			{Property: "cipher", Scope: "*", Op: OpAppend, Value: "AES-256-GCM"},
			{Property: "cipher", Scope: "*", Op: OpAppend, Value: "AES-128-GCM"},
		}},
		{"scoped wildcard", "cipher@TLS = *-GCM", []Directive{
			{Property: "cipher", Scope: "tls", Op: OpReset},
			{Property: "cipher", Scope: "tls", Op: OpAppend, Value: "AES-256-GCM"},
			{Property: "cipher", Scope: "tls", Op: OpAppend, Value: "AES-192-GCM"},
			{Property: "cipher", Scope: "tls", Op: OpAppend, Value: "AES-128-GCM"},
			{Property: "cipher", Scope: "tls", Op: OpAppend, Value: "CAMELLIA-256-GCM"},
			{Property: "cipher", Scope: "tls", Op: OpAppend, Value: "CAMELLIA-128-GCM"},
		}},
		{"prepend wildcard in reverse", "cipher = +3DES-*", []Directive{
			{Property: "cipher", Scope: "*", Op: OpPrepend, Value: "3DES-CFB"},
			{Property: "cipher", Scope: "*", Op: OpPrepend, Value: "3DES-CBC"},
		}},
		{"append and omit", "mac = HMAC-MD5+ -HMAC-SHA1", []Directive{
			{Property: "mac", Scope: "*", Op: OpAppend, Value: "HMAC-MD5"},
			{Property: "mac", Scope: "*", Op: OpOmit, Value: "HMAC-SHA1"},
		}},
		{"continuation and comment", "group = X25519 \\\n  SECP256R1 # curves\n", []Directive{
			{Property: "group", Scope: "*", Op: OpReset},
			{Property: "group", Scope: "*", Op: OpAppend, Value: "X25519"},
			{Property: "group", Scope: "*", Op: OpAppend, Value: "SECP256R1"},
		}},
		{"integer", "min_rsa_size=3072", []Directive{{Property: "min_rsa_size", Scope: "*", Op: OpSetInt, Value: "3072"}}},
		{"enum", "__ems = RELAX", []Directive{{Property: "__ems", Scope: "*", Op: OpSetEnum, Value: "RELAX"}}},
		{"empty list", "cipher@SSH =", []Directive{{Property: "cipher", Scope: "ssh", Op: OpReset}}},
		{"deprecated min_tls_version", "min_tls_version = TLS1.2", []Directive{
			{Property: "protocol", Scope: "tls", Op: OpOmit, Value: "SSL2.0"},
			{Property: "protocol", Scope: "tls", Op: OpOmit, Value: "SSL3.0"},
			{Property: "protocol", Scope: "tls", Op: OpOmit, Value: "TLS1.0"},
			{Property: "protocol", Scope: "tls", Op: OpOmit, Value: "TLS1.1"},
		}},
		{"deprecated tls_cipher moves last", "tls_cipher = AES-128-GCM\nmac = AEAD", []Directive{
			{Property: "mac", Scope: "*", Op: OpReset},
			{Property: "mac", Scope: "*", Op: OpAppend, Value: "AEAD"},
			{Property: "cipher", Scope: "tls", Op: OpReset},
			{Property: "cipher", Scope: "tls", Op: OpAppend, Value: "AES-128-GCM"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse("TEST.pmod", []byte(tc.text))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var got []Directive
			for _, d := range p.Directives {
				got = append(got, Directive{Property: d.Property, Scope: d.Scope, Op: d.Op, Value: d.Value})
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("directives\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestParseWarnings(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"unknown algorithm", "cipher = AES-512-GCM", "matches no algorithm"},
		{"unknown scope", "cipher@NGINX = AES-128-GCM", "names no known crypto-policies back end"},
		{"unscoped protocol", "protocol = TLS1.2", "protocol without a scope is deprecated"},
		{"deprecated name", "tls_cipher = AES-128-GCM", "tls_cipher is deprecated"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse("X.pol", []byte(tc.text))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !slices.ContainsFunc(p.Warnings, func(w string) bool { return strings.Contains(w, tc.want) }) {
				t.Errorf("warnings %q lack %q", p.Warnings, tc.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, text string
		line       int
		want       string
	}{
		{"no equal sign", "cipher AES-128-GCM", 1, "has 0 equal signs"},
		{"two equal signs", "# c\ncipher = A = B", 2, "has 2 equal signs"},
		{"empty property", "= AES-128-GCM", 1, "no property"},
		{"mixed list and change", "cipher = AES-128-GCM -AES-256-GCM", 1, "mixes a new list"},
		{"unknown property", "ciphers = AES-128-GCM", 1, "unknown property \"ciphers\""},
		{"number for algorithms", "cipher = 128", 1, "takes algorithm names"},
		{"word for a size", "min_rsa_size = big", 1, "takes a number"},
		{"bad enum", "__ems = ALWAYS", 1, "invalid __ems value"},
		{"bad min_tls_version", "min_tls_version = TLS2.0", 1, "invalid min_tls_version"},
		{"empty scope", "cipher@ = AES-128-GCM", 1, "invalid scope"},
		{"quoted names", "cipher = \"AES-128-GCM AES-256-GCM\"", 1, "no quoting"},
		{"unterminated quote", "\n\ncipher = 'AES-128-GCM", 3, "no quoting"},
		{"too many operations", "mac = AEAD\ncipher = " + strings.Repeat("+* ", 500), 2, "more than 10000 operations"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("BAD.pol", []byte(tc.text))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse error %v, want a *ParseError", err)
			}
			if pe.File != "BAD.pol" || pe.Line != tc.line {
				t.Errorf("error at %s:%d, want BAD.pol:%d (%v)", pe.File, pe.Line, tc.line, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

func TestParseFileRejectsBadFiles(t *testing.T) {
	dir := t.TempDir()
	binary := filepath.Join(dir, "BIN.pol")
	if err := os.WriteFile(binary, []byte("cipher = AES-128-GCM\n\x00\x01\x02"), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "BIG.pol")
	if err := os.WriteFile(big, []byte(strings.Repeat("min_rsa_size = 2048\n", 50<<20/20)), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		want       []string
	}{
		{"binary", binary, []string{"BIN.pol:2", "binary content"}},
		{"50 MB", big, []string{"BIG.pol", "larger than 8 MiB"}},
		{"missing", filepath.Join(dir, "NONE.pol"), []string{"NONE.pol", "no such file"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFile(tc.path)
			if err == nil {
				t.Fatal("ParseFile succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestParseRelease(t *testing.T) {
	tests := []struct {
		in   string
		want Release
	}{{"8", RHEL8}, {"9", RHEL9}, {" 10 ", RHEL10}, {"rhel9", RHEL9}, {"RHEL10", RHEL10}}
	for _, tc := range tests {
		if got, err := ParseRelease(tc.in); err != nil || got != tc.want {
			t.Errorf("ParseRelease(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	if _, err := ParseRelease("7"); err == nil || !strings.Contains(err.Error(), "use 8, 9 or 10") {
		t.Errorf("ParseRelease(7) error %v, want one naming 8, 9 and 10", err)
	}
}

func TestScopeMatches(t *testing.T) {
	tests := []struct {
		selector string
		backend  Backend
		want     bool
	}{
		{"*", OpenSSL, true},
		{"tls", OpenSSL, true},
		{"tls", NSS, true},
		{"openssl", GnuTLS, false},
		{"ssh", OpenSSL, false},
		{"!ssh", OpenSSL, true},
		{"!{ssh,ipsec}", OpenSSL, true},
		{"!{tls,ipsec}", OpenSSL, false},
		{"{gnutls,nss}", OpenSSL, false},
		{"{gnutls,openssl}", OpenSSL, true},
		{"open*", OpenSSL, true},
		{"kerberos", OpenSSL, false},
	}
	for _, tc := range tests {
		if got := scopeMatches(tc.selector, backendScopes[tc.backend]); got != tc.want {
			t.Errorf("scopeMatches(%q, %s) = %v, want %v", tc.selector, tc.backend, got, tc.want)
		}
	}
}

func TestParseConfigText(t *testing.T) {
	tests := []struct {
		name, text string
		want       string
		line       int
		err        string
	}{
		{"plain", "DEFAULT\n", "DEFAULT", 1, ""},
		{"with modules and comment", "# set by admin\n\nLEGACY:AD-SUPPORT\n", "LEGACY:AD-SUPPORT", 3, ""},
		{"two lines", "DEFAULT\nFUTURE\n", "", 2, "a second policy line"},
		{"empty", "# nothing\n", "", 0, "no policy line"},
		{"bad name", "DEFAULT:NO SHA1\n", "", 1, "invalid policy"},
		{"empty module", "DEFAULT:\n", "", 1, "invalid policy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseConfigText("config", []byte(tc.text))
			if tc.err != "" {
				var pe *ParseError
				if !errors.As(err, &pe) || pe.Line != tc.line || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("error %v, want line %d with %q", err, tc.line, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseConfigText: %v", err)
			}
			if cfg.Spec.String() != tc.want || cfg.Line != tc.line {
				t.Errorf("spec %s at line %d, want %s at line %d", cfg.Spec, cfg.Line, tc.want, tc.line)
			}
		})
	}
}

func TestBuiltinFilesParseCleanly(t *testing.T) {
	for _, r := range []Release{RHEL8, RHEL9, RHEL10} {
		for _, module := range []bool{false, true} {
			for _, name := range builtinNames(r, module) {
				spec := Spec{Policy: name}
				if module {
					spec = Spec{Policy: "DEFAULT", Modules: []string{name}}
				}
				c, err := Load(spec, LoadOptions{Release: r})
				if err != nil {
					t.Errorf("%s %s: %v", r, spec, err)
					continue
				}
				for _, f := range c.Files {
					if len(f.Warnings) > 0 {
						t.Errorf("%s %s: warnings %q", r, f.Name, f.Warnings)
					}
				}
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, r := range []string{"rhel8", "rhel9", "rhel10"} {
		for _, name := range []string{"DEFAULT.pol", "LEGACY.pol", "FIPS.pol", "modules/OSPP.pmod"} {
			if data, err := builtin.ReadFile("builtin/" + r + "/" + name); err == nil {
				f.Add(data)
			}
		}
	}
	for _, s := range []string{"", "cipher = +*", "min_tls_version = TLS1.0", "cipher@{tls,!ssh} = -*-CBC", "a=b=c", "x = \\", "__ems = RELAX"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("FUZZ.pmod", data)
		if err != nil {
			if p != nil {
				t.Fatal("Parse returned a policy with an error")
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		c := &Composite{Spec: Spec{Policy: "FUZZ"}, Release: RHEL9, Files: []*Policy{p}, BuiltIn: map[*Policy]bool{}}
		Effective(c)
	})
}
