package java

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
)

// Options describe the JVM that reads the audited files.
type Options struct {
	// JDK is the JDK line: "7", "8" (before 8u291), "8u291", "11", "17",
	// "21" or "25". Empty means DefaultJDK.
	JDK string
	// Overrides are security properties files the JVM is given with
	// -Djava.security.properties=FILE, applied in order after the master
	// file when security.overridePropertiesFile is true.
	Overrides []string
	// Flags are JVM options as written on a command line, such as
	// "-Dhttps.protocols=TLSv1 -Dcom.sun.net.ssl.enableECC=false". They
	// win over flags found in files.
	Flags string
	// JavaHome is the JDK's folder, which ${java.home} in an include line
	// expands to. Empty expands it to "" as the JDK does for an unset
	// system property.
	JavaHome string
}

// Policy is the TLS policy of one JVM: its security properties (the
// master java.security or the JDK line's own, then overrides) and its
// system properties.
type Policy struct {
	line  *jdkLine
	props map[string]Property
	flags map[string]Flag
	// disabled is jdk.tls.disabledAlgorithms, parsed, and disabledSetting
	// where it comes from.
	disabled        disabledList
	disabledSetting audit.Setting
	// fips is the FIPS provider that narrows the suites, if any.
	fips *fipsMode
	// file is the file the listeners are attributed to.
	file  string
	notes []string
}

// Load reads the files at paths, in order, as the JVM would see them
// together. Security properties files (java.security, *.security, files
// with jdk.tls.disabledAlgorithms= or security.provider.N= lines) are the
// master file when they register providers and set
// jdk.certpath.disabledAlgorithms, and override files otherwise. Other
// files are read for JVM options (-Dname=value). Errors name the file and
// line.
func Load(paths []string, opts Options) (*Policy, error) {
	line, err := lookupJDK(opts.JDK)
	if err != nil {
		return nil, err
	}
	p := &Policy{line: line, props: map[string]Property{}, flags: map[string]Flag{}}
	if len(paths) > 0 {
		p.file = paths[0]
	}

	// Flags first: include lines may expand ${name} from them.
	var securityPaths []string
	for _, path := range paths {
		data, err := audit.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if isSecurityFile(path, data) {
			securityPaths = append(securityPaths, path)
			continue
		}
		p.addFlags(ParseFlags(path, data))
	}
	if strings.TrimSpace(opts.Flags) != "" {
		p.addFlags(ParseFlags("", []byte(strings.Join(strings.Fields(opts.Flags), "\n"))))
	}
	sysprops := map[string]string{"java.home": opts.JavaHome}
	for name, f := range p.flags {
		sysprops[name] = f.Value
	}

	var files []*securityFile
	for _, path := range securityPaths {
		f, err := loadSecurityFile(path, line, sysprops, nil)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	if err := p.applySecurityFiles(files, opts, sysprops); err != nil {
		return nil, err
	}
	p.evaluate()
	return p, nil
}

func (p *Policy) addFlags(flags []Flag) {
	for _, f := range flags {
		p.flags[f.Name] = f
	}
}

// applySecurityFiles fills p.props: the master file among files (or the
// JDK line's own java.security), then the override named by
// -Djava.security.properties, opts.Overrides and the other audited
// security files, when the master allows overrides.
func (p *Policy) applySecurityFiles(files []*securityFile, opts Options, sysprops map[string]string) error {
	var master *securityFile
	var overrides []*securityFile
	for _, f := range files {
		if f.master() && master == nil {
			master = f
			continue
		}
		overrides = append(overrides, f)
	}
	if master != nil {
		p.setAll(master.props)
	} else {
		p.props["jdk.tls.disabledAlgorithms"] = Property{Key: "jdk.tls.disabledAlgorithms", Value: p.line.disabled}
		p.props["security.overridePropertiesFile"] = Property{Key: "security.overridePropertiesFile", Value: "true"}
	}

	// The JVM reads one -Djava.security.properties value: "=FILE"
	// replaces the master, "FILE" adds to it.
	var named *securityFile
	replace := false
	if flag, ok := p.flags["java.security.properties"]; ok {
		value := flag.Value
		replace = strings.HasPrefix(value, "=")
		value = strings.TrimPrefix(value, "=")
		path, found := resolveOverride(value, flag, overrides)
		switch {
		case !found:
			p.notes = append(p.notes, fmt.Sprintf("%s (%s) names a file that is not among the audited files and not found on disk: its settings are unknown here; audit it with the other files", flag.Text, location(flag.File, flag.Line)))
		default:
			for _, f := range overrides {
				if f.path == path {
					named = f
				}
			}
			if named == nil {
				f, err := loadSecurityFile(path, p.line, sysprops, nil)
				if err != nil {
					return err
				}
				named = f
			}
		}
	}
	for _, path := range opts.Overrides {
		f, err := loadSecurityFile(path, p.line, sysprops, nil)
		if err != nil {
			return err
		}
		overrides = append(overrides, f)
	}
	if named == nil && len(overrides) == 0 {
		return nil
	}

	allow := p.props["security.overridePropertiesFile"]
	if !strings.EqualFold(strings.TrimSpace(allow.Value), "true") {
		where := "absent from " + master.path
		if allow.File != "" {
			where = "set to " + allow.Value + " at " + location(allow.File, allow.Line)
		}
		p.notes = append(p.notes, fmt.Sprintf("security.overridePropertiesFile is %s, so the JVM ignores -Djava.security.properties files and the audit does too", where))
		return nil
	}
	if named != nil && replace {
		p.props = map[string]Property{}
		p.setAll(named.props)
		p.notes = append(p.notes, fmt.Sprintf("-Djava.security.properties==%s replaces the master java.security entirely: a key it lacks is unset", named.path))
		return nil
	}
	if named != nil {
		p.setAll(named.props)
	}
	for _, f := range overrides {
		if f == named {
			continue
		}
		if master == nil {
			p.notes = append(p.notes, fmt.Sprintf("%s is read as a -Djava.security.properties file added to the java.security of %s", f.path, p.line.update))
		}
		p.setAll(f.props)
	}
	return nil
}

func (p *Policy) setAll(props []Property) {
	for _, prop := range props {
		p.props[prop.Key] = prop
	}
}

// evaluate parses jdk.tls.disabledAlgorithms, finds the FIPS provider and
// collects the notes on flags that do nothing.
func (p *Policy) evaluate() {
	prop, ok := p.props["jdk.tls.disabledAlgorithms"]
	switch {
	case !ok:
		p.disabledSetting = audit.Setting{File: p.file, Directive: "jdk.tls.disabledAlgorithms absent from the security properties: the JVM disables no protocol or suite"}
	case prop.File == "":
		source := ""
		if p.line.disabledSource != "" {
			source = ", " + p.line.disabledSource
		}
		p.disabledSetting = audit.Setting{Directive: fmt.Sprintf("default of %s (its own java.security, as no master file was audited%s): jdk.tls.disabledAlgorithms=%s", p.line.update, source, prop.Value)}
	default:
		p.disabledSetting = prop.setting()
	}
	p.disabled = parseDisabled(prop.Value, p.line, func(name string) (string, bool) {
		v, ok := p.props[name]
		return v.Value, ok
	})

	for _, e := range p.disabled.entries {
		if e.pattern && !p.line.wildcards {
			p.notes = append(p.notes, fmt.Sprintf("jdk.tls.disabledAlgorithms entry %q is a suite pattern, which %s does not understand: it disables nothing there", e.text, p.line.update))
		}
	}

	if inc, ok := p.props["include"]; ok && !p.line.include {
		p.notes = append(p.notes, fmt.Sprintf("%s: include lines work from JDK 24 on; %s reads \"include\" as an ordinary property and includes nothing", location(inc.File, inc.Line), p.line.update))
	}
	if f, ok := p.flags["jdk.tls.disabledAlgorithms"]; ok {
		p.notes = append(p.notes, fmt.Sprintf("%s (%s) has no effect: jdk.tls.disabledAlgorithms is a security property, read only from java.security or a -Djava.security.properties file", f.Text, location(f.File, f.Line)))
	}
	if f, ok := p.flags["jdk.tls.server.protocols"]; ok && !p.line.serverProperty {
		p.notes = append(p.notes, fmt.Sprintf("%s (%s) has no effect on %s: the system property arrived with the TLS 1.3 code of JDK 11 and 8u261", f.Text, location(f.File, f.Line), p.line.update))
	}
	if f, ok := p.flags["jdk.tls.client.protocols"]; ok && p.line.name == "7" {
		p.notes = append(p.notes, fmt.Sprintf("%s (%s) needs JDK 7u95 or later; earlier JDK 7 updates ignore it", f.Text, location(f.File, f.Line)))
	}

	if !strings.HasPrefix(p.line.suitesSource, "measured") {
		// NOTE: a list taken from a ClientHello lacks the suites that the
		// line's own java.security disabled, so re-enabling them in an
		// audited file does not bring them back here.
		p.notes = append(p.notes, fmt.Sprintf("the suites %s enables by default are modeled from the %s, not measured", p.line.update, p.line.suitesSource))
	}
	p.fips = detectFIPS(p.props, p.flags)
	if p.fips != nil {
		p.notes = append(p.notes, p.fips.note)
	}
}

// location returns "file:line", or "command line" for a flag given in
// Options.Flags.
func location(file string, line int) string {
	if file == "" {
		return "command line"
	}
	return fmt.Sprintf("%s:%d", file, line)
}

// flagSetting returns the Setting of a flag.
func flagSetting(f Flag) audit.Setting {
	return audit.Setting{File: f.File, Line: f.Line, Directive: f.Directive()}
}

// JDK returns the JDK line the policy models, such as "17".
func (p *Policy) JDK() string {
	return p.line.name
}

// Notes returns facts about the policy that judge nothing, such as a flag
// that has no effect or the FIPS provider in use.
func (p *Policy) Notes() []string {
	return slices.Clone(p.notes)
}

// Property returns the effective security property key and whether it is
// set. A property of the JDK line's own java.security has File "".
func (p *Policy) Property(key string) (Property, bool) {
	prop, ok := p.props[key]
	return prop, ok
}

// Flag returns the system property name set with -Dname=value and whether
// it is set.
func (p *Policy) Flag(name string) (Flag, bool) {
	f, ok := p.flags[name]
	return f, ok
}

// DisabledSetting returns where jdk.tls.disabledAlgorithms comes from: a
// line of an audited file or the JDK line's default.
func (p *Policy) DisabledSetting() audit.Setting {
	return p.disabledSetting
}

func (p *Policy) baseName() string {
	if p.file == "" {
		return "the JVM"
	}
	return filepath.Base(p.file)
}
