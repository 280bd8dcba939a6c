package inspector

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Redacted replaces every secret value in recorded requests.
const Redacted = "[redacted]"

// secretHeaders are request headers whose values are replaced. For
// Authorization the scheme ("Bearer", "Basic") stays visible.
var secretHeaders = map[string]bool{
	"Authorization": true, "Proxy-Authorization": true, "Cookie": true,
	"X-Api-Key": true, "Api-Key": true, "X-Auth-Token": true,
}

// isSecretKey reports whether a JSON key, form field or query parameter
// holds a secret: passwords, client secrets, tokens, API keys and
// authorization codes, in any letter case.
func isSecretKey(key string) bool {
	k := strings.ToLower(key)
	for _, part := range []string{"password", "secret", "token", "api_key", "apikey", "assertion"} {
		if strings.Contains(k, part) {
			return true
		}
	}
	return k == "code" || k == "passwd" || k == "pwd"
}

func redactHeaders(h http.Header) map[string][]string {
	out := make(map[string][]string, len(h))
	for name, values := range h {
		if !secretHeaders[http.CanonicalHeaderKey(name)] {
			out[name] = values
			continue
		}
		redacted := make([]string, len(values))
		for i, v := range values {
			scheme, _, found := strings.Cut(v, " ")
			if found && (http.CanonicalHeaderKey(name) == "Authorization" || http.CanonicalHeaderKey(name) == "Proxy-Authorization") {
				redacted[i] = scheme + " " + Redacted
			} else {
				redacted[i] = Redacted
			}
		}
		out[name] = redacted
	}
	return out
}

// redactQuery replaces the values of secret parameters in a raw query.
// Parameter order and the other values stay as they were sent.
func redactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	parts := strings.Split(raw, "&")
	for i, part := range parts {
		key, _, hasValue := strings.Cut(part, "=")
		name, err := url.QueryUnescape(key)
		if err != nil {
			name = key
		}
		if hasValue && isSecretKey(name) {
			parts[i] = key + "=" + Redacted
		}
	}
	return strings.Join(parts, "&")
}

// redactBody returns body as text with secrets replaced. In JSON these are
// the values of secret keys at any depth and the value of a SCIM PATCH
// operation whose path is a password. In a form they are the secret
// fields. A body cut at the size limit is not valid JSON, so a pattern
// replaces the string values of secret keys instead.
func redactBody(contentType string, body []byte, truncated bool) string {
	if len(body) == 0 {
		return ""
	}
	trimmed := bytes.TrimSpace(body)
	// A form body may come with a wrong content type, so a body of one
	// line without spaces that contains "=" is redacted as a form too.
	if strings.Contains(contentType, "x-www-form-urlencoded") || looksLikeForm(trimmed) {
		return redactQuery(string(body))
	}
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		if !truncated {
			var v any
			dec := json.NewDecoder(bytes.NewReader(trimmed))
			dec.UseNumber()
			if err := dec.Decode(&v); err == nil && !dec.More() {
				out, err := json.MarshalIndent(redactJSON(v), "", "  ")
				if err == nil {
					return string(out)
				}
			}
		}
		return redactJSONText(string(body))
	}
	return string(body)
}

func looksLikeForm(body []byte) bool {
	return len(body) > 0 && body[0] != '{' && body[0] != '[' && bytes.IndexByte(body, '=') > 0 &&
		bytes.IndexFunc(body, func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' }) < 0
}

func redactJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			if isSecretKey(k) {
				v[k] = Redacted
				continue
			}
			v[k] = redactJSON(child)
		}
		// A PATCH operation that sets the password carries it in "value"
		// (RFC 7644, Section 3.5.2), as Okta's password sync does.
		if path, ok := lookupFold(v, "path").(string); ok && isPasswordPath(path) {
			for k := range v {
				if strings.EqualFold(k, "value") {
					v[k] = Redacted
				}
			}
		}
		return v
	case []any:
		for i, child := range v {
			v[i] = redactJSON(child)
		}
		return v
	}
	return v
}

func lookupFold(m map[string]any, key string) any {
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

func isPasswordPath(path string) bool {
	p := strings.ToLower(path)
	return p == "password" || strings.HasSuffix(p, ":password") || strings.HasSuffix(p, ".password")
}

// secretValuePattern matches a secret key and its string value, also when
// the string is cut off at the end of the text.
var secretValuePattern = regexp.MustCompile(`(?i)("[^"]*(?:password|secret|token|api_?key|assertion)[^"]*"\s*:\s*)"(?:[^"\\]|\\.)*("|\\?$)`)

// passwordPatchPattern matches the value of a PATCH operation on the
// password in text that is not valid JSON.
var passwordPatchPattern = regexp.MustCompile(`(?i)("path"\s*:\s*"[^"]*password"[^}]*?"value"\s*:\s*)"(?:[^"\\]|\\.)*("|\\?$)`)

func redactJSONText(text string) string {
	text = secretValuePattern.ReplaceAllString(text, `$1"`+Redacted+`"`)
	return passwordPatchPattern.ReplaceAllString(text, `$1"`+Redacted+`"`)
}
