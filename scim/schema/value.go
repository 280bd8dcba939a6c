package schema

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Lookup returns the member of m whose key equals name case-insensitively,
// trying the exact key first. When several keys fold to name, which one it
// returns is unspecified; validated resources never have such keys.
func Lookup(m map[string]any, name string) (any, bool) {
	if v, ok := m[name]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// container returns the object that holds the path's top-level attribute:
// res itself, or the extension object under the schema URN.
func (p Path) container(res map[string]any) map[string]any {
	if !p.Extension {
		return res
	}
	v, _ := Lookup(res, p.Schema.ID)
	m, _ := v.(map[string]any)
	return m
}

// Values returns every value at the path in res, flattened: one value for a
// singular attribute, each element of a multi-valued one, and for a
// sub-attribute of a multi-valued complex attribute the sub-attribute of
// each element. Absent attributes and JSON nulls give no values. For a path
// that names a whole extension, Values returns the extension object.
func (p Path) Values(res map[string]any) []any {
	c := p.container(res)
	if c == nil {
		return nil
	}
	if p.Attribute == nil {
		return []any{c}
	}
	v, _ := Lookup(c, p.Attribute.Name)
	var top []any
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		top = v
	default:
		top = []any{v}
	}
	if p.Sub == nil {
		return dropNil(top)
	}
	var out []any
	for _, elem := range top {
		m, ok := elem.(map[string]any)
		if !ok {
			continue
		}
		if sv, ok := Lookup(m, p.Sub.Name); ok && sv != nil {
			out = append(out, sv)
		}
	}
	return out
}

func dropNil(vs []any) []any {
	for _, v := range vs {
		if v == nil {
			out := make([]any, 0, len(vs))
			for _, v := range vs {
				if v != nil {
					out = append(out, v)
				}
			}
			return out
		}
	}
	return vs
}

// IsEmpty reports whether v counts as no value for the "pr" filter operator
// (RFC 7644 Section 3.4.2.2) and for required attributes. Empty values are
// nil, the empty string, and arrays or objects whose elements are all empty.
func IsEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case []any:
		for _, e := range v {
			if !IsEmpty(e) {
				return false
			}
		}
		return true
	case map[string]any:
		for _, e := range v {
			if !IsEmpty(e) {
				return false
			}
		}
		return true
	}
	return false
}

// Number returns v as a float64 when it is a JSON number (float64,
// json.Number or a Go integer).
func Number(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		return f, err == nil
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	}
	return 0, false
}

// ParseDateTime parses an xsd:dateTime value as RFC 7643 Section 2.3.5
// requires, such as "2008-01-23T04:56:22Z" or with fractional seconds and
// a numeric offset. A value without a time zone is rejected, because its
// instant is unknown.
func ParseDateTime(s string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, s)
}

// Compare orders two values of attribute a by its type. Strings compare by
// Unicode code point, folded by CompareFold unless a is caseExact. dateTime
// values compare chronologically, integer and decimal numerically, and false
// sorts before true. Compare returns false when a value does not have the
// attribute's JSON type, when a dateTime does not parse, or when a is
// complex.
func Compare(a *Attribute, x, y any) (int, bool) {
	switch a.Type {
	case String, Reference, Binary:
		xs, ok1 := x.(string)
		ys, ok2 := y.(string)
		if !ok1 || !ok2 {
			return 0, false
		}
		if a.CaseExact {
			return strings.Compare(xs, ys), true
		}
		return CompareFold(xs, ys), true
	case DateTime:
		xs, ok1 := x.(string)
		ys, ok2 := y.(string)
		if !ok1 || !ok2 {
			return 0, false
		}
		xt, err1 := ParseDateTime(xs)
		yt, err2 := ParseDateTime(ys)
		if err1 != nil || err2 != nil {
			return 0, false
		}
		return xt.Compare(yt), true
	case Integer, Decimal:
		xf, ok1 := Number(x)
		yf, ok2 := Number(y)
		if !ok1 || !ok2 || math.IsNaN(xf) || math.IsNaN(yf) {
			return 0, false
		}
		switch {
		case xf < yf:
			return -1, true
		case xf > yf:
			return 1, true
		}
		return 0, true
	case Boolean:
		xb, ok1 := x.(bool)
		yb, ok2 := y.(bool)
		if !ok1 || !ok2 {
			return 0, false
		}
		switch {
		case xb == yb:
			return 0, true
		case !xb:
			return -1, true
		}
		return 1, true
	}
	return 0, false
}

// CompareFold compares two strings by code point after folding each rune
// with foldRune, so it returns 0 exactly when strings.EqualFold reports the
// strings equal. It orders as comparing Fold(x) with Fold(y) does, the key
// scim/store indexes and sorts case-insensitive values by, so in-memory and
// SQL results agree. Invalid UTF-8 bytes compare as U+FFFD.
func CompareFold(x, y string) int {
	for x != "" && y != "" {
		xr, xn := utf8.DecodeRuneInString(x)
		yr, yn := utf8.DecodeRuneInString(y)
		xr, yr = foldRune(xr), foldRune(yr)
		if xr != yr {
			if xr < yr {
				return -1
			}
			return 1
		}
		x, y = x[xn:], y[yn:]
	}
	switch {
	case x == "" && y == "":
		return 0
	case x == "":
		return -1
	}
	return 1
}

// Fold returns s with every rune folded by foldRune: the comparison key of
// a case-insensitive string. "bob" and "BOB" both fold to "BOB", and the
// Kelvin sign U+212A folds with "k". Simple folding maps one rune to one
// rune, so "ß" and "SS" stay different.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

// foldRune returns the smallest rune of the Unicode simple case folding
// orbit of r (the runes unicode.SimpleFold cycles through).
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}
	smallest := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		smallest = min(smallest, f)
	}
	return smallest
}
