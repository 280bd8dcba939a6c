package tomcat

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
)

// loadProperties reads catalina.properties beside server.xml, the file
// Tomcat turns into system properties at startup. A missing file gives an
// empty map and no error.
func loadProperties(serverXML string) (map[string]string, string, error) {
	path := filepath.Join(filepath.Dir(serverXML), "catalina.properties")
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, "", nil
	}
	data, err := audit.ReadFile(path)
	if err != nil {
		return nil, path, err
	}
	return parseProperties(string(data)), path, nil
}

// parseProperties reads Java properties text: "key=value", "key: value" or
// "key value" lines, '#' and '!' comments, and a trailing backslash that
// continues a line. Escapes other than the line continuation are kept as
// written.
func parseProperties(text string) map[string]string {
	props := map[string]string{}
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimLeft(lines[i], " \t\f")
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		for strings.HasSuffix(line, "\\") && i+1 < len(lines) {
			i++
			line = strings.TrimSuffix(line, "\\") + strings.TrimLeft(lines[i], " \t\f")
		}
		end := strings.IndexAny(line, "=: \t\f")
		if end < 0 {
			props[line] = ""
			continue
		}
		key := line[:end]
		rest := strings.TrimLeft(line[end:], " \t\f")
		if rest != "" && (rest[0] == '=' || rest[0] == ':') {
			rest = strings.TrimLeft(rest[1:], " \t\f")
		}
		props[key] = rest
	}
	return props
}

// substitute replaces each ${name} in value as Tomcat's digester does with
// system properties. It returns the names it could not resolve, which stay
// as written, as Tomcat leaves them.
func substitute(value string, props map[string]string) (string, []string) {
	if !strings.Contains(value, "${") {
		return value, nil
	}
	var b strings.Builder
	var missing []string
	for {
		i := strings.Index(value, "${")
		if i < 0 {
			b.WriteString(value)
			break
		}
		j := strings.IndexByte(value[i:], '}')
		if j < 0 {
			b.WriteString(value)
			break
		}
		name := value[i+2 : i+j]
		b.WriteString(value[:i])
		if v, ok := props[name]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(value[i : i+j+1])
			missing = append(missing, name)
		}
		value = value[i+j+1:]
	}
	return b.String(), missing
}
