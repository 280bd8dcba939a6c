package nginx

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

// writeFiles writes files (name to content) under a new temporary
// directory and returns it.
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

func TestParseTokens(t *testing.T) {
	tests := []struct {
		name  string
		input string
		// want is every directive as "line:name arg|arg", depth first.
		want []string
	}{
		{"plain directive", "ssl_protocols TLSv1.2 TLSv1.3;", []string{"1:ssl_protocols TLSv1.2|TLSv1.3"}},
		{"comment after directive", "a b; # c d;\ne f;", []string{"1:a b", "2:e f"}},
		{"hash inside word", "a b#c;", []string{"1:a b#c"}},
		{"double quotes keep separators", `a "x; {y}";`, []string{"1:a x; {y}"}},
		{"single quotes", `a 'HIGH:!aNULL';`, []string{"1:a HIGH:!aNULL"}},
		{"escaped quote", `a "x\"y";`, []string{`1:a x"y`}},
		{"other escape keeps backslash", `a "x\d";`, []string{`1:a x\d`}},
		{"variable braces", `a ${host}x;`, []string{"1:a ${host}x"}},
		{"nested blocks", "http {\n server {\n  listen 443 ssl;\n }\n}", []string{"1:http ", "2:server ", "3:listen 443|ssl"}},
		{"empty quoted argument", `a "";`, []string{"1:a "}},
		{"line of multi-line quote", "a \"x\ny\";\nb;", []string{"1:a x\ny", "3:b "}},
		{"crlf line ends", "a b;\r\nc d;\r\n", []string{"1:a b", "2:c d"}},
		{"empty block", "events {}", []string{"1:events "}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dirs, err := parseBytes("test.conf", []byte(tc.input), 0)
			if err != nil {
				t.Fatalf("parseBytes(%q): %v", tc.input, err)
			}
			var got []string
			var walk func([]*Directive)
			walk = func(ds []*Directive) {
				for _, d := range ds {
					got = append(got, fmt.Sprintf("%d:%s %s", d.Line, d.Name, strings.Join(d.Args, "|")))
					walk(d.Block)
				}
			}
			walk(dirs)
			if !slices.Equal(got, tc.want) {
				t.Errorf("parseBytes(%q)\n got %q\nwant %q", tc.input, got, tc.want)
			}
		})
	}
}

func TestParseSyntaxErrors(t *testing.T) {
	tests := []struct {
		name     string
		input    string
		wantLine int
		wantText string
	}{
		{"unbalanced double quote", "a b;\nssl_ciphers \"HIGH;\n}\n", 2, "unbalanced \" quote"},
		{"unbalanced single quote", "a 'b;", 1, "unbalanced ' quote"},
		{"missing semicolon at end", "a b;\nc d", 2, `expecting ";" or "}" after directive "c"`},
		{"missing closing brace", "http {\n server {\n }\n", 4, `expecting "}" to close the "http" block of line 1`},
		{"extra closing brace", "a;\n}\n", 2, `unexpected "}": no block is open`},
		{"directive cut by brace", "http { a b }", 1, `directive "a" is not terminated`},
		{"lone semicolon", "a;\n;\n", 2, `unexpected ";"`},
		{"lone brace", "{ a; }", 1, `unexpected "{"`},
		{"word glued to quote", `a "b"c;`, 1, `unexpected "c" after a quoted word`},
		{"unclosed variable", "a ${host;\n", 1, `unclosed variable`},
		{"backslash at end", `a b\`, 1, "after a backslash"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseBytes("test.conf", []byte(tc.input), 0)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("parseBytes(%q) = %v, want a *ParseError", tc.input, err)
			}
			if pe.File != "test.conf" {
				t.Errorf("File = %q, want test.conf", pe.File)
			}
			if pe.Line != tc.wantLine {
				t.Errorf("Line = %d, want %d (%v)", pe.Line, tc.wantLine, err)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q does not contain %q", err, tc.wantText)
			}
		})
	}
}

func TestParseIncludes(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"nginx.conf":          "http {\n include conf.d/*.conf;\n include /ABS/extra.inc;\n}\n",
		"conf.d/b.conf":       "b_directive 2;\n",
		"conf.d/a.conf":       "a_directive 1;\n",
		"conf.d/skip.txt":     "never_read;\n",
		"extra.inc":           "extra_directive 3;\n",
		"conf.d/empty/x.conf": "under_a_folder;\n",
	})
	main := filepath.Join(dir, "nginx.conf")
	text, _ := os.ReadFile(main)
	os.WriteFile(main, bytes.ReplaceAll(text, []byte("/ABS"), []byte(dir)), 0o600)

	dirs, err := Parse(main, "")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	var names, files []string
	for _, d := range dirs[0].Block {
		names = append(names, d.Name)
		files = append(files, filepath.Base(d.File))
	}
	if want := []string{"a_directive", "b_directive", "extra_directive"}; !slices.Equal(names, want) {
		t.Errorf("directives %q, want %q in glob order", names, want)
	}
	if want := []string{"a.conf", "b.conf", "extra.inc"}; !slices.Equal(files, want) {
		t.Errorf("files %q, want %q", files, want)
	}
}

func TestParseIncludeGlobMatchingNothing(t *testing.T) {
	dir := writeFiles(t, map[string]string{"nginx.conf": "include sites-enabled/*;\nb;\n"})
	dirs, err := Parse(filepath.Join(dir, "nginx.conf"), "")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(dirs) != 1 || dirs[0].Name != "b" {
		t.Errorf("got %d directives, want only b", len(dirs))
	}
}

func TestParseIncludePrefix(t *testing.T) {
	// Relative includes resolve against the prefix, not against the
	// directory of the including file.
	dir := writeFiles(t, map[string]string{
		"nginx.conf":          "include sub/inner.conf;\n",
		"sub/inner.conf":      "include snippets/s.conf;\n",
		"snippets/s.conf":     "from_prefix;\n",
		"sub/snippets/s.conf": "from_including_dir;\n",
	})
	dirs, err := Parse(filepath.Join(dir, "nginx.conf"), "")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(dirs) != 1 || dirs[0].Name != "from_prefix" {
		t.Errorf("got %v, want from_prefix", dirs)
	}
}

func TestParseBadFiles(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		wantFile string
		wantLine int
		wantText string
	}{
		{
			name:     "binary junk",
			files:    map[string]string{"nginx.conf": "server {\n\x7fELF\x02\x01\x01\x00\x00junk"},
			wantFile: "nginx.conf", wantLine: 2, wantText: "NUL byte at offset 16",
		},
		{
			name:     "binary junk without NUL",
			files:    map[string]string{"nginx.conf": "\x80\xff{ \"\x81\x82\n\x83"},
			wantFile: "nginx.conf", wantLine: 1, wantText: "binary content",
		},
		{
			name:     "include loop",
			files:    map[string]string{"nginx.conf": "http {\n include a.conf;\n}\n", "a.conf": "x;\ninclude b.conf;\n", "b.conf": "include a.conf;\n"},
			wantFile: "b.conf", wantLine: 1, wantText: "include loop",
		},
		{
			name:     "file including itself",
			files:    map[string]string{"nginx.conf": "a;\ninclude nginx.conf;\n"},
			wantFile: "nginx.conf", wantLine: 2, wantText: "include loop",
		},
		{
			name:     "unbalanced quote in included file",
			files:    map[string]string{"nginx.conf": "include x.conf;\n", "x.conf": "a;\nb;\nssl_ciphers 'HIGH;\n"},
			wantFile: "x.conf", wantLine: 3, wantText: "unbalanced ' quote",
		},
		{
			name:     "missing include",
			files:    map[string]string{"nginx.conf": "a;\ninclude missing.conf;\n"},
			wantFile: "nginx.conf", wantLine: 2, wantText: "no such file",
		},
		{
			name:     "include with two arguments",
			files:    map[string]string{"nginx.conf": "include a b;\n"},
			wantFile: "nginx.conf", wantLine: 1, wantText: "include takes one argument",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, tc.files)
			_, err := Parse(filepath.Join(dir, "nginx.conf"), "")
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse = %v, want a *ParseError", err)
			}
			if filepath.Base(pe.File) != tc.wantFile {
				t.Errorf("File = %q, want %s", pe.File, tc.wantFile)
			}
			// A file that audit.ReadFile rejects carries the line in
			// the wrapped error's text.
			if pe.Err != nil {
				if at := fmt.Sprintf("%s:%d:", tc.wantFile, tc.wantLine); !strings.Contains(err.Error(), at) {
					t.Errorf("error %q does not name %s", err, at)
				}
			} else if pe.Line != tc.wantLine {
				t.Errorf("Line = %d, want %d (%v)", pe.Line, tc.wantLine, err)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q does not contain %q", err, tc.wantText)
			}
		})
	}
}

func TestParseSizeLimit(t *testing.T) {
	dir := t.TempDir()
	atMax := filepath.Join(dir, "max.conf")
	body := append([]byte("a b;\n#"), bytes.Repeat([]byte("x"), audit.MaxFileSize-6)...)
	if err := os.WriteFile(atMax, body, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(atMax, ""); err != nil {
		t.Errorf("Parse of a %d-byte file: %v, want no error", audit.MaxFileSize, err)
	}

	overMax := filepath.Join(dir, "huge.conf")
	if err := os.WriteFile(overMax, append(body, 'x'), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Parse(overMax, "")
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("Parse of a %d-byte file = %v, want a *ParseError", audit.MaxFileSize+1, err)
	}
	if pe.File != overMax {
		t.Errorf("File = %q, want %q", pe.File, overMax)
	}
	if !strings.Contains(err.Error(), "larger than 8 MiB") {
		t.Errorf("error %q does not name the limit", err)
	}

	// Two files under the limit that include each other's size over it.
	half := bytes.Repeat([]byte("#"), audit.MaxFileSize/2+1)
	dir2 := writeFiles(t, map[string]string{"nginx.conf": "include a.conf;\ninclude b.conf;\n", "a.conf": string(half), "b.conf": string(half)})
	_, err = Parse(filepath.Join(dir2, "nginx.conf"), "")
	if !errors.As(err, &pe) || pe.Line != 2 || !strings.Contains(err.Error(), "exceed") {
		t.Errorf("Parse of includes over the total limit = %v, want an error at nginx.conf:2", err)
	}
}

func TestParseDepthLimit(t *testing.T) {
	deep := strings.Repeat("a {\n", MaxDepth+1) + strings.Repeat("}\n", MaxDepth+1)
	_, err := parseBytes("deep.conf", []byte(deep), 0)
	var pe *ParseError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "nested deeper than 64") {
		t.Fatalf("parseBytes of %d nested blocks = %v, want the depth error", MaxDepth+1, err)
	}
	ok := strings.Repeat("a {\n", MaxDepth-1) + strings.Repeat("}\n", MaxDepth-1)
	if _, err := parseBytes("deep.conf", []byte(ok), 0); err != nil {
		t.Errorf("parseBytes of %d nested blocks: %v", MaxDepth-1, err)
	}
}

func TestDirectiveText(t *testing.T) {
	dirs, err := parseBytes("t.conf", []byte(`ssl_ciphers "HIGH:!aNULL x";`+"\nssl_protocols TLSv1.2;"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := dirs[0].Text(), `ssl_ciphers "HIGH:!aNULL x";`; got != want {
		t.Errorf("Text() = %q, want %q", got, want)
	}
	if got, want := dirs[1].Text(), `ssl_protocols TLSv1.2;`; got != want {
		t.Errorf("Text() = %q, want %q", got, want)
	}
}

// FuzzParseBytes checks that the parser never panics, that an error is a
// *ParseError with a line inside the input, and that a parsed input
// re-parses from its Text form to the same directive names.
func FuzzParseBytes(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.conf")
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`a "b\"c" 'd' ${e} {f;}`))
	f.Add([]byte("http { server { listen 443 ssl; } }"))
	f.Add([]byte("a \"x\ny\";"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dirs, err := parseBytes("fuzz.conf", data, 0)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if lines := 1 + bytes.Count(data, []byte{'\n'}); pe.Line < 1 || pe.Line > lines {
				t.Fatalf("error line %d outside 1..%d: %v", pe.Line, lines, err)
			}
			if dirs != nil {
				t.Fatalf("directives returned with error %v", err)
			}
			return
		}
		var text strings.Builder
		var names []string
		var write func([]*Directive)
		write = func(ds []*Directive) {
			for _, d := range ds {
				names = append(names, d.Name)
				if d.Block == nil {
					text.WriteString(d.Text() + "\n")
					continue
				}
				text.WriteString(strings.TrimSuffix(d.Text(), "{ ... }") + "{\n")
				write(d.Block)
				text.WriteString("}\n")
			}
		}
		write(dirs)
		again, err := parseBytes("again.conf", []byte(text.String()), 0)
		if err != nil {
			t.Fatalf("re-parse of %q: %v", text.String(), err)
		}
		var againNames []string
		var walk func([]*Directive)
		walk = func(ds []*Directive) {
			for _, d := range ds {
				againNames = append(againNames, d.Name)
				walk(d.Block)
			}
		}
		walk(again)
		if !slices.Equal(names, againNames) {
			t.Fatalf("re-parse of %q gave names %q, want %q", text.String(), againNames, names)
		}
	})
}
