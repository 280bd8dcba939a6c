package scim

import (
	"errors"
	"testing"
)

func TestParseAttrPath(t *testing.T) {
	cases := []struct {
		in     string
		want   AttrPath
		offset int
		err    string
	}{
		{in: "userName", want: AttrPath{Name: "userName"}},
		{in: "name.givenName", want: AttrPath{Name: "name", Sub: "givenName"}},
		{in: "members.$ref", want: AttrPath{Name: "members", Sub: "$ref"}},
		{in: "$ref", want: AttrPath{Name: "$ref"}},
		{in: "x-y_z9", want: AttrPath{Name: "x-y_z9"}},
		{in: "urn:ietf:params:scim:schemas:core:2.0:User:userName",
			want: AttrPath{URI: "urn:ietf:params:scim:schemas:core:2.0:User", Name: "userName"}},
		{in: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
			want: AttrPath{URI: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", Name: "manager", Sub: "value"}},
		{in: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
			want: AttrPath{URI: "urn:ietf:params:scim:schemas:extension:enterprise:2.0", Name: "User"}},
		{in: "", offset: 0, err: "missing attribute path at 0"},
		{in: "name.", offset: 5, err: "missing attribute name at 5"},
		{in: ".name", offset: 0, err: "missing attribute name at 0"},
		{in: "a.b.c", offset: 3, err: `unexpected "." at 3: a path names at most one sub-attribute, as in name.givenName`},
		{in: "1abc", offset: 0, err: `unexpected "1" at 0: an attribute name starts with a letter or $`},
		{in: "name.1", offset: 5, err: `unexpected "1" at 5: an attribute name starts with a letter or $`},
		{in: "user name", offset: 4, err: `unexpected " " at 4: an attribute path holds only letters, digits and - _ $ . :`},
		{in: "urn:x:", offset: 6, err: `missing attribute name after schema URI "urn:x" at 6`},
		{in: ":name", offset: 0, err: `unexpected ":" at 0: a schema URI starts with a letter`},
		{in: "urn:x:na$me.x-", want: AttrPath{URI: "urn:x", Name: "na$me", Sub: "x-"}},
	}
	for _, tc := range cases {
		got, err := ParseAttrPath(tc.in, 0, InvalidPath)
		if tc.err != "" {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset != tc.offset || se.Error() != tc.err || se.ScimType != InvalidPath {
				t.Errorf("ParseAttrPath(%q) error = %v, want %q at %d", tc.in, err, tc.err, tc.offset)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseAttrPath(%q) = %#v, %v, want %#v", tc.in, got, err, tc.want)
		}
		if got.String() != tc.in {
			t.Errorf("String() = %q, want %q", got.String(), tc.in)
		}
	}
}

func TestParseAttrPathBase(t *testing.T) {
	_, err := ParseAttrPath("a.b.c", 100, InvalidFilter)
	var se *SyntaxError
	if !errors.As(err, &se) || se.Offset != 103 || se.ScimType != InvalidFilter {
		t.Errorf("error = %v, want offset 103 and invalidFilter", err)
	}
}

func TestParseAttrPathList(t *testing.T) {
	got, err := ParseAttrPathList("userName, name.givenName ,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", InvalidValue)
	if err != nil {
		t.Fatal(err)
	}
	want := []AttrPath{{Name: "userName"}, {Name: "name", Sub: "givenName"},
		{URI: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", Name: "employeeNumber"}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("path %d = %#v, want %#v", i, got[i], want[i])
		}
	}
	for in, offset := range map[string]int{"userName,,emails": 9, "userName,": 9, "": 0, "a, b.c.d": 6} {
		_, err := ParseAttrPathList(in, InvalidValue)
		var se *SyntaxError
		if !errors.As(err, &se) || se.Offset != offset || se.ScimType != InvalidValue {
			t.Errorf("ParseAttrPathList(%q) error = %v, want offset %d", in, err, offset)
		}
	}
}
