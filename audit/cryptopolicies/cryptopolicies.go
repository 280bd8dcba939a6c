// Package cryptopolicies audits the system-wide cryptographic policy of
// Red Hat Enterprise Linux and Fedora (crypto-policies): the policy named
// in /etc/crypto-policies/config, such as "DEFAULT:AD-SUPPORT", custom
// policy (.pol) and module (.pmod) files, and the built-in policies of
// RHEL 8, 9 and 10. For each it computes the TLS versions and cipher
// suites that an OpenSSL-linked server and a Java (JSSE) server on the host
// get when they set none of their own. The GnuTLS and NSS back ends are
// not computed.
//
// Use Format or FormatFor to register the format with audit.Run, or Load
// with Effective and EffectiveJava to compute a policy directly.
package cryptopolicies

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
)

// Options select the release whose built-in policies apply.
type Options struct {
	// Release is the RHEL major release (the --rhel option); 0 means
	// DefaultRelease.
	Release Release
}

// Format returns the audit format "crypto-policies" for RHEL 9.
func Format() audit.Format {
	return FormatFor(Options{Release: DefaultRelease})
}

// FormatFor returns the audit format "crypto-policies" for opts.Release.
func FormatFor(opts Options) audit.Format {
	return audit.Format{
		Name:   "crypto-policies",
		Detect: Detect,
		Audit: func(path string) ([]audit.Listener, audit.Fixer, error) {
			return Audit(path, opts)
		},
	}
}

var configLine = regexp.MustCompile(`^[A-Z][A-Z0-9_-]*(:[A-Z0-9_-]+)*$`)

// Detect reports whether the file is crypto-policies input: a .pol or
// .pmod file, or a file named config under a crypto-policies folder (or
// any file named config) whose only non-comment line names a policy in
// capitals, such as "DEFAULT:SHA1".
func Detect(path string, head []byte) bool {
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	ext := filepath.Ext(path)
	if ext == ".pol" || ext == ".pmod" {
		return true
	}
	if filepath.Base(path) != "config" {
		return false
	}
	var lines []string
	for _, line := range strings.Split(string(head), "\n") {
		text, _, _ := strings.Cut(line, "#")
		if text = strings.TrimSpace(text); text != "" {
			lines = append(lines, text)
		}
	}
	return len(lines) == 1 && configLine.MatchString(lines[0]) &&
		(strings.Contains(filepath.ToSlash(path), "crypto-policies/") || len(head) < 256)
}

// Audit computes the policy of the file at path: a config file's policy
// with custom files from the policies folder beside it, a .pol file as a
// policy of its own, or a .pmod file applied on top of DEFAULT. Errors
// name the file and line.
func Audit(path string, opts Options) ([]audit.Listener, audit.Fixer, error) {
	if opts.Release == 0 {
		opts.Release = DefaultRelease
	}
	dir := filepath.Dir(path)
	var spec Spec
	var cfg *ConfigFile
	load := LoadOptions{Release: opts.Release}
	switch filepath.Ext(path) {
	case ".pol":
		p, err := ParseFile(path)
		if err != nil {
			return nil, nil, err
		}
		spec = Spec{Policy: p.Name}
		load.Dirs = []string{dir}
		load.Parsed = []*Policy{p}
	case ".pmod":
		p, err := ParseFile(path)
		if err != nil {
			return nil, nil, err
		}
		spec = Spec{Policy: "DEFAULT", Modules: []string{p.Name}}
		load.Parsed = []*Policy{p}
		// A module sits in policies/modules, so a custom DEFAULT would be
		// in the parent folder.
		if filepath.Base(dir) == "modules" {
			load.Dirs = []string{filepath.Dir(dir)}
		}
	default:
		var err error
		cfg, err = ParseConfig(path)
		if err != nil {
			return nil, nil, err
		}
		spec = cfg.Spec
		load.Dirs = []string{filepath.Join(dir, "policies")}
	}

	c, err := Load(spec, load)
	if err != nil {
		line := 0
		if cfg != nil {
			line = cfg.Line
		}
		return nil, nil, &ParseError{File: path, Line: line, Reason: err.Error()}
	}

	l := Effective(c)
	if cfg != nil {
		l.File, l.Line = cfg.Path, cfg.Line
	} else if l.File == "" {
		l.File = path
	}
	listeners := []audit.Listener{l}
	javaListener, err := EffectiveJava(c)
	if err != nil {
		listeners[0].Notes = append(listeners[0].Notes, fmt.Sprintf("the Java back end was not audited: %v", err))
	} else {
		javaListener.File, javaListener.Line = l.File, l.Line
		listeners = append(listeners, javaListener)
	}
	if filepath.Ext(path) == ".pmod" {
		for i := range listeners {
			listeners[i].Notes = append(listeners[i].Notes, "a module alone is audited on top of the DEFAULT policy")
		}
	}
	return listeners, Fixer{Composite: c, Config: cfg}, nil
}

// Fixer writes the policy change that gives the IdPs a shared version or
// suite: the line to change in a custom policy or module, or the policy to
// set with update-crypto-policies.
type Fixer struct {
	Composite *Composite
	Config    *ConfigFile
}

// VersionsLine returns the fix for the versions when no directive is known.
func (f Fixer) VersionsLine(versions []string) string {
	return f.VersionsLineFor(audit.Setting{}, versions)
}

// SuitesLine returns the fix for the suites when no directive is known.
func (f Fixer) SuitesLine(suites []string) string {
	return f.SuitesLineFor(audit.Setting{}, suites)
}

// VersionsLineFor returns "protocol@TLS = TLS1.3 TLS1.2" for the custom
// file that set the versions, or the command that switches the host to a
// built-in policy with TLS 1.2 and 1.3.
func (f Fixer) VersionsLineFor(s audit.Setting, versions []string) string {
	var names []string
	for i := len(versionNames) - 1; i >= 0; i-- {
		for _, v := range versions {
			if v == versionNames[i] {
				names = append(names, policyNames[i])
			}
		}
	}
	if len(names) == 0 {
		names = []string{"TLS1.3", "TLS1.2"}
	}
	if s.Line > 0 {
		return fmt.Sprintf("protocol@TLS = %s DTLS1.2 (in %s), then run update-crypto-policies --set %s", strings.Join(names, " "), s.File, f.spec())
	}
	return f.setCommand("DEFAULT")
}

// SuitesLineFor returns a custom module that adds the AES-GCM ciphers and
// the ECDHE key exchange the IdPs offer, and the command that applies it.
func (f Fixer) SuitesLineFor(s audit.Setting, suites []string) string {
	spec := f.spec() + ":SCIM-IDP"
	return fmt.Sprintf("create /etc/crypto-policies/policies/modules/SCIM-IDP.pmod with the lines cipher@TLS = AES-256-GCM+ AES-128-GCM+, key_exchange = ECDHE+ and mac = AEAD+, then run update-crypto-policies --set %s", spec)
}

func (f Fixer) spec() string {
	if f.Composite == nil {
		return "DEFAULT"
	}
	return f.Composite.Spec.String()
}

// setCommand returns the switch to policy, keeping the modules.
func (f Fixer) setCommand(policy string) string {
	spec := Spec{Policy: policy}
	if f.Composite != nil {
		for _, m := range f.Composite.Spec.Modules {
			if m != "OSPP" {
				spec.Modules = append(spec.Modules, m)
			}
		}
	}
	where := "/etc/crypto-policies/config"
	if f.Config != nil {
		where = fmt.Sprintf("%s:%d", f.Config.Path, f.Config.Line)
	}
	return fmt.Sprintf("update-crypto-policies --set %s (which writes %s to %s), then restart the TLS services", spec, spec, where)
}
