package store

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestFoldCaseExamples(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"bob", "BOB", true},
		{"Émile", "éMILE", true},
		{"Σωκράτης", "ΣΩΚΡΆΤΗΣ", true},
		{"kelvin", "\u212aELVIN", true},
		{"straße", "STRASSE", false},
		{"jos\u00e9", "jose\u0301", false},
		{"İstanbul", "istanbul", false},
		{"a\xffb", "A\xffB", true},
	}
	for _, tt := range tests {
		if got := FoldCase(tt.a) == FoldCase(tt.b); got != tt.same {
			t.Errorf("FoldCase(%q) == FoldCase(%q) is %v, want %v", tt.a, tt.b, got, tt.same)
		}
		if eq := strings.EqualFold(tt.a, tt.b); eq != tt.same {
			t.Errorf("strings.EqualFold(%q, %q) is %v, but the test expects %v", tt.a, tt.b, eq, tt.same)
		}
	}
}

// TestFoldCaseOrbits checks every rune against every rune of its simple
// folding orbit.
func TestFoldCaseOrbits(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		key := FoldCase(string(r))
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if FoldCase(string(f)) != key {
				t.Fatalf("FoldCase(%U) = %q but FoldCase(%U) = %q, though both fold together", r, key, f, FoldCase(string(f)))
			}
		}
	}
}

// FuzzFoldCase checks that FoldCase keys are equal exactly when
// strings.EqualFold reports the strings equal.
func FuzzFoldCase(f *testing.F) {
	f.Add("bob", "BOB")
	f.Add("straße", "STRASSE")
	f.Add("\u212a", "k")
	f.Add("a\xff", "A\xfe")
	f.Fuzz(func(t *testing.T, a, b string) {
		if same, eq := FoldCase(a) == FoldCase(b), strings.EqualFold(a, b); same != eq {
			t.Errorf("FoldCase keys of %q and %q equal: %v; strings.EqualFold: %v", a, b, same, eq)
		}
	})
}
