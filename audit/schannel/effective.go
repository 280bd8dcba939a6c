package schannel

import (
	"fmt"
	"slices"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
)

// software is the Listener.Software of every listener of this package.
const software = "schannel"

// builder computes the listeners of one machine.
type builder struct {
	m      *Machine
	opts   Options
	fixer  *Fixer
	suites suiteResult
	client []protocolState
	// clientNotes are the notes of the SCHANNEL client protocol keys.
	clientNotes []string
}

// Effective returns the listeners of the machine m describes, under the
// defaults of opts.Windows and opts.DotNet, and the Fixer that writes the
// .reg lines that fix them. The listeners come in this order: the
// SCHANNEL server (IIS, HTTP.sys and every other SCHANNEL server), then
// the SCHANNEL client as applications that leave the choice to Windows
// see it. Then come the .NET Framework client in the 64-bit and in the
// 32-bit (Wow6432Node) registry view, and WinHTTP in both views.
func Effective(m *Machine, opts Options) ([]audit.Listener, *Fixer) {
	opts = opts.withDefaults()
	b := &builder{m: m, opts: opts, fixer: newFixer(opts.Windows)}
	b.suites = effectiveSuites(m, opts.Windows)
	b.client, b.clientNotes = sideProtocols(m, opts.Windows, Client)
	return []audit.Listener{
		b.schannel(Server),
		b.schannel(Client),
		b.dotNet(false),
		b.dotNet(true),
		b.winHTTP(false),
		b.winHTTP(true),
	}, b.fixer
}

// setting returns the Setting for values set by e, or by the default
// that description names when e is nil.
func setting(values []string, e *Entry, description string) audit.Setting {
	if e != nil {
		return audit.Setting{Values: values, File: e.File, Line: e.Line, Directive: e.Directive()}
	}
	return audit.Setting{Values: values, Directive: description}
}

// newListener fills the fields every listener shares: the suites, the
// client-certificate mode the registry does not hold, and the location,
// which is the value that sets the versions, else the order list, else
// the last export applied.
func (b *builder) newListener(name string, versions audit.Setting, notes []string) audit.Listener {
	w := b.opts.Windows
	l := audit.Listener{Software: software, Name: name + " on " + w.String(), Versions: versions, Notes: notes}

	suiteDesc := fmt.Sprintf("default order of %s (Functions absent under the policy and local SSL\\00010002 keys), from %s", w, suiteTables[w].source)
	l.Suites = setting(b.suites.suites, b.suites.order, suiteDesc)
	if slices.Contains(versions.Values, "TLS 1.3") {
		l.Suites13 = setting(b.suites.suites13, b.suites.order, suiteDesc)
	}
	b.fixer.plans[keyOf(l.Suites)] = fixPlan{kind: fixSuites}
	l.Notes = append(l.Notes, b.suites.notes...)
	if len(b.suites.suites) == 0 && len(b.suites.suites13) == 0 {
		l.Notes = append(l.Notes, "no cipher suite is left after the order list and the Enabled=0 values of SCHANNEL\\Ciphers, \\Hashes and \\KeyExchangeAlgorithms: every handshake fails")
	}
	l.ClientCertificate = audit.Setting{Directive: "not in the registry: IIS sets client certificates per site (SSL Settings) and HTTP.sys per binding (netsh http show sslcert)"}

	l.File, l.Line = versions.File, versions.Line
	if l.File == "" {
		l.File, l.Line = l.Suites.File, l.Suites.Line
	}
	if l.File == "" && len(b.m.Files) > 0 {
		l.File = b.m.Files[len(b.m.Files)-1]
	}
	return l
}

// schannel returns the SCHANNEL listener of side, as applications that
// leave the protocol choice to Windows see it.
func (b *builder) schannel(side Side) audit.Listener {
	w := b.opts.Windows
	states, notes := sideProtocols(b.m, w, side)
	versions := byDefault(states)
	cause, desc := protocolCause(states, w, side, "TLS 1.2")
	if cause == nil && desc == "" {
		cause = lastEntry(b.m, states)
		if cause == nil {
			desc = fmt.Sprintf("default of %s (SCHANNEL\\Protocols\\*\\%s absent)", w, side)
		}
	}
	vs := setting(versions, cause, desc)
	b.fixer.plans[keyOf(vs)] = fixPlan{kind: fixSchannel, side: side}

	if extra := subtract(byName(states), versions); len(extra) > 0 {
		verb, pronoun := "is", "it"
		if len(extra) > 1 {
			verb, pronoun = "are", "them"
		}
		notes = append(notes, fmt.Sprintf("%s %s enabled but off by default: applications that request %s explicitly still get %[3]s, such as .NET code that sets SslProtocols or ServicePointManager.SecurityProtocol", joinAnd(extra), verb, pronoun))
	}
	name := "SCHANNEL server (IIS, HTTP.sys)"
	if side == Client {
		name = "SCHANNEL client (outbound .NET, WinHTTP, PowerShell)"
		notes = append(notes, "a client listener: the problems below mean outbound calls from this machine to Okta or Entra ID fail")
	}
	notes = append(notes, "SCHANNEL reads these keys at startup: reboot Windows after changing them")
	l := b.newListener(name, vs, notes)
	l.Client = side == Client
	return l
}

// dotNet returns the .NET Framework client listener of one registry
// view.
func (b *builder) dotNet(wow64 bool) audit.Listener {
	w, target := b.opts.Windows, b.opts.DotNet
	key := dotNetKey(target, wow64)
	choice, notes := chooseDotNet(b.m, target, key)
	notes = append(notes, b.clientNotes...)

	plan := fixPlan{kind: fixDotNet, key: key, alsoClient: !slices.Contains(byDefault(b.client), "TLS 1.2")}
	var versions []string
	cause, desc := choice.cause, choice.description
	if choice.systemDefault {
		versions = byDefault(b.client)
		if !slices.Contains(versions, "TLS 1.2") {
			cause, desc = protocolCause(b.client, w, Client, "TLS 1.2")
			plan = fixPlan{kind: fixSchannel, side: Client}
		}
	} else {
		versions = intersect(choice.versions, byName(b.client))
		if slices.Contains(choice.versions, "TLS 1.2") && !slices.Contains(versions, "TLS 1.2") {
			cause, desc = protocolCause(b.client, w, Client, "TLS 1.2")
			plan = fixPlan{kind: fixSchannel, side: Client}
		}
	}
	vs := setting(versions, cause, desc)
	b.fixer.plans[keyOf(vs)] = plan

	if target != DotNet45 && target != DotNet35 {
		alt, _ := chooseDotNet(b.m, DotNet45, key)
		altVersions := byDefault(b.client)
		if !alt.systemDefault {
			altVersions = intersect(alt.versions, byName(b.client))
		}
		if slices.Equal(altVersions, versions) {
			notes = append(notes, fmt.Sprintf("assumes the app targets .NET Framework %s (--dotnet); an app targeting 4.5.2 or older gets the same versions", target))
		} else {
			notes = append(notes, fmt.Sprintf("assumes the app targets .NET Framework %s (--dotnet); an app targeting 4.5.2 or older gets %s instead", target, describeVersions(altVersions)))
		}
	}
	notes = append(notes, "a client listener: the problems below mean outbound calls from a .NET app on this machine to Okta or Entra ID fail")

	view := "64-bit"
	if wow64 {
		view = "32-bit, Wow6432Node"
	}
	l := b.newListener(fmt.Sprintf(".NET Framework %s client (%s)", target, view), vs, notes)
	l.Client = true
	return l
}

// winHTTPKey returns the WinHTTP key of one registry view.
func winHTTPKey(wow64 bool) string {
	if wow64 {
		return `HKEY_LOCAL_MACHINE\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`
	}
	return `HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`
}

// winHTTP returns the WinHTTP client listener of one registry view.
// WinHTTP passes its protocol mask (DefaultSecureProtocols, or its
// default) to SCHANNEL as an explicit request. Microsoft's KB3140245 page
// states that SCHANNEL's disabled protocols overrule the mask, so only
// Enabled=0 and unsupported protocols remove versions from it.
func (b *builder) winHTTP(wow64 bool) audit.Listener {
	w := b.opts.Windows
	key := winHTTPKey(wow64)
	mask := winHTTPDefault(w)
	var notes []string
	n, e, found, ok := b.m.Number(key, "DefaultSecureProtocols")
	var maskEntry *Entry
	switch {
	case found && !ok:
		notes = append(notes, fmt.Sprintf("%s:%d: ignored %s, because DefaultSecureProtocols must be a DWORD", e.File, e.Line, e.Directive()))
	case found:
		mask, maskEntry = n, &e
		if w <= Server2012 {
			notes = append(notes, fmt.Sprintf("%s reads DefaultSecureProtocols only with update KB3140245 installed", w))
		}
	}
	var requested []string
	known := uint64(0)
	for _, bit := range winHTTPBits {
		known |= bit.bit
		if mask&bit.bit != 0 {
			requested = append(requested, bit.protocol)
		}
	}
	if maskEntry != nil && mask&^known != 0 {
		notes = append(notes, fmt.Sprintf("%s:%d: DefaultSecureProtocols sets bits 0x%x that name no protocol", maskEntry.File, maskEntry.Line, mask&^known))
	}
	versions := intersect(requested, byName(b.client))

	plan := fixPlan{kind: fixWinHTTP, key: key}
	cause, desc := maskEntry, ""
	if maskEntry == nil {
		desc = fmt.Sprintf("default of %s (DefaultSecureProtocols absent under [%s]): WinHTTP requests %s", w, key, describeVersions(requested))
	}
	if slices.Contains(requested, "TLS 1.2") && !slices.Contains(versions, "TLS 1.2") {
		cause, desc = protocolCause(b.client, w, Client, "TLS 1.2")
		plan = fixPlan{kind: fixSchannel, side: Client}
	}
	vs := setting(versions, cause, desc)
	b.fixer.plans[keyOf(vs)] = plan

	notes = append(notes, b.clientNotes...)
	notes = append(notes, "a client listener: the problems below mean outbound WinHTTP calls from this machine to Okta or Entra ID fail")
	view := "64-bit"
	if wow64 {
		view = "32-bit, Wow6432Node"
	}
	l := b.newListener(fmt.Sprintf("WinHTTP (%s)", view), vs, notes)
	l.Client = true
	return l
}

// intersect returns the elements of a that b contains, in a's order.
func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// subtract returns the elements of a that b lacks, in a's order.
func subtract(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func describeVersions(v []string) string {
	if len(v) == 0 {
		return "no protocol version"
	}
	return strings.Join(v, ", ")
}

// joinAnd joins v as "a, b and c".
func joinAnd(v []string) string {
	if len(v) <= 1 {
		return strings.Join(v, "")
	}
	return strings.Join(v[:len(v)-1], ", ") + " and " + v[len(v)-1]
}
