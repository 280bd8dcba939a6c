package java

import (
	"slices"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
)

// Fixer writes corrected java.security lines and JVM flags. For a setting
// from jdk.tls.disabledAlgorithms it keeps the rest of the list; for a
// -D flag it rewrites the flag.
type Fixer struct {
	p *Policy
}

// VersionsLine returns the jdk.tls.disabledAlgorithms line that allows
// versions and disables the older ones.
func (f Fixer) VersionsLine(versions []string) string {
	return f.disabledVersionsLine(versions)
}

// SuitesLine returns the jdk.tls.disabledAlgorithms line without the
// entries that disable suites.
func (f Fixer) SuitesLine(suites []string) string {
	return f.disabledSuitesLine(suites)
}

// VersionsLineFor returns the corrected line for the setting s: a
// protocols flag (-Djdk.tls.server.protocols=TLSv1.2,TLSv1.3) or the
// jdk.tls.disabledAlgorithms line.
func (f Fixer) VersionsLineFor(s audit.Setting, versions []string) string {
	if name, ok := flagName(s); ok {
		switch name {
		case "jdk.tls.server.protocols", "jdk.tls.client.protocols", "https.protocols":
			var names []string
			for _, v := range sortVersions(versions) {
				if v == "TLS 1.3" && f.p != nil && !f.p.supportsTLS13() {
					continue
				}
				names = append(names, jsseProtocolName(v))
			}
			return "-D" + name + "=" + strings.Join(names, ",")
		}
	}
	return f.disabledVersionsLine(versions)
}

// SuitesLineFor returns the corrected line for the setting s: the
// enableECC flag, a cipher suites flag, or the jdk.tls.disabledAlgorithms
// line without the entries that remove suites.
func (f Fixer) SuitesLineFor(s audit.Setting, suites []string) string {
	if name, ok := flagName(s); ok {
		switch name {
		case "com.sun.net.ssl.enableECC":
			return "-Dcom.sun.net.ssl.enableECC=true (or remove the flag)"
		case "jdk.tls.server.cipherSuites", "jdk.tls.client.cipherSuites":
			var names []string
			for _, suite := range suites {
				if iana := ianaSuiteName(suite); iana != "" && !slices.Contains(names, jsseSuiteName(iana)) {
					names = append(names, jsseSuiteName(iana))
				}
			}
			return "-D" + name + "=" + strings.Join(names, ",")
		}
	}
	if f.p != nil && f.p.fips != nil && s.Directive == f.p.fips.setting.Directive {
		return "the FIPS provider allows ECDHE with AES-GCM: enable TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 in the application's suite list"
	}
	return f.disabledSuitesLine(suites)
}

// flagName returns the system property of a Setting written as a -D flag.
func flagName(s audit.Setting) (string, bool) {
	rest, ok := strings.CutPrefix(s.Directive, "-D")
	if !ok {
		return "", false
	}
	name, _, _ := strings.Cut(rest, "=")
	return name, true
}

// entries returns the jdk.tls.disabledAlgorithms entries as written,
// include entries kept, with patterns the JDK rejects upper-cased.
func (f Fixer) entries() []string {
	if f.p == nil {
		return nil
	}
	prop, ok := f.p.props["jdk.tls.disabledAlgorithms"]
	if !ok {
		return nil
	}
	var out []string
	for _, raw := range strings.Split(prop.Value, ",") {
		text := strings.TrimSpace(raw)
		if text == "" {
			continue
		}
		if strings.Contains(text, "*") && !strings.HasPrefix(text, "TLS_") && strings.HasPrefix(strings.ToUpper(text), "TLS_") {
			text = strings.ToUpper(text)
		}
		out = append(out, text)
	}
	return out
}

// disabledVersionsLine drops the entries that disable one of versions and
// adds SSLv3, TLSv1 and TLSv1.1 when they are not wanted.
func (f Fixer) disabledVersionsLine(versions []string) string {
	wanted := map[string]bool{}
	for _, v := range versions {
		wanted[strings.ToLower(jsseProtocolName(v))] = true
	}
	var kept []string
	for _, e := range f.entries() {
		if !wanted[strings.ToLower(e)] {
			kept = append(kept, e)
		}
	}
	var add []string
	for _, legacy := range []string{"SSLv3", "TLSv1", "TLSv1.1"} {
		if wanted[strings.ToLower(legacy)] {
			continue
		}
		present := false
		for _, e := range kept {
			present = present || strings.EqualFold(e, legacy)
		}
		if !present {
			add = append(add, legacy)
		}
	}
	return "jdk.tls.disabledAlgorithms=" + strings.Join(append(add, kept...), ", ")
}

// disabledSuitesLine drops the entries that disable one of suites.
func (f Fixer) disabledSuitesLine(suites []string) string {
	var line *jdkLine
	if f.p != nil {
		line = f.p.line
	} else {
		line, _ = lookupJDK("")
	}
	var kept []string
	for _, e := range f.entries() {
		entry := newDisabledEntry(e)
		blocks := false
		for _, s := range suites {
			if iana := ianaSuiteName(s); iana != "" && entry.disablesSuite(iana, line) {
				blocks = true
			}
		}
		if !blocks {
			kept = append(kept, e)
		}
	}
	return "jdk.tls.disabledAlgorithms=" + strings.Join(kept, ", ")
}
