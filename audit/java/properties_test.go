package java

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/audit"
)

// propertiesCases are valid inputs and their entries; TestParseProperties
// checks them and TestParsePropertiesMatchesJava compares them with
// java.util.Properties.
var propertiesCases = []struct {
	name  string
	input string
	want  []Property
}{
	{"equals", "a=b\n", []Property{{Key: "a", Value: "b", Line: 1}}},
	{"colon", "a: b\n", []Property{{Key: "a", Value: "b", Line: 1}}},
	{"blank-separator", "a   b c\n", []Property{{Key: "a", Value: "b c", Line: 1}}},
	{"blanks-around-equals", "  a \t=\t b \n", []Property{{Key: "a", Value: "b ", Line: 1}}},
	{"second-separator-kept", "a==b\n", []Property{{Key: "a", Value: "=b", Line: 1}}},
	{"blank-then-colon", "a : b\n", []Property{{Key: "a", Value: "b", Line: 1}}},
	{"key-only", "a\n", []Property{{Key: "a", Value: "", Line: 1}}},
	{"empty-value", "a=\n", []Property{{Key: "a", Value: "", Line: 1}}},
	{"hash-and-bang-comments", "# one\n  ! two\nk=v\n", []Property{{Key: "k", Value: "v", Line: 3}}},
	{"hash-inside-value", "k=v # not a comment\n", []Property{{Key: "k", Value: "v # not a comment", Line: 1}}},
	{"continuation", "k=a, \\\n    b, \\\n\tc\nx=y\n", []Property{{Key: "k", Value: "a, b, c", Line: 1, EndLine: 3}, {Key: "x", Value: "y", Line: 4}}},
	{"continued-line-starting-with-hash", "k=a\\\n  #b\n", []Property{{Key: "k", Value: "a#b", Line: 1, EndLine: 2}}},
	{"comment-ending-in-backslash", "# c \\\nk=v\n", []Property{{Key: "k", Value: "v", Line: 2}}},
	{"even-backslashes-end-line", "k=a\\\\\nx=y\n", []Property{{Key: "k", Value: `a\`, Line: 1}, {Key: "x", Value: "y", Line: 2}}},
	{"continuation-at-end-of-file", "k=a\\", []Property{{Key: "k", Value: "a", Line: 1}}},
	{"continuation-into-blank-line", "k=a\\\n\nx=y\n", []Property{{Key: "k", Value: "a", Line: 1, EndLine: 2}, {Key: "x", Value: "y", Line: 3}}},
	{"crlf-lines", "a=1\r\nb=2\r\n", []Property{{Key: "a", Value: "1", Line: 1}, {Key: "b", Value: "2", Line: 2}}},
	{"cr-lines", "a=1\rb=2\r", []Property{{Key: "a", Value: "1", Line: 1}, {Key: "b", Value: "2", Line: 2}}},
	{"escaped-separator-in-key", `a\=b\:c\ d=e` + "\n", []Property{{Key: "a=b:c d", Value: "e", Line: 1}}},
	{"unicode-escape", `k=TLS\u0076\u0031` + "\n", []Property{{Key: "k", Value: "TLSv1", Line: 1}}},
	{"control-escapes", `k=a\tb\nc\rd\fe\qf` + "\n", []Property{{Key: "k", Value: "a\tb\nc\rd\fe" + "qf", Line: 1}}},
	{"duplicate-keys-kept-in-order", "k=1\nk=2\n", []Property{{Key: "k", Value: "1", Line: 1}, {Key: "k", Value: "2", Line: 2}}},
	{"no-final-newline", "k=v", []Property{{Key: "k", Value: "v", Line: 1}}},
	{"form-feed-blank-line", "\f\nk=v\n", []Property{{Key: "k", Value: "v", Line: 2}}},
}

func TestParseProperties(t *testing.T) {
	for _, tc := range propertiesCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseProperties("test.security", []byte(tc.input))
			if err != nil {
				t.Fatalf("ParseProperties: %v", err)
			}
			for i := range tc.want {
				tc.want[i].File = "test.security"
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("ParseProperties(%q)\n got %+v\nwant %+v", tc.input, got, tc.want)
			}
		})
	}
}

// propertiesErrorCases are inputs java.util.Properties rejects.
var propertiesErrorCases = []struct {
	name     string
	input    string
	wantLine int
	wantText string
}{
	{"short-unicode-escape", "a=1\nk=\\u00\n", 2, `malformed \uXXXX escape "\\u00"`},
	{"non-hex-unicode-escape", "a=1\n\nk=x\\u00zz\n", 3, `malformed \uXXXX escape "\\u00zz"`},
	{"unicode-escape-in-key", "\\uZZZZ=1\n", 1, "malformed"},
	{"unicode-escape-after-continuation", "k=a\\\n  \\u12\n", 1, "malformed"},
}

func TestParsePropertiesErrors(t *testing.T) {
	for _, tc := range propertiesErrorCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseProperties("bad.security", []byte(tc.input))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseProperties(%q) error %v, want *ParseError", tc.input, err)
			}
			if pe.File != "bad.security" || pe.Line != tc.wantLine {
				t.Errorf("error at %s:%d, want bad.security:%d", pe.File, pe.Line, tc.wantLine)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q lacks %q", err, tc.wantText)
			}
		})
	}
}

// TestParseDebianJavaSecurity reads the copy of Debian 12's
// /etc/java-17-openjdk/security/java.security.
func TestParseDebianJavaSecurity(t *testing.T) {
	data, err := os.ReadFile("testdata/debian-17.java.security")
	if err != nil {
		t.Fatal(err)
	}
	props, err := ParseProperties("java.security", data)
	if err != nil {
		t.Fatalf("ParseProperties: %v", err)
	}
	got := map[string]Property{}
	for _, p := range props {
		got[p.Key] = p
	}
	if p := got["jdk.tls.disabledAlgorithms"]; p.Value != modernDisabled || p.Line != 785 {
		t.Errorf("jdk.tls.disabledAlgorithms at line %d = %q\nwant line 785 = %q", p.Line, p.Value, modernDisabled)
	}
	if p := got["security.provider.4"]; p.Value != "SunJSSE" || p.Line != 69 {
		t.Errorf("security.provider.4 at line %d = %q, want line 69 = SunJSSE", p.Line, p.Value)
	}
	if p := got["security.overridePropertiesFile"]; p.Value != "true" {
		t.Errorf("security.overridePropertiesFile = %q, want true", p.Value)
	}
}

// TestDebianJavaSecurityUnchanged checks that the installed JDK still
// ships the testdata copy's jdk.tls.disabledAlgorithms, which the JDK 17
// line's defaults and the JVM comparisons rely on.
func TestDebianJavaSecurityUnchanged(t *testing.T) {
	path := "/etc/java-17-openjdk/security/java.security"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s: %v; install Debian package openjdk-17-jre-headless", path, err)
	}
	props, err := ParseProperties(path, data)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range props {
		if p.Key == "jdk.tls.disabledAlgorithms" && p.Value != modernDisabled {
			t.Errorf("%s:%d: jdk.tls.disabledAlgorithms=%s\ndiffers from the JDK 17 default %s: update jdk.go and testdata", path, p.Line, p.Value, modernDisabled)
		}
	}
}

// FuzzParseProperties checks that the parser never panics, returns either
// properties or a *ParseError, and places each entry on a line of the
// input.
func FuzzParseProperties(f *testing.F) {
	if data, err := os.ReadFile("testdata/debian-17.java.security"); err == nil {
		f.Add(data)
	}
	for _, seed := range []string{"a=b\n", "k=a\\\n  b\n", `k=\u0041\uZZ`, "# c\\\n!x\r\ny:z\rw", "\\", "k=\\\\\\", "=\n:\n \n"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		props, err := ParseProperties(filepath.Join("fuzz", "x.security"), data)
		lines := strings.Count(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") + strings.Count(strings.ReplaceAll(string(data), "\r\n", ""), "\r") + 1
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if props != nil {
				t.Fatalf("properties %v returned with error %v", props, err)
			}
			if pe.Line < 1 || pe.Line > lines {
				t.Fatalf("error line %d outside 1..%d", pe.Line, lines)
			}
			return
		}
		for _, p := range props {
			if p.Line < 1 || p.Line > lines {
				t.Fatalf("property %q on line %d outside 1..%d", p.Key, p.Line, lines)
			}
		}
	})
}

// TestContinuedDisabledAlgorithmsFix checks that a jdk.tls.disabledAlgorithms
// value continued over three lines is traced to all of them, and that its
// fix, one line in their place, lets TLS 1.2 through.
func TestContinuedDisabledAlgorithmsFix(t *testing.T) {
	continued := "jdk.tls.disabledAlgorithms=SSLv3, TLSv1.2, \\\n    TLSv1.3, \\\n    RC4\n"
	dir := writeFiles(t, map[string]string{"java.security": minimalMaster + continued})
	path := filepath.Join(dir, "java.security")
	listeners, fixer, err := Audit(Options{}, path)
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	fix := ""
	for _, l := range listeners {
		if l.Versions.Line != 4 {
			continue
		}
		if !strings.Contains(l.Versions.Directive, "(lines 4-6,") {
			t.Errorf("%s: versions directive %q does not name lines 4-6", l.Name, l.Versions.Directive)
		}
		audit.Judge(&l, fixer)
		for _, p := range l.Problems {
			if p.Line == 4 && strings.HasPrefix(p.Fix, "jdk.tls.disabledAlgorithms=") {
				fix = p.Fix
			}
		}
	}
	if fix == "" {
		t.Fatalf("no jdk.tls.disabledAlgorithms fix at line 4 among %+v", listeners)
	}
	if strings.ContainsAny(fix, "\\\n") || !strings.Contains(fix, "RC4") {
		t.Errorf("fix %q is not the whole property on one line", fix)
	}

	if err := os.WriteFile(path, []byte(minimalMaster+fix+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	listeners, _, err = Audit(Options{}, path)
	if err != nil {
		t.Fatalf("Audit of the fixed file: %v", err)
	}
	for _, l := range listeners {
		if !slices.Contains(l.Versions.Values, "TLS 1.2") {
			t.Errorf("%s: fixed file allows %v, want TLS 1.2 among them", l.Name, l.Versions.Values)
		}
	}
}
