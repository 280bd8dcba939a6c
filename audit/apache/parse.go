package apache

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
)

// Limits of the parser. They bound the audit's memory and time and are
// not httpd's own limits. Every file is read with audit.ReadFile, whose
// audit.MaxFileSize bounds each file.
const (
	// maxFiles is the largest number of files one audit reads, includes
	// and glob matches together.
	maxFiles = 512
	// maxIncludeDepth is the deepest chain of Include directives.
	maxIncludeDepth = 32
	// maxSectionDepth is the deepest nesting of <Section> blocks.
	maxSectionDepth = 64
)

// Directive is one configuration line, or one <Section> block with the
// directives inside it.
type Directive struct {
	File string
	Line int
	// Name is the directive or section name as written, such as
	// "SSLProtocol" or "VirtualHost". httpd compares names without case.
	Name string
	// Args are the words after the name, quotes removed. ${VAR} is
	// replaced, where Define or the environment sets VAR, before the line
	// is split into words, as httpd does.
	Args []string
	// Text is the line as written, continuation lines joined, without the
	// surrounding blanks.
	Text string
	// Section reports a <Name args> block, whose lines are Children.
	Section  bool
	Children []Directive
}

// Config is a parsed configuration with its includes expanded in place.
type Config struct {
	Directives []Directive
	// Files lists every file read, in order.
	Files []string
}

// ParseError locates a parse failure.
type ParseError struct {
	File   string
	Line   int
	Reason string
	// Err is the audit.ReadFile error of a file it rejects (binary, too
	// large), whose text already names the file and line; Reason is then
	// empty.
	Err error
}

func (e *ParseError) Error() string {
	if e.Err != nil {
		return "apache: " + e.Err.Error()
	}
	if e.Line == 0 {
		return fmt.Sprintf("apache: %s: %s", e.File, e.Reason)
	}
	return fmt.Sprintf("apache: %s:%d: %s", e.File, e.Line, e.Reason)
}

// Unwrap returns the read error, if any.
func (e *ParseError) Unwrap() error { return e.Err }

// parser carries the state of one Parse call across included files.
type parser struct {
	serverRoot string
	defines    map[string]string
	files      []string
	// stack lists the files being read, outermost first, to detect
	// include loops.
	stack []string
}

// Parse reads the configuration file path as httpd -f does, expanding
// Include and IncludeOptional (globs included) relative to ServerRoot, which
// defaults to the folder of path. <IfModule>, <IfDefine> and <IfVersion>
// blocks are kept as sections: the caller decides which apply. Errors are
// *ParseError with the file and line.
func Parse(path string) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &ParseError{File: path, Reason: fmt.Sprintf("invalid path: %v", err)}
	}
	p := &parser{serverRoot: filepath.Dir(abs), defines: map[string]string{}}
	dirs, err := p.parseFile(path, false, nil)
	if err != nil {
		return nil, err
	}
	return &Config{Directives: dirs, Files: p.files}, nil
}

func (p *parser) parseFile(path string, optional bool, from *Directive) ([]Directive, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &ParseError{File: path, Reason: fmt.Sprintf("invalid path: %v", err)}
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	if i := slices.Index(p.stack, abs); i >= 0 {
		chain := strings.Join(append(slices.Clone(p.stack[i:]), abs), " -> ")
		return nil, &ParseError{File: from.File, Line: from.Line, Reason: fmt.Sprintf("include loop: %s; remove the Include that reads %s again", chain, path)}
	}
	if len(p.stack) >= maxIncludeDepth {
		return nil, &ParseError{File: from.File, Line: from.Line, Reason: fmt.Sprintf("includes nested deeper than %d files; check the Include chain", maxIncludeDepth)}
	}
	if len(p.files) >= maxFiles {
		return nil, &ParseError{File: from.File, Line: from.Line, Reason: fmt.Sprintf("more than %d configuration files; audit a smaller tree", maxFiles)}
	}
	info, err := os.Stat(path)
	if err != nil {
		if optional {
			return nil, nil
		}
		where := &ParseError{File: path, Reason: fmt.Sprintf("cannot read the file: %v", unwrapPath(err))}
		if from != nil {
			where = &ParseError{File: from.File, Line: from.Line, Reason: fmt.Sprintf("cannot read the included file %s: %v; use IncludeOptional for a file that may be missing", path, unwrapPath(err))}
		}
		return nil, where
	}
	if info.IsDir() {
		// httpd reads every file of an included folder, in name order.
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, &ParseError{File: path, Reason: fmt.Sprintf("cannot list the folder: %v", unwrapPath(err))}
		}
		var out []Directive
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			dirs, err := p.parseFile(filepath.Join(path, e.Name()), optional, from)
			if err != nil {
				return nil, err
			}
			out = append(out, dirs...)
		}
		return out, nil
	}
	if !info.Mode().IsRegular() {
		return nil, &ParseError{File: path, Reason: fmt.Sprintf("not a regular file (%v); name a configuration file", info.Mode().Type())}
	}
	data, err := audit.ReadFile(path)
	if err != nil {
		return nil, &ParseError{File: path, Err: err}
	}
	p.files = append(p.files, path)
	p.stack = append(p.stack, abs)
	defer func() { p.stack = p.stack[:len(p.stack)-1] }()
	return p.parseData(path, data)
}

// logicalLine is one line after joining backslash continuations.
type logicalLine struct {
	line int
	text string
}

// splitLines splits data into logical lines: a line ending in a backslash
// continues on the next, as in httpd. Comment lines and blank lines are
// dropped. A NUL byte is an error, as no text configuration holds one.
func splitLines(file string, data []byte) ([]logicalLine, error) {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		line := 1 + bytes.Count(data[:i], []byte{'\n'})
		return nil, &ParseError{File: file, Line: line, Reason: "NUL byte in the file: this is binary data, not an httpd configuration"}
	}
	var out []logicalLine
	var pending strings.Builder
	start := 0
	for i, raw := range strings.Split(string(data), "\n") {
		raw = strings.TrimSuffix(raw, "\r")
		if pending.Len() == 0 {
			start = i + 1
		}
		if strings.HasSuffix(raw, "\\") {
			pending.WriteString(raw[:len(raw)-1])
			continue
		}
		pending.WriteString(raw)
		text := strings.TrimSpace(pending.String())
		pending.Reset()
		if text == "" || text[0] == '#' {
			continue
		}
		out = append(out, logicalLine{line: start, text: text})
	}
	if pending.Len() > 0 {
		if text := strings.TrimSpace(pending.String()); text != "" && text[0] != '#' {
			out = append(out, logicalLine{line: start, text: text})
		}
	}
	return out, nil
}

func (p *parser) parseData(file string, data []byte) ([]Directive, error) {
	lines, err := splitLines(file, data)
	if err != nil {
		return nil, err
	}

	// stack holds the open sections; root collects the top level.
	root := &Directive{}
	stack := []*Directive{root}
	for _, l := range lines {
		top := stack[len(stack)-1]
		if strings.HasPrefix(l.text, "</") {
			name := strings.TrimSpace(strings.TrimSuffix(l.text[2:], ">"))
			if !strings.HasSuffix(l.text, ">") {
				return nil, &ParseError{File: file, Line: l.line, Reason: fmt.Sprintf("section end %q lacks the closing '>'", l.text)}
			}
			if len(stack) == 1 {
				return nil, &ParseError{File: file, Line: l.line, Reason: fmt.Sprintf("</%s> without an open <%s> in this file", name, name)}
			}
			if !strings.EqualFold(name, top.Name) {
				return nil, &ParseError{File: file, Line: l.line, Reason: fmt.Sprintf("</%s> closes <%s> opened at line %d; fix the nesting", name, top.Name, top.Line)}
			}
			stack = stack[:len(stack)-1]
			parent := stack[len(stack)-1]
			parent.Children = append(parent.Children, *top)
			continue
		}

		text := l.text
		section := false
		if text[0] == '<' {
			if !strings.HasSuffix(text, ">") {
				return nil, &ParseError{File: file, Line: l.line, Reason: fmt.Sprintf("section %q lacks the closing '>'", cut(text))}
			}
			section = true
			text = text[1 : len(text)-1]
		}
		// httpd replaces ${VAR} in the whole line before it splits the line
		// into words (ap_resolve_env in ap_build_config_sub), so a value
		// with blanks becomes several words.
		words, err := p.words(p.expand(text))
		if err != nil {
			return nil, &ParseError{File: file, Line: l.line, Reason: err.Error()}
		}
		if len(words) == 0 {
			return nil, &ParseError{File: file, Line: l.line, Reason: fmt.Sprintf("empty section name in %q", cut(l.text))}
		}
		d := Directive{File: file, Line: l.line, Name: words[0], Args: words[1:], Text: l.text, Section: section}
		if section {
			if len(stack) > maxSectionDepth {
				return nil, &ParseError{File: file, Line: l.line, Reason: fmt.Sprintf("sections nested deeper than %d", maxSectionDepth)}
			}
			d.Name = strings.TrimSpace(d.Name)
			stack = append(stack, &d)
			continue
		}

		switch strings.ToLower(d.Name) {
		case "serverroot":
			if len(d.Args) == 1 {
				p.serverRoot = d.Args[0]
			}
		case "define":
			if len(d.Args) >= 1 {
				value := ""
				if len(d.Args) >= 2 {
					value = d.Args[1]
				}
				p.defines[d.Args[0]] = value
			}
		case "include", "includeoptional":
			included, err := p.include(d)
			if err != nil {
				return nil, err
			}
			top.Children = append(top.Children, included...)
			continue
		}
		top.Children = append(top.Children, d)
	}
	if len(stack) > 1 {
		open := stack[len(stack)-1]
		return nil, &ParseError{File: file, Line: open.Line, Reason: fmt.Sprintf("<%s> is never closed; add </%s>", open.Name, open.Name)}
	}
	return root.Children, nil
}

// include reads the files of an Include or IncludeOptional directive. A
// glob that matches nothing is an error for Include in httpd 2.4 only when
// the wildcard is in the folder part; IncludeOptional never fails on a
// missing file, but still fails on a syntax error inside one.
func (p *parser) include(d Directive) ([]Directive, error) {
	optional := strings.EqualFold(d.Name, "IncludeOptional")
	if len(d.Args) != 1 {
		return nil, &ParseError{File: d.File, Line: d.Line, Reason: fmt.Sprintf("%s takes one path, got %d words", d.Name, len(d.Args))}
	}
	pattern := d.Args[0]
	if !filepath.IsAbs(pattern) {
		pattern = filepath.Join(p.serverRoot, pattern)
	}
	if !strings.ContainsAny(pattern, "*?[") {
		return p.parseFile(pattern, optional, &d)
	}
	matches, err := filepath.Glob(pattern)
	if err != nil {
		return nil, &ParseError{File: d.File, Line: d.Line, Reason: fmt.Sprintf("invalid pattern %q: %v", d.Args[0], err)}
	}
	slices.Sort(matches)
	var out []Directive
	for _, m := range matches {
		if info, err := os.Stat(m); err == nil && info.IsDir() {
			continue
		}
		dirs, err := p.parseFile(m, optional, &d)
		if err != nil {
			return nil, err
		}
		out = append(out, dirs...)
	}
	return out, nil
}

// words splits a line into words as httpd's ap_getword_conf does: blanks
// separate words, and a word that starts with a double or single quote runs
// to the matching quote, in which a backslash escapes that quote.
func (p *parser) words(text string) ([]string, error) {
	var out []string
	i := 0
	for {
		for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
			i++
		}
		if i >= len(text) {
			return out, nil
		}
		if q := text[i]; q == '"' || q == '\'' {
			var w strings.Builder
			j := i + 1
			closed := false
			for j < len(text) {
				if text[j] == '\\' && j+1 < len(text) && text[j+1] == q {
					w.WriteByte(q)
					j += 2
					continue
				}
				if text[j] == q {
					closed = true
					j++
					break
				}
				w.WriteByte(text[j])
				j++
			}
			if !closed {
				return nil, fmt.Errorf("unbalanced quote %c opened at column %d; close it on the same line", q, i+1)
			}
			out = append(out, w.String())
			i = j
			continue
		}
		j := i
		for j < len(text) && text[j] != ' ' && text[j] != '\t' {
			j++
		}
		out = append(out, text[i:j])
		i = j
	}
}

// expand replaces ${VAR} with the value that Define or the environment
// sets. An unknown variable stays as written, as httpd leaves it (with a
// warning).
func (p *parser) expand(s string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var out strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			out.WriteString(s)
			return out.String()
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			out.WriteString(s)
			return out.String()
		}
		name := s[i+2 : i+j]
		out.WriteString(s[:i])
		if v, ok := p.defines[name]; ok {
			out.WriteString(v)
		} else if v, ok := os.LookupEnv(name); ok {
			out.WriteString(v)
		} else {
			out.WriteString(s[i : i+j+1])
		}
		s = s[i+j+1:]
	}
}

// cut shortens s for an error message.
func cut(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
