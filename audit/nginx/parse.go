package nginx

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
)

// Limits of the parser. nginx itself has none of these. They keep a hostile
// or broken file from exhausting memory or the stack. Every file is read
// with audit.ReadFile, whose audit.MaxFileSize also bounds a file and
// everything it includes together.
const (
	// MaxDepth is the deepest nesting of blocks and includes together.
	MaxDepth = 64
	// MaxFiles is the most files one configuration may include in total.
	MaxFiles = 4096
)

// Directive is one directive of an nginx configuration: its name and
// arguments after unquoting, and its block when it has one.
type Directive struct {
	Name string
	Args []string
	// File and Line locate the directive's name.
	File string
	Line int
	// Block is nil for a directive that ends with ";", and non-nil (maybe
	// empty) for one that opens a block.
	Block []*Directive
}

// Text returns the directive as one line of configuration, such as
// "ssl_protocols TLSv1.2 TLSv1.3;", with words quoted where needed, and
// " { ... }" in place of a block.
func (d *Directive) Text() string {
	var b strings.Builder
	b.WriteString(quoteArg(d.Name))
	for _, a := range d.Args {
		b.WriteByte(' ')
		b.WriteString(quoteArg(a))
	}
	if d.Block != nil {
		b.WriteString(" { ... }")
	} else {
		b.WriteByte(';')
	}
	return b.String()
}

func quoteArg(a string) string {
	if a != "" && !strings.ContainsAny(a, " \t\r\n;{}\"'#\\$") {
		return a
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(a) + `"`
}

// ParseError is a syntax, read or include error, located by file and line.
type ParseError struct {
	File   string
	Line   int
	Reason string
	// Err is the audit.ReadFile error of the top file, whose text already
	// names the file and line; Reason is then empty.
	Err error
}

func (e *ParseError) Error() string {
	if e.Err != nil {
		return "nginx: " + e.Err.Error()
	}
	if e.Line == 0 {
		return fmt.Sprintf("nginx: %s: %s", e.File, e.Reason)
	}
	return fmt.Sprintf("nginx: %s:%d: %s", e.File, e.Line, e.Reason)
}

// Unwrap returns the read error, if any.
func (e *ParseError) Unwrap() error { return e.Err }

// Parse reads the nginx configuration file path and the files its include
// directives name, and returns its top-level directives with every include
// replaced by the directives of the files it matches. Relative include
// paths resolve against prefix, because nginx resolves them against the
// directory of the main configuration file. An empty prefix means the
// directory of path.
//
// Parse returns a *ParseError, naming the file and line, for a syntax error
// nginx would also reject, or for an include that matches no file (without
// wildcards) or forms a loop. It also returns one for a file that
// audit.ReadFile rejects (binary, too large) and for an exceeded limit
// (audit.MaxFileSize over a file and its includes, MaxDepth, MaxFiles).
// UTF-16 files are decoded. FuzzParseBytes checks that parsing the bytes of
// one file does not panic.
func Parse(path, prefix string) ([]*Directive, error) {
	if prefix == "" {
		prefix = filepath.Dir(path)
	}
	p := &parser{prefix: prefix}
	return p.parseFile(path, nil, 0, "", 0)
}

type parser struct {
	prefix string
	files  int
	total  int64
}

// parseFile reads one file. stack lists the files that include it, for loop
// detection, and fromFile and fromLine locate the include for errors.
func (p *parser) parseFile(path string, stack []string, depth int, fromFile string, fromLine int) ([]*Directive, error) {
	where := func(reason string) error {
		if fromFile == "" {
			return &ParseError{File: path, Reason: reason}
		}
		return &ParseError{File: fromFile, Line: fromLine, Reason: reason}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, where(fmt.Sprintf("cannot resolve %q: %v", path, err))
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	for _, f := range stack {
		if f == abs {
			chain := strings.Join(append(slicesClone(stack), abs), " -> ")
			return nil, where(fmt.Sprintf("include loop: %s; remove the include that leads back", chain))
		}
	}
	p.files++
	if p.files > MaxFiles {
		return nil, where(fmt.Sprintf("more than %d files included; check the include globs", MaxFiles))
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, where(fmt.Sprintf("cannot read %s: %v", path, unwrapPathError(err)))
	}
	if info.IsDir() {
		return nil, where(fmt.Sprintf("%s is a directory, not a configuration file; give a file or a glob such as %s/*.conf", path, path))
	}
	if !info.Mode().IsRegular() {
		return nil, where(fmt.Sprintf("%s is not a regular file (%s); give the nginx configuration file", path, fileTypeName(info.Mode())))
	}
	data, err := audit.ReadFile(path)
	if err != nil {
		if fromFile == "" {
			return nil, &ParseError{File: path, Err: err}
		}
		return nil, where(fmt.Sprintf("included file rejected: %v", err))
	}
	p.total += int64(len(data))
	if p.total > audit.MaxFileSize {
		return nil, where(fmt.Sprintf("the configuration and its includes exceed %d bytes at %s; check the include globs", audit.MaxFileSize, path))
	}
	dirs, err := parseBytes(path, data, depth)
	if err != nil {
		return nil, err
	}
	return p.expandIncludes(dirs, append(slicesClone(stack), abs), depth)
}

// depthReason is the ParseError reason for nesting deeper than MaxDepth.
// Real configurations nest a few levels, so the usual cause is an include
// that reaches itself through a glob, or a generated include tree.
var depthReason = fmt.Sprintf("blocks and includes nested deeper than %d levels; look for an include whose glob matches a file that includes it again, or flatten the generated include tree", MaxDepth)

// fileTypeName names a file type that is not a regular file or a folder,
// in the words of an error message.
func fileTypeName(m os.FileMode) string {
	switch {
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeIrregular != 0:
		return "a file of unknown type"
	}
	return fmt.Sprintf("file type %v", m.Type())
}

// expandIncludes replaces every include directive, at any depth, by the
// directives of the files it matches, in glob order.
func (p *parser) expandIncludes(dirs []*Directive, stack []string, depth int) ([]*Directive, error) {
	var out []*Directive
	for _, d := range dirs {
		if d.Block != nil {
			if depth+1 > MaxDepth {
				return nil, &ParseError{File: d.File, Line: d.Line, Reason: depthReason}
			}
			inner, err := p.expandIncludes(d.Block, stack, depth+1)
			if err != nil {
				return nil, err
			}
			if inner == nil {
				inner = []*Directive{}
			}
			d.Block = inner
			out = append(out, d)
			continue
		}
		if d.Name != "include" {
			out = append(out, d)
			continue
		}
		if len(d.Args) != 1 {
			return nil, &ParseError{File: d.File, Line: d.Line, Reason: fmt.Sprintf("include takes one argument, got %d", len(d.Args))}
		}
		if depth+1 > MaxDepth {
			return nil, &ParseError{File: d.File, Line: d.Line, Reason: depthReason}
		}
		pattern := d.Args[0]
		if !filepath.IsAbs(pattern) {
			pattern = filepath.Join(p.prefix, pattern)
		}
		var files []string
		if strings.ContainsAny(pattern, "*?[") {
			// nginx uses glob(3), which sorts its matches. A glob that
			// matches nothing is not an error.
			matches, err := filepath.Glob(pattern)
			if err != nil {
				return nil, &ParseError{File: d.File, Line: d.Line, Reason: fmt.Sprintf("invalid include glob %q: %v", d.Args[0], err)}
			}
			for _, m := range matches {
				if info, err := os.Stat(m); err == nil && !info.IsDir() {
					files = append(files, m)
				}
			}
		} else {
			files = []string{pattern}
		}
		for _, f := range files {
			inner, err := p.parseFile(f, stack, depth+1, d.File, d.Line)
			if err != nil {
				return nil, err
			}
			out = append(out, inner...)
		}
	}
	return out, nil
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
