package filter

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/scim"
	"github.com/scimdoctor/scimdoctor/scim/schema"
)

// bjensen is the full User of RFC 7643 Section 8.2, shortened, with the
// enterprise extension and an empty nickName.
const bjensen = `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
              "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
  "id": "2819c223-7f76-453a-919d-413861904646",
  "externalId": "701984",
  "userName": "bjensen@example.com",
  "name": {"formatted": "Ms. Barbara J Jensen, III", "familyName": "Jensen", "givenName": "Barbara"},
  "displayName": "Babs Jensen",
  "nickName": "",
  "title": "Tour Guide",
  "userType": "Employee",
  "active": true,
  "emails": [
    {"value": "bjensen@example.com", "type": "work", "primary": true},
    {"value": "babs@jensen.org", "type": "home"}
  ],
  "ims": [{"value": "someaimhandle", "type": "aim"}],
  "x509Certificates": [{"value": "MIIDQzCC"}],
  "meta": {
    "resourceType": "User",
    "created": "2010-01-23T04:56:22Z",
    "lastModified": "2011-05-13T04:42:34Z",
    "version": "W/\"3694e05e9dff591\"",
    "location": "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646"
  },
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
    "employeeNumber": "701984",
    "costCenter": "4130",
    "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d", "displayName": "John Smith"}
  }
}`

func decode(t testing.TB, doc string, useNumber bool) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(doc))
	if useNumber {
		dec.UseNumber()
	}
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return m
}

func TestMatchUser(t *testing.T) {
	rt := schema.Default().ResourceType("User")
	user := decode(t, bjensen, false)
	cases := []struct {
		filter string
		want   bool
	}{
		{`userName eq "BJENSEN@example.com"`, true},
		{`USERNAME EQ "bjensen@example.com"`, true},
		{`userName eq "other@example.com"`, false},
		{`id eq "2819c223-7f76-453a-919d-413861904646"`, true},
		{`id eq "2819C223-7F76-453A-919D-413861904646"`, false},
		{`externalId eq "701984"`, true},
		{`name.familyName co "ENS"`, true},
		{`name.familyName sw "jen"`, true},
		{`name.familyName ew "SEN"`, true},
		{`name.familyName co "xyz"`, false},
		{`name.familyName gt "A"`, true},
		{`name.familyName lt "A"`, false},
		{`name.familyName ge "jensen"`, true},
		{`name.familyName le "JENSEN"`, true},
		{`name.familyName gt "jensen"`, false},
		{`title pr`, true},
		{`nickName pr`, false},
		{`profileUrl pr`, false},
		{`name pr`, true},
		{`emails co "jensen.org"`, true},
		{`emails[type eq "work" and value co "@example.com"]`, true},
		{`emails[type eq "home" and primary eq true]`, false},
		{`emails[type eq "work"].value eq "bjensen@example.com"`, true},
		{`emails[type eq "home"].value eq "bjensen@example.com"`, false},
		{`emails[not (type eq "work")]`, true},
		{`emails[type eq "work" or (type eq "other" and primary eq true)]`, true},
		{`emails.type eq "home"`, true},
		{`emails.type ne "home"`, false},
		{`emails.type ne "other"`, true},
		{`userType ne "Employee"`, false},
		{`userType ne "Intern"`, true},
		{`profileUrl ne "https://example.com"`, true},
		{`active eq true`, true},
		{`active eq false`, false},
		{`active ne false`, true},
		{`meta.lastModified gt "2011-05-13T04:42:33Z"`, true},
		{`meta.lastModified ge "2011-05-13T04:42:34Z"`, true},
		{`meta.lastModified lt "2011-05-13T06:42:34+02:00"`, false},
		{`meta.lastModified le "2011-05-13T06:42:34+02:00"`, true},
		{`meta.lastModified eq "2011-05-13T06:42:34+02:00"`, true},
		{`meta.lastModified eq "2011-05-13T04:42:34.000Z"`, true},
		{`meta.created sw "2010"`, true},
		{`meta.version eq "W/\"3694e05e9dff591\""`, true},
		{`meta.version eq "w/\"3694E05E9DFF591\""`, false},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"`, true},
		{`employeeNumber eq "701984"`, true},
		{`manager eq "26118915-6090-4610-87e4-49d8ca9f808d"`, true},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName co "smith"`, true},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User pr`, true},
		{`department pr`, false},
		{`schemas eq "URN:ietf:params:scim:schemas:extension:enterprise:2.0:User"`, true},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "bj"`, true},
		{`urn:ietf:params:scim:schemas:core:2.0:User:id pr`, true},
		{`title eq null`, false},
		{`nickName eq null`, true},
		{`profileUrl eq null`, true},
		{`title ne null`, true},
		{`not (title pr)`, false},
		{`userName eq "x" or title pr`, true},
		{`title pr or userName eq "x" and active eq false`, true},
		{`(title pr or userName eq "x") and active eq false`, false},
		{`x509Certificates.value eq "MIIDQzCC"`, true},
		{`x509Certificates.value eq "miidqzcc"`, false},
		{`groups pr`, false},
		{`ims[type eq "AIM"]`, true},
	}
	for _, tc := range cases {
		t.Run(tc.filter, func(t *testing.T) {
			e, err := Parse(tc.filter)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got, err := Match(e, rt, user)
			if err != nil {
				t.Fatalf("Match: %v", err)
			}
			if got != tc.want {
				t.Errorf("Match = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	rt := schema.Default().ResourceType("User")
	cases := []struct {
		filter string
		detail string
	}{
		{`active gt true`, `active gt true at 0: operator gt is not defined for boolean attribute "active": use eq or ne`},
		{`active co "t"`, `active co "t" at 0: operator co is not defined for boolean attribute "active": use eq or ne`},
		{`active eq "true"`, `active eq "true" at 0: attribute "active" is of type boolean, so compare it with true or false`},
		{`userName eq 5`, `userName eq 5 at 0: attribute "userName" is of type string, so compare it with a string in double quotes`},
		{`meta.lastModified gt "yesterday"`, `meta.lastModified gt "yesterday" at 0: "yesterday" is not an xsd:dateTime: use the form 2011-05-13T04:42:34Z`},
		{`meta.lastModified gt 5`, `meta.lastModified gt 5 at 0: attribute "meta.lastModified" is of type dateTime, so compare it with a string such as "2011-05-13T04:42:34Z"`},
		{`x509Certificates.value gt "a"`, `x509Certificates.value gt "a" at 0: operator gt is not defined for binary attribute "x509Certificates.value"`},
		{`name eq "x"`, `attribute "name" at 0 is complex: compare one of its sub-attributes, such as name.formatted`},
		{`title pr and unknownAttr eq "x"`, `unknown attribute "unknownAttr" for resource type User: GET /Schemas lists the attributes (at 13)`},
		{`urn:foo:bar:baz eq "x"`, `unknown schema URI "urn:foo:bar" in attribute path "urn:foo:bar:baz": resource type User uses urn:ietf:params:scim:schemas:core:2.0:User, urn:ietf:params:scim:schemas:extension:enterprise:2.0:User (at 0)`},
		{`name.foo eq "x"`, `attribute "name" has no sub-attribute "foo": it has formatted, familyName, givenName, middleName, honorificPrefix, honorificSuffix (at 0)`},
		{`userName.foo eq "x"`, `attribute "userName" is of type string and has no sub-attribute "foo" (at 0)`},
		{`emails[foo eq "x"]`, `attribute "emails" has no sub-attribute "foo": it has value, display, type, primary (at 7)`},
		{`emails[value.x eq "a"]`, `"value.x" inside the value filter of "emails" must be a sub-attribute name such as value (at 7)`},
		{`userName[value eq "x"]`, `value filter at 0 needs a complex attribute, and "userName" is not one`},
		{`userName gt null`, `operator gt at 0 cannot compare "userName" with null: use eq null, ne null or pr`},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User eq "x"`, `"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User" at 0 names a whole schema extension: only pr applies to it`},
		{`title pr or emails[type eq 1]`, `type eq 1 at 19: attribute "type" is of type string, so compare it with a string in double quotes`},
	}
	for _, tc := range cases {
		t.Run(tc.filter, func(t *testing.T) {
			e, err := Parse(tc.filter)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			pred, err := Compile(e, rt)
			if pred != nil {
				t.Errorf("Compile returned a predicate with the error")
			}
			var se *scim.Error
			if !errors.As(err, &se) {
				t.Fatalf("Compile error = %v (%T), want *scim.Error", err, err)
			}
			if se.Status != 400 || se.ScimType != scim.InvalidFilter {
				t.Errorf("status, scimType = %d, %q, want 400, invalidFilter", se.Status, se.ScimType)
			}
			if se.Detail != tc.detail {
				t.Errorf("detail\n got %s\nwant %s", se.Detail, tc.detail)
			}
		})
	}
}

// deviceSchema has the types the core schemas lack: integer, decimal and a
// multi-valued simple attribute.
const deviceSchema = `{
  "id": "urn:example:params:scim:schemas:core:2.0:Device",
  "name": "Device",
  "attributes": [
    {"name": "serial", "type": "string", "caseExact": true},
    {"name": "ports", "type": "integer"},
    {"name": "weight", "type": "decimal"},
    {"name": "tags", "type": "string", "multiValued": true},
    {"name": "online", "type": "boolean"}
  ]
}`

func deviceType(t testing.TB) *schema.ResourceType {
	t.Helper()
	s, err := schema.ParseSchema([]byte(deviceSchema))
	if err != nil {
		t.Fatal(err)
	}
	return &schema.ResourceType{Name: "Device", Endpoint: "/Devices", Schema: s, Common: schema.Default().ResourceType("User").Common}
}

func TestMatchNumbers(t *testing.T) {
	rt := deviceType(t)
	const doc = `{"serial": "AB-1", "ports": 4, "weight": 1.25, "tags": ["a", "b"], "online": false}`
	cases := []struct {
		filter string
		want   bool
	}{
		{`ports gt 2`, true},
		{`ports eq 4`, true},
		{`ports eq 4.0`, true},
		{`ports ge 4e0`, true},
		{`ports lt 4`, false},
		{`ports ne 4`, false},
		{`weight le 1.5`, true},
		{`weight gt -1`, true},
		{`weight eq 1.25`, true},
		{`tags eq "B"`, true},
		{`tags ne "z"`, true},
		{`tags ne "a"`, false},
		{`tags sw "a"`, true},
		{`serial eq "ab-1"`, false},
		{`serial eq "AB-1"`, true},
		{`online eq false`, true},
		{`online pr`, true},
	}
	for _, useNumber := range []bool{false, true} {
		res := decode(t, doc, useNumber)
		for _, tc := range cases {
			e, err := Parse(tc.filter)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.filter, err)
			}
			got, err := Match(e, rt, res)
			if err != nil {
				t.Fatalf("Match(%q): %v", tc.filter, err)
			}
			if got != tc.want {
				t.Errorf("Match(%q) with UseNumber=%v = %v, want %v", tc.filter, useNumber, got, tc.want)
			}
		}
	}
}

func TestCompileNumberErrors(t *testing.T) {
	rt := deviceType(t)
	for _, f := range []string{`ports co 4`, `ports eq "4"`, `weight sw 1`, `online lt true`} {
		e, err := Parse(f)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Compile(e, rt)
		var se *scim.Error
		if !errors.As(err, &se) || se.ScimType != scim.InvalidFilter {
			t.Errorf("Compile(%q) = %v, want an invalidFilter error", f, err)
		}
	}
}

// TestMatchWrongStoredTypes checks that stored values of the wrong JSON
// type never match and never panic.
func TestMatchWrongStoredTypes(t *testing.T) {
	rt := schema.Default().ResourceType("User")
	res := decode(t, `{"userName": 5, "active": "yes", "emails": "not-a-list", "name": "flat",
		"meta": {"lastModified": "garbage"}, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": 7}`, false)
	for _, f := range []string{`userName eq "5"`, `active eq true`, `emails[type eq "work"]`, `emails.value co "x"`,
		`name.givenName pr`, `meta.lastModified gt "2000-01-01T00:00:00Z"`, `employeeNumber pr`, `userName gt "a"`} {
		e, err := Parse(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Match(e, rt, res)
		if err != nil {
			t.Fatalf("Match(%q): %v", f, err)
		}
		if got {
			t.Errorf("Match(%q) = true on a value of the wrong type", f)
		}
	}
}

func TestMatchRoundTripSameResult(t *testing.T) {
	rt := schema.Default().ResourceType("User")
	user := decode(t, bjensen, false)
	for _, tc := range parseCases {
		if tc.want == "" {
			continue
		}
		e, err := Parse(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		p1, err := Compile(e, rt)
		if err != nil {
			continue // names attributes the User schema lacks
		}
		e2, err := Parse(e.String())
		if err != nil {
			t.Fatal(err)
		}
		p2, err := Compile(e2, rt)
		if err != nil {
			t.Fatalf("%s compiles but its String() %s does not: %v", tc.in, e, err)
		}
		if p1(user) != p2(user) {
			t.Errorf("%s and its String() %s disagree", tc.in, e)
		}
	}
}

func TestCompileValueFilter(t *testing.T) {
	rt := schema.Default().ResourceType("Group")
	p, err := ParsePath(`members[value eq "u2" or type eq "Group"]`)
	if err != nil {
		t.Fatal(err)
	}
	parent, err := rt.Resolve(p.Attr, scim.InvalidPath)
	if err != nil {
		t.Fatal(err)
	}
	pred, err := CompileValueFilter(p.Filter, rt, parent)
	if err != nil {
		t.Fatal(err)
	}
	group := decode(t, `{"members":[{"value":"u1","type":"User"},{"value":"U2","type":"User"},{"value":"g1","type":"GROUP"}]}`, false)
	var matched []string
	for _, m := range group["members"].([]any) {
		if elem := m.(map[string]any); pred(elem) {
			matched = append(matched, elem["value"].(string))
		}
	}
	if got := strings.Join(matched, ","); got != "U2,g1" {
		t.Errorf("matched members = %s, want U2,g1 (members.value is not caseExact)", got)
	}

	name, err := rt.Resolve(scim.AttrPath{Name: "displayName"}, scim.InvalidPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := CompileValueFilter(p.Filter, rt, name); err == nil {
		t.Error("value filter on displayName compiled, want an invalidFilter error")
	}
}
