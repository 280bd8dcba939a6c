package java

import (
	"fmt"
	"slices"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// jsseProtocols maps JSSE protocol names to the audit's version names,
// oldest first.
var jsseProtocols = []struct{ jsse, version string }{
	{"SSLv3", "SSL 3.0"}, {"TLSv1", "TLS 1.0"}, {"TLSv1.1", "TLS 1.1"}, {"TLSv1.2", "TLS 1.2"}, {"TLSv1.3", "TLS 1.3"},
}

// versionName returns the audit's name of a JSSE protocol name, matched
// without regard to case, or of an audit version name itself.
func versionName(name string) (string, bool) {
	name = strings.TrimSpace(name)
	for _, p := range jsseProtocols {
		if strings.EqualFold(name, p.jsse) || strings.EqualFold(name, p.version) {
			return p.version, true
		}
	}
	return "", false
}

// jsseProtocolName returns the JSSE name of an audit version name.
func jsseProtocolName(version string) string {
	for _, p := range jsseProtocols {
		if p.version == version {
			return p.jsse
		}
	}
	return version
}

// sortVersions orders audit version names oldest first.
func sortVersions(versions []string) []string {
	var out []string
	for _, p := range jsseProtocols {
		if slices.Contains(versions, p.version) {
			out = append(out, p.version)
		}
	}
	return out
}

// side names one end of the JVM's connections.
type side int

const (
	serverSide side = iota
	clientSide
	// httpsSide is HttpsURLConnection, the only client that reads
	// https.protocols.
	httpsSide
)

// protocolsProperty returns the system property that sets the default
// protocols of a side.
func (s side) protocolsProperty() string {
	switch s {
	case serverSide:
		return "jdk.tls.server.protocols"
	case httpsSide:
		return "https.protocols"
	}
	return "jdk.tls.client.protocols"
}

// versionsResult is the outcome of computing a side's versions.
type versionsResult struct {
	versions []string
	// by is the setting that decides them: the setting that removes
	// TLS 1.2 when it is missing, else the protocols flag or
	// jdk.tls.disabledAlgorithms.
	by audit.Setting
	// fatal is set when the JVM cannot make a TLS connection on the side.
	fatal string
}

// sideVersions computes the versions of a side. requested are the JSSE
// protocol names the application enables itself (Tomcat's protocols
// attribute); nil means the JVM's defaults.
func (p *Policy) sideVersions(s side, requested []string) versionsResult {
	var res versionsResult
	res.by = p.disabledSetting
	if p.disabled.fatal != "" {
		res.fatal = p.disabled.fatal
		return res
	}

	candidates := requested
	var flag *Flag
	if requested == nil {
		candidates = p.line.serverProtocols
		if s != serverSide {
			candidates = p.line.clientProtocols
		}
		if f, ok := p.propertyFlag(s); ok {
			flag = &f
			candidates = nil
			for _, name := range strings.Split(f.Value, ",") {
				name = strings.TrimSpace(name)
				if name == "" || name == "SSLv2Hello" {
					continue
				}
				if _, ok := versionName(name); !ok {
					// Measured on JDK 17.0.21: an unknown name in
					// jdk.tls.server.protocols makes the default
					// SSLContext fail.
					res.by = flagSetting(f)
					effect := "the JVM fails to create its default SSLContext and every TLS connection on that side fails"
					if s == httpsSide {
						effect = "every HttpsURLConnection fails when it enables the protocols"
					}
					res.fatal = fmt.Sprintf("%s (%s) names the invalid protocol %q, which JSSE does not know, so %s", f.Text, location(f.File, f.Line), name, effect)
					return res
				}
				candidates = append(candidates, name)
			}
			res.by = flagSetting(f)
		}
	}

	var versions []string
	tls12Disabled := false
	for _, name := range candidates {
		version, ok := versionName(name)
		if !ok || (version == "TLS 1.3" && !p.supportsTLS13()) {
			continue
		}
		if p.protocolDisabled(jsseProtocolName(version)) {
			tls12Disabled = tls12Disabled || version == "TLS 1.2"
			continue
		}
		versions = append(versions, version)
	}
	res.versions = sortVersions(versions)
	if tls12Disabled || (flag == nil && requested == nil) {
		res.by = p.disabledSetting
	}
	return res
}

// propertyFlag returns the flag that sets the default protocols of a
// side, when the JDK line reads it and its value is not empty (an empty
// value means the defaults, measured on JDK 17.0.21).
func (p *Policy) propertyFlag(s side) (Flag, bool) {
	f, ok := p.flags[s.protocolsProperty()]
	if !ok || strings.TrimSpace(f.Value) == "" {
		return Flag{}, false
	}
	if s == serverSide && !p.line.serverProperty {
		return Flag{}, false
	}
	return f, true
}

func (p *Policy) supportsTLS13() bool {
	return slices.Contains(p.line.serverProtocols, "TLSv1.3")
}

func (p *Policy) protocolDisabled(jsse string) bool {
	for _, e := range p.disabled.entries {
		if e.disablesProtocol(jsse) {
			return true
		}
	}
	return false
}

// suitesResult is the outcome of computing a side's suites.
type suitesResult struct {
	// suites are TLS 1.2-and-older suites, suites13 TLS 1.3 suites, both
	// IANA names in JSSE's order.
	suites, suites13 []string
	// all are both lists merged in the order the JVM enables them.
	all []string
	// by is the setting that removes TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
	// when it is missing, else jdk.tls.disabledAlgorithms or the suites
	// flag.
	by audit.Setting
}

// probeSuite is the suite whose absence names the setting to fix: every
// IdP client offers it.
const probeSuite = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"

// sideSuites computes the suites of a side for the given versions.
// requested are the suites (IANA or JSSE names) the application enables
// itself; nil means the JVM's defaults.
func (p *Policy) sideSuites(s side, requested []string, versions []string) suitesResult {
	var res suitesResult
	res.by = p.disabledSetting
	candidates := p.line.suites
	if requested != nil {
		candidates = requested
	} else if f, ok := p.suitesFlag(s); ok {
		candidates = strings.Split(f.Value, ",")
		res.by = flagSetting(f)
	}
	ecc := true
	eccFlag, hasECCFlag := p.flags["com.sun.net.ssl.enableECC"]
	if hasECCFlag && strings.EqualFold(strings.TrimSpace(eccFlag.Value), "false") {
		ecc = false
	}

	var jsseVersions []string
	for _, v := range versions {
		jsseVersions = append(jsseVersions, jsseProtocolName(v))
	}
	seen := map[string]bool{}
	for _, raw := range candidates {
		name := ianaSuiteName(raw)
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		kx, _, _, ok := suiteParts(name)
		if !ok {
			continue
		}
		removedBy, removed := p.suiteRemoval(name, kx, ecc, eccFlag)
		if removed {
			if name == probeSuite {
				res.by = removedBy
			}
			continue
		}
		usable := false
		for _, v := range suiteVersions(name) {
			usable = usable || slices.Contains(jsseVersions, v)
		}
		if !usable {
			continue
		}
		res.all = append(res.all, name)
		if kx == "" {
			res.suites13 = append(res.suites13, name)
		} else {
			res.suites = append(res.suites, name)
		}
	}
	return res
}

// suiteRemoval reports whether jdk.tls.disabledAlgorithms,
// com.sun.net.ssl.enableECC=false or a FIPS provider removes a suite, and
// the setting that does.
func (p *Policy) suiteRemoval(name, kx string, ecc bool, eccFlag Flag) (audit.Setting, bool) {
	for _, e := range p.disabled.entries {
		if e.disablesSuite(name, p.line) {
			return p.disabledSetting, true
		}
	}
	if !ecc && strings.HasPrefix(kx, "ECDH") {
		// Measured on JDK 17.0.21: enableECC=false removes every ECDH and
		// ECDHE suite and leaves the TLS 1.3 suites, which use the ffdhe
		// groups then.
		return flagSetting(eccFlag), true
	}
	if p.fips != nil && p.fips.narrows && !fipsApproved(name, kx) {
		return p.fips.setting, true
	}
	return audit.Setting{}, false
}

// suitesFlag returns jdk.tls.server.cipherSuites or
// jdk.tls.client.cipherSuites, which replace a side's default suites.
func (p *Policy) suitesFlag(s side) (Flag, bool) {
	name := "jdk.tls.server.cipherSuites"
	if s != serverSide {
		name = "jdk.tls.client.cipherSuites"
	}
	f, ok := p.flags[name]
	if !ok || strings.TrimSpace(f.Value) == "" || !p.line.serverProperty {
		return Flag{}, false
	}
	return f, true
}

// ianaSuiteName returns the IANA name of a JSSE or IANA suite name, or
// "" for a name no registry entry has.
func ianaSuiteName(name string) string {
	name = strings.TrimSpace(name)
	if rest, ok := strings.CutPrefix(name, "SSL_"); ok {
		name = "TLS_" + rest
	}
	if info, ok := registry.SuiteByName(name); ok {
		return info.Name
	}
	return ""
}

// ServerVersions returns the protocol versions ("TLS 1.2") a JSSE server
// socket of this JVM allows, oldest first, and the setting that decides
// them: the one to fix when TLS 1.2 is missing. requested are the JSSE
// protocol names the server enables itself, such as Tomcat's
// protocols="TLSv1.2+TLSv1.3" as ["TLSv1.2", "TLSv1.3"]; nil means the
// JVM's defaults (jdk.tls.server.protocols, else the JDK line's).
// jdk.tls.disabledAlgorithms removes versions in both cases.
func (p *Policy) ServerVersions(requested []string) ([]string, audit.Setting) {
	res := p.sideVersions(serverSide, requested)
	return res.versions, res.by
}

// ServerSuites returns the TLS 1.2-and-older and TLS 1.3 cipher suites
// (IANA names, JSSE's order) a JSSE server socket allows with the given
// versions (as ServerVersions returns them), and the setting to fix when
// TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 is missing. requested are the
// suites the server enables itself (Tomcat's ciphers attribute, IANA or
// JSSE names); nil means the JVM's defaults. jdk.tls.disabledAlgorithms,
// com.sun.net.ssl.enableECC=false and a FIPS provider remove suites in
// both cases.
func (p *Policy) ServerSuites(requested []string, versions []string) (suites, suites13 []string, by audit.Setting) {
	res := p.sideSuites(serverSide, requested, versions)
	return res.suites, res.suites13, res.by
}

// ClientVersions returns the versions the JVM's default SSLContext offers
// as a client (HttpClient, Apache HttpClient, JDBC drivers), oldest first,
// and the setting that decides them. HttpsURLConnection uses
// https.protocols instead when set: see Listeners.
func (p *Policy) ClientVersions() ([]string, audit.Setting) {
	res := p.sideVersions(clientSide, nil)
	return res.versions, res.by
}
