package schema

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/scim"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestDefaultRegistry(t *testing.T) {
	r := Default()
	if n := len(r.ResourceTypes()); n != 2 {
		t.Fatalf("%d resource types, want 2", n)
	}
	if n := len(r.Schemas()); n != 3 {
		t.Fatalf("%d schemas, want 3", n)
	}
	user, group := r.ResourceType("user"), r.ResourceType("GROUP")
	if user == nil || group == nil {
		t.Fatal("User or Group not found case-insensitively")
	}
	if user.Endpoint != "/Users" || group.Endpoint != "/Groups" {
		t.Errorf("endpoints = %s, %s", user.Endpoint, group.Endpoint)
	}
	if r.Schema(strings.ToUpper(EnterpriseUserURN)) == nil {
		t.Error("enterprise schema not found by its upper-cased URN")
	}
	if user.Extension(EnterpriseUserURN) == nil || user.Extension(EnterpriseUserURN).Required {
		t.Error("User lacks the optional enterprise extension")
	}

	// Spot checks of RFC 7643 Section 8.7.1 characteristics.
	attr := func(rt *ResourceType, path string) *Attribute {
		t.Helper()
		p, err := scim.ParseAttrPath(path, 0, scim.InvalidPath)
		if err != nil {
			t.Fatal(err)
		}
		resolved, err := rt.Resolve(p, scim.InvalidPath)
		if err != nil {
			t.Fatalf("Resolve(%s): %v", path, err)
		}
		return resolved.Target()
	}
	checks := []struct {
		rt    *ResourceType
		path  string
		check func(a *Attribute) bool
	}{
		{user, "userName", func(a *Attribute) bool { return a.Required && !a.CaseExact && a.Uniqueness == UniqueServer }},
		{user, "password", func(a *Attribute) bool { return a.Mutability == WriteOnly && a.Returned == ReturnedNever }},
		{user, "id", func(a *Attribute) bool {
			return a.Mutability == ReadOnly && a.Returned == ReturnedAlways && a.CaseExact
		}},
		{user, "externalId", func(a *Attribute) bool { return a.CaseExact && a.Mutability == ReadWrite }},
		{user, "groups", func(a *Attribute) bool { return a.Mutability == ReadOnly && a.MultiValued }},
		{user, "groups.$ref", func(a *Attribute) bool { return a.Type == Reference && len(a.ReferenceTypes) == 2 }},
		{user, "emails.type", func(a *Attribute) bool { return strings.Join(a.CanonicalValues, ",") == "work,home,other" }},
		{user, "ims.type", func(a *Attribute) bool { return len(a.CanonicalValues) == 8 }},
		{user, "x509Certificates.value", func(a *Attribute) bool { return a.Type == Binary && a.CaseExact }},
		{user, "active", func(a *Attribute) bool { return a.Type == Boolean }},
		{user, "meta.lastModified", func(a *Attribute) bool { return a.Type == DateTime && a.Mutability == ReadOnly }},
		{user, "profileUrl", func(a *Attribute) bool { return a.Type == Reference && a.ReferenceTypes[0] == "external" }},
		{user, "manager.displayName", func(a *Attribute) bool { return a.Mutability == ReadOnly }},
		{user, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.$ref", func(a *Attribute) bool { return a.Type == Reference }},
		{group, "displayName", func(a *Attribute) bool { return a.Required }},
		{group, "members.value", func(a *Attribute) bool { return a.Mutability == Immutable }},
		{group, "members.type", func(a *Attribute) bool { return strings.Join(a.CanonicalValues, ",") == "User,Group" }},
	}
	for _, c := range checks {
		if a := attr(c.rt, c.path); !c.check(a) {
			t.Errorf("%s %s has unexpected characteristics: %+v", c.rt.Name, c.path, a)
		}
	}
}

func TestDefaultReturnsFreshValues(t *testing.T) {
	a, b := Default(), Default()
	a.ResourceType("User").Schema.Attribute("userName").Required = false
	if !b.ResourceType("User").Schema.Attribute("userName").Required {
		t.Error("changing one registry changed another")
	}
}

func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output; run go test -update and review the diff", path)
	}
}

func TestSchemasResponseGolden(t *testing.T) {
	golden(t, "schemas.json", Default().SchemasResponse("https://example.com/scim/v2/"))
}

func TestResourceTypesResponseGolden(t *testing.T) {
	golden(t, "resourcetypes.json", Default().ResourceTypesResponse("https://example.com/scim/v2"))
}

func TestSchemasResponseShape(t *testing.T) {
	data, err := json.Marshal(Default().SchemasResponse("https://example.com/scim/v2"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schemas      []string `json:"schemas"`
		TotalResults int      `json:"totalResults"`
		Resources    []struct {
			ID         string           `json:"id"`
			Attributes []map[string]any `json:"attributes"`
			Meta       Meta             `json:"meta"`
		} `json:"Resources"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Schemas) != 1 || doc.Schemas[0] != scim.ListResponseURN || doc.TotalResults != 3 {
		t.Errorf("list = %+v", doc)
	}
	for _, r := range doc.Resources {
		if r.Meta.Location != "https://example.com/scim/v2/Schemas/"+r.ID || r.Meta.ResourceType != "Schema" {
			t.Errorf("meta of %s = %+v", r.ID, r.Meta)
		}
		for _, a := range r.Attributes {
			if a["name"] == "id" || a["name"] == "meta" {
				t.Errorf("schema %s lists the common attribute %v", r.ID, a["name"])
			}
		}
	}
}

func TestParseSchemaErrors(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		want string
	}{
		{"not JSON", `{`, "schema: invalid schema JSON"},
		{"unknown member", `{"id":"urn:x","attributes":[],"bogus":1}`, `unknown field "bogus"`},
		{"missing id", `{"name":"X","attributes":[]}`, `schema "X" has no id`},
		{"unknown type", `{"id":"urn:x","attributes":[{"name":"a","type":"float"}]}`, `attribute urn:x:a has unknown type "float"`},
		{"unknown mutability", `{"id":"urn:x","attributes":[{"name":"a","mutability":"sometimes"}]}`, `unknown mutability "sometimes"`},
		{"unknown returned", `{"id":"urn:x","attributes":[{"name":"a","returned":"maybe"}]}`, `unknown returned value "maybe"`},
		{"unknown uniqueness", `{"id":"urn:x","attributes":[{"name":"a","uniqueness":"galaxy"}]}`, `unknown uniqueness "galaxy"`},
		{"invalid name", `{"id":"urn:x","attributes":[{"name":"1a"}]}`, `invalid attribute name "1a"`},
		{"duplicate name", `{"id":"urn:x","attributes":[{"name":"a"},{"name":"A"}]}`, `defines attribute "A" twice`},
		{"complex without subs", `{"id":"urn:x","attributes":[{"name":"a","type":"complex"}]}`, `complex attribute urn:x:a has no sub-attributes`},
		{"complex sub", `{"id":"urn:x","attributes":[{"name":"a","type":"complex","subAttributes":[{"name":"b","type":"complex","subAttributes":[{"name":"c"}]}]}]}`, `forbids complex sub-attributes`},
		{"subs on string", `{"id":"urn:x","attributes":[{"name":"a","subAttributes":[{"name":"b"}]}]}`, `of type string has sub-attributes`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSchema([]byte(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseSchema error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestParseSchemaDefaults(t *testing.T) {
	s, err := ParseSchema([]byte(`{"id":"urn:x","attributes":[{"name":"a"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	a := s.Attributes[0]
	if a.Type != String || a.Mutability != ReadWrite || a.Returned != ReturnedDefault || a.Uniqueness != UniqueNone {
		t.Errorf("defaults = %+v, want RFC 7643 Section 2.2 defaults", a)
	}
}

func TestNewRegistryErrors(t *testing.T) {
	base := Default().ResourceType("User")
	dup := *base
	if _, err := NewRegistry(base, &dup); err == nil {
		t.Error("duplicate resource type accepted")
	}
	other, _ := ParseSchema([]byte(`{"id":"urn:ietf:params:scim:schemas:core:2.0:User","attributes":[{"name":"a"}]}`))
	clash := &ResourceType{Name: "Other", Endpoint: "/Others", Schema: other, Common: base.Common}
	if _, err := NewRegistry(base, clash); err == nil {
		t.Error("two schemas with one id accepted")
	}
	if _, err := NewRegistry(&ResourceType{Name: "X", Endpoint: "X"}); err == nil {
		t.Error("resource type without schema and with a relative endpoint accepted")
	}
}

func TestResolve(t *testing.T) {
	rt := Default().ResourceType("User")
	cases := []struct {
		in   string
		want string
		err  string
	}{
		{in: "userName", want: "userName"},
		{in: "USERNAME", want: "userName"},
		{in: "name.GivenName", want: "name.givenName"},
		{in: "id", want: "id"},
		{in: "meta.lastModified", want: "meta.lastModified"},
		{in: "urn:ietf:params:scim:schemas:core:2.0:User:userName", want: "userName"},
		{in: "URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:emails.value", want: "emails.value"},
		{in: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value", want: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"},
		{in: "employeeNumber", want: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"},
		{in: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", want: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"},
		{in: "groups.$ref", want: "groups.$ref"},
		{in: "nope", err: `unknown attribute "nope" for resource type User: GET /Schemas lists the attributes`},
		{in: "urn:x:y", err: `unknown schema URI "urn:x" in attribute path "urn:x:y"`},
		{in: "name.nope", err: `attribute "name" has no sub-attribute "nope"`},
		{in: "userName.x", err: `attribute "userName" is of type string and has no sub-attribute "x"`},
		{in: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:userName", err: `unknown attribute "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:userName"`},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			p, err := scim.ParseAttrPath(tc.in, 0, scim.InvalidPath)
			if err != nil {
				t.Fatal(err)
			}
			got, err := rt.Resolve(p, scim.InvalidPath)
			if tc.err != "" {
				se, ok := err.(*scim.Error)
				if !ok || se.ScimType != scim.InvalidPath || se.Status != 400 || !strings.Contains(se.Detail, tc.err) {
					t.Errorf("Resolve error = %v, want invalidPath containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tc.want {
				t.Errorf("Resolve = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestResolveAmbiguous(t *testing.T) {
	rt := Default().ResourceType("User")
	second, err := ParseSchema([]byte(`{"id":"urn:example:ext:2.0:User","attributes":[{"name":"employeeNumber"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	rt.Extensions = append(rt.Extensions, Extension{Schema: second})
	_, err = rt.Resolve(scim.AttrPath{Name: "employeeNumber"}, scim.InvalidFilter)
	if err == nil || !strings.Contains(err.Error(), "prefix it with the schema URI") {
		t.Errorf("Resolve of an attribute in two extensions = %v, want an ambiguity error", err)
	}
}

func TestValuesAndIsEmpty(t *testing.T) {
	rt := Default().ResourceType("User")
	res := map[string]any{
		"Emails": []any{map[string]any{"value": "a"}, nil, map[string]any{"VALUE": "b"}},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:user": map[string]any{"employeeNumber": "7"},
	}
	path, _ := rt.Resolve(scim.AttrPath{Name: "emails", Sub: "value"}, scim.InvalidPath)
	if got := path.Values(res); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("emails.value = %v, want [a b]", got)
	}
	path, _ = rt.Resolve(scim.AttrPath{Name: "employeeNumber"}, scim.InvalidPath)
	if got := path.Values(res); len(got) != 1 || got[0] != "7" {
		t.Errorf("employeeNumber = %v, want [7]", got)
	}
	for _, v := range []any{nil, "", []any{}, []any{nil, ""}, map[string]any{}, map[string]any{"a": ""}} {
		if !IsEmpty(v) {
			t.Errorf("IsEmpty(%#v) = false", v)
		}
	}
	for _, v := range []any{"x", false, 0.0, []any{"x"}, map[string]any{"a": "x"}} {
		if IsEmpty(v) {
			t.Errorf("IsEmpty(%#v) = true", v)
		}
	}
}

func TestCompareFold(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"abc", "ABC", 0},
		{"Ärger", "ärger", 0},
		{"a", "B", -1},
		{"b", "A", 1},
		{"ab", "a", 1},
		{"", "", 0},
		{"", "a", -1},
		{"_", "a", 1}, // "a" folds to "A", which sorts before "_"
		{"\u212a", "k", 0},
		{"ſ", "S", 0},
		{"ß", "SS", 1},
	}
	for _, tc := range cases {
		if got := CompareFold(tc.a, tc.b); got != tc.want {
			t.Errorf("CompareFold(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if eq := strings.EqualFold(tc.a, tc.b); eq != (tc.want == 0) {
			t.Errorf("CompareFold(%q, %q) = %d disagrees with strings.EqualFold = %v", tc.a, tc.b, tc.want, eq)
		}
		if got := strings.Compare(Fold(tc.a), Fold(tc.b)); got != tc.want {
			t.Errorf("Compare of Fold(%q) and Fold(%q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
