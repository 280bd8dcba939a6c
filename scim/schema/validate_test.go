package schema

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/scim"
)

func decodeJSON(t *testing.T, doc string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatalf("decode %s: %v", doc, err)
	}
	return m
}

func canonicalJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// oktaCreate is the body of Okta's POST /Users (Okta SCIM 2.0 reference),
// with the password placeholder and empty groups Okta always sends.
const oktaCreate = `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
  "userName": "isaac.brock@example.com",
  "name": {"givenName": "Isaac", "familyName": "Brock"},
  "emails": [{"primary": true, "value": "isaac.brock@example.com", "type": "work"}],
  "displayName": "Isaac Brock",
  "locale": "en-US",
  "externalId": "00ujl29u0le5T6Aj10h7",
  "groups": [],
  "password": "1mz050nq",
  "active": true
}`

// entraCreate is the shape of Entra's POST /Users: string booleans,
// an extension object, and its own URN in "schemas".
const entraCreate = `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
              "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
              "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/User"],
  "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
  "userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
  "active": "True",
  "emails": [{"primary": "True", "type": "work", "value": "Test_User_fd0ea19b@testuser.com"}],
  "meta": {"resourceType": "User"},
  "name": {"familyName": "familyName", "givenName": "givenName"},
  "roles": [],
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
    "department": "Dep", "manager": {"value": "m1", "displayName": "Ignored"}
  }
}`

func TestValidateCreateOkta(t *testing.T) {
	rt := Default().ResourceType("User")
	res, err := rt.ValidateCreate(decodeJSON(t, oktaCreate), Options{})
	if err != nil {
		t.Fatalf("ValidateCreate: %v", err)
	}
	want := `{"active":true,"displayName":"Isaac Brock","emails":[{"primary":true,"type":"work","value":"isaac.brock@example.com"}],` +
		`"externalId":"00ujl29u0le5T6Aj10h7","locale":"en-US","name":{"familyName":"Brock","givenName":"Isaac"},` +
		`"password":"1mz050nq","schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"isaac.brock@example.com"}`
	if got := canonicalJSON(t, res.Resource); got != want {
		t.Errorf("resource\n got %s\nwant %s", got, want)
	}
	if len(res.Ignored) != 0 {
		t.Errorf("Ignored = %v, want none (empty groups carry no value)", res.Ignored)
	}
}

func TestValidateCreateEntra(t *testing.T) {
	rt := Default().ResourceType("User")
	_, err := rt.ValidateCreate(decodeJSON(t, entraCreate), Options{})
	var se *scim.Error
	if !errors.As(err, &se) || se.ScimType != scim.InvalidValue || !strings.Contains(se.Detail, `must be true or false, not the string "True"`) {
		t.Fatalf("strict validation error = %v, want invalidValue on a string boolean", err)
	}

	res, err := rt.ValidateCreate(decodeJSON(t, entraCreate), Options{StringBooleans: true})
	if err != nil {
		t.Fatalf("ValidateCreate with StringBooleans: %v", err)
	}
	want := `{"active":true,"emails":[{"primary":true,"type":"work","value":"Test_User_fd0ea19b@testuser.com"}],` +
		`"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","name":{"familyName":"familyName","givenName":"givenName"},` +
		`"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],` +
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Dep","manager":{"value":"m1"}},` +
		`"userName":"Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1"}`
	if got := canonicalJSON(t, res.Resource); got != want {
		t.Errorf("resource\n got %s\nwant %s", got, want)
	}
	wantIgnored := []string{"meta", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName"}
	if !reflect.DeepEqual(res.Ignored, wantIgnored) {
		t.Errorf("Ignored = %v, want %v", res.Ignored, wantIgnored)
	}
}

func TestValidateCreateGroup(t *testing.T) {
	rt := Default().ResourceType("Group")
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
		"displayName":"Engineering","members":[{"value":"u1","display":"isaac","$ref":null},{"value":"u2","type":"User"}]}`
	res, err := rt.ValidateCreate(decodeJSON(t, body), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"displayName":"Engineering","members":[{"display":"isaac","value":"u1"},{"type":"User","value":"u2"}],"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"]}`
	if got := canonicalJSON(t, res.Resource); got != want {
		t.Errorf("resource\n got %s\nwant %s", got, want)
	}
}

func TestValidateCreateErrors(t *testing.T) {
	rt := Default().ResourceType("User")
	const core = `"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]`
	cases := []struct {
		name     string
		body     string
		opts     Options
		scimType string
		detail   string
	}{
		{"missing schemas", `{"userName":"a"}`, Options{}, scim.InvalidSyntax, `missing "schemas": add "schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]`},
		{"schemas not array", `{"schemas":"x","userName":"a"}`, Options{}, scim.InvalidSyntax, `"schemas" must be an array of URNs, not a string`},
		{"schemas with number", `{"schemas":[1],"userName":"a"}`, Options{}, scim.InvalidSyntax, `"schemas" must hold only strings, not a number`},
		{"schemas without core", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"userName":"a"}`, Options{}, scim.InvalidSyntax, `"schemas" must contain "urn:ietf:params:scim:schemas:core:2.0:User" for a User`},
		{"missing userName", `{` + core + `,"displayName":"x"}`, Options{}, scim.InvalidValue, `missing required attribute "userName"`},
		{"empty userName", `{` + core + `,"userName":""}`, Options{}, scim.InvalidValue, `missing required attribute "userName"`},
		{"userName only white space", `{` + core + `,"userName":"  \t"}`, Options{}, scim.InvalidValue, `attribute "userName" is only white space; send a visible identifier`},
		{"userName with NUL", `{` + core + `,"userName":"bob\u0000x"}`, Options{}, scim.InvalidValue, `attribute "userName" contains a NUL character at byte 3; remove it`},
		{"userName with control character", `{` + core + `,"userName":"bob\u001bx"}`, Options{}, scim.InvalidValue, `attribute "userName" contains the control character U+001B at byte 3; remove it`},
		{"title with NUL", `{` + core + `,"userName":"a","title":"x\u0000"}`, Options{}, scim.InvalidValue, `attribute "title" contains a NUL character at byte 1; remove it`},
		{"userName number", `{` + core + `,"userName":5}`, Options{}, scim.InvalidValue, `attribute "userName" must be a string, not the number 5`},
		{"emails not array", `{` + core + `,"userName":"a","emails":{"value":"x"}}`, Options{}, scim.InvalidValue, `attribute "emails" is multi-valued: send a JSON array, not an object`},
		{"email value number", `{` + core + `,"userName":"a","emails":[{"value":"x"},{"value":7}]}`, Options{}, scim.InvalidValue, `attribute "emails[1].value" must be a string, not the number 7`},
		{"two primaries", `{` + core + `,"userName":"a","emails":[{"value":"x","primary":true},{"value":"y","primary":true}]}`, Options{}, scim.InvalidValue, `attribute "emails" has 2 values with "primary": true; at most one may be primary`},
		{"name not object", `{` + core + `,"userName":"a","name":"Bob"}`, Options{}, scim.InvalidValue, `attribute "name" must be a JSON object, not the string "Bob"`},
		{"string boolean strict", `{` + core + `,"userName":"a","active":"false"}`, Options{}, scim.InvalidValue, `attribute "active" must be true or false, not the string "false"`},
		{"string boolean not a boolean", `{` + core + `,"userName":"a","active":"yes"}`, Options{StringBooleans: true}, scim.InvalidValue, `attribute "active" must be true or false, not the string "yes"`},
		{"binary not base64", `{` + core + `,"userName":"a","x509Certificates":[{"value":"***"}]}`, Options{}, scim.InvalidValue, `attribute "x509Certificates[0].value" must be valid base64 (RFC 4648 Section 4, with padding), not the string "***"`},
		{"extension not object", `{` + core + `,"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":"x"}`, Options{}, scim.InvalidValue, `extension urn:ietf:params:scim:schemas:extension:enterprise:2.0:User must be a JSON object, not a string`},
		{"unknown rejected", `{` + core + `,"userName":"a","favoriteColor":"blue"}`, Options{RejectUnknown: true}, scim.InvalidValue, `unknown attribute "favoriteColor" for resource type User: GET /Schemas lists the attributes`},
		{"unknown sub rejected", `{` + core + `,"userName":"a","name":{"nick":"b"}}`, Options{RejectUnknown: true}, scim.InvalidValue, `unknown attribute "name.nick" for resource type User: GET /Schemas lists the attributes`},
		{"manager as string", `{` + core + `,"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":"m1"}}`, Options{}, scim.InvalidValue, `attribute "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager" must be a JSON object, not the string "m1"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rt.ValidateCreate(decodeJSON(t, tc.body), tc.opts)
			var se *scim.Error
			if !errors.As(err, &se) {
				t.Fatalf("error = %v, want *scim.Error", err)
			}
			if se.Status != 400 || se.ScimType != tc.scimType {
				t.Errorf("status, scimType = %d, %q, want 400, %q", se.Status, se.ScimType, tc.scimType)
			}
			if se.Detail != tc.detail {
				t.Errorf("detail\n got %s\nwant %s", se.Detail, tc.detail)
			}
		})
	}
}

func TestValidateCreateIgnores(t *testing.T) {
	rt := Default().ResourceType("User")
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"ID":"client-id","userName":"a",
		"meta":{"created":"2020-01-01T00:00:00Z"},"groups":[{"value":"g1"}],"favoriteColor":"blue","name":{"nick":"b","givenName":"A"},
		"displayName":null,"nickName":"","emails":[null]}`
	res, err := rt.ValidateCreate(decodeJSON(t, body), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"name":{"givenName":"A"},"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a"}`
	if got := canonicalJSON(t, res.Resource); got != want {
		t.Errorf("resource\n got %s\nwant %s", got, want)
	}
	wantIgnored := []string{"favoriteColor", "groups", "id", "meta", "name.nick"}
	if !reflect.DeepEqual(res.Ignored, wantIgnored) {
		t.Errorf("Ignored = %v, want %v", res.Ignored, wantIgnored)
	}
}

// immutableType has an immutable attribute and an immutable sub-attribute
// of a singular complex attribute, which the core schemas lack.
func immutableType(t *testing.T) *ResourceType {
	t.Helper()
	s, err := ParseSchema([]byte(`{"id":"urn:example:Badge","name":"Badge","attributes":[
		{"name":"serial","mutability":"immutable","caseExact":true},
		{"name":"label"},
		{"name":"secret","mutability":"writeOnly","returned":"never"},
		{"name":"issuer","type":"complex","subAttributes":[{"name":"id","mutability":"immutable"},{"name":"name"}]},
		{"name":"count","type":"integer"},
		{"name":"ratio","type":"decimal"},
		{"name":"seen","type":"dateTime"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	return &ResourceType{Name: "Badge", Endpoint: "/Badges", Schema: s, Common: Default().ResourceType("User").Common}
}

func TestValidateReplace(t *testing.T) {
	rt := immutableType(t)
	old := decodeJSON(t, `{"schemas":["urn:example:Badge"],"id":"b1","serial":"S-1","label":"old","secret":"pw","issuer":{"id":"I-1","name":"Acme"}}`)
	cases := []struct {
		name   string
		body   string
		want   string
		detail string
	}{
		{name: "same immutable value", body: `{"schemas":["urn:example:Badge"],"serial":"S-1","label":"new"}`,
			want: `{"issuer":{"id":"I-1"},"label":"new","schemas":["urn:example:Badge"],"secret":"pw","serial":"S-1"}`},
		{name: "immutable omitted keeps old", body: `{"schemas":["urn:example:Badge"]}`,
			want: `{"issuer":{"id":"I-1"},"schemas":["urn:example:Badge"],"secret":"pw","serial":"S-1"}`},
		{name: "immutable changed", body: `{"schemas":["urn:example:Badge"],"serial":"S-2"}`,
			detail: `attribute "serial" is immutable: it cannot change from the string "S-1" to the string "S-2"`},
		{name: "immutable case change", body: `{"schemas":["urn:example:Badge"],"serial":"s-1"}`,
			detail: `attribute "serial" is immutable: it cannot change from the string "S-1" to the string "s-1"`},
		{name: "immutable sub-attribute changed", body: `{"schemas":["urn:example:Badge"],"issuer":{"id":"I-2"}}`,
			detail: `attribute "issuer.id" is immutable: it cannot change from the string "I-1" to the string "I-2"`},
		{name: "immutable sub-attribute omitted keeps old", body: `{"schemas":["urn:example:Badge"],"issuer":{"name":"Other"}}`,
			want: `{"issuer":{"id":"I-1","name":"Other"},"schemas":["urn:example:Badge"],"secret":"pw","serial":"S-1"}`},
		{name: "never-returned replaced", body: `{"schemas":["urn:example:Badge"],"secret":"new"}`,
			want: `{"issuer":{"id":"I-1"},"schemas":["urn:example:Badge"],"secret":"new","serial":"S-1"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := rt.ValidateReplace(decodeJSON(t, tc.body), old, Options{})
			if tc.detail != "" {
				var se *scim.Error
				if !errors.As(err, &se) || se.ScimType != scim.Mutability || se.Detail != tc.detail {
					t.Fatalf("error = %v, want mutability error %q", err, tc.detail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := canonicalJSON(t, res.Resource); got != tc.want {
				t.Errorf("resource\n got %s\nwant %s", got, tc.want)
			}
		})
	}

	fresh, err := rt.ValidateReplace(decodeJSON(t, `{"schemas":["urn:example:Badge"],"serial":"S-9"}`),
		decodeJSON(t, `{"schemas":["urn:example:Badge"],"label":"x"}`), Options{})
	if err != nil || fresh.Resource["serial"] != "S-9" {
		t.Errorf("setting an unset immutable attribute = %v, %v; want it applied", fresh.Resource, err)
	}
}

func TestValidateReplaceGroupMembers(t *testing.T) {
	rt := Default().ResourceType("Group")
	old := decodeJSON(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G","members":[{"value":"u1"}]}`)
	res, err := rt.ValidateReplace(decodeJSON(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G","members":[{"value":"u2"}]}`), old, Options{})
	if err != nil {
		t.Fatalf("replacing members = %v, want success (members may change)", err)
	}
	if got := canonicalJSON(t, res.Resource["members"]); got != `[{"value":"u2"}]` {
		t.Errorf("members = %s", got)
	}
}

func TestValidateNumbersAndDates(t *testing.T) {
	rt := immutableType(t)
	ok := `{"schemas":["urn:example:Badge"],"count":3,"ratio":0.5,"seen":"2011-05-13T04:42:34.5+02:00"}`
	if _, err := rt.ValidateCreate(decodeJSON(t, ok), Options{}); err != nil {
		t.Errorf("valid numbers and dateTime: %v", err)
	}
	var withNumber map[string]any
	dec := json.NewDecoder(strings.NewReader(ok))
	dec.UseNumber()
	if err := dec.Decode(&withNumber); err != nil {
		t.Fatal(err)
	}
	if _, err := rt.ValidateCreate(withNumber, Options{}); err != nil {
		t.Errorf("valid numbers as json.Number: %v", err)
	}
	for body, detail := range map[string]string{
		`{"schemas":["urn:example:Badge"],"count":1.5}`:                  `attribute "count" must be an integer, not the number 1.5`,
		`{"schemas":["urn:example:Badge"],"count":"3"}`:                  `attribute "count" must be an integer, not the string "3"`,
		`{"schemas":["urn:example:Badge"],"ratio":true}`:                 `attribute "ratio" must be a number, not the boolean true`,
		`{"schemas":["urn:example:Badge"],"seen":"2011-05-13"}`:          `attribute "seen" must be an xsd:dateTime with a time zone, such as "2011-05-13T04:42:34Z", not the string "2011-05-13"`,
		`{"schemas":["urn:example:Badge"],"seen":"2011-05-13T04:42:34"}`: `attribute "seen" must be an xsd:dateTime with a time zone, such as "2011-05-13T04:42:34Z", not the string "2011-05-13T04:42:34"`,
	} {
		_, err := rt.ValidateCreate(decodeJSON(t, body), Options{})
		var se *scim.Error
		if !errors.As(err, &se) || se.Detail != detail {
			t.Errorf("%s: error = %v, want %q", body, err, detail)
		}
	}
}
