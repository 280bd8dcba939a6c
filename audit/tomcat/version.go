package tomcat

import (
	"fmt"
	"slices"
	"strings"
)

// Versions are the Tomcat releases whose server.xml attributes the audit
// models, oldest first. DefaultVersion is among them.
var Versions = []string{"8.5", "9.0", "10.0", "10.1"}

// ParseVersion returns the Tomcat release that s names, such as "9.0"
// for "9", "9.0" or "9.0.85", or an error that lists Versions.
func ParseVersion(s string) (string, error) {
	v := strings.TrimSpace(s)
	major, rest, _ := strings.Cut(v, ".")
	minor, _, _ := strings.Cut(rest, ".")
	if minor == "" {
		minor = "0"
	}
	release := major + "." + minor
	if major == "" || !slices.Contains(Versions, release) {
		return "", fmt.Errorf("unsupported Tomcat version %q: use %s", s, strings.Join(Versions, ", "))
	}
	return release, nil
}
