package filter

import (
	"errors"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/scim"
	"github.com/scimdoctor/scimdoctor/scim/schema"
)

// roomy is the limit set for reparsing a canonical form, which may be
// longer and one level deeper per "and"/"or" than its input.
var roomy = Limits{MaxBytes: 1 << 20, MaxDepth: 4*MaxDepth + 4, MaxTerms: MaxTerms}

func FuzzParseFilter(f *testing.F) {
	for _, tc := range parseCases {
		f.Add(tc.in)
	}
	f.Add("userName eq \"x\"\x00")
	f.Add("user\xffName eq \"x\"")
	f.Add(strings.Repeat("(", 40) + "a pr" + strings.Repeat(")", 40))
	f.Add(`emails[type eq "work" or (type eq "home" and primary eq true)].value sw "b"`)
	rt := schema.Default().ResourceType("User")
	user := decode(f, bjensen, false)

	f.Fuzz(func(t *testing.T, in string) {
		e, err := Parse(in)
		if err != nil {
			var se *scim.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %v is %T, want *scim.SyntaxError", in, err, err)
			}
			if se.Offset < 0 || se.Offset > len(in) {
				t.Fatalf("Parse(%q) error offset %d outside the input of %d bytes", in, se.Offset, len(in))
			}
			if se.ScimType != scim.InvalidFilter {
				t.Fatalf("Parse(%q) scimType = %q", in, se.ScimType)
			}
			if e != nil {
				t.Fatalf("Parse(%q) returned a tree with the error", in)
			}
			return
		}
		canon := e.String()
		again, err := ParseWithLimits(canon, roomy)
		if err != nil {
			t.Fatalf("Parse(%q) = %s, which does not parse: %v", in, canon, err)
		}
		if again.String() != canon {
			t.Fatalf("round trip of %q: %s became %s", in, canon, again)
		}
		if pred, err := Compile(e, rt); err == nil {
			pred(user)
		} else {
			var scimErr *scim.Error
			if !errors.As(err, &scimErr) || scimErr.ScimType != scim.InvalidFilter {
				t.Fatalf("Compile(%s) error %v, want an invalidFilter *scim.Error", canon, err)
			}
		}
	})
}

func FuzzParsePath(f *testing.F) {
	for _, tc := range pathCases {
		f.Add(tc.in)
	}
	f.Add(`members[value eq "a" or value eq "b"].display`)
	f.Fuzz(func(t *testing.T, in string) {
		p, err := ParsePath(in)
		if err != nil {
			var se *scim.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParsePath(%q) error %v is %T, want *scim.SyntaxError", in, err, err)
			}
			if se.Offset < 0 || se.Offset > len(in) {
				t.Fatalf("ParsePath(%q) error offset %d outside the input of %d bytes", in, se.Offset, len(in))
			}
			if se.ScimType != scim.InvalidPath && se.ScimType != scim.InvalidFilter {
				t.Fatalf("ParsePath(%q) scimType = %q", in, se.ScimType)
			}
			if p != nil {
				t.Fatalf("ParsePath(%q) returned a path with the error", in)
			}
			return
		}
		canon := p.String()
		again, err := ParsePathWithLimits(canon, roomy)
		if err != nil {
			t.Fatalf("ParsePath(%q) = %s, which does not parse: %v", in, canon, err)
		}
		if again.String() != canon {
			t.Fatalf("round trip of %q: %s became %s", in, canon, again)
		}
	})
}
