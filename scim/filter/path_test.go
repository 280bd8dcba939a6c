package filter

import (
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/scim"
)

// pathCases are PATCH paths from RFC 7644 Section 3.5.2 and the paths Okta
// and Entra send, then invalid ones.
var pathCases = []struct {
	name     string
	in       string
	want     string
	attr     scim.AttrPath
	offset   int
	scimType string
	err      string
}{
	{name: "rfc members", in: "members", want: "members", attr: scim.AttrPath{URI: "", Name: "members", Sub: ""}},
	{name: "rfc sub-attribute", in: "name.familyName", want: "name.familyName", attr: scim.AttrPath{URI: "", Name: "name", Sub: "familyName"}},
	{name: "rfc value filter", in: "addresses[type eq \"work\"]", want: "addresses[type eq \"work\"]", attr: scim.AttrPath{URI: "", Name: "addresses", Sub: ""}},
	{name: "rfc member by value", in: "members[value eq \"2819c223-7f76-453a-919d-413861904646\"]", want: "members[value eq \"2819c223-7f76-453a-919d-413861904646\"]", attr: scim.AttrPath{URI: "", Name: "members", Sub: ""}},
	{name: "rfc member sub-attribute", in: "members[value eq \"2819c223-7f76-453a-919d-413861904646\"].displayName", want: "members[value eq \"2819c223-7f76-453a-919d-413861904646\"].displayName", attr: scim.AttrPath{URI: "", Name: "members", Sub: ""}},
	{name: "entra work email value", in: "emails[type eq \"work\"].value", want: "emails[type eq \"work\"].value", attr: scim.AttrPath{URI: "", Name: "emails", Sub: ""}},
	{name: "entra manager urn", in: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", want: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", attr: scim.AttrPath{URI: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", Name: "manager", Sub: ""}},
	{name: "entra employeeNumber urn", in: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", want: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", attr: scim.AttrPath{URI: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", Name: "employeeNumber", Sub: ""}},
	{name: "extension container", in: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", want: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", attr: scim.AttrPath{URI: "urn:ietf:params:scim:schemas:extension:enterprise:2.0", Name: "User", Sub: ""}},
	{name: "core urn with value filter", in: "urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq \"work\"].value", want: "urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq \"work\"].value", attr: scim.AttrPath{URI: "urn:ietf:params:scim:schemas:core:2.0:User", Name: "emails", Sub: ""}},
	{name: "member removal by values", in: "members[value eq \"a\" or value eq \"b\"]", want: "members[(value eq \"a\" or value eq \"b\")]", attr: scim.AttrPath{URI: "", Name: "members", Sub: ""}},
	{name: "value filter with and", in: "emails[type eq \"work\" and primary eq true]", want: "emails[(type eq \"work\" and primary eq true)]", attr: scim.AttrPath{URI: "", Name: "emails", Sub: ""}},
	{name: "keywords upper case", in: "EMAILS[TYPE EQ \"work\"].VALUE", want: "EMAILS[TYPE eq \"work\"].VALUE", attr: scim.AttrPath{URI: "", Name: "EMAILS", Sub: ""}},
	{name: "blanks around", in: "  members  ", want: "members", attr: scim.AttrPath{URI: "", Name: "members", Sub: ""}},
	{name: "dollar ref sub-attribute", in: "members[value eq \"a\"].$ref", want: "members[value eq \"a\"].$ref", attr: scim.AttrPath{URI: "", Name: "members", Sub: ""}},
	{name: "empty", in: "", offset: 0, scimType: scim.InvalidPath, err: "unexpected end of input at 0: expected an attribute path such as members or emails[type eq \"work\"].value"},
	{name: "only blanks", in: "   ", offset: 3, scimType: scim.InvalidPath, err: "unexpected end of input at 3: expected an attribute path such as members or emails[type eq \"work\"].value"},
	{name: "quoted path", in: "\"members\"", offset: 0, scimType: scim.InvalidPath, err: "unexpected \"\\\"members\\\"\" at 0: expected an attribute path such as members or emails[type eq \"work\"].value"},
	{name: "unclosed bracket", in: "members[value eq \"x\"", offset: 20, scimType: scim.InvalidFilter, err: "unexpected end of input at 20: expected \"and\", \"or\" or \"]\""},
	{name: "empty value filter", in: "members[]", offset: 8, scimType: scim.InvalidFilter, err: "unexpected \"]\" at 8: expected an attribute path, \"not\" or \"(\""},
	{name: "filter missing value", in: "members[value eq]", offset: 16, scimType: scim.InvalidFilter, err: "unexpected \"]\" at 16: expected a value: a string in double quotes, a number, true, false or null"},
	{name: "stray close bracket", in: "members]", offset: 7, scimType: scim.InvalidPath, err: "unexpected \"]\" at 7: expected the end of the path"},
	{name: "bracket after sub-attribute", in: "name.givenName[x eq 1]", offset: 14, scimType: scim.InvalidPath, err: "unexpected \"[\" at 14: a value filter follows a multi-valued attribute, not a sub-attribute: write name[...].givenName"},
	{name: "two sub-attributes after filter", in: "emails[type eq \"work\"].value.x", offset: 23, scimType: scim.InvalidPath, err: "unexpected \"value.x\" at 23: expected one sub-attribute name after \"].\", as in emails[type eq \"work\"].value"},
	{name: "urn after filter", in: "emails[type eq \"work\"].urn:x:value", offset: 23, scimType: scim.InvalidPath, err: "unexpected \"urn:x:value\" at 23: expected one sub-attribute name after \"].\", as in emails[type eq \"work\"].value"},
	{name: "blank before sub-attribute", in: "emails[type eq \"work\"]. value", offset: 24, scimType: scim.InvalidPath, err: "unexpected \"value\" at 24: expected a sub-attribute name directly after \"].\", as in emails[type eq \"work\"].value"},
	{name: "dot at end", in: "emails[type eq \"work\"].", offset: 23, scimType: scim.InvalidPath, err: "unexpected end of input at 23: expected a sub-attribute name directly after \"].\", as in emails[type eq \"work\"].value"},
	{name: "word after filter", in: "emails[type eq \"work\"] value", offset: 23, scimType: scim.InvalidPath, err: "unexpected \"value\" at 23: expected the end of the path"},
	{name: "two filters", in: "members[value eq \"x\"][type eq \"User\"]", offset: 21, scimType: scim.InvalidPath, err: "unexpected \"[\" at 21: expected the end of the path"},
	{name: "filter instead of path", in: "members eq \"x\"", offset: 8, scimType: scim.InvalidPath, err: "unexpected \"eq\" at 8: expected the end of the path"},
	{name: "two sub-attributes", in: "name.givenName.x", offset: 14, scimType: scim.InvalidPath, err: "unexpected \".\" at 14: a path names at most one sub-attribute, as in name.givenName"},
	{name: "nested filter", in: "emails[type eq \"work\" and x[y pr]]", offset: 27, scimType: scim.InvalidFilter, err: "unexpected \"[\" at 27: value filters cannot nest: join the conditions with and/or inside one [ ]"},
	{name: "invalid UTF-8", in: "mem\xffbers", offset: 3, scimType: scim.InvalidPath, err: "invalid UTF-8 byte 0xff at 3: send the request as UTF-8"},
}

func TestParsePathTable(t *testing.T) {
	for _, tc := range pathCases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParsePath(tc.in)
			if tc.err != "" {
				checkSyntaxError(t, err, tc.scimType, tc.offset, tc.err)
				if p != nil {
					t.Errorf("path %v returned with the error", p)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePath(%q): %v", tc.in, err)
			}
			if got := p.String(); got != tc.want {
				t.Errorf("ParsePath(%q) = %s, want %s", tc.in, got, tc.want)
			}
			if p.Attr != tc.attr {
				t.Errorf("Attr = %#v, want %#v", p.Attr, tc.attr)
			}
			again, err := ParsePath(p.String())
			if err != nil || again.String() != p.String() {
				t.Errorf("round trip of %s gave %v, %v", p, again, err)
			}
		})
	}
}

func TestParsePathParts(t *testing.T) {
	p, err := ParsePath(`members[value eq "2819c223"].display`)
	if err != nil {
		t.Fatal(err)
	}
	cmp, ok := p.Filter.(*Compare)
	if !ok || cmp.Path.Name != "value" || cmp.Value.Text != "2819c223" {
		t.Errorf("Filter = %#v, want value eq \"2819c223\"", p.Filter)
	}
	if p.Sub != "display" {
		t.Errorf("Sub = %q, want display", p.Sub)
	}
}

func TestParsePathLimit(t *testing.T) {
	in := "members[value eq \"" + strings.Repeat("x", MaxBytes) + "\"]"
	_, err := ParsePath(in)
	checkSyntaxError(t, err, scim.InvalidPath, MaxBytes, "")
}
