package patch

import (
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/scim"
	"github.com/scimdoctor/scimdoctor/scim/store"
)

// oktaPut is Okta's profile update: the whole User as GET returned it, with
// id, meta and groups, and a changed title.
const oktaPut = `{
	"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
	"id": "23a35c27-23d3-4c03-b4c5-6443c09e7173",
	"userName": "bjensen@example.com",
	"name": {"givenName": "Barbara", "familyName": "Jensen"},
	"emails": [{"primary": true, "value": "bjensen@example.com", "type": "work"}],
	"displayName": "Babs Jensen",
	"title": "Tour Lead",
	"locale": "en-US",
	"externalId": "00u1dhhb1fkIGP7RL1d8",
	"groups": [],
	"active": true,
	"meta": {"resourceType": "User", "created": "2026-01-02T03:04:05Z", "lastModified": "2026-01-02T03:04:05Z", "version": "W/\"3\""}
}`

const storedWithPassword = `{
	"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
	"userName": "bjensen@example.com",
	"password": "t1meMa$heen",
	"active": true
}`

func TestReplaceBody(t *testing.T) {
	tests := []struct {
		name      string
		old       string
		body      string
		opts      Options
		want      string
		wantRules []string
	}{
		{
			name: "Okta PUT ignores id meta groups and keeps password",
			old:  storedWithPassword,
			body: oktaPut,
			want: `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen@example.com", "password": "t1meMa$heen",
				"name": {"givenName": "Barbara", "familyName": "Jensen"}, "emails": [{"primary": true, "value": "bjensen@example.com", "type": "work"}],
				"displayName": "Babs Jensen", "title": "Tour Lead", "locale": "en-US", "externalId": "00u1dhhb1fkIGP7RL1d8", "active": true}`,
			wantRules: []string{RulePutReadOnly.Name},
		},
		{
			name:      "Okta PUT deactivation with new password",
			old:       storedWithPassword,
			body:      `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "x", "userName": "bjensen@example.com", "password": "n3w-Secret", "active": false}`,
			want:      `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen@example.com", "password": "n3w-Secret", "active": false}`,
			wantRules: []string{RulePutReadOnly.Name},
		},
		{
			name: "Entra strings in PUT",
			old:  storedWithPassword,
			body: `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"], "userName": "bjensen@example.com", "active": "True",
				"roles": [{"primary": "False", "value": "reader"}],
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"manager": "26118915", "department": null}}`,
			want: `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"], "userName": "bjensen@example.com", "password": "t1meMa$heen", "active": true,
				"roles": [{"primary": false, "value": "reader"}],
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"manager": {"value": "26118915"}}}`,
			wantRules: []string{RuleStringBoolean.Name, RuleManagerString.Name},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ReplaceBody(userType(), decode(t, tc.old), []byte(tc.body), tc.opts)
			if err != nil {
				t.Fatalf("ReplaceBody: %v", err)
			}
			if got, want := canonical(t, res.Doc), canonical(t, decode(t, tc.want)); got != want {
				t.Errorf("doc:\n got %s\nwant %s", got, want)
			}
			if got, want := canonical(t, ruleNames(res)), canonical(t, tc.wantRules); got != want {
				t.Errorf("fired %s, want %s", got, want)
			}
			if !res.Members.Empty() {
				t.Errorf("User PUT has a member change %+v", res.Members)
			}
		})
	}
}

func TestReplaceBodyStrict(t *testing.T) {
	body := `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "x", "userName": "bjensen@example.com", "active": "False"}`
	_, err := ReplaceBody(userType(), decode(t, storedWithPassword), []byte(body), Options{Strict: true})
	if err == nil {
		t.Fatal("strict ReplaceBody accepted a string boolean")
	}
	se := asSCIM(t, err)
	if se.ScimType != scim.InvalidValue || se.Detail != `active: attribute "active" must be true or false, not the string "False"` {
		t.Errorf("error %s %q", se.ScimType, se.Detail)
	}

	// id is readOnly, and RFC 7644 Section 3.5.1 has PUT ignore it, so
	// strict mode accepts it.
	okta := `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "x", "userName": "bjensen@example.com", "active": false}`
	res, err := ReplaceBody(userType(), decode(t, storedWithPassword), []byte(okta), Options{Strict: true})
	if err != nil {
		t.Fatalf("strict ReplaceBody: %v", err)
	}
	if !hasRule(res, RulePutReadOnly.Name) {
		t.Errorf("fired %v, want %s", ruleNames(res), RulePutReadOnly.Name)
	}
}

func TestReplaceBodyGroup(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []store.Member
	}{
		{"Okta AIW PUT with members", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": "g1", "displayName": "Tour Guides",
			"members": [{"value": "u1", "display": "bjensen@example.com"}, {"value": "u2", "type": "User", "$ref": null}]}`,
			[]store.Member{{ID: "u1"}, {ID: "u2", Type: store.User}}},
		{"PUT without members clears them", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Tour Guides"}`, []store.Member{}},
		{"PUT with null members", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Tour Guides", "members": null}`, []store.Member{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ReplaceBody(groupType(), decode(t, storedGroup), []byte(tc.body), Options{})
			if err != nil {
				t.Fatalf("ReplaceBody: %v", err)
			}
			if res.Members.Replace == nil {
				t.Fatal("Members.Replace is nil, want the new membership")
			}
			if got, want := canonical(t, *res.Members.Replace), canonical(t, tc.want); got != want {
				t.Errorf("members %s, want %s", got, want)
			}
			if got, want := canonical(t, res.Doc), canonical(t, decode(t, storedGroup)); got != want {
				t.Errorf("doc:\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestCreateBody(t *testing.T) {
	// Okta's create carries a password placeholder and "groups": [].
	body := `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen@example.com",
		"name": {"givenName": "Barbara", "familyName": "Jensen"}, "emails": [{"primary": true, "value": "bjensen@example.com", "type": "work"}],
		"displayName": "Babs Jensen", "locale": "en-US", "externalId": "00u1dhhb1fkIGP7RL1d8", "groups": [], "password": "1mz050nq", "active": true}`
	res, err := CreateBody(userType(), []byte(body), Options{})
	if err != nil {
		t.Fatalf("CreateBody: %v", err)
	}
	want := `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen@example.com",
		"name": {"givenName": "Barbara", "familyName": "Jensen"}, "emails": [{"primary": true, "value": "bjensen@example.com", "type": "work"}],
		"displayName": "Babs Jensen", "locale": "en-US", "externalId": "00u1dhhb1fkIGP7RL1d8", "password": "1mz050nq", "active": true}`
	if got, w := canonical(t, res.Doc), canonical(t, decode(t, want)); got != w {
		t.Errorf("doc:\n got %s\nwant %s", got, w)
	}

	group := `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"], "externalId": "8aa1a0c0", "displayName": "Tour Guides", "members": []}`
	res, err = CreateBody(groupType(), []byte(group), Options{})
	if err != nil {
		t.Fatalf("CreateBody group: %v", err)
	}
	if res.Members.Replace == nil || len(*res.Members.Replace) != 0 {
		t.Errorf("members %+v, want an empty Replace", res.Members)
	}
}

func TestBodyErrors(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantType   string
		wantDetail string
	}{
		{"not JSON", `{`, scim.InvalidSyntax, `body is not valid JSON: unexpected end of input`},
		{"array", `[]`, scim.InvalidSyntax, `body must be a JSON object (a User), not an array`},
		{"missing schemas", `{"userName": "x"}`, scim.InvalidSyntax, `missing "schemas": add "schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]`},
		{"missing userName", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "active": true}`, scim.InvalidValue, `missing required attribute "userName"`},
		{"wrong type", `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "x", "active": "maybe"}`, scim.InvalidValue, `active: attribute "active" must be true or false, not the string "maybe"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReplaceBody(userType(), decode(t, storedWithPassword), []byte(tc.body), Options{})
			if err == nil {
				t.Fatal("ReplaceBody succeeded")
			}
			se := asSCIM(t, err)
			if se.ScimType != tc.wantType || se.Detail != tc.wantDetail {
				t.Errorf("error %s %q, want %s %q", se.ScimType, se.Detail, tc.wantType, tc.wantDetail)
			}
		})
	}
}

// TestBodyUnknownAttribute checks that an Entra ID custom extension
// attribute in a POST or PUT body follows the same rule as in a PATCH:
// dropped with RuleUnknownAttribute, or rejected in strict mode.
func TestBodyUnknownAttribute(t *testing.T) {
	const ext = "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User"
	body := `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "` + ext + `"], "userName": "bjensen@example.com", "` + ext + `": {"costCenter": "CC-42"}}`
	old := decode(t, `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen@example.com"}`)
	tests := []struct {
		name string
		read func(opts Options) (*Result, error)
	}{
		{"create", func(opts Options) (*Result, error) { return CreateBody(userType(), []byte(body), opts) }},
		{"replace", func(opts Options) (*Result, error) { return ReplaceBody(userType(), old, []byte(body), opts) }},
	}
	for _, tc := range tests {
		t.Run(tc.name+" lenient drops", func(t *testing.T) {
			res, err := tc.read(Options{})
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if !hasRule(res, RuleUnknownAttribute.Name) {
				t.Errorf("fired %v, want %s", ruleNames(res), RuleUnknownAttribute.Name)
			}
			if len(res.Ignored) != 1 || !strings.HasPrefix(res.Ignored[0], ext) {
				t.Errorf("ignored %v, want the extension", res.Ignored)
			}
		})
		t.Run(tc.name+" strict rejects", func(t *testing.T) {
			_, err := tc.read(Options{Strict: true})
			if err == nil {
				t.Fatal("read succeeded in strict mode")
			}
			if se := asSCIM(t, err); se.Status != 400 || !strings.Contains(se.Detail, ext) {
				t.Errorf("error %d %q, want 400 naming %s", se.Status, se.Detail, ext)
			}
		})
	}
}
