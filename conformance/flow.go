package conformance

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
)

// step is one request of a profile: its shape as data, and the judge that
// turns the exchange into a verdict. Values in path, query, header and body
// are templates: "{{name}}" is replaced by a run variable, escaped for
// its position (path segment, query, JSON string).
type step struct {
	id    string
	title string
	// write marks a step that creates or changes data; it runs only
	// with --write.
	write  bool
	method string
	path   string
	// query is the raw query string, encoded exactly as the IdP encodes
	// it. Variables in it are escaped by escape (default: percent-encoding
	// with %20 for spaces).
	query  string
	escape func(string) string
	// header lists headers in the order the IdP sends them. A header
	// named Authorization here replaces the one the target's Auth builds,
	// and an empty Authorization value sends none.
	header [][2]string
	body   string
	// judge sets the verdict; after runs once the verdict is set, to
	// record variables and created resources.
	judge func(c *call)
	after func(c *call)
}

// headers is a small helper for the header lists of profiles.
func headers(pairs ...string) [][2]string {
	out := make([][2]string, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, [2]string{pairs[i], pairs[i+1]})
	}
	return out
}

var templateVar = regexp.MustCompile(`\{\{([A-Za-z0-9_]+)\}\}`)

// expand replaces the variables of tmpl, escaping each value with esc.
// missing lists the names without a value; they stay in the output as
// "{{name}}", which is how --plan shows values a server will supply.
func expand(tmpl string, vars map[string]string, esc func(string) string) (out string, missing []string) {
	out = templateVar.ReplaceAllStringFunc(tmpl, func(m string) string {
		name := m[2 : len(m)-2]
		v, ok := vars[name]
		if !ok {
			missing = append(missing, name)
			return m
		}
		return esc(v)
	})
	return out, missing
}

// escapeJSON escapes s for use inside a JSON string literal.
func escapeJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// escapeQuery percent-encodes s with %20 for a space, as Okta sends it.
func escapeQuery(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// escapeQueryLoose encodes only what would break the query (space as "+",
// and %, &, #, +), leaving quotes raw, as Entra ID sends its filters.
func escapeQueryLoose(s string) string {
	r := strings.NewReplacer("%", "%25", "&", "%26", "#", "%23", "+", "%2B", " ", "+")
	return r.Replace(s)
}

func escapeNone(s string) string { return s }

// Okta's filter encodings, written once: a space is %20 and a quote %22.
const (
	sp = "%20"
	qt = "%22"
)
