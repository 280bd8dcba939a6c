package code

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
)

// Protocol versions by index, lowest first.
const (
	ssl30 = iota
	tls10
	tls11
	tls12
	tls13
)

var versionNames = [...]string{"SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}

// versionSet is a set of protocol versions: bit i is versionNames[i].
type versionSet uint8

// span returns the versions from lo to hi, both included; empty when lo
// is above hi.
func span(lo, hi int) versionSet {
	var v versionSet
	for i := lo; i <= hi; i++ {
		v |= 1 << i
	}
	return v
}

func only(versions ...int) versionSet {
	var v versionSet
	for _, i := range versions {
		v |= 1 << i
	}
	return v
}

func (v versionSet) has(i int) bool { return v&(1<<i) != 0 }

func (v versionSet) names() []string {
	var out []string
	for i, name := range versionNames {
		if v.has(i) {
			out = append(out, name)
		}
	}
	return out
}

// wantedRange returns the indexes of the lowest and highest of versions,
// names such as "TLS 1.2", and TLS 1.2 to TLS 1.3 when none is known.
func wantedRange(versions []string) (lo, hi int) {
	lo, hi = -1, -1
	for i, name := range versionNames {
		if slices.Contains(versions, name) {
			if lo < 0 {
				lo = i
			}
			hi = i
		}
	}
	if lo < 0 {
		return tls12, tls13
	}
	return lo, hi
}

// edit replaces the source bytes from start to end with the text that
// replace returns for the wanted versions or suites.
type edit struct {
	start, end int
	replace    func(want []string) string
}

// finding is one construct of a source file that pins TLS settings.
type finding struct {
	// construct names the code, such as `SSLContext.getInstance("TLSv1")`.
	construct string
	// side is "client", "server", or empty when the code does not tell.
	side string
	line int
	// versions is the range the construct forces, and versionsLine is
	// the line of the setting that limits it. versionsDefault describes
	// the versions when the construct leaves them to the library.
	versions        versionSet
	versionsLine    int
	versionsDefault string
	// suites are IANA names, set only when the code lists suites.
	suites     []string
	suitesLine int
	notes      []string
	versionFix []edit
	suitesFix  []edit
	// languageFix is the advice in the file's language for a setting
	// without an edit.
	languageFix string
}

// sideName returns the words for f.side used in a listener name.
func (f *finding) sideName() string {
	switch f.side {
	case "client":
		return "TLS client"
	case "server":
		return "TLS server"
	}
	return "TLS client or server"
}

// listener converts f into an audit.Listener of the file path with text
// src, and registers its edits with fix.
func (f *finding) listener(software, path, src string, fix *Fixer) audit.Listener {
	l := audit.Listener{
		Software: software,
		Name:     fmt.Sprintf("%s (%s)", f.construct, f.sideName()),
		File:     path,
		Line:     f.line,
		Notes:    slices.Clone(f.notes),
		Client:   f.side == "client",
	}
	l.Versions = audit.Setting{Values: f.versions.names(), File: path, Line: f.versionsLine, Directive: lineText(src, f.versionsLine)}
	if f.versionsLine == 0 {
		l.Versions.Directive = f.versionsDefault
		l.Versions.File = ""
	}
	l.Suites = audit.Setting{Unknown: true, Directive: "not set by this code: the library's default"}
	if f.suites != nil {
		l.Suites = audit.Setting{Values: f.suites, File: path, Line: f.suitesLine, Directive: lineText(src, f.suitesLine)}
	}
	l.ClientCertificate = audit.Setting{Unknown: true, Directive: "not set by this code"}
	l.Notes = append(l.Notes, versionNotes(f.versions)...)
	if f.versionsLine > 0 {
		fix.versionEdits[f.versionsLine] = append(fix.versionEdits[f.versionsLine], f.versionFix...)
	}
	if f.suitesLine > 0 {
		fix.suiteEdits[f.suitesLine] = append(fix.suiteEdits[f.suitesLine], f.suitesFix...)
	}
	fix.fallback = f.languageFix
	return l
}

// versionNotes returns the notes on a range that Okta and Entra ID accept
// but that is still worth changing.
func versionNotes(v versionSet) []string {
	var notes []string
	if v.has(tls12) && !v.has(tls13) {
		notes = append(notes, "the code caps TLS at 1.2: Okta and Entra ID still connect, but TLS 1.3 is lost; allow TLS 1.3 too")
	}
	if v.has(tls12) && (v.has(ssl30) || v.has(tls10) || v.has(tls11)) {
		notes = append(notes, "the code also allows "+strings.Join(versionSet(v&span(ssl30, tls11)).names(), " and ")+", which RFC 8996 deprecates; raise the minimum to TLS 1.2")
	}
	return notes
}

// lineText returns line n (1-based) of src without its indentation and
// line ending, or "" when src has no such line.
func lineText(src string, n int) string {
	if n <= 0 {
		return ""
	}
	start := 0
	for i := 1; i < n; i++ {
		j := strings.IndexByte(src[start:], '\n')
		if j < 0 {
			return ""
		}
		start += j + 1
	}
	end := strings.IndexByte(src[start:], '\n')
	if end < 0 {
		end = len(src) - start
	}
	return strings.TrimSpace(src[start : start+end])
}

// Fixer writes the corrected source lines of one file. It implements
// audit.SettingFixer: for a setting that a construct of the file set, it
// returns the lines of that construct with each pinned value replaced, in
// the file's language.
type Fixer struct {
	src          string
	versionEdits map[int][]edit
	suiteEdits   map[int][]edit
	// fallback is the advice in the file's language when no edit applies.
	fallback string
}

func newFixer(src string) *Fixer {
	return &Fixer{src: src, versionEdits: map[int][]edit{}, suiteEdits: map[int][]edit{}}
}

// VersionsLine returns advice for a setting that no construct of the file
// set: remove the pin so that the library's default (TLS 1.2 and 1.3 in
// current releases) applies.
func (f *Fixer) VersionsLine(versions []string) string {
	if f.fallback != "" {
		return f.fallback
	}
	return "remove the protocol version pin so that the library default applies (TLS 1.2 and TLS 1.3 in current releases)"
}

// SuitesLine returns advice for a suite list that no construct of the file
// set.
func (f *Fixer) SuitesLine(suites []string) string {
	return "remove the cipher suite list so that the library default applies, or add " + strings.Join(suites[:min(2, len(suites))], " and ")
}

// VersionsLineFor returns the lines that set s, rewritten to allow
// versions.
func (f *Fixer) VersionsLineFor(s audit.Setting, versions []string) string {
	if edits := f.versionEdits[s.Line]; len(edits) > 0 {
		return f.rewrite(edits, versions)
	}
	return f.VersionsLine(versions)
}

// SuitesLineFor returns the lines that set s, rewritten to list suites.
func (f *Fixer) SuitesLineFor(s audit.Setting, suites []string) string {
	if edits := f.suiteEdits[s.Line]; len(edits) > 0 {
		return f.rewrite(edits, suites)
	}
	return f.SuitesLine(suites)
}

var lineBreak = regexp.MustCompile(`\s*\n\s*`)

// rewrite applies edits to the lines they touch. Lines far apart are
// given one by one, each after "line N:".
func (f *Fixer) rewrite(edits []edit, want []string) string {
	edits = slices.Clone(edits)
	sort.Slice(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	edits = slices.CompactFunc(edits, func(a, b edit) bool { return a.start == b.start })

	// Group the edits by the lines they touch.
	type block struct {
		from, to int
		edits    []edit
	}
	var blocks []block
	for _, e := range edits {
		from := strings.LastIndexByte(f.src[:e.start], '\n') + 1
		to := len(f.src)
		if j := strings.IndexByte(f.src[e.end:], '\n'); j >= 0 {
			to = e.end + j
		}
		if n := len(blocks); n > 0 && from <= blocks[n-1].to {
			blocks[n-1].to = max(blocks[n-1].to, to)
			blocks[n-1].edits = append(blocks[n-1].edits, e)
			continue
		}
		blocks = append(blocks, block{from: from, to: to, edits: []edit{e}})
	}

	var parts []string
	for _, b := range blocks {
		text := f.src[b.from:b.to]
		for i := len(b.edits) - 1; i >= 0; i-- {
			e := b.edits[i]
			text = text[:e.start-b.from] + e.replace(want) + text[e.end-b.from:]
		}
		text = strings.TrimSpace(lineBreak.ReplaceAllString(text, " "))
		if len(blocks) > 1 {
			text = fmt.Sprintf("line %d: %s", strings.Count(f.src[:b.from], "\n")+1, text)
		}
		parts = append(parts, text)
	}
	return strings.Join(parts, "; ")
}
