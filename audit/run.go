package audit

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/scimdoctor/scimdoctor/report"
)

// Format is one configuration format the audit reads.
type Format struct {
	// Name is the --type value, such as "nginx".
	Name string
	// Detect reports whether the file at path, whose first bytes are head,
	// is in this format. Run passes head decoded by DecodeText, so UTF-16
	// arrives as UTF-8, and calls Detect for no file that DecodeText
	// rejects as binary.
	Detect func(path string, head []byte) bool
	// Audit reads the file (and what it includes) and returns its
	// listeners, unjudged, and the writer of corrected lines. An error
	// names the file and line.
	Audit func(path string) ([]Listener, Fixer, error)
	// AuditInFolder, when set, replaces Audit for a file that Run found
	// by walking a folder. It is for software that reads a whole folder
	// as one configuration, such as haproxy -f DIR, whose earlier files
	// can set defaults for this one. It returns the listeners of path
	// alone. A file named directly always goes to Audit, because the
	// software then reads it alone.
	AuditInFolder func(path string) ([]Listener, Fixer, error)
	// Sparse marks a format whose files mostly hold no listener, such as
	// source code scanned for TLS version pins. Such a file without a
	// listener is no error when named, and is left out of the report when
	// found in a folder.
	Sparse bool
}

// skippedDirs are folders Run does not walk: version control data and
// installed dependencies, which hold no configuration of the audited
// system.
var skippedDirs = map[string]bool{".git": true, "node_modules": true}

// headBytes is the number of leading bytes of a file passed to Detect.
const headBytes = 8192

// Run audits every file under paths (folders are walked, in name order,
// following symbolic links) with the first format whose Detect accepts
// it, or the format named forced. Files no format accepts are skipped
// inside a folder and an error when named directly. A file that fails
// gets Error; the others are still audited. So does a folder that cannot
// be read and a broken symbolic link found in a walk. A file reached
// twice, by the same cleaned absolute path, is audited once.
//
// A file named directly that yields no TLS listener also gets Error,
// because the user named it to audit a TLS endpoint: the usual cause is a
// --type that does not match the file, or a server without TLS. It then
// counts as a file that could not be audited: exit code 1 beside audited
// files, 2 when it is the only one, as a usage error. Inside a folder a
// file without a listener, such as an nginx snippet, is normal.
func Run(paths []string, forced string, formats []Format) (*Report, error) {
	var forcedFormat *Format
	if forced != "" {
		for i := range formats {
			if formats[i].Name == forced {
				forcedFormat = &formats[i]
			}
		}
		if forcedFormat == nil {
			return nil, fmt.Errorf("unknown --type %q: use one of %s", forced, formatNames(formats))
		}
	}
	r := &Report{Schema: Schema, Files: []FileResult{}}
	seen := map[string]bool{}
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			r.Files = append(r.Files, FileResult{Path: root, Error: readError(root, err)})
			continue
		}
		if !info.IsDir() && !info.Mode().IsRegular() {
			// Opening a FIFO would block until a writer comes.
			r.Files = append(r.Files, FileResult{Path: root, Listeners: []Listener{}, Error: fmt.Sprintf("%s is not a regular file (%s): name a configuration file or a folder", root, modeName(info.Mode()))})
			continue
		}
		if !info.IsDir() {
			if !seen[pathKey(root)] {
				seen[pathKey(root)] = true
				r.Files = append(r.Files, auditFile(root, forcedFormat, formats, true))
			}
			continue
		}
		w := walker{visitedDirs: map[string]bool{}, errors: map[string]string{}}
		w.walk(root)
		for _, path := range w.files {
			if seen[pathKey(path)] {
				continue
			}
			if msg, ok := w.errors[path]; ok {
				seen[pathKey(path)] = true
				r.Files = append(r.Files, FileResult{Path: path, Listeners: []Listener{}, Walked: true, Error: msg})
				continue
			}
			res := auditFile(path, forcedFormat, formats, false)
			res.Walked = true
			if res.Type != "" || res.Error != "" {
				// Only a reported file counts as seen, so that a file a
				// walk skips is still audited when also named directly.
				seen[pathKey(path)] = true
				r.Files = append(r.Files, res)
			}
		}
	}
	r.ExitCode = exitCode(r)
	return r, nil
}

// pathKey returns the cleaned absolute form of path, by which Run
// audits a file named twice, or named and found in a named folder, once.
func pathKey(path string) string {
	key, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	return key
}

// walker collects the regular files under a folder, in name order. It
// follows symbolic links, as Debian's sites-enabled holds only links, and
// enters each real folder once, so that a link loop ends.
type walker struct {
	visitedDirs map[string]bool
	// files are the paths found, in walk order, including those of
	// errors.
	files []string
	// errors maps the folders that cannot be read and the links that
	// point nowhere to their error message.
	errors map[string]string
}

// walk adds the files under dir, whose path joins the user's root with
// the names below it.
func (w *walker) walk(dir string) {
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		if abs, err := filepath.Abs(real); err == nil {
			real = abs
		}
		if w.visitedDirs[real] {
			return
		}
		w.visitedDirs[real] = true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		w.files = append(w.files, dir)
		w.errors[dir] = readError(dir, err)
		return
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		mode := e.Type()
		if mode&fs.ModeSymlink != 0 {
			info, err := os.Stat(path)
			if err != nil {
				w.files = append(w.files, path)
				w.errors[path] = linkError(path, err)
				continue
			}
			mode = info.Mode().Type()
		}
		switch {
		case mode.IsDir():
			if !skippedDirs[e.Name()] {
				w.walk(path)
			}
		case mode.IsRegular():
			w.files = append(w.files, path)
		}
	}
}

// readError describes a path that cannot be read, with the next step.
func readError(path string, err error) string {
	msg := fmt.Sprintf("cannot read %s: %v", path, unwrapPath(err))
	if errors.Is(err, fs.ErrPermission) {
		msg += permissionHint
	}
	return msg
}

// permissionHint is the next step after a permission error.
const permissionHint = ": run scimdoctor as a user who can read it, such as with sudo"

// linkError describes a symbolic link whose target cannot be read.
func linkError(path string, err error) string {
	target, readErr := os.Readlink(path)
	if readErr != nil {
		return readError(path, err)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("%s is a broken symbolic link to %s: fix or remove the link, or name the file it should point to", path, target)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Sprintf("cannot read %s, a symbolic link to %s: permission denied%s", path, target, permissionHint)
	}
	return fmt.Sprintf("cannot follow the symbolic link %s to %s: %v: fix or remove the link", path, target, unwrapPath(err))
}

// modeName names a file type that is not a regular file or a folder.
func modeName(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return fmt.Sprintf("file type %v", m.Type())
}

func auditFile(path string, forced *Format, formats []Format, named bool) FileResult {
	res := FileResult{Path: path, Listeners: []Listener{}}
	format := forced
	if format == nil {
		head, err := readHead(path)
		if err != nil {
			res.Error = err.Error()
			return res
		}
		text, decodeErr := DecodeText(path, head)
		for i := range formats {
			if decodeErr == nil && formats[i].Detect(path, text) {
				format = &formats[i]
				break
			}
		}
		if format == nil && named {
			// A binary or oversized file named directly gets ReadFile's
			// error, because "no known format" would suggest --type,
			// which does not help.
			if _, err := ReadFile(path); err != nil {
				res.Error = err.Error()
				return res
			}
		}
	}
	if format == nil {
		if named {
			res.Error = fmt.Sprintf("%s is in no known format; give --type %s", path, formatNames(formats))
		}
		return res
	}
	res.Type = format.Name
	audit := format.Audit
	if !named && format.AuditInFolder != nil {
		audit = format.AuditInFolder
	}
	listeners, fixer, err := audit(path)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	if len(listeners) == 0 && format.Sparse {
		if !named {
			// Drop the file from a folder's report: most source files pin
			// nothing.
			res.Type = ""
		}
		return res
	}
	if named && len(listeners) == 0 {
		res.Error = fmt.Sprintf("no TLS listener found in %s read as %s: check that --type matches the file, name the main configuration file when this one is a part that it includes, and check that a server in it terminates TLS", path, format.Name)
		return res
	}
	for i := range listeners {
		markDefaultTLS13Suites(&listeners[i])
		Judge(&listeners[i], fixer)
	}
	res.Listeners = listeners
	return res
}

// markDefaultTLS13Suites sets Suites13 to Unknown when the listener
// allows TLS 1.3 and its format left the TLS 1.3 suites unset, so that
// the report shows them as the library's default rather than none.
func markDefaultTLS13Suites(l *Listener) {
	s := &l.Suites13
	if slices.Contains(l.Versions.Values, "TLS 1.3") && len(s.Values) == 0 && s.Directive == "" && !s.Unknown {
		*s = Setting{Unknown: true, Directive: "not set: the library's default"}
	}
}

// readHead returns the first headBytes bytes of the file at path, cut to
// an even length so that UTF-16 text decodes.
func readHead(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, readErr(path, err)
	}
	defer f.Close()
	head := make([]byte, headBytes)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, readErr(path, err)
	}
	if n == headBytes {
		// The file goes on, so an odd length means a cut UTF-16 unit.
		n &^= 1
	}
	return head[:n], nil
}

func formatNames(formats []Format) string {
	var names string
	for i, f := range formats {
		if i > 0 {
			names += ", "
		}
		names += f.Name
	}
	return names
}

// exitCode is 2 when no file could be audited: every path is missing,
// unreadable, in no known format, or a named file without a TLS listener.
// It is 1 when a listener makes an IdP fail or one file could not be
// audited, and 0 otherwise.
func exitCode(r *Report) int {
	failed := 0
	for _, f := range r.Files {
		if f.Error != "" {
			failed++
		}
	}
	if len(r.Files) == 0 || failed == len(r.Files) {
		// Nothing was audited: every path is missing, in no known format,
		// or a folder without a configuration file.
		return report.ExitUsage
	}
	for _, f := range r.Files {
		if f.Error != "" {
			return report.ExitFindings
		}
		for _, l := range f.Listeners {
			if len(l.Problems) > 0 {
				return report.ExitFindings
			}
		}
	}
	return report.ExitOK
}
