package stunnel

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/scimdoctor/scimdoctor/audit"
)

// Limits on what Parse reads, so that a hostile or mistaken file cannot
// exhaust memory. Every file is read with audit.ReadFile, whose
// audit.MaxFileSize bounds each file and all files of one configuration
// together.
const (
	// maxLineBytes is the longest line Parse accepts. stunnel 5.68 reads
	// lines into a 16384-byte buffer (CONFLINELEN), so longer lines do
	// not work in stunnel either.
	maxLineBytes = 16384
	// maxIncludeDepth bounds nested include directives.
	maxIncludeDepth = 16
)

// Option is one "name = value" line.
type Option struct {
	// Name is the option name as written. stunnel compares names without
	// regard to case, so use Is to test it.
	Name  string
	Value string
	File  string
	Line  int

	// arg is the value an OpenSSL configuration command sets, such as
	// "AES128-SHA" for config = CipherString:AES128-SHA, when it differs
	// from Value.
	arg string
}

// value returns the value the option sets: arg when set, else Value.
func (o Option) value() string {
	if o.arg != "" {
		return o.arg
	}
	return o.Value
}

// Is reports whether the option is named name, ignoring case as stunnel
// does.
func (o Option) Is(name string) bool { return strings.EqualFold(o.Name, name) }

// Text returns the line as written, such as "sslVersionMin = TLSv1.2".
func (o Option) Text() string { return o.Name + " = " + o.Value }

// Section is one service section, "[name]" and its options.
type Section struct {
	Name    string
	File    string
	Line    int
	Options []Option
}

// Config is a parsed stunnel configuration: the global section (global
// options and the service-level defaults that precede the first service)
// and the services in file order.
type Config struct {
	Global   []Option
	Services []Section
}

// ParseError is a syntax or read error at one line of one file.
type ParseError struct {
	File string
	// Line is 0 when the error concerns the whole file.
	Line   int
	Reason string
	// Err is the audit.ReadFile error of a top file it rejects (binary,
	// too large), whose text already names the file and line; Reason is
	// then empty.
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

// Unwrap returns the read error, if any.
func (e *ParseError) Unwrap() error { return e.Err }

// Parse reads the stunnel configuration file at path and the files its
// include directives name. The grammar is stunnel 5.68's: one item per
// line, lines whose first non-blank character is ';' or '#' are comments,
// "[name]" starts a service, and every other line is "name = value" with
// blanks around both trimmed. stunnel has no quoting and no trailing
// comments, so quotes and ';' inside a value are part of the value.
// "include = DIRECTORY" reads the regular files of DIRECTORY in ascending
// name order at that point, so their options join the current section.
// Errors are *ParseError values naming the file and line.
func Parse(path string) (*Config, error) {
	p := &parser{cfg: &Config{}, active: map[string]bool{}}
	if err := p.file(path, "", 0, 0); err != nil {
		return nil, err
	}
	return p.cfg, nil
}

type parser struct {
	cfg *Config
	// active holds the cleaned paths of the files being read, to find
	// include loops.
	active map[string]bool
	// total counts the bytes read across all files.
	total int64
}

// add appends o to the current section: the last service, or the global
// section before the first service.
func (p *parser) add(o Option) {
	if n := len(p.cfg.Services); n > 0 {
		p.cfg.Services[n-1].Options = append(p.cfg.Services[n-1].Options, o)
		return
	}
	p.cfg.Global = append(p.cfg.Global, o)
}

// file parses one file. from and fromLine locate the include directive
// that named it, empty for the top file.
func (p *parser) file(path, from string, fromLine, depth int) error {
	where := func(reason string) error {
		if from == "" {
			return &ParseError{File: path, Reason: reason}
		}
		return &ParseError{File: from, Line: fromLine, Reason: reason}
	}
	if depth > maxIncludeDepth {
		return where(fmt.Sprintf("includes nest deeper than %d levels at %s; flatten the include directories", maxIncludeDepth, path))
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return where(fmt.Sprintf("cannot resolve %s: %v", path, err))
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	if p.active[abs] {
		return where(fmt.Sprintf("include loop: %s is already being read; remove the include that leads back to it", path))
	}
	info, err := os.Stat(path)
	if err != nil {
		return where(fmt.Sprintf("cannot read %s: %v", path, pathErrorReason(err)))
	}
	if !info.Mode().IsRegular() {
		return where(fmt.Sprintf("%s is not a regular file; give the stunnel configuration file", path))
	}
	data, err := audit.ReadFile(path)
	if err != nil {
		if from == "" {
			return &ParseError{File: path, Err: err}
		}
		return where(fmt.Sprintf("included file rejected: %v", err))
	}
	if p.total+int64(len(data)) > audit.MaxFileSize {
		return where(fmt.Sprintf("%s makes the configuration exceed the %d-byte limit (%d bytes); check that the include directory holds only stunnel configuration parts", path, audit.MaxFileSize, p.total+int64(len(data))))
	}
	p.total += int64(len(data))
	p.active[abs] = true
	defer delete(p.active, abs)
	return p.parse(path, data, depth)
}

func pathErrorReason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// parse splits data into lines and handles each. data comes from
// audit.ReadFile, which has dropped a byte order mark and decoded UTF-16.
func (p *parser) parse(path string, data []byte, depth int) error {
	for n := 1; len(data) > 0; n++ {
		var raw []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw, data = data[:i], data[i+1:]
		} else {
			raw, data = data, nil
		}
		if len(raw) > maxLineBytes {
			return &ParseError{File: path, Line: n, Reason: fmt.Sprintf("line of %d bytes exceeds stunnel's %d-byte line limit; split the value or check that this is a stunnel configuration", len(raw), maxLineBytes)}
		}
		if i := bytes.IndexByte(raw, 0); i >= 0 {
			return &ParseError{File: path, Line: n, Reason: fmt.Sprintf("NUL byte at column %d: this is binary data, not a stunnel configuration", i+1)}
		}
		line := strings.TrimSpace(string(raw))
		if line == "" || line[0] == ';' || line[0] == '#' {
			// A comment may be in a legacy 8-bit encoding such as
			// Latin-1, which stunnel ignores too.
			continue
		}
		if !utf8.ValidString(line) {
			return &ParseError{File: path, Line: n, Reason: "invalid UTF-8: this looks like binary data, not a stunnel configuration; save the file as text"}
		}
		if line[0] == '[' {
			if line[len(line)-1] != ']' {
				return &ParseError{File: path, Line: n, Reason: fmt.Sprintf("section line %q lacks the closing ']'; write [service_name]", line)}
			}
			name := strings.TrimSpace(line[1 : len(line)-1])
			if name == "" {
				return &ParseError{File: path, Line: n, Reason: "empty service name in \"[]\"; name the service, such as [scim]"}
			}
			p.cfg.Services = append(p.cfg.Services, Section{Name: name, File: path, Line: n})
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			return &ParseError{File: path, Line: n, Reason: fmt.Sprintf("no '=' in %q; stunnel lines are \"option = value\", \"[service]\" or comments starting with ';'", truncate(line))}
		}
		o := Option{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value), File: path, Line: n}
		if o.Name == "" {
			return &ParseError{File: path, Line: n, Reason: fmt.Sprintf("missing option name before '=' in %q", truncate(line))}
		}
		if !o.Is("include") {
			p.add(o)
			continue
		}
		if err := p.include(o, depth); err != nil {
			return err
		}
	}
	return nil
}

// include reads the regular files of the directory o names, in ascending
// name order, as stunnel does. A relative directory is taken relative to
// the including file's folder.
// NOTE: stunnel 5.68 resolves a relative include against its working
// directory instead (measured), so the audit may read other files than a
// stunnel started elsewhere.
func (p *parser) include(o Option, depth int) error {
	dir := o.Value
	if dir == "" {
		return &ParseError{File: o.File, Line: o.Line, Reason: "include names no directory; give include = /etc/stunnel/conf.d"}
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(filepath.Dir(o.File), dir)
	}
	info, err := os.Stat(dir)
	if err != nil {
		return &ParseError{File: o.File, Line: o.Line, Reason: fmt.Sprintf("cannot read include directory %s: %v", dir, pathErrorReason(err))}
	}
	if !info.IsDir() {
		return &ParseError{File: o.File, Line: o.Line, Reason: fmt.Sprintf("include %s is not a directory; stunnel's include takes a directory of configuration parts", dir)}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return &ParseError{File: o.File, Line: o.Line, Reason: fmt.Sprintf("cannot list include directory %s: %v", dir, pathErrorReason(err))}
	}
	var names []string
	for _, e := range entries {
		full := filepath.Join(dir, e.Name())
		// Symbolic links count when they lead to a regular file.
		if st, err := os.Stat(full); err == nil && st.Mode().IsRegular() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, name := range names {
		if err := p.file(filepath.Join(dir, name), o.File, o.Line, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}
