// Package haproxy audits HAProxy configuration files. For each TLS bind
// line of a frontend or listen section it computes the protocol versions,
// cipher suites and client-certificate mode that HAProxy really uses. The
// global ssl-default-bind-* settings, HAProxy's defaults by version and
// OpenSSL 3.0's security level are applied.
//
// Use Format (Debian 12: HAProxy 2.6.12 with OpenSSL 3.0) or FormatFor to
// register the format with audit.Run, or Audit to read files directly.
package haproxy

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/audit/cipherstring"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// DefaultVersion is the HAProxy version assumed when none is given:
// Debian 12's haproxy package.
const DefaultVersion = "2.6.12"

// Options describe the HAProxy build that runs the audited file.
type Options struct {
	// Version is the HAProxy version, such as "2.6.12". Empty means
	// DefaultVersion. Before 2.2 the bind lines have no default minimum
	// version.
	Version string
	// OpenSSL is the OpenSSL line HAProxy links (Debian 12: OpenSSL30).
	OpenSSL cipherstring.Version
	// SecurityLevel is OpenSSL's level before any @SECLEVEL term: 2 on
	// Debian 12, whose OpenSSL is built with that default.
	SecurityLevel int
}

// DebianOptions are the options of Debian 12: HAProxy 2.6.12 linked with
// OpenSSL 3.0 at security level 2.
var DebianOptions = Options{Version: DefaultVersion, OpenSSL: cipherstring.OpenSSL30, SecurityLevel: 2}

// Format returns the audit format "haproxy" for Debian 12's HAProxy.
func Format() audit.Format {
	return FormatFor(DebianOptions)
}

// FormatFor returns the audit format "haproxy" for the HAProxy build opts.
func FormatFor(opts Options) audit.Format {
	return audit.Format{
		Name:   "haproxy",
		Detect: Detect,
		Audit: func(path string) ([]audit.Listener, audit.Fixer, error) {
			return Audit(opts, path)
		},
		AuditInFolder: func(path string) ([]audit.Listener, audit.Fixer, error) {
			return AuditInFolder(opts, path)
		},
	}
}

var (
	sectionLine = regexp.MustCompile(`(?m)^[ \t]*(frontend|listen|backend)[ \t]+\S+[ \t]*(#.*)?\r?$`)
	globalLine  = regexp.MustCompile(`(?m)^[ \t]*(global|defaults)[ \t]*(#.*)?\r?$`)
	haproxyWord = regexp.MustCompile(`(?m)^[ \t]*(bind|mode|default_backend|use_backend|server|timeout|maxconn|ssl-default-bind-[a-z]+)[ \t]`)
)

// Detect reports whether the file is an HAProxy configuration. Either its
// name contains "haproxy" and ends in .cfg, or its head has a section line
// (frontend, listen, backend, global or defaults) and a keyword that HAProxy
// uses, such as bind or default_backend.
func Detect(path string, head []byte) bool {
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	base := strings.ToLower(filepath.Base(path))
	if strings.Contains(base, "haproxy") && strings.HasSuffix(base, ".cfg") {
		return true
	}
	return (sectionLine.Match(head) || globalLine.Match(head)) && haproxyWord.Match(head)
}

// Audit parses paths as one configuration, reading files and folders of
// *.cfg files as `haproxy -f` does. It returns one Listener per bind line
// with the ssl option in a frontend or listen section, in file order, and
// the Fixer that writes corrected lines. Errors name the file and line.
//
// When the files hold no global section, each listener gets a note that
// the global ssl-default-bind-* lines may sit in another file that HAProxy
// reads first (haproxy -f FOLDER), so the folder is the one to audit.
func Audit(opts Options, paths ...string) ([]audit.Listener, audit.Fixer, error) {
	listeners, cfg, err := auditFiles(opts, paths)
	if err != nil {
		return nil, nil, err
	}
	if !slices.ContainsFunc(cfg.Sections, func(s Section) bool { return s.Kind == "global" }) {
		for i := range listeners {
			listeners[i].Notes = append(listeners[i].Notes, fmt.Sprintf("%s has no global section, so HAProxy's defaults are assumed here; when HAProxy reads a folder (haproxy -f DIR) or several -f files, a global section in another file can set ssl-default-bind-options and ssl-default-bind-ciphers for this bind line: audit the folder or name all the -f files", listeners[i].File))
		}
	}
	return listeners, newFixer(listeners), nil
}

// auditFiles parses paths as one configuration and returns its listeners.
func auditFiles(opts Options, paths []string) ([]audit.Listener, *Config, error) {
	if opts.Version == "" {
		opts.Version = DefaultVersion
	}
	cfg, err := parseFiles(opts.Version, paths)
	if err != nil {
		return nil, nil, err
	}
	listeners, err := Effective(cfg, opts)
	if err != nil {
		return nil, nil, err
	}
	return listeners, cfg, nil
}

// auditAlone audits the file at path alone, as one file of a folder that
// holds no global section before it.
func auditAlone(opts Options, path string) ([]audit.Listener, audit.Fixer, error) {
	listeners, _, err := auditFiles(opts, []string{path})
	if err != nil {
		return nil, nil, err
	}
	return listeners, newFixer(listeners), nil
}

// AuditInFolder audits the file at path as one file of the folder that
// holds it, read as `haproxy -f FOLDER` reads a folder: its *.cfg files in
// lexical order as one configuration. The global sections of the files
// before path apply to its bind lines, and only the listeners of path are
// returned, each with a note naming the earlier files read. audit.Run
// uses it for the files it finds by walking a folder.
//
// A file whose name does not end in .cfg, which haproxy -f FOLDER skips,
// is audited alone. An earlier file that fails to parse is left out, with
// a note, so that its own error, reported for that file, does not hide
// the audit of this one.
func AuditInFolder(opts Options, path string) ([]audit.Listener, audit.Fixer, error) {
	if opts.Version == "" {
		opts.Version = DefaultVersion
	}
	if !strings.HasSuffix(path, ".cfg") {
		return auditAlone(opts, path)
	}
	siblings, err := filepath.Glob(filepath.Join(filepath.Dir(path), "*.cfg"))
	if err != nil {
		return auditAlone(opts, path)
	}
	slices.Sort(siblings)

	// Parse each earlier file alone: those with a global section join the
	// configuration, and those that fail get a note.
	var earlier, notes []string
	for _, f := range siblings {
		if filepath.Base(f) >= filepath.Base(path) {
			break
		}
		cfg, err := parseFiles(opts.Version, []string{f})
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s, read before this file by haproxy -f %s, could not be parsed (%v), so its global section is not applied here", f, filepath.Dir(path), err))
			continue
		}
		if slices.ContainsFunc(cfg.Sections, func(s Section) bool { return s.Kind == "global" }) {
			earlier = append(earlier, f)
		}
	}
	if len(earlier) == 0 && len(notes) == 0 {
		return auditAlone(opts, path)
	}

	cfg, err := parseFiles(opts.Version, append(slices.Clone(earlier), path))
	if err != nil {
		return nil, nil, err
	}
	all, err := Effective(cfg, opts)
	if err != nil {
		return nil, nil, err
	}

	// Keep the listeners of path, with notes on the files read before it.
	listeners := []audit.Listener{}
	for _, l := range all {
		if l.File != path {
			continue
		}
		if len(earlier) > 0 {
			l.Notes = append(l.Notes, fmt.Sprintf("the global sections of %s apply here, because haproxy -f %s reads the folder's *.cfg files in lexical order as one configuration; when HAProxy reads this file alone (-f %s), audit the file by name", strings.Join(earlier, ", "), filepath.Dir(path), path))
		}
		l.Notes = append(l.Notes, notes...)
		listeners = append(listeners, l)
	}
	return listeners, newFixer(listeners), nil
}

// Fixer writes HAProxy bind options. The lines fit both a bind line and
// the global ssl-default-bind-options or ssl-default-bind-ciphers line.
//
// The zero Fixer rewrites each line for one problem alone. The Fixer that
// Audit returns also stores every change that audit.Judge requests for each
// bind line. So each fix of a bind line carries the others (versions,
// ciphers and verify), and pasting any one of them loses none.
type Fixer struct {
	// changes maps "file:line" of a bind line to the options that replace
	// its own, keyed by the option name ("versions", "ciphers", "verify").
	changes map[string]map[string][]string
}

// newFixer judges copies of listeners with a recording Fixer and returns
// the Fixer that applies all changes of a bind line in each of its fixes.
func newFixer(listeners []audit.Listener) Fixer {
	rec := Fixer{changes: map[string]map[string][]string{}}
	for _, l := range listeners {
		l.Notes = slices.Clone(l.Notes)
		audit.Judge(&l, recorder{rec})
	}
	return rec
}

// recorder is the Fixer that newFixer passes to audit.Judge: it records
// the options each fix sets on a bind line.
type recorder struct{ f Fixer }

func (r recorder) VersionsLine(versions []string) string { return r.f.VersionsLine(versions) }
func (r recorder) SuitesLine(suites []string) string     { return r.f.SuitesLine(suites) }

func (r recorder) VersionsLineFor(s audit.Setting, versions []string) string {
	r.f.record(s, "versions", strings.Fields(versionOptions(versions)))
	return ""
}

func (r recorder) SuitesLineFor(s audit.Setting, suites []string) string {
	r.f.record(s, "ciphers", []string{"ciphers", strings.TrimPrefix(r.f.SuitesLine(suites), "ciphers ")})
	return ""
}

func (r recorder) ClientCertificateLine(s audit.Setting) string {
	r.f.record(s, "verify", []string{"verify", "optional"})
	return ""
}

func (f Fixer) record(s audit.Setting, option string, words []string) {
	if f.changes == nil || !strings.HasPrefix(s.Directive, "bind ") {
		return
	}
	key := fmt.Sprintf("%s:%d", s.File, s.Line)
	if f.changes[key] == nil {
		f.changes[key] = map[string][]string{}
	}
	f.changes[key][option] = words
}

// rewriteBind returns the bind line s.Directive with option set to words
// and the other recorded changes of the same line applied, in the order
// versions, ciphers, verify.
func (f Fixer) rewriteBind(s audit.Setting, option string, words []string) string {
	pending := map[string][]string{}
	for k, v := range f.changes[fmt.Sprintf("%s:%d", s.File, s.Line)] {
		pending[k] = v
	}
	pending[option] = words
	drop := map[string]int{}
	if _, ok := pending["versions"]; ok {
		for k, v := range versionOptionArity {
			drop[k] = v
		}
	}
	if _, ok := pending["ciphers"]; ok {
		drop["ciphers"] = 1
	}
	if _, ok := pending["verify"]; ok {
		drop["verify"] = 1
	}
	line := dropOptions(strings.Fields(s.Directive), drop)
	for _, k := range []string{"versions", "ciphers", "verify"} {
		line = append(line, pending[k]...)
	}
	return strings.Join(line, " ")
}

var versionKeywords = map[string]string{
	"SSL 3.0": "SSLv3", "TLS 1.0": "TLSv1.0", "TLS 1.1": "TLSv1.1", "TLS 1.2": "TLSv1.2", "TLS 1.3": "TLSv1.3",
}

// VersionsLine returns "ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.3" for the
// lowest and highest of versions. A range cannot have holes, so versions
// in between are allowed too, and no-tlsv1x or force-tlsvXX options on the
// same line must go.
func (Fixer) VersionsLine(versions []string) string {
	lo, hi := -1, -1
	for i, name := range versionNames {
		for _, v := range versions {
			if v == name {
				if lo < 0 {
					lo = i
				}
				hi = i
			}
		}
	}
	if lo < 0 {
		return "ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.3"
	}
	return fmt.Sprintf("ssl-min-ver %s ssl-max-ver %s (replacing any no-tlsv1x and force-tlsvXX option)", versionKeywords[versionNames[lo]], versionKeywords[versionNames[hi]])
}

// SuitesLine returns "ciphers NAME:NAME..." with the OpenSSL names of the
// TLS 1.2-and-older suites among suites (IANA names), in order. Suites that
// OpenSSL does not implement are left out.
func (Fixer) SuitesLine(suites []string) string {
	var names []string
	for _, s := range suites {
		info, ok := registry.SuiteByName(s)
		if !ok {
			continue
		}
		if name, ok := openSSLNames()[info.ID]; ok && !containsString(names, name) {
			names = append(names, name)
		}
	}
	return "ciphers " + strings.Join(names, ":")
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// openSSLNames maps IANA ids to OpenSSL names for every suite OpenSSL 3.0
// implements.
var openSSLNames = sync.OnceValue(func() map[uint16]string {
	table := map[uint16]string{}
	if r, err := cipherstring.Evaluate("ALL:COMPLEMENTOFALL", cipherstring.OpenSSL30, cipherstring.Options{}); err == nil {
		for _, s := range r.Suites {
			table[s.ID] = s.Name
		}
	}
	return table
})

// versionOptionArity maps the bind options that set protocol versions to
// the number of values each takes.
var versionOptionArity = map[string]int{
	"ssl-min-ver": 1, "ssl-max-ver": 1,
	"no-sslv3": 0, "no-tlsv10": 0, "no-tlsv11": 0, "no-tlsv12": 0, "no-tlsv13": 0,
	"force-sslv3": 0, "force-tlsv10": 0, "force-tlsv11": 0, "force-tlsv12": 0, "force-tlsv13": 0,
}

// VersionsLineFor rewrites the line that set the versions: the bind line
// or the global ssl-default-bind-options line, with its version options
// replaced and its other options kept, so the result can be pasted over
// the line at fault. A default gets a global line.
func (f Fixer) VersionsLineFor(s audit.Setting, versions []string) string {
	options := versionOptions(versions)
	words := strings.Fields(s.Directive)
	if len(words) == 0 || (words[0] != "bind" && words[0] != "ssl-default-bind-options") {
		return "ssl-default-bind-options " + options
	}
	if words[0] == "bind" {
		return f.rewriteBind(s, "versions", strings.Fields(options))
	}
	kept := dropOptions(words, versionOptionArity)
	return strings.Join(kept, " ") + " " + options
}

// versionOptions returns "ssl-min-ver X ssl-max-ver Y" for versions.
func versionOptions(versions []string) string {
	return strings.TrimSuffix(Fixer{}.VersionsLine(versions), " (replacing any no-tlsv1x and force-tlsvXX option)")
}

// SuitesLineFor rewrites the line that set the suites: the bind line with
// its ciphers option replaced, or the global ssl-default-bind-ciphers line.
func (f Fixer) SuitesLineFor(s audit.Setting, suites []string) string {
	ciphers := strings.TrimPrefix(f.SuitesLine(suites), "ciphers ")
	words := strings.Fields(s.Directive)
	if len(words) > 0 && words[0] == "bind" {
		return f.rewriteBind(s, "ciphers", []string{"ciphers", ciphers})
	}
	return "ssl-default-bind-ciphers " + ciphers
}

// ClientCertificateLine rewrites the bind line that requires a client
// certificate with verify optional, its other options kept. optional still
// verifies a certificate that a client sends; the listener's note names
// verify none, which stops asking for one.
func (f Fixer) ClientCertificateLine(s audit.Setting) string {
	words := strings.Fields(s.Directive)
	if len(words) > 0 && words[0] == "bind" {
		return f.rewriteBind(s, "verify", []string{"verify", "optional"})
	}
	return "verify optional"
}

// dropOptions returns words without the options named in drop and their
// values.
func dropOptions(words []string, drop map[string]int) []string {
	var kept []string
	for i := 0; i < len(words); i++ {
		if n, ok := drop[words[i]]; ok {
			i += n
			continue
		}
		kept = append(kept, words[i])
	}
	return kept
}
