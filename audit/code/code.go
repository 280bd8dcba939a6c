// Package code finds TLS protocol pins in client and server source code:
// Go, Java, C#, JavaScript and TypeScript, Python, Ruby and PHP, plus the
// Node.js --tls-min-v1.x and --tls-max-v1.x options in package.json
// scripts and Dockerfiles. Each pin becomes an audit.Listener with the
// version range the code forces, so that audit.Judge names the identity
// providers it breaks, and the Fixer writes the corrected line in the
// file's language.
//
// Go files are read with go/parser. Each other language has its own
// tokenizer for its comments and string forms, so a pin inside a comment,
// a log message or a docstring is no hit.
//
// Use Format to register the format "code" with audit.Run, or Audit to
// read one file.
package code

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
)

// language is one source language and its scanner.
type language struct {
	// software is the Listener.Software value, such as "java code".
	software string
	// scan returns the pins of src, the file at path. An error is a syntax
	// error that stops the scan and names the line.
	scan func(path, src string) ([]finding, error)
}

var (
	languageGo     = language{"go code", scanGo}
	languageJava   = language{"java code", scanJava}
	languageCSharp = language{"c# code", scanCSharp}
	languageJS     = language{"javascript code", scanJavaScript}
	languagePython = language{"python code", scanPython}
	languageRuby   = language{"ruby code", scanRuby}
	languagePHP    = language{"php code", scanPHP}
	languageNPM    = language{"package.json", scanPackageJSON}
	languageDocker = language{"dockerfile", scanDockerfile}
)

// extensions maps file extensions to languages.
var extensions = map[string]language{
	".go":   languageGo,
	".java": languageJava,
	".cs":   languageCSharp,
	".js":   languageJS,
	".mjs":  languageJS,
	".cjs":  languageJS,
	".ts":   languageJS,
	".mts":  languageJS,
	".cts":  languageJS,
	".py":   languagePython,
	".rb":   languageRuby,
	".php":  languagePHP,
}

// skippedFolders are folders whose files Detect rejects: third-party code
// that the project does not edit, and version-control internals.
var skippedFolders = []string{"node_modules", "vendor", ".git"}

// languageOf returns the language of the file at path by its name.
func languageOf(path string) (language, bool) {
	base := filepath.Base(path)
	lower := strings.ToLower(base)
	switch {
	case lower == "package.json":
		return languageNPM, true
	case lower == "dockerfile" || strings.HasPrefix(lower, "dockerfile.") || strings.HasSuffix(lower, ".dockerfile") || lower == "containerfile":
		return languageDocker, true
	}
	l, ok := extensions[strings.ToLower(filepath.Ext(base))]
	return l, ok
}

// Format returns the audit format "code". A file named directly goes to
// Audit. A file that a folder walk finds goes to AuditFolderFile, so that
// --code on a folder skips its files of no source language.
func Format() audit.Format {
	return audit.Format{Name: "code", Detect: Detect, Audit: Audit, AuditInFolder: AuditFolderFile, Sparse: true}
}

// AuditFolderFile is Audit for a file found in a folder. A file name of
// no known language, such as a README beside the code, gives no listener
// and no error, so --type code on a folder reports only source files.
func AuditFolderFile(path string) ([]audit.Listener, audit.Fixer, error) {
	if _, ok := languageOf(path); !ok {
		return nil, nil, nil
	}
	return Audit(path)
}

// Detect reports whether the file at path is source code this package
// reads, by its name: the extensions .go, .java, .cs, .js, .mjs, .cjs,
// .ts, .mts, .cts, .py, .rb and .php, package.json, and Dockerfile,
// Containerfile, Dockerfile.* and *.dockerfile. It rejects files under a
// node_modules, vendor or .git folder, which hold third-party code or
// version-control data; --type code still reads such a file.
func Detect(path string, head []byte) bool {
	if _, ok := languageOf(path); !ok {
		return false
	}
	dirs := strings.Split(filepath.ToSlash(filepath.Dir(path)), "/")
	for _, d := range skippedFolders {
		if slices.Contains(dirs, d) {
			return false
		}
	}
	return true
}

// Audit reads the source file at path (through audit.ReadFile) and
// returns one Listener per TLS pin, in file order, and the Fixer that
// writes corrected lines. A file without a pin gives no listener and no
// error. A syntax error that hides the rest of the file, such as an
// unterminated block comment or a Go file that does not parse, is an
// error that names the file and line. A file name of no known language is
// an error too.
func Audit(path string) ([]audit.Listener, audit.Fixer, error) {
	data, err := audit.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	lang, ok := languageOf(path)
	if !ok {
		return nil, nil, fmt.Errorf("%s has no source file extension this audit reads: rename it or give .go, .java, .cs, .js, .ts, .py, .rb or .php", path)
	}
	src := string(data)
	findings, err := lang.scan(path, src)
	if err != nil {
		return nil, nil, err
	}
	fix := newFixer(src)
	listeners := []audit.Listener{}
	for i := range findings {
		listeners = append(listeners, findings[i].listener(lang.software, path, src, fix))
	}
	return listeners, fix, nil
}

// unterminated returns the error for a construct that hides the rest of
// the file.
func unterminated(path string, e *lexError) error {
	return fmt.Errorf("%s:%d: unterminated %s; the rest of the file was not scanned: check that the file compiles", path, e.line, e.construct)
}
