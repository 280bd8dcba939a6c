package clients

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// maxProfileFileBytes bounds a profile file read by LoadFile. The largest
// built-in profile is under 16 KiB.
const maxProfileFileBytes = 1 << 20

// LoadFile reads a profile from a JSON file outside the built-in set, such
// as one that scimdoctor serve saved from a recorded ClientHello. The file
// has the format of the built-in profiles and must be named after the
// profile ("NAME.json"). Its "base" key may name a built-in profile, whose
// client_hello, policy, log_line, version_names and errors it takes when
// it leaves them out. Problems are returned as *ProfileError naming the
// file and the field.
func LoadFile(name string) (*Profile, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("clients: open profile file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxProfileFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("clients: read profile file %s: %w", name, err)
	}
	if len(data) > maxProfileFileBytes {
		return nil, &ProfileError{File: name, Message: fmt.Sprintf("file exceeds the %d-byte limit of a profile", maxProfileFileBytes)}
	}
	return Decode(name, data)
}

// Decode checks and decodes one profile file's contents, as LoadFile does;
// file names it in errors and must end in NAME.json.
func Decode(file string, data []byte) (*Profile, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, &ProfileError{File: file, Message: "invalid JSON: " + err.Error()}
	}
	if fields == nil {
		return nil, &ProfileError{File: file, Message: "the file contains no JSON object"}
	}

	// Bases resolve against the built-in files, found by mergeBase under
	// profiles/NAME.json; the file itself takes the key of its own name.
	raw, err := embeddedRaw()
	if err != nil {
		return nil, err
	}
	key := path.Join("profiles", filepath.Base(file))
	if _, builtin := raw[key]; builtin {
		return nil, &ProfileError{File: file, Field: "name",
			Message: fmt.Sprintf("%s is the file name of a built-in profile; name the profile and the file differently, such as %s", filepath.Base(file), strings.TrimSuffix(filepath.Base(file), ".json")+"-recorded.json")}
	}
	raw[key] = fields
	merged, err := mergeBase(key, raw, nil)
	if err != nil {
		var perr *ProfileError
		if errors.As(err, &perr) && perr.File == key {
			perr.File = file
		}
		return nil, err
	}
	return decodeProfile(file, merged)
}

// embeddedRaw returns the top-level fields of every built-in profile file,
// by path.
func embeddedRaw() (map[string]map[string]json.RawMessage, error) {
	files, err := fs.Glob(embeddedProfiles, "profiles/*.json")
	if err != nil {
		return nil, fmt.Errorf("clients: list profile files: %w", err)
	}
	raw := make(map[string]map[string]json.RawMessage, len(files)+1)
	for _, file := range files {
		data, err := fs.ReadFile(embeddedProfiles, file)
		if err != nil {
			return nil, fmt.Errorf("clients: read %s: %w", file, err)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(data, &fields); err != nil {
			return nil, &ProfileError{File: file, Message: "invalid JSON: " + err.Error()}
		}
		raw[file] = fields
	}
	return raw, nil
}

// registered contains the names that Register added, as opposed to the
// built-in profiles.
var registered = map[string]bool{}

// Register adds p to the profiles that Lookup, Load, Select, All and Names
// return, after the built-in ones, so a profile from LoadFile can be
// selected by name. It returns an error when a built-in profile has the
// name. Register replaces a profile it added before under the same name,
// from this file or another one. So a process that runs several commands in
// turn (a test binary, for one) can load a new version of a profile from
// another path.
// Register is not safe for concurrent use with those functions: call it at
// program start, before any goroutine reads the profiles.
func Register(p *Profile) error {
	if p == nil || p.Name == "" {
		return errors.New("clients: Register needs a profile with a name")
	}
	other, taken := builtinByName[p.Name]
	switch {
	case taken && registered[p.Name]:
		builtin[slices.Index(builtin, other)] = p
		builtinByName[p.Name] = p
		return nil
	case taken:
		return fmt.Errorf("clients: profile name %q is already used by %s; rename the profile and its file", p.Name, other.file)
	}
	builtin = append(builtin, p)
	builtinByName[p.Name] = p
	registered[p.Name] = true
	return nil
}
