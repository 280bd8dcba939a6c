package audit

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/scimdoctor/scimdoctor/report"
)

// Format is one configuration format the audit reads.
type Format struct {
	// Name is the --type value, such as "nginx".
	Name string
	// Detect reports whether the file at path, whose first bytes are head,
	// is in this format.
	Detect func(path string, head []byte) bool
	// Audit reads the file (and what it includes) and returns its
	// listeners, unjudged, and the writer of corrected lines. An error
	// names the file and line.
	Audit func(path string) ([]Listener, Fixer, error)
}

// headBytes is the number of leading bytes of a file passed to Detect.
const headBytes = 8192

// Run audits every file under paths (folders are walked, in name order)
// with the first format whose Detect accepts it, or the format named
// forced. Files no format accepts are skipped inside a folder and an error
// when named directly. A file that fails gets Error; the others are still
// audited.
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
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			r.Files = append(r.Files, FileResult{Path: root, Error: fmt.Sprintf("cannot read %s: %v", root, errors.Unwrap(err))})
			continue
		}
		if !info.IsDir() {
			r.Files = append(r.Files, auditFile(root, forcedFormat, formats, true))
			continue
		}
		var files []string
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				files = append(files, path)
			}
			return nil
		})
		sort.Strings(files)
		for _, path := range files {
			if res := auditFile(path, forcedFormat, formats, false); res.Type != "" || res.Error != "" {
				r.Files = append(r.Files, res)
			}
		}
	}
	r.ExitCode = exitCode(r)
	return r, nil
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
		for i := range formats {
			if formats[i].Detect(path, head) {
				format = &formats[i]
				break
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
	listeners, fixer, err := format.Audit(path)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	for i := range listeners {
		Judge(&listeners[i], fixer)
	}
	res.Listeners = listeners
	return res
}

func readHead(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, headBytes)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
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

// exitCode is 2 when no file could be audited (every path is missing or
// in no known format), 1 when a listener makes an IdP fail or one file
// could not be audited, and 0 otherwise.
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
