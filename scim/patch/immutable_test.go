package patch

import (
	"testing"

	"github.com/scimdoctor/scimdoctor/scim"
	"github.com/scimdoctor/scimdoctor/scim/schema"
)

// badgeType is a resource type with an immutable attribute and an
// immutable sub-attribute, which the built-in schemas have only on Group
// members.
func badgeType(t *testing.T) *schema.ResourceType {
	t.Helper()
	s, err := schema.ParseSchema([]byte(`{
		"id": "urn:example:params:scim:schemas:Badge",
		"name": "Badge",
		"attributes": [
			{"name": "serial", "type": "string", "mutability": "immutable", "required": true},
			{"name": "card", "type": "complex", "subAttributes": [
				{"name": "number", "type": "string", "mutability": "immutable"},
				{"name": "label", "type": "string"}
			]}
		]
	}`))
	if err != nil {
		t.Fatalf("ParseSchema: %v", err)
	}
	return &schema.ResourceType{Name: "Badge", Endpoint: "/Badges", Schema: s, Common: userType().Common}
}

func TestImmutable(t *testing.T) {
	doc := `{"schemas": ["urn:example:params:scim:schemas:Badge"], "serial": "S-1", "card": {"number": "42", "label": "front"}}`
	tests := []struct {
		name       string
		ops        string
		wantDetail string // empty when the PATCH succeeds
	}{
		{"same value again", `{"op": "replace", "path": "serial", "value": "S-1"}`, ""},
		{"mutable sub-attribute", `{"op": "replace", "path": "card.label", "value": "back"}`, ""},
		{"change attribute", `{"op": "replace", "path": "serial", "value": "S-2"}`,
			`Operations[0].path: attribute "serial" is immutable: it cannot change from the string "S-1" to the string "S-2"`},
		{"remove attribute", `{"op": "remove", "path": "serial"}`,
			`Operations[0].path: attribute "serial" is immutable: it cannot change from the string "S-1" to null`},
		{"change sub-attribute by path", `{"op": "replace", "path": "card.number", "value": "43"}`,
			`Operations[0].path: attribute "card.number" is immutable: it cannot change from the string "42" to the string "43"`},
		{"change sub-attribute by merge", `{"op": "replace", "value": {"card": {"number": "43"}}}`,
			`Operations[0].value.card: attribute "card.number" is immutable: it cannot change from the string "42" to the string "43"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := applyBody(t, badgeType(t), doc, patchOps(tc.ops), nil, Options{})
			if tc.wantDetail == "" {
				if err != nil {
					t.Fatalf("Apply: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Apply succeeded")
			}
			se := asSCIM(t, err)
			if se.ScimType != scim.Mutability {
				t.Errorf("scimType %q, want mutability", se.ScimType)
			}
			if se.Detail != tc.wantDetail {
				t.Errorf("detail:\n got %s\nwant %s", se.Detail, tc.wantDetail)
			}
		})
	}
}

// TestReadOnlyIDUnchanged covers Okta's Group rename, which carries the
// Group's own "id" next to the new displayName. Setting a readOnly
// attribute to its current value is no modification (RFC 7643 Section
// 2.2), so strict mode accepts it too, and only a different id fails.
func TestReadOnlyIDUnchanged(t *testing.T) {
	const groupID = "6c5bb468-14b2-4183-baf2-06d523e03bd3"
	tests := []struct {
		name     string
		ops      string
		strict   bool
		wantType string // empty when the PATCH succeeds
	}{
		{"okta rename same id lenient", `{"op": "replace", "value": {"id": "` + groupID + `", "displayName": "Renamed"}}`, false, ""},
		{"okta rename same id strict", `{"op": "replace", "value": {"id": "` + groupID + `", "displayName": "Renamed"}}`, true, ""},
		{"replace id path same id strict", `{"op": "replace", "path": "id", "value": "` + groupID + `"}`, true, ""},
		{"okta rename other id strict", `{"op": "replace", "value": {"id": "another-id", "displayName": "Renamed"}}`, true, scim.Mutability},
		{"replace id path other id strict", `{"op": "replace", "path": "id", "value": "another-id"}`, true, scim.Mutability},
		{"add id path same id strict", `{"op": "add", "path": "id", "value": "` + groupID + `"}`, true, scim.Mutability},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := applyBody(t, groupType(), storedGroup, patchOps(tc.ops), nil, Options{Strict: tc.strict, ID: groupID})
			if tc.wantType != "" {
				if err == nil {
					t.Fatalf("Apply succeeded, want scimType %s", tc.wantType)
				}
				if se := asSCIM(t, err); se.ScimType != tc.wantType {
					t.Errorf("scimType %q, want %s (%s)", se.ScimType, tc.wantType, se.Detail)
				}
				return
			}
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if len(res.Fired) != 0 {
				t.Errorf("fired %v, want no rule for an unchanged id", ruleNames(res))
			}
			if _, ok := res.Doc["id"]; ok {
				t.Errorf("doc %v holds id, want it left out of the stored document", res.Doc)
			}
		})
	}
}
