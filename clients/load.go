package clients

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"time"
)

//go:embed profiles/*.json
var embeddedProfiles embed.FS

// ProfileError reports a profile file that does not load: the file, the
// field in JSON path form (such as "client_hello.cipher_suites[3]") and what
// is wrong with it.
type ProfileError struct {
	File    string
	Field   string
	Message string
}

func (e *ProfileError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("clients: %s: %s", e.File, e.Message)
	}
	return fmt.Sprintf("clients: %s: field %s: %s", e.File, e.Field, e.Message)
}

// inheritedKeys are the top-level keys a profile takes from its base when
// it leaves them out.
var inheritedKeys = []string{"client_hello", "policy", "log_line", "version_names", "errors"}

var (
	builtin       []*Profile
	builtinByName map[string]*Profile
)

func init() {
	profiles, err := LoadFS(embeddedProfiles)
	if err != nil {
		// The embedded files are part of the build; TestLoadEmbedded
		// reports the same error with its file and field.
		panic(err)
	}
	builtin = profiles
	builtinByName = make(map[string]*Profile, len(profiles))
	for _, p := range profiles {
		builtinByName[p.Name] = p
	}
}

// All returns the built-in profiles: the identity providers first, then the
// runtimes, each group by name. The profiles are shared; do not change them.
func All() []*Profile {
	return slices.Clone(builtin)
}

// Lookup returns the built-in profile with the given name, such as "okta".
func Lookup(name string) (*Profile, bool) {
	p, ok := builtinByName[name]
	return p, ok
}

// Names returns the names of the built-in profiles in the order of All.
func Names() []string {
	names := make([]string, len(builtin))
	for i, p := range builtin {
		names[i] = p.Name
	}
	return names
}

// Load returns the built-in profile with the given name, or an error that
// lists the valid names.
func Load(name string) (*Profile, error) {
	if p, ok := builtinByName[name]; ok {
		return p, nil
	}
	return nil, fmt.Errorf("unknown client profile %q: use one of %s", name, strings.Join(Names(), ", "))
}

// Select returns the built-in profiles that names lists, in the order
// given and without repeats. Each entry may hold several names separated by
// commas, as a repeated command-line flag does. An unknown name is an error
// that lists the valid ones, and so is a list that names no profile.
func Select(names []string) ([]*Profile, error) {
	var out []*Profile
	seen := map[string]bool{}
	for _, raw := range names {
		for _, name := range strings.Split(raw, ",") {
			name = strings.TrimSpace(name)
			if name == "" || seen[name] {
				continue
			}
			seen[name] = true
			p, err := Load(name)
			if err != nil {
				return nil, err
			}
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no client profile named in %q: use one or more of %s", strings.Join(names, ","), strings.Join(Names(), ", "))
	}
	return out, nil
}

// LoadFS reads every profiles/*.json file of fsys, resolves base profiles
// and checks each profile. The first problem found is returned as a
// *ProfileError naming the file and the field.
func LoadFS(fsys fs.FS) ([]*Profile, error) {
	files, err := fs.Glob(fsys, "profiles/*.json")
	if err != nil {
		return nil, fmt.Errorf("clients: list profile files: %w", err)
	}
	if len(files) == 0 {
		return nil, errors.New("clients: no profiles/*.json file found")
	}

	raw := make(map[string]map[string]json.RawMessage, len(files))
	for _, file := range files {
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("clients: read %s: %w", file, err)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(data, &fields); err != nil {
			return nil, &ProfileError{File: file, Message: "invalid JSON: " + err.Error()}
		}
		raw[file] = fields
	}

	profiles := make([]*Profile, 0, len(files))
	seen := make(map[string]string)
	for _, file := range files {
		merged, err := mergeBase(file, raw, nil)
		if err != nil {
			return nil, err
		}
		p, err := decodeProfile(file, merged)
		if err != nil {
			return nil, err
		}
		if other, dup := seen[p.Name]; dup {
			return nil, &ProfileError{File: file, Field: "name", Message: fmt.Sprintf("name %q is already used by %s", p.Name, other)}
		}
		seen[p.Name] = file
		profiles = append(profiles, p)
	}

	sort.SliceStable(profiles, func(i, j int) bool {
		ki, kj := profiles[i].Kind == KindIdP, profiles[j].Kind == KindIdP
		if ki != kj {
			return ki
		}
		return naturalLess(profiles[i].Name, profiles[j].Name)
	})
	return profiles, nil
}

// mergeBase returns the fields of file with the inherited keys its base
// provides filled in. chain holds the files being merged, to catch cycles.
func mergeBase(file string, raw map[string]map[string]json.RawMessage, chain []string) (map[string]json.RawMessage, error) {
	fields := raw[file]
	baseRaw, ok := fields["base"]
	if !ok {
		return fields, nil
	}
	var base string
	if err := json.Unmarshal(baseRaw, &base); err != nil || base == "" {
		return nil, &ProfileError{File: file, Field: "base", Message: "must be the name of another profile, such as \"java-17\""}
	}
	baseFile := path.Join("profiles", base+".json")
	if _, ok := raw[baseFile]; !ok {
		return nil, &ProfileError{File: file, Field: "base", Message: fmt.Sprintf("no profile %q (no file %s)", base, baseFile)}
	}
	if slices.Contains(chain, baseFile) || baseFile == file {
		return nil, &ProfileError{File: file, Field: "base", Message: fmt.Sprintf("base %q leads back to %s", base, file)}
	}
	baseFields, err := mergeBase(baseFile, raw, append(chain, file))
	if err != nil {
		return nil, err
	}

	merged := make(map[string]json.RawMessage, len(fields))
	for k, v := range fields {
		merged[k] = v
	}
	for _, key := range inheritedKeys {
		if _, ok := merged[key]; !ok {
			if v, ok := baseFields[key]; ok {
				merged[key] = v
			}
		}
	}
	return merged, nil
}

// decodeProfile decodes the merged fields strictly, checks them and
// resolves the names of the hello.
func decodeProfile(file string, fields map[string]json.RawMessage) (*Profile, error) {
	data, err := json.Marshal(fields)
	if err != nil {
		// unreachable: the fields came from json.Unmarshal.
		return nil, &ProfileError{File: file, Message: err.Error()}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	p := &Profile{file: file}
	if err := dec.Decode(p); err != nil {
		return nil, &ProfileError{File: file, Message: "does not match the profile schema: " + err.Error()}
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	if err := p.resolveHello(); err != nil {
		return nil, err
	}
	return p, nil
}

// Profile kinds.
const (
	// KindIdP: an identity provider's client, such as Okta's.
	KindIdP = "idp"
	// KindRuntime: a runtime or tool, such as a JDK or curl.
	KindRuntime = "runtime"
)

var (
	families    = []string{"java", "dotnet", "openssl", "go", "curl"}
	kinds       = []string{KindIdP, KindRuntime}
	confidences = []string{ConfidenceMeasured, ConfidenceDocumented, ConfidenceInferred}
	sniRules    = []string{SNIAlways, SNINotForIP, SNINotForIPOrDotless, SNINever}
	trustStores = []string{"mozilla", "java"}
	hostRules   = []string{"san_only", "san_then_cn"}
	clientCerts = []string{"sends_empty"}
	lineFields  = []string{"{exception}", "{message}"}
	dateLayout  = "2006-01-02"
)

// check validates everything but the hello's names, which resolveHello
// checks.
func (p *Profile) check() error {
	fail := func(field, format string, args ...any) error {
		return &ProfileError{File: p.file, Field: field, Message: fmt.Sprintf(format, args...)}
	}

	want := strings.TrimSuffix(path.Base(p.file), ".json")
	if p.Name != want {
		return fail("name", "is %q but the file is %s; name the file after the profile", p.Name, path.Base(p.file))
	}
	for _, f := range []struct{ field, value string }{
		{"display", p.Display}, {"source", p.Source}, {"note", p.Note},
		{"log_line", p.LogLine}, {"policy.trust_store_note", p.Policy.TrustStoreNote},
	} {
		if strings.TrimSpace(f.value) == "" {
			return fail(f.field, "is missing or empty")
		}
	}
	if err := checkOneOf(p.Kind, kinds); err != nil {
		return fail("kind", "%v", err)
	}
	if err := checkOneOf(p.Family, families); err != nil {
		return fail("family", "%v", err)
	}
	if err := checkOneOf(p.Confidence, confidences); err != nil {
		return fail("confidence", "%v", err)
	}
	if _, err := time.Parse(dateLayout, p.Date); err != nil {
		return fail("date", "%q is not a date in YYYY-MM-DD form", p.Date)
	}
	if err := checkOneOf(p.Hello.SNI, sniRules); err != nil {
		return fail("client_hello.sni", "%v", err)
	}

	if err := checkOneOf(p.Policy.TrustStore, trustStores); err != nil {
		return fail("policy.trust_store", "%v", err)
	}
	if err := checkOneOf(p.Policy.Hostname, hostRules); err != nil {
		return fail("policy.hostname", "%v", err)
	}
	if err := checkOneOf(p.Policy.ClientCertificate, clientCerts); err != nil {
		return fail("policy.client_certificate", "%v", err)
	}
	for _, f := range []struct {
		field string
		bits  int
	}{{"policy.min_rsa_bits", p.Policy.MinRSABits}, {"policy.min_ec_bits", p.Policy.MinECBits}, {"policy.min_dh_bits", p.Policy.MinDHBits}} {
		if f.bits < 0 || f.bits > 16384 {
			return fail(f.field, "%d is outside 0 to 16384", f.bits)
		}
	}

	if !strings.Contains(p.LogLine, "{message}") {
		return fail("log_line", "%q lacks {message}", p.LogLine)
	}
	for _, name := range placeholderPattern.FindAllString(p.LogLine, -1) {
		if !slices.Contains(lineFields, name) {
			return fail("log_line", "unknown placeholder %s (use {exception} and {message})", name)
		}
	}
	if err := checkOneOf(p.VersionNames, versionStyles); err != nil {
		return fail("version_names", "%v", err)
	}
	return p.checkErrors()
}

// checkErrors requires a text for every class and checks each text.
func (p *Profile) checkErrors() error {
	fail := func(field, format string, args ...any) error {
		return &ProfileError{File: p.file, Field: field, Message: fmt.Sprintf(format, args...)}
	}
	for _, class := range Classes {
		if _, ok := p.Errors[class]; !ok {
			return fail("errors."+class, "is missing; every profile needs a text for each class (%s)", strings.Join(Classes, ", "))
		}
	}
	keys := make([]string, 0, len(p.Errors))
	for key := range p.Errors {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		text := p.Errors[key]
		field := "errors." + key
		if !isErrorKey(key) {
			return fail(field, "unknown class or variant (classes: %s; variants: alert_<number>, %s)",
				strings.Join(Classes, ", "), strings.Join(fixedVariants, ", "))
		}
		if strings.TrimSpace(text.Message) == "" {
			return fail(field+".message", "is missing or empty")
		}
		for _, name := range placeholderPattern.FindAllString(text.Message, -1) {
			if _, ok := placeholders[strings.Trim(name, "{}")]; !ok {
				return fail(field+".message", "unknown placeholder %s", name)
			}
		}
		if err := checkOneOf(text.Confidence, confidences); err != nil {
			return fail(field+".confidence", "%v", err)
		}
	}
	return nil
}

// isErrorKey reports whether key names a class or a known variant.
func isErrorKey(key string) bool {
	if slices.Contains(Classes, key) || slices.Contains(fixedVariants, key) {
		return true
	}
	if number, ok := strings.CutPrefix(key, variantAlertPrefix); ok {
		var n int
		if _, err := fmt.Sscanf(number, "%d", &n); err == nil && fmt.Sprint(n) == number && n >= 0 && n <= 255 {
			return true
		}
	}
	return false
}

func checkOneOf(value string, allowed []string) error {
	if value == "" {
		return fmt.Errorf("is missing (use one of %s)", strings.Join(allowed, ", "))
	}
	if !slices.Contains(allowed, value) {
		return fmt.Errorf("%q is not one of %s", value, strings.Join(allowed, ", "))
	}
	return nil
}

// weakerConfidence returns the weaker of two confidence levels.
func weakerConfidence(a, b string) string {
	ia, ib := slices.Index(confidences, a), slices.Index(confidences, b)
	if ia >= ib {
		return a
	}
	return b
}

// naturalLess orders names with their digit runs compared as numbers, so
// java-7 comes before java-11 and openssl-1.0.0 before openssl-3.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := leadingDigits(a), leadingDigits(b)
		if da != "" && db != "" {
			if na, nb := strings.TrimLeft(da, "0"), strings.TrimLeft(db, "0"); na != nb {
				if len(na) != len(nb) {
					return len(na) < len(nb)
				}
				return na < nb
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}
