package schannel

import (
	"fmt"
	"slices"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
)

// fixKind is the registry area a fix writes.
type fixKind int

const (
	fixSchannel fixKind = iota
	fixDotNet
	fixWinHTTP
	fixSuites
)

// fixPlan names the keys that fix the setting a listener shows.
type fixPlan struct {
	kind fixKind
	// side is the SCHANNEL side of fixSchannel.
	side Side
	// key is the .NET or WinHTTP key of fixDotNet and fixWinHTTP.
	key string
	// alsoClient adds the SCHANNEL client lines to fixDotNet, for
	// releases whose client has TLS 1.2 off by default.
	alsoClient bool
}

// settingKey identifies a Setting: the value or default it shows.
type settingKey struct {
	file      string
	line      int
	directive string
}

func keyOf(s audit.Setting) settingKey {
	return settingKey{s.File, s.Line, s.Directive}
}

// Fixer writes the .reg fragments that fix a listener, each a complete
// export that regedit imports: the header, the keys and values, and a
// comment that names what to restart.
type Fixer struct {
	windows Windows
	plans   map[settingKey]fixPlan
}

var _ audit.SettingFixer = (*Fixer)(nil)

func newFixer(w Windows) *Fixer {
	return &Fixer{windows: w, plans: map[settingKey]fixPlan{}}
}

// VersionsLine returns the fragment that turns on the versions among
// versions that the release implements, for the SCHANNEL server.
func (f *Fixer) VersionsLine(versions []string) string {
	return f.schannelFix(Server, versions)
}

// SuitesLine returns the fragment that sets the cipher-suite order policy
// to suites, as described at orderFix.
func (f *Fixer) SuitesLine(suites []string) string {
	return f.orderFix(suites)
}

// VersionsLineFor returns the fragment for the registry area behind s:
// the SCHANNEL Protocols keys of its side, the .NET Framework flags, or
// WinHTTP's DefaultSecureProtocols.
func (f *Fixer) VersionsLineFor(s audit.Setting, versions []string) string {
	plan, ok := f.plans[keyOf(s)]
	if !ok {
		return f.schannelFix(Server, versions)
	}
	switch plan.kind {
	case fixDotNet:
		return f.dotNetFix(plan, versions)
	case fixWinHTTP:
		return f.winHTTPFix(plan, versions)
	}
	return f.schannelFix(plan.side, versions)
}

// SuitesLineFor returns the order-policy fragment; every suite setting
// comes from the one order list of the machine.
func (f *Fixer) SuitesLineFor(_ audit.Setting, suites []string) string {
	return f.orderFix(suites)
}

// supported returns the versions among versions that the release
// implements on side, TLS 1.2 when none is.
func (f *Fixer) supported(side Side, versions []string) []string {
	var out []string
	for _, v := range versions {
		if protocolIndex(v) >= 0 && f.windows.supports(side, v) {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		out = []string{"TLS 1.2"}
	}
	return out
}

func (f *Fixer) schannelLines(side Side, versions []string) []string {
	var lines []string
	for _, v := range f.supported(side, versions) {
		lines = append(lines,
			"["+protocolKey(v, side)+"]",
			`"Enabled"=dword:00000001`,
			`"DisabledByDefault"=dword:00000000`,
			"")
	}
	return lines
}

// schannelFix enables versions on side with Enabled=1 and
// DisabledByDefault=0: Enabled alone leaves a protocol that the release
// has off by default (TLS 1.2 on Windows Server 2008 R2) unused.
func (f *Fixer) schannelFix(side Side, versions []string) string {
	lines := f.schannelLines(side, versions)
	lines = append(lines, "; reboot Windows: SCHANNEL reads the Protocols keys at startup")
	return export(lines)
}

// dotNetFix sets SystemDefaultTlsVersions and SchUseStrongCrypto, so the
// app uses the versions Windows enables, and enables those versions for
// the SCHANNEL client when the release has TLS 1.2 off by default.
func (f *Fixer) dotNetFix(plan fixPlan, versions []string) string {
	lines := []string{
		"[" + plan.key + "]",
		`"SystemDefaultTlsVersions"=dword:00000001`,
		`"SchUseStrongCrypto"=dword:00000001`,
		"",
	}
	if plan.alsoClient {
		lines = append(lines, f.schannelLines(Client, versions)...)
		lines = append(lines, "; reboot Windows: SCHANNEL reads the Protocols keys at startup")
	} else {
		lines = append(lines, "; restart the application (iisreset for IIS) so .NET reads the new values")
	}
	if strings.Contains(plan.key, "v2.0.50727") {
		lines = append(lines, "; .NET Framework 3.5 needs the TLS system default update (KB3154518 to KB3154520) for these values")
	}
	return export(lines)
}

// winHTTPFix sets DefaultSecureProtocols to the bits of versions that
// the release's SCHANNEL client implements.
func (f *Fixer) winHTTPFix(plan fixPlan, versions []string) string {
	var mask uint64
	for _, v := range f.supported(Client, versions) {
		for _, bit := range winHTTPBits {
			if bit.protocol == v {
				mask |= bit.bit
			}
		}
	}
	lines := []string{
		"[" + plan.key + "]",
		fmt.Sprintf(`"DefaultSecureProtocols"=dword:%08x`, mask),
		"",
	}
	if f.windows <= Server2012 {
		lines = append(lines, fmt.Sprintf("; %s reads DefaultSecureProtocols only with update KB3140245 installed", f.windows))
	}
	lines = append(lines, "; restart the applications that use WinHTTP")
	return export(lines)
}

// preferredSuites are put first in a fixed order list: the suites both
// Okta and Entra ID offer that the release implements, strongest first.
var preferredSuites = []string{
	"TLS_AES_256_GCM_SHA384",
	"TLS_AES_128_GCM_SHA256",
	"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
	"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
	"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
	"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
	"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
	"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
	"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
}

// orderFix writes the order policy (the key the "SSL Cipher Suite Order"
// group policy sets, which wins over the local list): the preferred
// suites the release implements, then suites, in the release's names.
func (f *Fixer) orderFix(suites []string) string {
	var names []string
	for _, iana := range slices.Concat(preferredSuites, suites) {
		if iana13 := strings.HasPrefix(iana, "TLS_AES_") || strings.HasPrefix(iana, "TLS_CHACHA20_"); iana13 && !f.windows.supports(Server, "TLS 1.3") {
			continue
		}
		for _, name := range f.windows.windowsNamesFor(iana) {
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	lines := []string{
		"[" + policyOrderKey + "]",
		fmt.Sprintf(`"Functions"=%q`, strings.Join(names, ",")),
		"",
		"; reboot Windows; a domain group policy that sets SSL Cipher Suite Order replaces this value at the next refresh, so change it there",
	}
	return export(lines)
}

// export joins lines into a .reg file with regedit's version 5 header.
func export(lines []string) string {
	return strings.Join(append([]string{headerV5, ""}, lines...), "\n")
}
