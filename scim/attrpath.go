package scim

import (
	"strings"
)

// AttrPath is an attribute path of RFC 7644 Section 3.10:
// [URI ":"] ATTRNAME ["." subAttr].
//
// The parser splits a URI prefix at the last colon, so
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"
// has the URI "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
// the name "manager" and the sub-attribute "value". A path that is a schema
// URN alone, such as "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
// (a PATCH target), parses as URI ".../enterprise:2.0" with the name "User".
// scim/schema recognises that form when it resolves the path, because only
// the registry lists which URNs are schemas.
type AttrPath struct {
	URI  string // schema URI without the final colon; empty when absent
	Name string // attribute name
	Sub  string // sub-attribute name; empty when absent
}

// String returns the path in the form it was parsed from.
func (p AttrPath) String() string {
	var b strings.Builder
	if p.URI != "" {
		b.WriteString(p.URI)
		b.WriteByte(':')
	}
	b.WriteString(p.Name)
	if p.Sub != "" {
		b.WriteByte('.')
		b.WriteString(p.Sub)
	}
	return b.String()
}

// IsAttrPathByte reports whether c may appear in an attribute path. The
// bytes are ASCII letters, digits, "-", "_" and "$" (RFC 7643 Section 2.1
// allows "$" for "$ref"). "." separates a sub-attribute or sits in a URI
// version ("2.0"), and ":" ends each URI part. The filter lexer uses it to
// find the end of a path.
//
// NOTE: URIs with "/" (such as Microsoft's
// "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group")
// cannot prefix a path; no IdP filters or patches by such a URI.
func IsAttrPathByte(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '-' || c == '_' || c == '$' || c == '.' || c == ':'
}

func isAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isNameByte reports whether c may follow the first byte of an ATTRNAME.
func isNameByte(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '-' || c == '_' || c == '$'
}

// ParseAttrPath parses an attribute path such as "name.givenName" or
// "urn:ietf:params:scim:schemas:core:2.0:User:userName". Names must start
// with a letter or "$" and hold only letters, digits, "-", "_" and "$"; at
// most one sub-attribute may follow. The returned error is a *SyntaxError
// with scimType, whose Offset counts from the start of s plus base, so a
// caller that found s inside a longer input can report the position in that
// input.
func ParseAttrPath(s string, base int, scimType string) (AttrPath, error) {
	if s == "" {
		return AttrPath{}, syntaxErrorf(scimType, base, "missing attribute path")
	}
	for i := 0; i < len(s); i++ {
		if !IsAttrPathByte(s[i]) {
			return AttrPath{}, Unexpected(scimType, base+i, s[i:i+1], "an attribute path holds only letters, digits and - _ $ . :")
		}
	}

	var p AttrPath
	rest, restAt := s, 0
	if colon := strings.LastIndexByte(s, ':'); colon >= 0 {
		p.URI, rest, restAt = s[:colon], s[colon+1:], colon+1
		if !isAlpha(s[0]) {
			return AttrPath{}, Unexpected(scimType, base, s[:1], "a schema URI starts with a letter")
		}
		if rest == "" {
			return AttrPath{}, syntaxErrorf(scimType, base+len(s), "missing attribute name after schema URI %s", Quote(p.URI))
		}
	}

	name, sub, hasSub := strings.Cut(rest, ".")
	if err := checkName(name, base+restAt, scimType); err != nil {
		return AttrPath{}, err
	}
	p.Name = name
	if hasSub {
		subAt := base + restAt + len(name) + 1
		if dot := strings.IndexByte(sub, '.'); dot >= 0 {
			return AttrPath{}, Unexpected(scimType, subAt+dot, ".", "a path names at most one sub-attribute, as in name.givenName")
		}
		if err := checkName(sub, subAt, scimType); err != nil {
			return AttrPath{}, err
		}
		p.Sub = sub
	}
	return p, nil
}

// checkName checks an ATTRNAME found at offset.
func checkName(name string, offset int, scimType string) error {
	if name == "" {
		return syntaxErrorf(scimType, offset, "missing attribute name")
	}
	if !isAlpha(name[0]) && name[0] != '$' {
		return Unexpected(scimType, offset, name[:1], "an attribute name starts with a letter or $")
	}
	for i := 1; i < len(name); i++ {
		if !isNameByte(name[i]) {
			return Unexpected(scimType, offset+i, name[i:i+1], "an attribute name holds only letters, digits and - _ $")
		}
	}
	return nil
}

// ParseAttrPathList parses the comma-separated value of the "attributes",
// "excludedAttributes" or "sortBy" query parameters (RFC 7644 Section
// 3.4.2.5). Spaces around each path are ignored. An empty entry, as in
// "userName,,emails" or a trailing comma, is a *SyntaxError with scimType.
func ParseAttrPathList(s string, scimType string) ([]AttrPath, error) {
	var paths []AttrPath
	start := 0
	for start <= len(s) {
		end := strings.IndexByte(s[start:], ',')
		if end < 0 {
			end = len(s)
		} else {
			end += start
		}
		item := s[start:end]
		lead := len(item) - len(strings.TrimLeft(item, " "))
		item = strings.TrimSpace(item)
		if item == "" {
			return nil, syntaxErrorf(scimType, start+lead, "empty attribute name in list %s", Quote(s))
		}
		p, err := ParseAttrPath(item, start+lead, scimType)
		if err != nil {
			return nil, err
		}
		paths = append(paths, p)
		start = end + 1
	}
	return paths, nil
}
