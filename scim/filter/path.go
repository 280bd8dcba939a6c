package filter

import (
	"fmt"

	"github.com/scimdoctor/scimdoctor/scim"
)

// Path is the "path" of a PATCH operation (RFC 7644 Section 3.5.2):
// an attribute path, or a value filter with an optional sub-attribute.
//
//	members                                   Attr members
//	name.familyName                           Attr name.familyName
//	urn:...:enterprise:2.0:User:manager       Attr with URI, name manager
//	emails[type eq "work"].value              Attr emails, Filter, Sub value
//	members[value eq "2819c223"]              Attr members, Filter
type Path struct {
	// Attr is the attribute. Attr.Sub is set only when Filter is nil.
	Attr scim.AttrPath
	// Filter is the value filter inside [ ], or nil.
	Filter Expr
	// Sub is the sub-attribute after "]", or empty.
	Sub string
}

// String returns the path in canonical form, with the filter as
// Expr.String prints it.
func (p *Path) String() string {
	s := p.Attr.String()
	if p.Filter != nil {
		s += "[" + p.Filter.String() + "]"
	}
	if p.Sub != "" {
		s += "." + p.Sub
	}
	return s
}

// ParsePath parses a PATCH path with the default limits. Errors in the
// path's structure are *scim.SyntaxError with ScimType scim.InvalidPath.
// Errors inside the brackets carry scim.InvalidFilter, the keyword that
// RFC 7644 Section 3.12 (Table 9) gives for a PATCH path filter. Both
// unwrap to a *scim.Error with status 400 and give the byte offset.
func ParsePath(s string) (*Path, error) {
	return ParsePathWithLimits(s, Limits{})
}

// ParsePathWithLimits is ParsePath with the given limits on the filter.
func ParsePathWithLimits(s string, limits Limits) (*Path, error) {
	limits = limits.withDefaults()
	if len(s) > limits.MaxBytes {
		return nil, &scim.SyntaxError{Offset: limits.MaxBytes, ScimType: scim.InvalidPath,
			Problem: fmt.Sprintf("path of %d bytes exceeds the limit of %d bytes", len(s), limits.MaxBytes)}
	}
	p := &parser{lex: lexer{in: s, scimType: scim.InvalidPath}, limits: limits}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind != tokWord {
		return nil, p.pathError(`expected an attribute path such as members or emails[type eq "work"].value`)
	}
	attrTok := p.tok
	attr, err := scim.ParseAttrPath(attrTok.raw, attrTok.pos, scim.InvalidPath)
	if err != nil {
		return nil, err
	}
	path := &Path{Attr: attr}
	if err := p.advance(); err != nil {
		return nil, err
	}

	if p.tok.kind == tokLBracket {
		if attr.Sub != "" {
			return nil, p.pathError(fmt.Sprintf("a value filter follows a multi-valued attribute, not a sub-attribute: write %s[...].%s",
				scim.AttrPath{URI: attr.URI, Name: attr.Name}, attr.Sub))
		}
		// The filter inside the brackets reports invalidFilter.
		p.lex.scimType = scim.InvalidFilter
		path.Filter, err = p.parseBracket()
		if err != nil {
			return nil, err
		}
		p.lex.scimType = scim.InvalidPath
		if p.tok.kind == tokDot {
			path.Sub, _, err = p.parseSubAttr()
			if err != nil {
				return nil, err
			}
		}
	}

	if p.tok.kind != tokEOF {
		return nil, p.pathError(`expected the end of the path`)
	}
	return path, nil
}

func (p *parser) pathError(hint string) error {
	if p.tok.kind == tokEOF {
		return &scim.SyntaxError{Offset: p.tok.pos, Problem: "unexpected end of input", Hint: hint, ScimType: scim.InvalidPath}
	}
	return scim.Unexpected(scim.InvalidPath, p.tok.pos, p.tok.raw, hint)
}
