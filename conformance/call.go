package conformance

import (
	"encoding/json"
	"net/url"
	"strings"
)

// call is one judged exchange: the step, what came back, and the findings
// the judge records on it.
type call struct {
	runner   *runner
	step     step
	ex       *exchange
	vars     map[string]string
	profile  string
	findings []Verdict
}

// add records findings; the verdict is the first fail, else the first warn,
// else the last pass.
func (c *call) add(vs ...Verdict) { c.findings = append(c.findings, vs...) }

// failed reports whether a finding so far is a failure.
func (c *call) failed() bool {
	for _, v := range c.findings {
		if v.Status == Fail {
			return true
		}
	}
	return false
}

func (c *call) verdict() (Verdict, []Verdict) {
	return decide(c.findings, c.step.id)
}

// decide picks the deciding finding and returns the other warnings and
// failures as notes.
func decide(findings []Verdict, stepID string) (Verdict, []Verdict) {
	pick := -1
	for _, want := range []Status{Fail, Warn} {
		for i, v := range findings {
			if v.Status == want {
				pick = i
				break
			}
		}
		if pick >= 0 {
			break
		}
	}
	if pick < 0 {
		for i, v := range findings {
			if v.Status == Pass {
				pick = i
			}
		}
	}
	if pick < 0 {
		return Verdict{Status: Pass, Rule: stepID, Reason: "returned as expected"}, nil
	}
	var notes []Verdict
	for i, v := range findings {
		if i != pick && (v.Status == Fail || v.Status == Warn) {
			notes = append(notes, v)
		}
	}
	return findings[pick], notes
}

// object returns the response body as a JSON object, or nil.
func (c *call) object() map[string]any {
	m, _ := c.ex.jsonBody()
	return m
}

// setVar stores a string value found at a dotted path of the response
// ("id", "Resources.0.id"); it does nothing when the value is missing.
func (c *call) setVar(name, path string) {
	if v, ok := lookupString(c.object(), path); ok && v != "" {
		c.vars[name] = v
	}
}

// track records a created resource for cleanup when the response carries
// an id, whatever the status: a server that returned 200 to a duplicate
// still created something.
func (c *call) track(typ, nameVar string) string {
	if c.ex.status < 200 || c.ex.status > 299 {
		return ""
	}
	id, ok := lookupString(c.object(), "id")
	if !ok || id == "" {
		return ""
	}
	c.runner.created.add(Resource{Type: typ, ID: id, Name: c.vars[nameVar], Profile: c.profile})
	return id
}

// untrack moves a resource the flow deleted to the removed list, when the
// DELETE succeeded.
func (c *call) untrack(typ, idVar string) {
	if c.ex.status == 204 || c.ex.status == 200 {
		c.runner.created.gone(typ, c.vars[idVar])
	}
}

// lookupString follows a dotted path ("Resources.0.name.givenName") through
// decoded JSON and returns the string or number found there.
func lookupString(m map[string]any, path string) (string, bool) {
	v, ok := lookup(m, path)
	if !ok {
		return "", false
	}
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

func lookup(m map[string]any, path string) (any, bool) {
	var cur any = m
	for _, part := range strings.Split(path, ".") {
		switch node := cur.(type) {
		case map[string]any:
			v, ok := getFold(node, part)
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i := 0
			for _, ch := range part {
				if ch < '0' || ch > '9' {
					return nil, false
				}
				i = i*10 + int(ch-'0')
			}
			if i >= len(node) {
				return nil, false
			}
			cur = node[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// getFold reads a key case-insensitively, as SCIM attribute names are
// (RFC 7643 section 2.1).
func getFold(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// urlPathEscape escapes one path segment.
func urlPathEscape(s string) string { return url.PathEscape(s) }

// excerpt cuts s to at most n bytes on a rune boundary and marks the cut.
func excerpt(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && (s[cut]&0xC0) == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
