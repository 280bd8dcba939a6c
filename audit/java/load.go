package java

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
)

// securityFile is one parsed security properties file with its includes
// resolved.
type securityFile struct {
	path  string
	props []Property
}

// master reports whether the file is a master java.security, which the
// JVM reads in place of its own, rather than an override file given with
// -Djava.security.properties. A master registers providers and sets the
// certificate path limits.
func (f *securityFile) master() bool {
	var providers, certpath bool
	for _, p := range f.props {
		providers = providers || p.Key == "security.provider.1"
		certpath = certpath || p.Key == "jdk.certpath.disabledAlgorithms"
	}
	return providers && certpath
}

// maxIncludeDepth bounds nested include lines. The JDK rejects only a
// file included twice on the same chain; a chain this deep is a mistake.
const maxIncludeDepth = 32

// systemPropertyRef is ${name} in an include path.
var systemPropertyRef = regexp.MustCompile(`\$\{([^}]*)\}`)

// loadSecurityFile reads and parses the security properties file at path.
// On lines that support include (JDK 24 and later), each include entry is
// replaced by the entries of the file it names: ${name} expands to the
// system property name (empty when unset, as the JDK does), and a relative
// path is resolved against the including file's folder. chain lists the
// files being included, to report loops.
func loadSecurityFile(path string, line *jdkLine, sysprops map[string]string, chain []Property) (*securityFile, error) {
	data, err := audit.ReadFile(path)
	if err != nil {
		return nil, err
	}
	props, err := ParseProperties(path, data)
	if err != nil {
		return nil, err
	}
	file := &securityFile{path: path}
	for _, p := range props {
		if p.Key != "include" || !line.include {
			file.props = append(file.props, p)
			continue
		}
		target := systemPropertyRef.ReplaceAllStringFunc(p.Value, func(ref string) string {
			return sysprops[ref[2:len(ref)-1]]
		})
		target = strings.TrimSpace(target)
		if target == "" {
			return nil, &ParseError{File: p.File, Line: p.Line, Message: fmt.Sprintf("include %q names no file after ${...} expansion: give a path", p.Value)}
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		target = filepath.Clean(target)
		if err := checkIncludeChain(path, p, target, chain); err != nil {
			return nil, err
		}
		included, err := loadSecurityFile(target, line, sysprops, append(chain, Property{Key: path, Value: target, File: p.File, Line: p.Line}))
		if err != nil {
			if _, ok := err.(*ParseError); ok {
				return nil, err
			}
			return nil, &ParseError{File: p.File, Line: p.Line, Message: fmt.Sprintf("include %s failed, and the JDK then fails to start: %v", target, err)}
		}
		file.props = append(file.props, included.props...)
	}
	return file, nil
}

// checkIncludeChain returns an error when including target from the line
// p of path would include a file already on the chain, or nest too deep.
func checkIncludeChain(path string, p Property, target string, chain []Property) error {
	if len(chain) >= maxIncludeDepth {
		return &ParseError{File: p.File, Line: p.Line, Message: fmt.Sprintf("include %s nests more than %d files deep: flatten the includes", target, maxIncludeDepth)}
	}
	if filepath.Clean(path) == target {
		return &ParseError{File: p.File, Line: p.Line, Message: fmt.Sprintf("include loop: %s includes itself, and the JDK fails to start on it; remove the include", target)}
	}
	for _, link := range chain {
		if filepath.Clean(link.Key) == target {
			return &ParseError{File: p.File, Line: p.Line, Message: fmt.Sprintf("include loop: %s is already included from %s:%d, and the JDK fails to start on a file included twice; remove one of the includes", target, link.File, link.Line)}
		}
	}
	return nil
}

// isSecurityFile reports whether the file at path, whose text is data, is
// a security properties file rather than a file of JVM options.
func isSecurityFile(path string, data []byte) bool {
	base := strings.ToLower(filepath.Base(path))
	if strings.HasSuffix(base, ".security") || base == "java.security" {
		return true
	}
	if isFlagsName(base) {
		return false
	}
	return securityContent.Match(data)
}

// securityContent is a key line that only security properties files have.
var securityContent = regexp.MustCompile(`(?m)^[ \t]*(jdk\.tls\.disabledAlgorithms|security\.provider\.[0-9]+|jdk\.certpath\.disabledAlgorithms|security\.overridePropertiesFile|fips\.provider\.[0-9]+)[ \t]*[=:]`)

// isFlagsName reports whether a base name (lower case) is one that holds
// JVM options.
func isFlagsName(base string) bool {
	switch {
	case base == "setenv.sh", base == "setenv.bat", base == "jvm.options", base == "java_opts",
		strings.HasSuffix(base, ".vmoptions"), strings.HasSuffix(base, ".service"),
		strings.HasSuffix(base, ".conf") && strings.Contains(base, "tomcat"):
		return true
	}
	return false
}

// resolveOverride finds the file a -Djava.security.properties value names.
// It tries the audited files with the same path first. Next it tries those
// with the same base name (an audited copy), then the path on disk. Last it
// tries a file of the same base name beside the file that sets the flag (a
// copy taken from the server with it). A relative path is taken from the folder of the file
// that sets the flag.
func resolveOverride(value string, flag Flag, audited []*securityFile) (string, bool) {
	clean := filepath.Clean(value)
	for _, f := range audited {
		if filepath.Clean(f.path) == clean {
			return f.path, true
		}
	}
	for _, f := range audited {
		if filepath.Base(f.path) == filepath.Base(clean) {
			return f.path, true
		}
	}
	candidates := []string{clean}
	if !filepath.IsAbs(clean) && flag.File != "" {
		candidates = append(candidates, filepath.Join(filepath.Dir(flag.File), clean))
	}
	if flag.File != "" {
		candidates = append(candidates, filepath.Join(filepath.Dir(flag.File), filepath.Base(clean)))
	}
	for _, c := range candidates {
		if info, err := os.Stat(c); err == nil && info.Mode().IsRegular() {
			return c, true
		}
	}
	return "", false
}

// relatedFiles returns path and the files next to it that the JVM reads
// with it: for a file of JVM options, the security properties file its
// -Djava.security.properties names (resolved later); for a security
// properties file, the files of JVM options in the same folder whose
// -Djava.security.properties names it.
func relatedFiles(path string) []string {
	out := []string{path}
	data, err := audit.ReadFile(path)
	if err != nil || !isSecurityFile(path, data) {
		return out
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		return out
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !isFlagsName(strings.ToLower(e.Name())) {
			continue
		}
		sibling := filepath.Join(filepath.Dir(path), e.Name())
		text, err := audit.ReadFile(sibling)
		if err != nil {
			continue
		}
		for _, f := range ParseFlags(sibling, text) {
			target := strings.TrimPrefix(f.Value, "=")
			if f.Name == "java.security.properties" && filepath.Base(target) == filepath.Base(path) && !slices.Contains(out, sibling) {
				out = append(out, sibling)
			}
		}
	}
	return out
}
