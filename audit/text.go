package audit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/scimdoctor/scimdoctor/report"
)

// Write renders r as JSON or as text for a person.
func Write(w io.Writer, r *Report, f report.Format) error {
	switch f {
	case report.FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case report.FormatText:
		return writeText(w, r)
	}
	return fmt.Errorf("invalid format %q (use text or json)", f)
}

// writeText prints, per file and listener, the effective versions and
// suites with the directive behind each, then each problem with the line
// to change and its replacement.
func writeText(w io.Writer, r *Report) error {
	b := bufio.NewWriter(w)
	if len(r.Files) == 0 {
		fmt.Fprintln(b, "no configuration file found in a known format; give the file itself, or --type to force a format")
	}
	var quiet []string
	for _, f := range r.Files {
		if f.Error != "" {
			fmt.Fprintf(b, "%s: error: %s\n\n", f.Path, f.Error)
			continue
		}
		if f.Walked && len(f.Listeners) == 0 {
			// Snippets, module loaders and charset maps in a folder hold
			// no listener by design; one line below names them.
			quiet = append(quiet, f.Path)
			continue
		}
		if len(f.Listeners) == 0 {
			fmt.Fprintf(b, "%s (%s): no TLS listener or version pin found\n", f.Path, f.Type)
		} else {
			fmt.Fprintf(b, "%s (%s): %d TLS listener(s)\n", f.Path, f.Type, len(f.Listeners))
		}
		for _, l := range f.Listeners {
			if l.Line > 0 {
				fmt.Fprintf(b, "  %s, %s:%d\n", l.Name, l.File, l.Line)
			} else {
				fmt.Fprintf(b, "  %s, %s\n", l.Name, l.File)
			}
			writeSetting(b, "versions", l.Versions)
			writeSetting(b, "suites", l.Suites)
			if len(l.Suites13.Values) > 0 || l.Suites13.Directive != "" {
				writeSetting(b, "TLS 1.3 suites", l.Suites13)
			}
			writeSetting(b, "client certificate", l.ClientCertificate)
			for _, n := range l.Notes {
				fmt.Fprintf(b, "    note: %s\n", n)
			}
			switch {
			case l.RejectsHandshakes:
				fmt.Fprintln(b, "    rejects every handshake on purpose, so it is not judged")
			case len(l.Problems) == 0 && l.Client:
				fmt.Fprintln(b, "    OK: this client can call Okta's and Entra ID's APIs")
			case len(l.Problems) == 0:
				fmt.Fprintln(b, "    OK: Okta and Entra ID can connect")
			}
			for _, p := range l.Problems {
				fmt.Fprintf(b, "    %s %s\n", strings.ToUpper(string(p.Severity)), p.Title)
				if p.Line > 0 {
					fmt.Fprintf(b, "      at:  %s:%d: %s\n", p.File, p.Line, p.Directive)
				} else {
					fmt.Fprintf(b, "      at:  %s\n", p.Directive)
				}
				// A fix can span lines, such as a .reg file to import, so
				// every line keeps the indent.
				for i, line := range strings.Split(strings.TrimRight(p.Fix, "\n"), "\n") {
					switch {
					case i == 0:
						fmt.Fprintf(b, "      fix: %s\n", line)
					case line == "":
						fmt.Fprintln(b)
					default:
						fmt.Fprintf(b, "           %s\n", line)
					}
				}
			}
		}
		fmt.Fprintln(b)
	}
	writeQuiet(b, quiet)
	return b.Flush()
}

// quietNamed is the number of files without a listener that the summary
// line names.
const quietNamed = 5

// writeQuiet prints one line for the files of a folder that hold no TLS
// listener, naming the first few. The JSON report lists each of them.
func writeQuiet(b *bufio.Writer, paths []string) {
	if len(paths) == 0 {
		return
	}
	noun := "files"
	if len(paths) == 1 {
		noun = "file"
	}
	names := strings.Join(paths[:min(len(paths), quietNamed)], ", ")
	if len(paths) > quietNamed {
		names += fmt.Sprintf(" and %d more", len(paths)-quietNamed)
	}
	fmt.Fprintf(b, "%d %s had no TLS listener (--format json lists them): %s\n", len(paths), noun, names)
}

// writeSetting prints the values of s, "none" for a known empty list, and
// the directive behind them. An unknown value prints its directive alone,
// such as "not set: the library's default".
func writeSetting(b *bufio.Writer, name string, s Setting) {
	if s.Unknown && s.Line == 0 {
		fmt.Fprintf(b, "    %s: %s\n", name, s.Directive)
		return
	}
	values := "none"
	switch {
	case len(s.Values) > 0:
		values = strings.Join(s.Values, ", ")
	case s.Unknown:
		values = "not known"
	}
	from := s.Directive
	if s.Line > 0 {
		from = fmt.Sprintf("%s:%d %s", s.File, s.Line, s.Directive)
	}
	fmt.Fprintf(b, "    %s: %s\n      from %s\n", name, values, from)
}

// The MarshalJSON methods below write every list as [] when it is empty,
// never as null, so that a consumer of the JSON report can iterate each
// list without a null check. The values themselves are not changed.

// MarshalJSON writes s with Values as [] when it is empty. It adds
// "default": true when the value is a known default of the software (Line
// 0, not Unknown), so that a consumer distinguishes none, unknown and
// default without parsing Directive.
func (s Setting) MarshalJSON() ([]byte, error) {
	type plain Setting
	p := struct {
		plain
		Default bool `json:"default,omitempty"`
	}{plain: plain(s)}
	p.Values = nonNil(p.Values)
	p.Default = !s.Unknown && s.Line == 0 && s.Directive != ""
	return json.Marshal(p)
}

// MarshalJSON writes l with Notes and Problems as [] when they are empty.
func (l Listener) MarshalJSON() ([]byte, error) {
	type plain Listener
	p := plain(l)
	p.Notes = nonNil(p.Notes)
	p.Problems = nonNil(p.Problems)
	return json.Marshal(p)
}

// MarshalJSON writes p with Clients as [] when it is empty.
func (p Problem) MarshalJSON() ([]byte, error) {
	type plain Problem
	q := plain(p)
	q.Clients = nonNil(q.Clients)
	return json.Marshal(q)
}

// MarshalJSON writes f with Listeners as [] when it is empty.
func (f FileResult) MarshalJSON() ([]byte, error) {
	type plain FileResult
	p := plain(f)
	p.Listeners = nonNil(p.Listeners)
	return json.Marshal(p)
}

// MarshalJSON writes r with Files as [] when it is empty.
func (r Report) MarshalJSON() ([]byte, error) {
	type plain Report
	p := plain(r)
	p.Files = nonNil(p.Files)
	return json.Marshal(p)
}

func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}
