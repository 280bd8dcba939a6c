package clients

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeProfile(t *testing.T, name, text string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

func TestLoadFileWithBase(t *testing.T) {
	file := writeProfile(t, "my-java.json", `{
  "name": "my-java", "display": "my Java client", "kind": "idp", "family": "java", "base": "java-17",
  "source": "test", "date": "2026-12-05", "confidence": "measured", "note": "a test profile"
}`)
	p, err := LoadFile(file)
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	java17, _ := Lookup("java-17")
	if p.Name != "my-java" || p.Hello.SNI != java17.Hello.SNI || len(p.Errors) != len(java17.Errors) {
		t.Errorf("profile %s did not take java-17's hello and texts", p.Name)
	}
	// Register changes the package's profile list: restore it, so other
	// tests see only the built-in profiles.
	savedList, savedByName := slices.Clone(builtin), maps.Clone(builtinByName)
	t.Cleanup(func() { builtin, builtinByName = savedList, savedByName })
	if err := Register(p); err != nil {
		t.Fatalf("Register: %v", err)
	}
	if err := Register(p); err != nil {
		t.Errorf("Register of the same file again: %v", err)
	}
	if got, ok := Lookup("my-java"); !ok || got != p {
		t.Errorf("Lookup after Register: %v %v", got, ok)
	}
}

func TestLoadFileErrors(t *testing.T) {
	tests := []struct {
		name, file, text, want string
	}{
		{"invalid JSON", "x.json", `{`, "invalid JSON"},
		{"not an object", "x.json", `null`, "contains no JSON object"},
		{"name differs from the file", "x.json", `{"name":"y","base":"curl","display":"d","kind":"idp","family":"curl","source":"s","date":"2026-12-05","confidence":"measured","note":"n"}`, "name the file after the profile"},
		{"built-in file name", "curl.json", `{"name":"curl"}`, "file name of a built-in profile"},
		{"unknown base", "x.json", `{"name":"x","base":"nothing"}`, `no profile "nothing"`},
		{"unknown field", "x.json", `{"name":"x","base":"curl","display":"d","kind":"idp","family":"curl","source":"s","date":"2026-12-05","confidence":"measured","note":"n","extra":1}`, "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := writeProfile(t, tt.file, tt.text)
			_, err := LoadFile(file)
			var perr *ProfileError
			if !errors.As(err, &perr) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want a *ProfileError with %q", err, tt.want)
			}
			if perr.File != file {
				t.Errorf("File = %q, want %q", perr.File, file)
			}
		})
	}
}

func TestLoadFileMissing(t *testing.T) {
	_, err := LoadFile(filepath.Join(t.TempDir(), "none.json"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error = %v, want not exist", err)
	}
}

func TestLoadFileTooLarge(t *testing.T) {
	file := writeProfile(t, "big.json", `{"name":"big","note":"`+strings.Repeat("x", maxProfileFileBytes)+`"}`)
	_, err := LoadFile(file)
	if err == nil || !strings.Contains(err.Error(), "byte limit") {
		t.Errorf("error = %v, want the size limit", err)
	}
}

func TestRegisterSameNameFromAnotherPath(t *testing.T) {
	savedList, savedByName, savedRegistered := slices.Clone(builtin), maps.Clone(builtinByName), maps.Clone(registered)
	t.Cleanup(func() { builtin, builtinByName, registered = savedList, savedByName, savedRegistered })
	const profile = `{
  "name": "reloaded", "display": "%s", "kind": "idp", "family": "java", "base": "java-17",
  "source": "test", "date": "2026-12-05", "confidence": "measured", "note": "a test profile"
}`
	var loaded []*Profile
	for _, display := range []string{"first copy", "second copy"} {
		file := writeProfile(t, "reloaded.json", fmt.Sprintf(profile, display))
		p, err := LoadFile(file)
		if err != nil {
			t.Fatalf("LoadFile(%s): %v", file, err)
		}
		if err := Register(p); err != nil {
			t.Fatalf("Register of %s: %v", file, err)
		}
		loaded = append(loaded, p)
	}
	if got, ok := Lookup("reloaded"); !ok || got != loaded[1] {
		t.Errorf("Lookup after the second Register = %v, want the profile of the second path", got)
	}
	if n := len(All()); n != len(savedList)+1 {
		t.Errorf("All() has %d profiles, want %d: the second Register added a duplicate", n, len(savedList)+1)
	}
	okta, _ := Lookup("okta")
	copied := *okta
	if err := Register(&copied); err == nil || !strings.Contains(err.Error(), `profile name "okta" is already used`) {
		t.Errorf("Register of a built-in name: error %v, want already used", err)
	}
}
