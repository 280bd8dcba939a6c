package conformance

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// redactor removes secrets from everything a result records. It redacts by
// position first: the Authorization, Cookie and caller-supplied header
// values, credential fields of JSON bodies (credentialFields) and any JSON
// string or query parameter whose whole value is a secret. Free text (error
// reasons, admin messages, bodies that are not JSON) gets substring
// replacement only for secrets of at least minSubstringSecret bytes.
//
// NOTE: a secret shorter than minSubstringSecret stays visible where a
// server quotes it inside free text, such as an error detail that reads
// "token abc is invalid". Replacing short strings everywhere would also
// mangle ordinary words: a token "tok" would turn "token" into
// "[REDACTED]en".
type redactor struct{ secrets []string }

const redacted = "[REDACTED]"

// minSubstringSecret is the shortest secret, in bytes, that is also
// replaced inside free text. Eight bytes rarely occur by chance in a SCIM
// message.
const minSubstringSecret = 8

// credentialFields are JSON keys whose string values are always redacted,
// compared case-insensitively: OAuth 2.0 token responses (RFC 6749 section
// 5.1), client secrets, and SCIM's password attribute (RFC 7643 section
// 4.1.1).
var credentialFields = map[string]bool{
	"access_token":  true,
	"refresh_token": true,
	"id_token":      true,
	"client_secret": true,
	"token":         true,
	"password":      true,
	"secret":        true,
	"api_key":       true,
	"apikey":        true,
}

// alwaysRedactedHeaders carry credentials or session state whatever their
// value.
var alwaysRedactedHeaders = map[string]bool{
	"Cookie":              true,
	"Set-Cookie":          true,
	"Proxy-Authorization": true,
}

func (r *redactor) add(secrets ...string) {
	for _, s := range secrets {
		if s == "" {
			continue
		}
		known := false
		for _, have := range r.secrets {
			known = known || have == s
		}
		if !known {
			r.secrets = append(r.secrets, s)
		}
	}
}

// isSecret reports whether s is one of the secrets, whole.
func (r *redactor) isSecret(s string) bool {
	for _, secret := range r.secrets {
		if s == secret {
			return true
		}
	}
	return false
}

// clean replaces the secrets of at least minSubstringSecret bytes inside
// free text.
func (r *redactor) clean(s string) string {
	for _, secret := range r.secrets {
		if len(secret) >= minSubstringSecret {
			s = strings.ReplaceAll(s, secret, redacted)
		}
	}
	return s
}

// body redacts a request or response body: the credential fields and
// secret values of a JSON body in place, keeping its layout and key order,
// then the long secrets anywhere in it.
func (r *redactor) body(b []byte) string {
	if out, ok := r.jsonValues(b); ok {
		b = out
	}
	return r.clean(string(b))
}

// jsonValues replaces, in the JSON text b, every string value of a
// credential field and every string value that is a secret with
// "[REDACTED]". ok is false when b is not JSON, or contains more than one
// value.
func (r *redactor) jsonValues(b []byte) (out []byte, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	type frame struct {
		object    bool
		expectKey bool
		key       string
	}
	var stack []frame
	var spans [][2]int64
	prevEnd := int64(0)
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		end := dec.InputOffset()
		start := prevEnd
		for start < end && strings.IndexByte(" \t\r\n:,", b[start]) >= 0 {
			start++
		}
		prevEnd = end

		var top *frame
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, frame{object: true, expectKey: true})
			case '[':
				stack = append(stack, frame{})
			default:
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].object {
					stack[len(stack)-1].expectKey = true
				}
			}
			if t == '{' || t == '[' {
				continue
			}
		case string:
			if top != nil && top.object && top.expectKey {
				top.key = t
				top.expectKey = false
				continue
			}
			field := top != nil && top.object && credentialFields[strings.ToLower(top.key)]
			if field || r.isSecret(t) {
				spans = append(spans, [2]int64{start, end})
			}
		}
		if top != nil && top.object && tok != json.Delim('}') {
			top.expectKey = true
		}
		if len(stack) == 0 {
			// The one top-level value is complete; anything but
			// whitespace after it makes b something other than JSON.
			if len(bytes.Trim(b[end:], " \t\r\n")) > 0 {
				return nil, false
			}
			break
		}
	}
	if len(spans) == 0 {
		return b, true
	}
	var buf bytes.Buffer
	last := int64(0)
	for _, sp := range spans {
		buf.Write(b[last:sp[0]])
		buf.WriteString(`"` + redacted + `"`)
		last = sp[1]
	}
	buf.Write(b[last:])
	return buf.Bytes(), true
}

// url redacts a request URL: user information, and query parameters
// whose name is a credential field or whose value is a secret. The rest of
// the query keeps the IdP's encoding.
func (r *redactor) url(raw string) string {
	base, query, hasQuery := strings.Cut(raw, "?")
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		base = strings.Replace(base, u.User.String()+"@", redacted+"@", 1)
	}
	if !hasQuery {
		return r.clean(base)
	}
	params := strings.Split(query, "&")
	for i, p := range params {
		name, value, found := strings.Cut(p, "=")
		if !found {
			continue
		}
		decodedName, err1 := url.QueryUnescape(name)
		decodedValue, err2 := url.QueryUnescape(value)
		if err1 != nil || err2 != nil {
			continue
		}
		if credentialFields[strings.ToLower(decodedName)] || r.isSecret(decodedValue) {
			params[i] = name + "=" + redacted
		}
	}
	return r.clean(base + "?" + strings.Join(params, "&"))
}

// header copies h with Authorization, Cookie, Set-Cookie,
// Proxy-Authorization and the caller's extra headers redacted, any value
// that is a secret redacted, and every other value cleaned of long
// secrets.
func (r *redactor) header(h http.Header, extra http.Header) http.Header {
	out := http.Header{}
	for name, values := range h {
		for _, v := range values {
			switch {
			case strings.EqualFold(name, "Authorization"):
				scheme, _, found := strings.Cut(v, " ")
				if found {
					v = scheme + " " + redacted
				} else {
					v = redacted
				}
			case alwaysRedactedHeaders[http.CanonicalHeaderKey(name)], extra.Get(name) != "", r.isSecret(v):
				v = redacted
			default:
				v = r.clean(v)
			}
			out.Add(name, v)
		}
	}
	return out
}
