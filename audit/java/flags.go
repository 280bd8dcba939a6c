package java

import (
	"regexp"
	"strings"
)

// Flag is one -Dname=value system property found in a file of JVM
// options, with the file and line where it is written.
type Flag struct {
	Name  string
	Value string
	File  string
	Line  int
	// Text is the flag as written, such as "-Dhttps.protocols=TLSv1".
	Text string
}

// Directive returns the flag as the JVM reads it: -Dname=value.
func (f Flag) Directive() string {
	return "-D" + f.Name + "=" + f.Value
}

// flagPattern finds -Dname[=value] after the start of a line, a blank, a
// quote or an equals sign (JAVA_OPTS="-D..."). A value may be quoted;
// otherwise it ends at a blank or a quote.
var flagPattern = regexp.MustCompile(`(?:^|[\s"'=])(-D([A-Za-z0-9_.\-]+)(?:=("[^"\n]*"|'[^'\n]*'|[^\s"']*))?)`)

// ParseFlags returns the -D system properties of data, the text of the
// file at path: a shell script such as Tomcat's setenv.sh, a jvm.options
// or *.vmoptions file, a systemd unit, or a line of flags. Lines whose
// first non-blank character is # are comments. The JVM keeps the last of
// repeated flags, so callers should let later flags win.
func ParseFlags(path string, data []byte) []Flag {
	var out []Flag
	for i, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		for _, m := range flagPattern.FindAllStringSubmatch(line, -1) {
			value := m[3]
			if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
				value = value[1 : len(value)-1]
			}
			out = append(out, Flag{Name: m[2], Value: value, File: path, Line: i + 1, Text: m[1]})
		}
	}
	return out
}

// looksLikeFlags reports whether text holds a JVM flag that the audit
// reads.
func looksLikeFlags(text string) bool {
	for _, name := range []string{"-Djdk.tls.", "-Dhttps.protocols", "-Djava.security.properties", "-Dcom.sun.net.ssl.enableECC", "-Dcom.redhat.fips", "-Dorg.bouncycastle.fips.approved_only"} {
		if strings.Contains(text, name) {
			return true
		}
	}
	return false
}
