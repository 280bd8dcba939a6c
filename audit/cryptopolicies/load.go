package cryptopolicies

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/audit/cipherstring"
)

// Release is a Red Hat Enterprise Linux major release, whose crypto-policies
// package ships its own built-in policies.
type Release int

// Releases with built-in policies.
const (
	RHEL8  Release = 8
	RHEL9  Release = 9
	RHEL10 Release = 10
)

// DefaultRelease is the release assumed when none is given.
const DefaultRelease = RHEL9

func (r Release) String() string { return fmt.Sprintf("RHEL %d", int(r)) }

// openSSL returns the OpenSSL line the release ships: 1.1.1 on RHEL 8 and
// 3.x on RHEL 9 and 10.
func (r Release) openSSL() cipherstring.Version {
	if r == RHEL8 {
		return cipherstring.OpenSSL111
	}
	return cipherstring.OpenSSL30
}

// ParseRelease reads "8", "9", "10" or "rhel9" for a --rhel option.
func ParseRelease(s string) (Release, error) {
	switch strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "rhel") {
	case "8":
		return RHEL8, nil
	case "9":
		return RHEL9, nil
	case "10":
		return RHEL10, nil
	}
	return 0, fmt.Errorf("invalid RHEL release %q: use 8, 9 or 10", s)
}

//go:embed builtin
var builtin embed.FS

// systemPolicyDir is the folder of crypto-policies' built-in policies.
const systemPolicyDir = "/usr/share/crypto-policies/policies"

// Spec is the policy a host runs, as /etc/crypto-policies/config or
// update-crypto-policies --set names it: a policy and modules, such as
// "DEFAULT:AD-SUPPORT".
type Spec struct {
	Policy  string
	Modules []string
}

func (s Spec) String() string {
	return strings.Join(append([]string{s.Policy}, s.Modules...), ":")
}

var specName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// ParseSpec reads "POLICY[:MODULE...]".
func ParseSpec(s string) (Spec, error) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	for _, p := range parts {
		if !specName.MatchString(p) {
			return Spec{}, fmt.Errorf("invalid policy %q: write POLICY or POLICY:MODULE, such as DEFAULT or DEFAULT:SHA1, with letters, digits, - and _", cut(s))
		}
	}
	return Spec{Policy: parts[0], Modules: parts[1:]}, nil
}

// LoadOptions are the release and folders that Load reads policies from.
type LoadOptions struct {
	// Release selects the built-in policies; 0 means DefaultRelease.
	Release Release
	// Dirs are folders with custom policies (NAME.pol) and, in their
	// modules subfolder, custom modules (NAME.pmod), searched in order
	// before the built-in ones, as /etc/crypto-policies/policies is.
	Dirs []string
	// Parsed are files already parsed, such as the audited .pmod file,
	// which take precedence over Dirs for their name and kind.
	Parsed []*Policy
}

// Composite is a policy with its modules, loaded and parsed.
type Composite struct {
	Spec    Spec
	Release Release
	// Files are the policy, then each module, in the order applied.
	Files []*Policy
	// BuiltIn marks the files that came from this package's copy of the
	// release's built-in policies rather than from the audited host.
	BuiltIn map[*Policy]bool
}

// Load finds and parses the policy and modules of spec: custom files in
// opts.Dirs first, then the release's built-in ones. An unknown name is an
// error that lists the names available.
func Load(spec Spec, opts LoadOptions) (*Composite, error) {
	if opts.Release == 0 {
		opts.Release = DefaultRelease
	}
	c := &Composite{Spec: spec, Release: opts.Release, BuiltIn: map[*Policy]bool{}}
	names := append([]string{spec.Policy}, spec.Modules...)
	for i, name := range names {
		p, builtIn, err := find(name, i > 0, opts)
		if errors.Is(err, fs.ErrNotExist) {
			// Name the mix-up when the name exists as the other kind.
			if _, _, other := find(name, i == 0, opts); other == nil {
				if i == 0 {
					return nil, fmt.Errorf("%s is a module, not a policy: write a policy first, such as DEFAULT:%s", name, name)
				}
				return nil, fmt.Errorf("%s is a policy, not a module: only the first name may be a policy, as in %s", name, name)
			}
		}
		if err != nil {
			return nil, err
		}
		c.Files = append(c.Files, p)
		if builtIn {
			c.BuiltIn[p] = true
		}
	}
	return c, nil
}

func find(name string, module bool, opts LoadOptions) (*Policy, bool, error) {
	for _, p := range opts.Parsed {
		if p.Name == name && p.Module == module {
			return p, false, nil
		}
	}

	file := name + ".pol"
	sub := ""
	if module {
		file, sub = name+".pmod", "modules"
	}
	for _, dir := range opts.Dirs {
		path := filepath.Join(dir, sub, file)
		if _, err := os.Stat(path); err == nil {
			p, err := ParseFile(path)
			return p, false, err
		}
	}

	embedded := fmt.Sprintf("builtin/rhel%d/%s", int(opts.Release), file)
	if module {
		embedded = fmt.Sprintf("builtin/rhel%d/modules/%s", int(opts.Release), file)
	}
	data, err := builtin.ReadFile(embedded)
	if errors.Is(err, fs.ErrNotExist) {
		kind := "policy"
		if module {
			kind = "module"
		}
		where := "no custom " + file
		if len(opts.Dirs) > 0 {
			where = fmt.Sprintf("no %s in %s", file, strings.Join(opts.Dirs, ", "))
		}
		return nil, false, &notFoundError{fmt.Sprintf("unknown %s %s for %s: %s and none built in (built in: %s)", kind, name, opts.Release, where, strings.Join(builtinNames(opts.Release, module), ", "))}
	}
	if err != nil {
		return nil, false, err
	}

	installed := filepath.Join(systemPolicyDir, sub, file)
	p, err := Parse(installed, data)
	if err != nil {
		// unreachable: the built-in files are tested.
		return nil, false, err
	}
	return p, true, nil
}

// notFoundError is a policy or module name found nowhere.
type notFoundError struct{ reason string }

func (e *notFoundError) Error() string { return e.reason }

func (e *notFoundError) Is(target error) bool { return target == fs.ErrNotExist }

func builtinNames(r Release, module bool) []string {
	dir := fmt.Sprintf("builtin/rhel%d", int(r))
	ext := ".pol"
	if module {
		dir, ext = dir+"/modules", ".pmod"
	}
	entries, _ := builtin.ReadDir(dir)
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ext) {
			names = append(names, strings.TrimSuffix(e.Name(), ext))
		}
	}
	slices.Sort(names)
	return names
}

// ConfigFile is /etc/crypto-policies/config: the one line naming the
// host's policy.
type ConfigFile struct {
	Path string
	Spec Spec
	// Line is the line of the policy name.
	Line int
}

// ParseConfig reads a /etc/crypto-policies/config file: '#' comments,
// blank lines and one line "POLICY[:MODULE...]".
func ParseConfig(path string) (*ConfigFile, error) {
	data, err := audit.ReadFile(path)
	if err != nil {
		return nil, &ParseError{File: path, Err: err}
	}
	return ParseConfigText(path, data)
}

// ParseConfigText parses data as the config file at path.
func ParseConfigText(path string, data []byte) (*ConfigFile, error) {
	data, err := audit.DecodeText(path, data)
	if err != nil {
		return nil, &ParseError{File: path, Err: err}
	}
	var cfg *ConfigFile
	for i, line := range strings.Split(string(data), "\n") {
		text, _, _ := strings.Cut(line, "#")
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		if cfg != nil {
			return nil, &ParseError{File: path, Line: i + 1, Reason: fmt.Sprintf("a second policy line %q: the file names one policy (first at line %d)", cut(text), cfg.Line)}
		}
		spec, err := ParseSpec(text)
		if err != nil {
			return nil, &ParseError{File: path, Line: i + 1, Reason: err.Error()}
		}
		cfg = &ConfigFile{Path: path, Spec: spec, Line: i + 1}
	}
	if cfg == nil {
		return nil, &ParseError{File: path, Reason: "no policy line: write one such as DEFAULT, or run update-crypto-policies --set DEFAULT"}
	}
	return cfg, nil
}
