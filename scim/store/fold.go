package store

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// FoldCase returns the key under which the store compares, sorts and
// enforces uniqueness of case-insensitive values (userName, displayName,
// emails). Two strings have the same key exactly when strings.EqualFold
// reports them equal. Each rune becomes the smallest rune of its Unicode
// simple case folding orbit. So "bob", "BOB" and "Bob" share a key, as do
// "ÉMILE" and "émile", and "K" (Latin) and "K" (U+212A KELVIN SIGN).
//
// The key is computed in Go and stored in its own column, so SQLite and
// PostgreSQL behave the same whatever their collations. SQLite's NOCASE folds
// only ASCII, and lower() in PostgreSQL depends on the database locale.
// Like strings.EqualFold, simple folding maps one rune to one rune: "ß" and
// "SS" differ, and so do the composed "é" and "e" followed by U+0301.
// Invalid UTF-8 bytes become U+FFFD.
func FoldCase(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

// foldRune returns the smallest rune of the simple folding orbit of r.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}
	smallest := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < smallest {
			smallest = f
		}
	}
	return smallest
}
