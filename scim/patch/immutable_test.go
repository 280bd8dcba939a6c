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
