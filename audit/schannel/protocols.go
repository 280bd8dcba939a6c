package schannel

import (
	"fmt"
	"slices"
)

// Registry keys this audit reads, under HKEY_LOCAL_MACHINE.
const (
	schannelKey  = `HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL`
	protocolsKey = schannelKey + `\Protocols`
)

// protocolState is one protocol on one side after the registry and the
// release's defaults are applied.
type protocolState struct {
	protocol string
	// supported is false when the release does not implement the
	// protocol; no registry value changes that.
	supported bool
	// enabled is false when Enabled=0 turns the protocol off even for
	// applications that request it explicitly.
	enabled bool
	// byDefault is true when applications that leave the protocol choice
	// to Windows get it: enabled and not DisabledByDefault.
	byDefault bool
	// enabledValue and disabledByDefault are the registry values read,
	// nil when absent.
	enabledValue, disabledByDefault *Entry
}

// protocolKey returns the key of protocol on side, such as
// ...\SCHANNEL\Protocols\TLS 1.2\Server.
func protocolKey(protocol string, side Side) string {
	return protocolsKey + `\` + protocol + `\` + string(side)
}

// sideProtocols applies the Protocols subkeys of side to the release's
// defaults. Enabled=0 turns a protocol off; any other Enabled value,
// 1 and 0xffffffff alike, turns it on. DisabledByDefault=1 keeps it for
// applications that request it explicitly; DisabledByDefault=0 makes it a
// default. An absent value keeps the release's default. Values of the
// wrong type are ignored and named in the notes.
func sideProtocols(m *Machine, w Windows, side Side) ([]protocolState, []string) {
	var states []protocolState
	var notes []string
	for i, name := range protocols {
		def := protocolDefaults[w][side][i]
		st := protocolState{
			protocol:  name,
			supported: def != notSupported,
			enabled:   def != notSupported,
			byDefault: def == onByDefault,
		}
		key := protocolKey(name, side)
		if n, e, found, ok := m.Number(key, "Enabled"); found {
			if !ok {
				notes = append(notes, fmt.Sprintf("%s:%d: ignored %s, because Enabled must be a DWORD", e.File, e.Line, e.Directive()))
			} else {
				st.enabledValue = &e
				st.enabled = st.supported && n != 0
			}
		}
		if n, e, found, ok := m.Number(key, "DisabledByDefault"); found {
			if !ok {
				notes = append(notes, fmt.Sprintf("%s:%d: ignored %s, because DisabledByDefault must be a DWORD", e.File, e.Line, e.Directive()))
			} else {
				st.disabledByDefault = &e
				st.byDefault = n == 0
			}
		}
		st.byDefault = st.byDefault && st.enabled
		if !st.supported && (st.enabledValue != nil || st.disabledByDefault != nil) {
			e := st.enabledValue
			if e == nil {
				e = st.disabledByDefault
			}
			notes = append(notes, fmt.Sprintf("%s:%d: %s has no effect: %s does not implement %s on the %s side", e.File, e.Line, e.Directive(), w, name, side))
		}
		states = append(states, st)
	}
	return states, notes
}

// byDefault returns the protocols applications get when they leave the
// choice to Windows, oldest first.
func byDefault(states []protocolState) []string {
	var out []string
	for _, st := range states {
		if st.byDefault {
			out = append(out, st.protocol)
		}
	}
	return out
}

// byName returns the protocols applications get when they ask for them by
// name: all implemented protocols that Enabled=0 does not turn off.
func byName(states []protocolState) []string {
	var out []string
	for _, st := range states {
		if st.enabled {
			out = append(out, st.protocol)
		}
	}
	return out
}

func stateOf(states []protocolState, protocol string) protocolState {
	for _, st := range states {
		if st.protocol == protocol {
			return st
		}
	}
	return protocolState{protocol: protocol}
}

// protocolCause returns the registry value that keeps protocol from being
// a default on side, or nil and a description when the release's default
// does. Both are empty when protocol is a default. Callers pass TLS 1.2,
// the version Okta and Entra ID need.
func protocolCause(states []protocolState, w Windows, side Side, protocol string) (*Entry, string) {
	st := stateOf(states, protocol)
	key := `SCHANNEL\Protocols\` + protocol + `\` + string(side)
	switch {
	case !st.supported:
		return nil, fmt.Sprintf("%s does not implement %s", w, protocol)
	case st.enabledValue != nil && !st.enabled:
		return st.enabledValue, ""
	case st.disabledByDefault != nil && !st.byDefault:
		return st.disabledByDefault, ""
	case !st.byDefault && st.enabledValue != nil:
		return nil, fmt.Sprintf("default of %s (DisabledByDefault absent under %s, so %s stays off by default although Enabled is set)", w, key, protocol)
	case !st.byDefault:
		return nil, fmt.Sprintf("default of %s (%s absent: %s is off by default)", w, key, protocol)
	}
	return nil, ""
}

// lastEntry returns the entry written last among the protocol values of
// states: the latest file of m, then the highest line.
func lastEntry(m *Machine, states []protocolState) *Entry {
	var last *Entry
	for _, st := range states {
		for _, e := range []*Entry{st.enabledValue, st.disabledByDefault} {
			if e != nil && (last == nil || later(m, *e, *last)) {
				last = e
			}
		}
	}
	return last
}

// later reports whether a was written after b in the order m applied the
// exports.
func later(m *Machine, a, b Entry) bool {
	ia, ib := slices.Index(m.Files, a.File), slices.Index(m.Files, b.File)
	if ia != ib {
		return ia > ib
	}
	return a.Line > b.Line
}
