package haproxy

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
)

// Limits of the parser. HAProxy itself grows its line buffer without a
// fixed limit, so these bound the audit's memory, not HAProxy's grammar.
// Every file is read with audit.ReadFile, whose audit.MaxFileSize bounds
// each file.
const (
	// maxFiles is the largest number of files one audit reads, so that a
	// folder of thousands of .cfg files fails early.
	maxFiles = 256
	// maxArgs is the most words per line: HAProxy 2.6.12 rejects a 65th
	// with "too many words" (measured with haproxy -c).
	maxArgs = 64
	// maxCondDepth is the deepest .if nesting: HAProxy 2.6.12 rejects a
	// 101st level with "too many nested '.if'" (measured with haproxy -c).
	maxCondDepth = 100
)

// sectionKeywords start a section. Every directive up to the next one
// belongs to it.
var sectionKeywords = []string{
	"global", "defaults", "frontend", "backend", "listen", "peers",
	"resolvers", "userlist", "program", "http-errors", "ring", "mailers",
	"cache", "dynamic-update", "crt-store", "traces", "log-forward",
}

// Directive is one configuration line, split into words as HAProxy does.
type Directive struct {
	File string
	Line int
	// Args are the words after quote removal, escapes and environment
	// variable expansion. Args[0] is the keyword.
	Args []string
	// Text is the line as written, without surrounding blanks or comment.
	Text string
}

// Section is one section (global, frontend, listen ...) and its lines.
type Section struct {
	// Kind is the section keyword, such as "frontend".
	Kind string
	// Name is the first word after the keyword, empty for global.
	Name       string
	File       string
	Line       int
	Directives []Directive
}

// Config is a parsed configuration: the sections of every file, in the
// order HAProxy reads them.
type Config struct {
	Sections []Section
	// Files lists every file read, in order.
	Files []string
	// EnvUsed names the environment variables expanded while parsing. Their
	// values come from the process that runs the audit, which may differ
	// from the HAProxy service's environment.
	EnvUsed []string

	// version is the HAProxy version that .if conditions test.
	version string
}

// ParseError locates a parse failure.
type ParseError struct {
	File   string
	Line   int
	Reason string
	// Err is the audit.ReadFile or audit.DecodeText error of a file it
	// rejects, whose text already names the file and line; Reason is then
	// empty.
	Err error
}

func (e *ParseError) Error() string {
	if e.Err != nil {
		return "haproxy: " + e.Err.Error()
	}
	if e.Line == 0 {
		return fmt.Sprintf("haproxy: %s: %s", e.File, e.Reason)
	}
	return fmt.Sprintf("haproxy: %s:%d: %s", e.File, e.Line, e.Reason)
}

// Unwrap returns the read error, if any.
func (e *ParseError) Unwrap() error { return e.Err }

// ParseFiles reads paths as `haproxy -f PATH -f PATH ...` does: files in
// the order given, and for a folder its *.cfg files in lexical order. HAProxy
// has no include directive, so these are all the files. A file named twice
// (by path, folder or symbolic link) is an error, as reading it again would
// define its sections twice. Errors are *ParseError.
func ParseFiles(paths ...string) (*Config, error) {
	return parseFiles(DefaultVersion, paths)
}

// parseFiles is ParseFiles for HAProxy version, which .if conditions test.
func parseFiles(version string, paths []string) (*Config, error) {
	if len(paths) == 0 {
		return nil, &ParseError{File: "(none)", Reason: "no configuration file given"}
	}
	cfg := &Config{version: version}
	seen := map[string]string{}
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, &ParseError{File: p, Reason: fmt.Sprintf("cannot read the file: %v", unwrapPath(err))}
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(p, "*.cfg"))
		if err != nil {
			return nil, &ParseError{File: p, Reason: fmt.Sprintf("cannot list the folder: %v", err)}
		}
		slices.Sort(matches)
		files = append(files, matches...)
	}
	if len(files) > maxFiles {
		return nil, &ParseError{File: paths[0], Reason: fmt.Sprintf("%d configuration files exceed the limit of %d; audit fewer at once", len(files), maxFiles)}
	}
	for _, f := range files {
		real, err := filepath.EvalSymlinks(f)
		if err != nil {
			return nil, &ParseError{File: f, Reason: fmt.Sprintf("cannot resolve the path: %v", unwrapPath(err))}
		}
		if first, ok := seen[real]; ok {
			return nil, &ParseError{File: f, Reason: fmt.Sprintf("the file is read twice (first as %s), which defines its sections twice; name each file once", first)}
		}
		seen[real] = f
		data, err := readFile(f)
		if err != nil {
			return nil, err
		}
		if err := cfg.parse(f, data); err != nil {
			return nil, err
		}
		cfg.Files = append(cfg.Files, f)
	}
	return cfg, nil
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// readFile reads one configuration file with audit.ReadFile, after
// checking that it is a regular file, which a FIFO or device is not.
func readFile(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, &ParseError{File: path, Reason: fmt.Sprintf("cannot read the file: %v", unwrapPath(err))}
	}
	if !info.Mode().IsRegular() {
		return nil, &ParseError{File: path, Reason: "not a regular file; give a configuration file or a folder of *.cfg files"}
	}
	data, err := audit.ReadFile(path)
	if err != nil {
		return nil, &ParseError{File: path, Err: err}
	}
	return data, nil
}

// Parse parses one file's content. name is used in errors only. The
// content is decoded as audit.ReadFile decodes a file (UTF-16 included),
// and is refused above audit.MaxFileSize or when binary.
func Parse(name string, data []byte) (*Config, error) {
	if len(data) > audit.MaxFileSize {
		return nil, &ParseError{File: name, Reason: fmt.Sprintf("file of %d bytes exceeds the %d-byte limit; name the configuration file itself, not a log or a dump", len(data), audit.MaxFileSize)}
	}
	text, err := audit.DecodeText(name, data)
	if err != nil {
		return nil, &ParseError{File: name, Err: err}
	}
	cfg := &Config{version: DefaultVersion}
	if err := cfg.parse(name, text); err != nil {
		return nil, err
	}
	cfg.Files = []string{name}
	return cfg, nil
}

// condState is one open .if block.
type condState struct {
	line int
	// active reports that the lines of the current branch are read.
	active bool
	// taken reports that an earlier branch of the block was active.
	taken bool
	// parentActive reports that the enclosing block is read at all.
	parentActive bool
	elseSeen     bool
}

func (c *Config) parse(name string, data []byte) error {
	var conds []condState
	active := func() bool { return len(conds) == 0 || conds[len(conds)-1].active }
	lineNo := 0
	for len(data) > 0 {
		lineNo++
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if i := bytes.IndexByte(line, 0); i >= 0 {
			return &ParseError{File: name, Line: lineNo, Reason: fmt.Sprintf("NUL byte at column %d; this is not a text configuration file", i+1)}
		}
		args, err := c.splitLine(line)
		if err != nil {
			return &ParseError{File: name, Line: lineNo, Reason: err.Error()}
		}
		if len(args) == 0 {
			continue
		}

		// Conditional blocks (HAProxy 2.4 and newer) are evaluated before
		// anything else, as HAProxy does.
		switch args[0] {
		case ".if":
			if len(conds) >= maxCondDepth {
				return &ParseError{File: name, Line: lineNo, Reason: fmt.Sprintf(".if blocks nest deeper than %d", maxCondDepth)}
			}
			st := condState{line: lineNo, parentActive: active()}
			if st.parentActive {
				ok, err := c.evalCondition(args[1:])
				if err != nil {
					return &ParseError{File: name, Line: lineNo, Reason: err.Error()}
				}
				st.active, st.taken = ok, ok
			}
			conds = append(conds, st)
			continue
		case ".elif", ".else", ".endif":
			if len(conds) == 0 {
				return &ParseError{File: name, Line: lineNo, Reason: fmt.Sprintf("%s without a matching .if", args[0])}
			}
			top := &conds[len(conds)-1]
			switch args[0] {
			case ".endif":
				conds = conds[:len(conds)-1]
			case ".else":
				if top.elseSeen {
					return &ParseError{File: name, Line: lineNo, Reason: fmt.Sprintf("second .else in the .if block of line %d", top.line)}
				}
				top.elseSeen = true
				top.active = top.parentActive && !top.taken
				top.taken = top.taken || top.active
			case ".elif":
				if top.elseSeen {
					return &ParseError{File: name, Line: lineNo, Reason: fmt.Sprintf(".elif after .else in the .if block of line %d", top.line)}
				}
				top.active = false
				if top.parentActive && !top.taken {
					ok, err := c.evalCondition(args[1:])
					if err != nil {
						return &ParseError{File: name, Line: lineNo, Reason: err.Error()}
					}
					top.active, top.taken = ok, ok
				}
			}
			continue
		}
		if !active() {
			continue
		}
		if strings.HasPrefix(args[0], ".") {
			// .diag, .notice and .warning print a message, and .alert stops HAProxy.
			if args[0] == ".alert" {
				return &ParseError{File: name, Line: lineNo, Reason: fmt.Sprintf("the configuration stops HAProxy here with .alert %q", strings.Join(args[1:], " "))}
			}
			continue
		}

		d := Directive{File: name, Line: lineNo, Args: args, Text: strings.TrimSpace(stripComment(string(line)))}
		if slices.Contains(sectionKeywords, args[0]) {
			s := Section{Kind: args[0], File: name, Line: lineNo}
			if len(args) > 1 {
				s.Name = args[1]
			}
			c.Sections = append(c.Sections, s)
			continue
		}
		if len(c.Sections) == 0 {
			return &ParseError{File: name, Line: lineNo, Reason: fmt.Sprintf("%q appears before any section; start the file with global, defaults, frontend, backend or listen", args[0])}
		}
		cur := &c.Sections[len(c.Sections)-1]
		cur.Directives = append(cur.Directives, d)
	}
	if len(conds) > 0 {
		return &ParseError{File: name, Line: conds[len(conds)-1].line, Reason: ".if block without .endif before the end of the file"}
	}
	return nil
}

// splitLine splits a line into words as HAProxy 2.6 does: blanks separate
// words, '#' starts a comment outside quotes, double quotes keep blanks and
// expand $NAME and ${NAME}, single quotes keep everything literally, and a
// backslash escapes the next character (\t, \n, \r and \xHH included).
func (c *Config) splitLine(line []byte) ([]string, error) {
	var args []string
	var word strings.Builder
	inWord := false
	var quote byte
	quoteStart := 0
	flush := func() {
		if inWord {
			args = append(args, word.String())
			word.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case quote == 0 && (ch == ' ' || ch == '\t'):
			flush()
		case quote == 0 && ch == '#':
			flush()
			i = len(line)
		case ch == '\\' && quote != '\'':
			if i+1 >= len(line) {
				return nil, fmt.Errorf("backslash at the end of the line; HAProxy does not join lines, so put the directive on one line")
			}
			i++
			inWord = true
			switch e := line[i]; e {
			case 't':
				word.WriteByte('\t')
			case 'n':
				word.WriteByte('\n')
			case 'r':
				word.WriteByte('\r')
			case 'x':
				if i+2 >= len(line) {
					return nil, fmt.Errorf("incomplete \\x escape at column %d; write two hex digits", i)
				}
				v, err := strconv.ParseUint(string(line[i+1:i+3]), 16, 8)
				if err != nil {
					return nil, fmt.Errorf("invalid \\x escape %q at column %d; write two hex digits", line[i-1:i+3], i)
				}
				word.WriteByte(byte(v))
				i += 2
			default:
				word.WriteByte(e)
			}
		case quote == 0 && (ch == '"' || ch == '\''):
			quote, quoteStart, inWord = ch, i, true
		case quote != 0 && ch == quote:
			quote = 0
		case quote == '"' && ch == '$':
			n, err := c.expandEnv(line[i+1:], &word)
			if err != nil {
				return nil, fmt.Errorf("%v at column %d", err, i+1)
			}
			i += n
		default:
			inWord = true
			word.WriteByte(ch)
		}
		if len(args) > maxArgs {
			return nil, fmt.Errorf("more than %d words on one line, which HAProxy rejects", maxArgs)
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unmatched %c quote opened at column %d; close it on the same line", quote, quoteStart+1)
	}
	flush()
	if len(args) > maxArgs {
		return nil, fmt.Errorf("more than %d words on one line, which HAProxy rejects", maxArgs)
	}
	return args, nil
}

// expandEnv writes the value of the variable that rest starts with ("NAME"
// or "{NAME}") to word and returns the bytes consumed. A '$' not followed by
// a name stays as written.
func (c *Config) expandEnv(rest []byte, word *strings.Builder) (int, error) {
	isName := func(b byte) bool {
		return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
	}
	var name string
	consumed := 0
	if len(rest) > 0 && rest[0] == '{' {
		end := bytes.IndexByte(rest, '}')
		if end < 0 {
			return 0, fmt.Errorf("${ without a closing }")
		}
		name, consumed = string(rest[1:end]), end+1
	} else {
		for consumed < len(rest) && isName(rest[consumed]) {
			consumed++
		}
		name = string(rest[:consumed])
	}
	if name == "" {
		word.WriteByte('$')
		return consumed, nil
	}
	if !slices.Contains(c.EnvUsed, name) {
		c.EnvUsed = append(c.EnvUsed, name)
	}
	word.WriteString(os.Getenv(name))
	return consumed, nil
}

// stripComment cuts an unquoted '#' comment from a line, for Directive.Text.
func stripComment(s string) string {
	var quote byte
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch == '\\' && quote != '\'':
			i++
		case quote == 0 && (ch == '"' || ch == '\''):
			quote = ch
		case quote != 0 && ch == quote:
			quote = 0
		case quote == 0 && ch == '#':
			return s[:i]
		}
	}
	return s
}
