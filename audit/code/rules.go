package code

import (
	"slices"
	"strings"
)

// closing returns the index of the token that closes the bracket at
// toks[open], or -1 when the file ends first.
func closing(toks []token, open int) int {
	depth := 0
	for i := open; i < len(toks); i++ {
		if toks[i].kind != tokPunct {
			continue
		}
		switch toks[i].text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// arguments returns the token ranges [from, to) of the comma-separated
// items between the bracket at toks[open] and its closing bracket, and
// the index of the closing bracket. That index is -1 when the bracket is
// never closed.
func arguments(toks []token, open int) (items [][2]int, close int) {
	close = closing(toks, open)
	if close < 0 {
		return nil, -1
	}
	from, depth := open+1, 0
	for i := open + 1; i < close; i++ {
		if toks[i].kind != tokPunct {
			continue
		}
		switch toks[i].text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
		case ",":
			if depth == 0 {
				items = append(items, [2]int{from, i})
				from = i + 1
			}
		}
	}
	if from < close {
		items = append(items, [2]int{from, close})
	}
	return items, close
}

// at reports whether toks from i on are the given texts, of any kind.
func at(toks []token, i int, texts ...string) bool {
	if i < 0 || i+len(texts) > len(toks) {
		return false
	}
	for j, text := range texts {
		if toks[i+j].kind == tokString || toks[i+j].text != text {
			return false
		}
	}
	return true
}

// receiver returns the name before the dot that precedes toks[i], such as
// ctx in ctx.minimum_version, or "" when there is none.
func receiver(toks []token, i int) string {
	if i < 2 || !toks[i-1].is(tokPunct, ".") {
		return ""
	}
	return toks[i-2].text
}

// stringsOf returns the string tokens of toks[from:to] when that range
// contains only strings and commas.
func stringsOf(toks []token, from, to int) ([]string, bool) {
	var out []string
	for i := from; i < to; i++ {
		switch {
		case toks[i].kind == tokString:
			out = append(out, toks[i].text)
		case toks[i].is(tokPunct, ","):
		default:
			return nil, false
		}
	}
	return out, true
}

// quoteOf returns the opening quote of a string token as written, such
// as ' or ", to reuse it in a fix.
func quoteOf(src string, t token) string {
	if t.kind == tokString && t.start < len(src) {
		if q := src[t.start]; q == '\'' || q == '"' || q == '`' {
			return string(q)
		}
	}
	return `"`
}

// replaceWith returns the edit that replaces the source from the start of
// toks[from] to the end of toks[to] with text for the wanted versions.
func replaceWith(toks []token, from, to int, text func(lo, hi int) string) edit {
	return edit{start: toks[from].start, end: toks[to].end, replace: func(want []string) string {
		lo, hi := wantedRange(want)
		return text(lo, hi)
	}}
}

// pin is one version setting of a pin group.
type pin struct {
	// versions is the exact set for a pin that fixes the versions, or
	// the single version of a minimum or maximum.
	versions versionSet
	version  int
	line     int
	text     string
	fix      edit
}

// pinGroup collects the minimum, maximum and exact version pins of one
// options object, receiver or command line.
type pinGroup struct {
	key         string
	side        string
	line        int
	exact       *pin
	min, max    *pin
	notes       []string
	languageFix string
	// variable is the name the options are stored in, or "".
	variable string
}

// groups keeps pin groups in the order of their first pin.
type groups struct {
	order []*pinGroup
	byKey map[string]*pinGroup
}

func (g *groups) get(key string, line int) *pinGroup {
	if g.byKey == nil {
		g.byKey = map[string]*pinGroup{}
	}
	p := g.byKey[key]
	if p == nil {
		p = &pinGroup{key: key, line: line}
		g.byKey[key] = p
		g.order = append(g.order, p)
	}
	return p
}

// findings converts every group into a finding. Versions not pinned take
// the library defaults lo to hi, described by defaults.
func (g *groups) findings(lo, hi int, defaults string) []finding {
	var out []finding
	for _, p := range g.order {
		out = append(out, p.finding(lo, hi, defaults))
	}
	return out
}

func (p *pinGroup) finding(lo, hi int, defaults string) finding {
	f := finding{side: p.side, line: p.line, versionsDefault: defaults, notes: p.notes, languageFix: p.languageFix}
	var texts []string
	for _, q := range []*pin{p.exact, p.min, p.max} {
		if q != nil {
			if !slices.Contains(texts, q.text) {
				texts = append(texts, q.text)
			}
			f.versionFix = append(f.versionFix, q.fix)
		}
	}
	f.construct = strings.Join(texts, ", ")
	switch {
	case p.exact != nil:
		f.versions = p.exact.versions
		f.versionsLine = p.exact.line
	default:
		if p.min != nil {
			lo = p.min.version
		}
		if p.max != nil {
			hi = p.max.version
		}
		f.versions = span(lo, hi)
		if p.max != nil && (p.min == nil || p.max.version < tls13) {
			f.versionsLine = p.max.line
		} else if p.min != nil {
			f.versionsLine = p.min.line
		}
	}
	return f
}
