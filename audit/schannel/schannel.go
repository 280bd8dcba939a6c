// Package schannel audits Windows registry exports (.reg files, as regedit
// and reg export write them, UTF-16 or 8-bit) for the TLS settings of
// SCHANNEL, the .NET Framework and WinHTTP. It computes the protocol
// versions and cipher suites of the SCHANNEL server (IIS, HTTP.sys), the
// SCHANNEL client, the .NET Framework client and WinHTTP, under the
// defaults of one Windows Server release. The .NET and WinHTTP clients are
// computed in the 64-bit and in the 32-bit (Wow6432Node) registry view.
//
// Use Format (Windows Server 2019, .NET Framework 4.8 apps) or FormatFor to
// register the format with audit.Run, Audit or AuditInFolder to audit an
// export, or Parse, Machine and Effective to read exports directly.
//
// Admins export one key per file (SCHANNEL, .NET, the cipher-suite policy),
// and only the files together give the machine's settings. So an export
// found in a folder is merged with every .reg file of that folder, in file
// name order, and a later value replaces an earlier one. Each listener is
// reported once, with the export that sets its protocol versions. When the
// versions are the release's defaults, the listener goes with the export
// that sets the cipher-suite order, or else with the last export of the
// folder. An export named directly
// is read alone, as regedit would import it, on top of the release's
// defaults, and all its listeners are reported. Exports of different
// machines belong in different folders.
package schannel

import (
	"bytes"
	"path/filepath"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
)

// Options are the facts a registry export does not hold.
type Options struct {
	// Windows is the release whose defaults fill absent keys; zero means
	// DefaultWindows.
	Windows Windows
	// DotNet is the .NET Framework version the audited apps target; empty
	// means DefaultDotNet.
	DotNet DotNet
}

func (o Options) withDefaults() Options {
	if o.Windows == 0 {
		o.Windows = DefaultWindows
	}
	if o.DotNet == "" {
		o.DotNet = DefaultDotNet
	}
	return o
}

// Format returns the audit format "schannel" with DefaultWindows and
// DefaultDotNet.
func Format() audit.Format {
	return FormatFor(Options{})
}

// FormatFor returns the audit format "schannel" for opts.
func FormatFor(opts Options) audit.Format {
	return audit.Format{
		Name:   "schannel",
		Detect: Detect,
		Audit: func(path string) ([]audit.Listener, audit.Fixer, error) {
			return Audit(opts, path)
		},
		AuditInFolder: func(path string) ([]audit.Listener, audit.Fixer, error) {
			return AuditInFolder(opts, path)
		},
	}
}

// Detect reports whether the file is a regedit export: its name ends in
// .reg, or its first line is a regedit header. head may be raw or already
// decoded from UTF-16.
func Detect(path string, head []byte) bool {
	if strings.EqualFold(filepath.Ext(path), ".reg") {
		return true
	}
	text, err := audit.DecodeText(path, head)
	if err != nil {
		return false
	}
	first, _, _ := bytes.Cut(bytes.TrimLeft(text, " \t\r\n"), []byte("\n"))
	first = bytes.TrimSpace(first)
	return strings.EqualFold(string(first), headerV5) || strings.EqualFold(string(first), headerV4)
}

// Audit reads the export at path alone, on top of the defaults of
// opts.Windows, and returns all its listeners and the Fixer that writes
// .reg fragments. Errors name the file and line.
func Audit(opts Options, path string) ([]audit.Listener, audit.Fixer, error) {
	exp, err := ParseFile(path)
	if err != nil {
		return nil, nil, err
	}
	m := NewMachine()
	m.Apply(exp)
	listeners, fixer := Effective(m, opts)
	for i := range listeners {
		listeners[i].Notes = append(listeners[i].Notes, "read alone: give the folder to merge this export with the other .reg exports of the machine")
	}
	return listeners, fixer, nil
}

// AuditInFolder merges the export at path with the other .reg files of
// its folder, as the package documentation describes, and returns the
// listeners reported with path and the Fixer. Errors name the file and
// line.
func AuditInFolder(opts Options, path string) ([]audit.Listener, audit.Fixer, error) {
	m, notes, err := LoadMachine(path)
	if err != nil {
		return nil, nil, err
	}
	all, fixer := Effective(m, opts)
	listeners := []audit.Listener{}
	for _, l := range all {
		if l.File != path {
			continue
		}
		l.Notes = append(l.Notes, notes...)
		if len(m.Files) > 1 {
			l.Notes = append(l.Notes, "merged with the other .reg exports of the folder, in this order: "+strings.Join(m.Files, ", "))
		}
		listeners = append(listeners, l)
	}
	return listeners, fixer, nil
}
