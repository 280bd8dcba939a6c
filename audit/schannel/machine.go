package schannel

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// maxSiblings is the largest number of .reg files LoadMachine merges from
// one folder. Admins export a handful of keys; a folder with more is a
// backup archive, not one machine.
const maxSiblings = 256

// Machine is the registry of one Windows machine as a sequence of regedit
// exports describes it. The exports are applied in order, so a later
// value replaces an earlier one, and a [-key] line deletes what earlier
// exports set below that key.
type Machine struct {
	keys map[string]*machineKey
	// Files are the exports applied, in order.
	Files []string
	// Overrides are notes on each value that one export sets and a later
	// export, in another file, sets to other data.
	Overrides []string
}

type machineKey struct {
	// path is the key path as first written.
	path   string
	values map[string]Entry
}

// Entry is a value of the merged registry and the key line it sits under.
type Entry struct {
	Value
	// KeyPath is the key path as written in the export that set the value.
	KeyPath string
}

// Directive returns the value as written with its key, such as
// `[HKEY_LOCAL_MACHINE\...\TLS 1.2\Server] "Enabled"=dword:00000000`.
// A string value written as hex(2) or hex(7) bytes is shown decoded, such
// as `"Functions" (REG_MULTI_SZ, decoded from hex(7))=TLS_A,TLS_B`, because
// the bytes are unreadable in a report.
func (e Entry) Directive() string {
	return "[" + e.KeyPath + "] " + e.displayText()
}

// displayText returns the value line as written, or decoded when it is a
// string type written as hex bytes.
func (e Entry) displayText() string {
	_, data, ok := strings.Cut(e.Text, "=")
	if !ok || !strings.HasPrefix(strings.ToLower(strings.TrimSpace(data)), "hex(") {
		return e.Text
	}
	list, ok := e.Value.Strings()
	if !ok {
		return e.Text
	}
	kind := "REG_SZ"
	switch e.Type {
	case RegExpandSZ:
		kind = "REG_EXPAND_SZ"
	case RegMultiSZ:
		kind = "REG_MULTI_SZ"
	}
	form, _, _ := strings.Cut(strings.TrimSpace(data), ":")
	return fmt.Sprintf("%q (%s, decoded from %s)=%s", e.Name, kind, form, strings.Join(list, ","))
}

// NewMachine returns an empty registry.
func NewMachine() *Machine {
	return &Machine{keys: map[string]*machineKey{}}
}

// normalizeKey returns the lookup form of a key path: lower case, no
// trailing backslash, and ControlSet001 (the control set an offline hive
// shows) read as CurrentControlSet.
func normalizeKey(path string) string {
	k := strings.ToLower(strings.TrimRight(path, `\`))
	return strings.Replace(k, `\system\controlset001\`, `\system\currentcontrolset\`, 1)
}

// Apply merges the export into the registry.
func (m *Machine) Apply(e *Export) {
	m.Files = append(m.Files, e.File)
	for _, block := range e.Keys {
		key := normalizeKey(block.Path)
		if block.Delete {
			for k := range m.keys {
				if k == key || strings.HasPrefix(k, key+`\`) {
					delete(m.keys, k)
				}
			}
			continue
		}
		mk := m.keys[key]
		if mk == nil {
			mk = &machineKey{path: block.Path, values: map[string]Entry{}}
			m.keys[key] = mk
		}
		for _, v := range block.Values {
			name := strings.ToLower(v.Name)
			if v.Deleted {
				delete(mk.values, name)
				continue
			}
			next := Entry{Value: v, KeyPath: block.Path}
			if prev, ok := mk.values[name]; ok && prev.File != v.File && (prev.Type != v.Type || !bytes.Equal(prev.Data, v.Data)) {
				m.Overrides = append(m.Overrides, overrideNote(prev, next))
			}
			mk.values[name] = next
		}
	}
}

// overrideNote describes a value that a later export, in another file,
// sets to other data than an earlier one.
func overrideNote(earlier, later Entry) string {
	return fmt.Sprintf("%s:%d and %s:%d set %q under [%s] differently (%s, then %s): the audit applies the exports of a folder in file name order, so %s wins; keep only the export that matches the machine, or re-export the key",
		earlier.File, earlier.Line, later.File, later.Line, later.Name, later.KeyPath,
		earlier.displayText(), later.displayText(), filepath.Base(later.File))
}

// Lookup returns the value name of the key path, ignoring case as the
// registry does.
func (m *Machine) Lookup(path, name string) (Entry, bool) {
	mk := m.keys[normalizeKey(path)]
	if mk == nil {
		return Entry{}, false
	}
	e, ok := mk.values[strings.ToLower(name)]
	return e, ok
}

// Number returns the value name of path as a number when it is a DWORD
// or QWORD. A value of another type is reported as present but not a
// number, so the caller can say the type is wrong.
func (m *Machine) Number(path, name string) (n uint64, e Entry, found, isNumber bool) {
	e, found = m.Lookup(path, name)
	if !found {
		return 0, e, false, false
	}
	n, isNumber = e.Value.Number()
	return n, e, true, isNumber
}

// LoadMachine parses the export at path and every other file ending in
// .reg in its folder, and applies them in file name order, so the result
// is the machine the folder describes. An error in path itself is
// returned. A sibling that cannot be read or parsed is skipped and named
// in notes, because its own audit reports the error.
func LoadMachine(path string) (m *Machine, notes []string, err error) {
	self, err := ParseFile(path)
	if err != nil {
		return nil, nil, err
	}
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: cannot list the folder %s to merge the other .reg exports: %w", path, dir, err)
	}
	var files []string
	for _, de := range entries {
		name := de.Name()
		if !de.Type().IsRegular() || !strings.EqualFold(filepath.Ext(name), ".reg") {
			continue
		}
		files = append(files, filepath.Join(dir, name))
	}
	selfPath := filepath.Join(dir, filepath.Base(path))
	if !containsPath(files, selfPath) {
		files = append(files, selfPath)
	}
	sort.Strings(files)
	if len(files) > maxSiblings {
		return nil, nil, fmt.Errorf("%s: its folder contains %d .reg files, more than the limit of %d for one machine's exports; move the machine's exports into a folder of their own", path, len(files), maxSiblings)
	}

	m = NewMachine()
	for _, f := range files {
		if f == selfPath {
			self.File = path
			m.Apply(self)
			continue
		}
		exp, err := ParseFile(f)
		if err != nil {
			notes = append(notes, fmt.Sprintf("skipped %s while merging the exports of this folder: %v", f, err))
			continue
		}
		m.Apply(exp)
	}
	notes = append(notes, m.Overrides...)
	return m, notes, nil
}

func containsPath(files []string, path string) bool {
	for _, f := range files {
		if f == path {
			return true
		}
	}
	return false
}
