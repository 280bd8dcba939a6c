package opensslcnf

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
)

// Limits on what Parse reads. Every file goes through audit.ReadFile, so
// audit.MaxFileSize bounds each file as well.
const (
	// maxValueBytes is the longest value after expansion. OpenSSL's
	// config(5) makes a longer value an error (64k).
	maxValueBytes = 64 << 10
	// maxIncludeDepth bounds nested .include directives. OpenSSL has no
	// bound, but real configurations nest one or two levels.
	maxIncludeDepth = 16
	// maxFiles bounds the files one configuration reads, folders included.
	maxFiles = 256
	// maxTotalBytes bounds the text of all files of one configuration.
	maxTotalBytes = audit.MaxFileSize
)

// DefaultSection is the name OpenSSL gives the section before the first
// [section] line.
const DefaultSection = "default"

// Value is one "name = value" assignment.
type Value struct {
	// Name is the name as written, prefix included ("TLS.MinProtocol").
	Name string
	// Value is the value after quotes, escapes and $ expansion.
	Value string
	File  string
	Line  int
	// Text is the line as written, without its comment.
	Text string
}

// Section is one [section] with its assignments in file order. A section
// opened twice collects the lines of both.
type Section struct {
	Name   string
	File   string
	Line   int
	Values []Value
}

// Get returns the last assignment of name in s, as OpenSSL keeps only the
// last value of a repeated name.
func (s *Section) Get(name string) (Value, bool) {
	for i := len(s.Values) - 1; i >= 0; i-- {
		if s.Values[i].Name == name {
			return s.Values[i], true
		}
	}
	return Value{}, false
}

// Config is a parsed OpenSSL configuration file with its includes.
type Config struct {
	Path string
	// Files lists every file read, the main file first.
	Files []string
	// Warnings are lines OpenSSL accepts but that change nothing or may
	// not do what they seem to, such as an include that names no file.
	Warnings []string
	sections map[string]*Section
	order    []string
}

// Section returns the section called name, or nil.
func (c *Config) Section(name string) *Section {
	return c.sections[name]
}

// Sections returns the section names in the order they first appear.
func (c *Config) Sections() []string {
	return append([]string(nil), c.order...)
}

// Lookup returns name from section, or from the default section when
// section does not set it, as OpenSSL looks values up.
func (c *Config) Lookup(section, name string) (Value, bool) {
	if s := c.sections[section]; s != nil {
		if v, ok := s.Get(name); ok {
			return v, true
		}
	}
	if s := c.sections[DefaultSection]; s != nil {
		return s.Get(name)
	}
	return Value{}, false
}

// ParseOptions set what Parse takes from the environment of the audited
// process.
type ParseOptions struct {
	// IncludeDir is the value of OPENSSL_CONF_INCLUDE, prepended to every
	// relative .include path. Empty means unset.
	IncludeDir string
	// Env is the environment that $ENV::name reads. Nil means empty.
	Env map[string]string
	// NoIncludes makes .include a warning instead of reading the file,
	// for parsing text whose includes must not touch the file system.
	NoIncludes bool
}

// ParseError is a syntax or read error at one line of one file.
type ParseError struct {
	File string
	// Line is 0 when the error concerns the whole file.
	Line   int
	Reason string
	// Err is the audit.ReadFile error of a file it rejects, whose text
	// already names the file; Reason is then empty.
	Err error
}

func (e *ParseError) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Reason)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Parse reads the OpenSSL configuration file at path, with its .include
// files, as config(5) of OpenSSL 3.0 describes the language. $ENV::name
// reads this process's environment, as OpenSSL on the same host would. It
// returns a *ParseError naming the file and line for a syntax error, an
// undefined variable, an include loop, an unterminated quote or a file
// that audit.ReadFile rejects.
func Parse(path string) (*Config, error) {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return ParseWith(path, ParseOptions{Env: env})
}

// ParseWith is Parse with the include folder and environment of opts.
func ParseWith(path string, opts ParseOptions) (*Config, error) {
	data, err := audit.ReadFile(path)
	if err != nil {
		return nil, &ParseError{File: path, Err: err}
	}
	return ParseText(path, data, opts)
}

// ParseText parses data as the content of the file at path, decoded as
// audit.DecodeText does. Includes are read from the file system unless
// opts.NoIncludes is set.
func ParseText(path string, data []byte, opts ParseOptions) (*Config, error) {
	data, err := audit.DecodeText(path, data)
	if err != nil {
		return nil, &ParseError{File: path, Err: err}
	}
	p := &parser{
		opts: opts,
		cfg: &Config{
			Path:     path,
			sections: map[string]*Section{},
		},
	}
	p.section(DefaultSection, path, 0)
	if _, err := p.file(path, data, DefaultSection, nil, false); err != nil {
		return nil, err
	}
	return p.cfg, nil
}

type parser struct {
	opts  ParseOptions
	cfg   *Config
	total int
	// Pragmas, which last from their line to the end of the load, across
	// includes.
	dollarID   bool
	absPath    bool
	includeDir string
}

// frame is one file on the include stack, for loop detection and the
// "included from" part of errors.
type frame struct {
	path string
	line int
}

func (p *parser) section(name, file string, line int) *Section {
	s := p.cfg.sections[name]
	if s == nil {
		s = &Section{Name: name, File: file, Line: line}
		p.cfg.sections[name] = s
		p.cfg.order = append(p.cfg.order, name)
	}
	return s
}

// file parses one file, whose lines start in section current, and
// returns the section its last line is in. OpenSSL reads an included file
// as if its lines stood in place of the .include line, so the section
// carries into the included file and back out of it. stack holds the files
// that include this one; fromDir marks a file read from an included
// folder, whose own folder includes OpenSSL ignores.
func (p *parser) file(path string, data []byte, current string, stack []frame, fromDir bool) (string, error) {
	if len(p.cfg.Files) >= maxFiles {
		return "", &ParseError{File: path, Reason: fmt.Sprintf("more than %d files included; check the .include lines for a folder with unrelated files", maxFiles)}
	}
	p.total += len(data)
	if p.total > maxTotalBytes {
		return "", &ParseError{File: path, Reason: fmt.Sprintf("the configuration and its includes exceed %d MiB together; check the .include lines", maxTotalBytes>>20)}
	}
	p.cfg.Files = append(p.cfg.Files, path)

	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		start := i + 1
		text := strings.TrimSuffix(lines[i], "\r")
		// A line whose last character is an unescaped backslash goes on
		// with the next line; the backslash and the line break drop out.
		for trailingEscape(text) && i+1 < len(lines) {
			i++
			text = text[:len(text)-1] + strings.TrimSuffix(lines[i], "\r")
		}
		line := stripComment(text)
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			continue
		}
		at := func(reason string) error {
			return &ParseError{File: path, Line: start, Reason: reason}
		}

		if trimmed[0] == '[' {
			name, err := p.sectionName(trimmed, current)
			if err != nil {
				return "", at(err.Error())
			}
			current = name
			p.section(name, path, start)
			continue
		}

		name, rest := splitName(trimmed)
		if name == "" {
			return "", at(fmt.Sprintf("invalid line %q: expected [section], name = value, .include or .pragma", cut(trimmed)))
		}
		rest = strings.TrimLeft(rest, " \t")
		switch {
		case name == ".include" && isDirectiveEnd(trimmed, name):
			arg := strings.TrimLeft(strings.TrimPrefix(rest, "="), " \t")
			target, err := p.expand(arg, current, start)
			if err != nil {
				return "", at(err.Error())
			}
			next, err := p.include(target, path, start, current, stack, fromDir)
			if err != nil {
				return "", err
			}
			current = next
			continue
		case name == ".pragma" && isDirectiveEnd(trimmed, name):
			arg := strings.TrimSpace(strings.TrimPrefix(rest, "="))
			if err := p.pragma(arg, current, start); err != nil {
				return "", at(err.Error())
			}
			continue
		}

		section := current
		if before, after, ok := strings.Cut(name, "::"); ok {
			section, name = before, after
			if section == "" || name == "" {
				return "", at(fmt.Sprintf("invalid name %q: write section::name with both parts", cut(before+"::"+after)))
			}
		}
		if !strings.HasPrefix(rest, "=") {
			return "", at(fmt.Sprintf("missing equal sign after %q: write name = value", cut(name)))
		}
		raw := strings.TrimSpace(rest[1:])
		value, err := p.expand(raw, current, start)
		if err != nil {
			return "", at(err.Error())
		}
		s := p.section(section, path, start)
		s.Values = append(s.Values, Value{Name: name, Value: value, File: path, Line: start, Text: strings.TrimSpace(line)})
	}
	return current, nil
}

// isDirectiveEnd reports whether the directive name at the start of line
// is followed by white space or "=", as OpenSSL requires: ".includex" is
// an ordinary name.
func isDirectiveEnd(line, name string) bool {
	if len(line) == len(name) {
		return true
	}
	c := line[len(name)]
	return c == ' ' || c == '\t' || c == '='
}

// trailingEscape reports whether s ends in an odd number of backslashes.
func trailingEscape(s string) bool {
	n := 0
	for i := len(s) - 1; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// stripComment cuts s at the first '#' outside quotes and not escaped by a
// backslash.
func stripComment(s string) string {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"', '\'':
			q := s[i]
			for i++; i < len(s) && s[i] != q; i++ {
				if q == '"' && s[i] == '\\' {
					i++
				}
			}
		case '#':
			return s[:i]
		}
	}
	return s
}

// isNameByte reports whether c may appear in a name: letters, digits and
// the punctuation OpenSSL allows in names.
func isNameByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("_!.%&*+,/:;?@^~|-", c) >= 0
}

// splitName returns the name at the start of s and the rest after any
// white space.
func splitName(s string) (string, string) {
	i := 0
	for i < len(s) && isNameByte(s[i]) {
		i++
	}
	return s[:i], strings.TrimLeft(s[i:], " \t")
}

func (p *parser) sectionName(line, current string) (string, error) {
	end := strings.IndexByte(line, ']')
	if end < 0 {
		return "", fmt.Errorf("missing closing bracket in section line %q: write [name]", cut(line))
	}
	if rest := strings.TrimSpace(line[end+1:]); rest != "" {
		return "", fmt.Errorf("text %q after the section name: put name = value lines on their own line", cut(rest))
	}
	name := strings.TrimSpace(line[1:end])
	for i := 0; i < len(name); i++ {
		if !isNameByte(name[i]) && name[i] != '$' && name[i] != '{' && name[i] != '}' {
			return "", fmt.Errorf("invalid character %q in section name %q: use letters, digits and _", name[i], cut(name))
		}
	}
	if name == "" {
		return "", errors.New("empty section name: write [name]")
	}
	return p.expand(name, current, 0)
}

func (p *parser) pragma(arg, current string, line int) error {
	name, value, ok := strings.Cut(arg, ":")
	if !ok {
		return fmt.Errorf("invalid .pragma %q: write .pragma name:value", cut(arg))
	}
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	switch name {
	case "dollarid", "abspath":
		var on bool
		switch strings.ToLower(value) {
		case "on", "true":
			on = true
		case "off", "false":
		default:
			return fmt.Errorf("invalid .pragma %s value %q: use on, off, true or false", name, cut(value))
		}
		if name == "dollarid" {
			p.dollarID = on
		} else {
			p.absPath = on
		}
	case "includedir":
		dir, err := p.expand(value, current, line)
		if err != nil {
			return err
		}
		p.includeDir = dir
	default:
		// OpenSSL 3.0 ignores pragmas it does not know.
		p.cfg.Warnings = append(p.cfg.Warnings, fmt.Sprintf("unknown .pragma %q is ignored by OpenSSL", cut(name)))
	}
	return nil
}

// include reads target, a file or a folder, for the .include line at
// from:line.
func (p *parser) include(target, from string, line int, current string, stack []frame, fromDir bool) (string, error) {
	at := func(reason string) error {
		return &ParseError{File: from, Line: line, Reason: reason}
	}
	if target == "" {
		return "", at("empty .include path: name a file or a folder")
	}
	if p.opts.NoIncludes {
		p.cfg.Warnings = append(p.cfg.Warnings, fmt.Sprintf("%s:%d: .include %s not read", from, line, target))
		return current, nil
	}
	resolved := target
	if !filepath.IsAbs(target) {
		if p.absPath {
			return "", at(fmt.Sprintf(".include path %q is relative but .pragma abspath is on: give an absolute path", cut(target)))
		}
		switch {
		case p.opts.IncludeDir != "":
			resolved = filepath.Join(p.opts.IncludeDir, target)
		case p.includeDir != "":
			resolved = filepath.Join(p.includeDir, target)
		default:
			// NOTE: OpenSSL resolves such a path against the working
			// directory of the process that loads the file. An audit cannot
			// know that directory, so it uses the folder of the including
			// file, the usual intent, in its place.
			resolved = filepath.Join(filepath.Dir(from), target)
			p.cfg.Warnings = append(p.cfg.Warnings, fmt.Sprintf("%s:%d: .include %s is relative; OpenSSL resolves it against the working directory of each program, so give an absolute path (read here as %s)", from, line, target, resolved))
		}
	}
	if len(stack) >= maxIncludeDepth {
		return "", at(fmt.Sprintf(".include nested more than %d levels deep; flatten the includes", maxIncludeDepth))
	}
	key := canonical(resolved)
	for _, f := range stack {
		if canonical(f.path) == key {
			return "", at(fmt.Sprintf(".include loop: %s includes itself through %s; remove one of the .include lines", resolved, chain(stack)))
		}
	}
	if canonical(from) == key {
		return "", at(fmt.Sprintf(".include loop: %s includes itself; remove the .include line", resolved))
	}
	info, err := os.Stat(resolved)
	if err != nil {
		// OpenSSL 3.0 skips an include it cannot open and loads the rest.
		p.cfg.Warnings = append(p.cfg.Warnings, fmt.Sprintf("%s:%d: .include %s: %v; OpenSSL skips it", from, line, resolved, pathReason(err)))
		return current, nil
	}
	next := append(append([]frame(nil), stack...), frame{path: from, line: line})
	if !info.IsDir() {
		return p.includeFile(resolved, current, next, fromDir)
	}
	if fromDir {
		p.cfg.Warnings = append(p.cfg.Warnings, fmt.Sprintf("%s:%d: .include of the folder %s from a file of an included folder is ignored by OpenSSL", from, line, resolved))
		return current, nil
	}
	entries, err := os.ReadDir(resolved)
	if err != nil {
		return "", at(fmt.Sprintf("cannot read the included folder %s: %v", resolved, pathReason(err)))
	}
	// NOTE: OpenSSL reads a folder in the order the file system lists it;
	// name order is what most file systems give for few files.
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		lower := strings.ToLower(e.Name())
		if e.Type().IsRegular() && (strings.HasSuffix(lower, ".cnf") || strings.HasSuffix(lower, ".conf")) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, name := range names {
		current, err = p.includeFile(filepath.Join(resolved, name), current, next, true)
		if err != nil {
			return "", err
		}
	}
	return current, nil
}

func (p *parser) includeFile(path, current string, stack []frame, fromDir bool) (string, error) {
	data, err := audit.ReadFile(path)
	if err != nil {
		last := stack[len(stack)-1]
		return "", &ParseError{File: last.path, Line: last.line, Reason: fmt.Sprintf("included file: %v", err)}
	}
	// Pragmas belong to the whole load in OpenSSL, so one set in an
	// included file stays on after it.
	return p.file(path, data, current, stack, fromDir)
}

func canonical(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real
	}
	return filepath.Clean(abs)
}

func chain(stack []frame) string {
	parts := make([]string, len(stack))
	for i, f := range stack {
		parts[i] = fmt.Sprintf("%s:%d", f.path, f.line)
	}
	return strings.Join(parts, " -> ")
}

func pathReason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// cut shortens s for an error message.
func cut(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}
