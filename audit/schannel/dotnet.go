package schannel

import (
	"fmt"
	"strings"
)

// DotNet is the .NET Framework version an application targets, which
// sets the TLS defaults of ServicePointManager and SslStream. Versions of
// one family share their defaults: "4.5" stands for 4.0 to 4.5.2, "4.6"
// for 4.6 to 4.6.2, "4.7" for 4.7 to 4.7.2, "4.8" for 4.8 and 4.8.1.
type DotNet string

// .NET Framework target families.
const (
	DotNet35 DotNet = "3.5"
	DotNet45 DotNet = "4.5"
	DotNet46 DotNet = "4.6"
	DotNet47 DotNet = "4.7"
	DotNet48 DotNet = "4.8"
)

// DefaultDotNet is the target assumed when none is given: the current
// .NET Framework, whose apps leave the TLS version to Windows. Each .NET
// listener notes what an app targeting 4.5.2 or older would get instead.
const DefaultDotNet = DotNet48

// ParseDotNet reads a --dotnet value such as "4.5.2", "4.6", "4.7.2",
// "4.8" or "3.5".
func ParseDotNet(s string) (DotNet, error) {
	v := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "v")
	switch {
	case v == "3.5" || v == "2.0" || v == "3.0":
		return DotNet35, nil
	case v == "4" || v == "4.0" || strings.HasPrefix(v, "4.5"):
		return DotNet45, nil
	case strings.HasPrefix(v, "4.6"):
		return DotNet46, nil
	case strings.HasPrefix(v, "4.7"):
		return DotNet47, nil
	case strings.HasPrefix(v, "4.8"):
		return DotNet48, nil
	}
	return "", fmt.Errorf("unknown .NET Framework target %q: use 3.5, 4.5, 4.6, 4.7 or 4.8 (patch levels such as 4.7.2 are accepted)", s)
}

// dotNetKey returns the registry key of the .NET Framework family, in the
// 64-bit view or, with wow64, the 32-bit view (Wow6432Node).
func dotNetKey(target DotNet, wow64 bool) string {
	version := `v4.0.30319`
	if target == DotNet35 {
		version = `v2.0.50727`
	}
	if wow64 {
		return `HKEY_LOCAL_MACHINE\SOFTWARE\Wow6432Node\Microsoft\.NETFramework\` + version
	}
	return `HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\.NETFramework\` + version
}

// dotNetChoice is the protocol request a .NET Framework app makes to SCHANNEL.
type dotNetChoice struct {
	// systemDefault is true when the app leaves the choice to Windows, so
	// the SCHANNEL client defaults apply.
	systemDefault bool
	// versions are the protocols the app requests explicitly when
	// systemDefault is false.
	versions []string
	// cause is the registry value that made the choice, or nil when the
	// target's default did, and description then names that default.
	cause       *Entry
	description string
}

// chooseDotNet applies SystemDefaultTlsVersions and SchUseStrongCrypto of
// key to the defaults of target. Source: Microsoft, "Transport Layer
// Security (TLS) best practices with .NET Framework",
// https://learn.microsoft.com/dotnet/framework/network-programming/tls.
// SystemDefaultTlsVersions defaults to 1 for apps targeting 4.7 or later
// and lets Windows choose. SchUseStrongCrypto defaults to 1 for apps
// targeting 4.6 or later and selects TLS 1.0, 1.1 and 1.2. Without either,
// an app requests SSL 3.0 and TLS 1.0. For 3.5, SchUseStrongCrypto only
// applies when the app names a version, so it does not change the
// default.
//
// NOTE: a value present in the registry is taken to override the
// target's default in both directions, as the page's "defaults to"
// wording implies.
func chooseDotNet(m *Machine, target DotNet, key string) (dotNetChoice, []string) {
	var notes []string
	flag := func(name string, def bool) (bool, *Entry) {
		n, e, found, ok := m.Number(key, name)
		if !found {
			return def, nil
		}
		if !ok {
			notes = append(notes, fmt.Sprintf("%s:%d: ignored %s, because %s must be a DWORD", e.File, e.Line, e.Directive(), name))
			return def, nil
		}
		return n != 0, &e
	}
	// The family names compare in version order as strings.
	systemDefault, sysEntry := flag("SystemDefaultTlsVersions", target >= DotNet47)
	strong, strongEntry := flag("SchUseStrongCrypto", target >= DotNet46)
	if target == DotNet35 {
		strong = false
	}

	app := fmt.Sprintf("an app targeting .NET Framework %s", target)
	switch {
	case systemDefault:
		c := dotNetChoice{systemDefault: true, cause: sysEntry}
		if sysEntry == nil {
			c.description = fmt.Sprintf("default of %s (SystemDefaultTlsVersions absent under [%s]): Windows chooses the versions", app, key)
		}
		if target == DotNet35 {
			notes = append(notes, ".NET Framework 3.5 reads SystemDefaultTlsVersions only with the TLS system default update (KB3154518 to KB3154520, per Windows release) installed")
		}
		return c, notes
	case strong:
		c := dotNetChoice{versions: []string{"TLS 1.0", "TLS 1.1", "TLS 1.2"}, cause: strongEntry}
		if strongEntry == nil {
			c.cause = sysEntry
			if sysEntry == nil {
				c.description = fmt.Sprintf("default of %s (SchUseStrongCrypto absent under [%s]): TLS 1.0 to 1.2", app, key)
			}
		}
		return c, notes
	}
	c := dotNetChoice{versions: []string{"SSL 3.0", "TLS 1.0"}, cause: strongEntry}
	if c.cause == nil {
		c.cause = sysEntry
	}
	if c.cause == nil {
		c.description = fmt.Sprintf("default of %s (SystemDefaultTlsVersions and SchUseStrongCrypto absent under [%s]): SSL 3.0 and TLS 1.0 only", app, key)
	}
	return c, notes
}
