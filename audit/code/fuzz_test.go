package code

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lexers are the tokenizers by the testdata folder that seeds them.
var lexers = map[string]func(string) ([]token, *lexError){
	"java":   lexJava,
	"csharp": lexCSharp,
	"js":     lexJavaScript,
	"python": lexPython,
	"ruby":   lexRuby,
	"php":    lexPHP,
}

// hostileSeeds are inputs that end inside every construct the tokenizers
// know.
var hostileSeeds = []string{
	"", "/", "/*", "/* *", "\"", "'", "`", "`${", "`${`${'", "\"\"\"", "@\"", "$\"{", "$@\"{\"", "$$\"\"\"{",
	"#", "#[", "<?php", "<?php <<<", "<?php <<<'X'\n", "<?php <<<X\nX", "<<~", "<<~EOS", "<<~EOS\n", "%w[", "%q(((", "%",
	"=begin", "=begin\n=end", "r'''", "f'{", "f\"{'}'", "f'{{", "b'\\", ":", ":\"", "\\", "?>", "__END__",
	"x = /[/]/", "a / b / c", "return /'/", "SSLContext.getInstance(", "SslProtocols.", "(SslProtocols)",
	"minVersion:", "tls.DEFAULT_MIN_VERSION =", "ssl_version =", "ctx.min_version = OpenSSL::SSL::", "CURLOPT_SSLVERSION,",
	"STREAM_CRYPTO_METHOD_TLSv1_0_CLIENT |", "setEnabledProtocols(new String[]{", "new SSLConnectionSocketFactory(a, new String[]{",
}

// checkTokens fails when a token lies outside src or the tokens go back.
func checkTokens(t *testing.T, src string, toks []token) {
	t.Helper()
	lines := strings.Count(src, "\n") + 1
	last := 0
	for i, tok := range toks {
		if tok.start < last || tok.start > tok.end || tok.end > len(src) {
			t.Fatalf("token %d %+v out of order or outside the %d-byte source", i, tok, len(src))
		}
		if tok.line < 1 || tok.line > lines {
			t.Fatalf("token %d %+v on line %d of %d", i, tok, tok.line, lines)
		}
		last = tok.start
	}
}

// addSeeds adds the testdata files of folder and the hostile seeds.
func addSeeds(f *testing.F, folder string) {
	files, _ := filepath.Glob(filepath.Join("testdata", folder, "*"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	for _, s := range hostileSeeds {
		f.Add(s)
	}
}

func fuzzLexer(f *testing.F, folder string) {
	addSeeds(f, folder)
	lex := lexers[folder]
	f.Fuzz(func(t *testing.T, src string) {
		toks, err := lex(src)
		checkTokens(t, src, toks)
		if err != nil && (err.line < 1 || err.construct == "") {
			t.Fatalf("lexError %+v without a line or a description", err)
		}
	})
}

func FuzzLexJava(f *testing.F)       { fuzzLexer(f, "java") }
func FuzzLexCSharp(f *testing.F)     { fuzzLexer(f, "csharp") }
func FuzzLexJavaScript(f *testing.F) { fuzzLexer(f, "js") }
func FuzzLexPython(f *testing.F)     { fuzzLexer(f, "python") }
func FuzzLexRuby(f *testing.F)       { fuzzLexer(f, "ruby") }
func FuzzLexPHP(f *testing.F)        { fuzzLexer(f, "php") }

// FuzzScan runs every language's scanner, and the Fixer on what it
// finds, on the same input.
func FuzzScan(f *testing.F) {
	for folder := range lexers {
		addSeeds(f, folder)
	}
	addSeeds(f, "go")
	addSeeds(f, "node")
	langs := []language{languageGo, languageJava, languageCSharp, languageJS, languagePython, languageRuby, languagePHP, languageNPM, languageDocker}
	f.Fuzz(func(t *testing.T, src string) {
		for _, lang := range langs {
			findings, err := lang.scan("fuzz", src)
			if err != nil {
				if !strings.HasPrefix(err.Error(), "fuzz") {
					t.Fatalf("%s: error %q does not name the file", lang.software, err)
				}
				continue
			}
			fix := newFixer(src)
			for i := range findings {
				l := findings[i].listener(lang.software, "fuzz", src, fix)
				fix.VersionsLineFor(l.Versions, []string{"TLS 1.2", "TLS 1.3"})
				fix.SuitesLineFor(l.Suites, []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"})
			}
		}
	})
}
