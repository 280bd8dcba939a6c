package patch

import (
	"testing"

	"github.com/scimdoctor/scimdoctor/scim"
	"github.com/scimdoctor/scimdoctor/scim/schema"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantDetail string
	}{
		{"not JSON", `not json`, `PATCH body is not valid JSON: invalid character 'o' in literal null (expecting 'u') at byte 2`},
		{"trailing data", patchOps(`{"op": "add", "value": {}}`) + ` {}`, `PATCH body has data after the JSON object: send one PatchOp object`},
		{"array body", `[]`, `PATCH body must be a JSON object with "schemas" and "Operations", not an array`},
		{"wrong schema", `{"schemas": ["urn:x"], "Operations": [{"op": "add"}]}`, `"schemas" must contain "urn:ietf:params:scim:api:messages:2.0:PatchOp" for a PATCH request`},
		{"schemas string", `{"schemas": "x", "Operations": []}`, `"schemas" must be an array containing "urn:ietf:params:scim:api:messages:2.0:PatchOp", not a string`},
		{"schemas number element", `{"schemas": [1], "Operations": []}`, `"schemas" must contain only strings, not a number`},
		{"no operations", `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`, `PATCH body has no "Operations": send an array of {"op", "path", "value"} objects`},
		{"operations object", `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": {}}`, `"Operations" must be an array, not an object`},
		{"empty operations", patchOps(``), `"Operations" is empty: RFC 7644 Section 3.5.2 requires at least one operation`},
		{"operation number", patchOps(`{"op": "add", "value": {}}, 1`), `Operations[1]: an operation must be a JSON object, not a number`},
		{"missing op", patchOps(`{"path": "title"}`), `Operations[0]: missing "op": use "add", "remove" or "replace"`},
		{"op number", patchOps(`{"op": 1}`), `Operations[0].op must be a string such as "add", not a number`},
		{"path number", patchOps(`{"op": "add", "path": 5}`), `Operations[0].path must be a string such as "emails[type eq \"work\"].value", not a number`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := Parse([]byte(tc.body))
			if err == nil {
				t.Fatalf("Parse succeeded with %d operations", len(req.Operations))
			}
			se := asSCIM(t, err)
			if se.Status != 400 || se.ScimType != scim.InvalidSyntax {
				t.Errorf("error %d %q, want 400 invalidSyntax", se.Status, se.ScimType)
			}
			if se.Detail != tc.wantDetail {
				t.Errorf("detail:\n got %s\nwant %s", se.Detail, tc.wantDetail)
			}
		})
	}
}

func TestParseMemberNames(t *testing.T) {
	req, err := Parse([]byte(`{"SCHEMAS": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "operations": [{"OP": "add", "Path": "title", "VALUE": null}]}`))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	op := req.Operations[0]
	if op.Op != "add" || !op.HasPath || op.Path != "title" || !op.HasValue || op.Value != nil {
		t.Errorf("operation %+v", op)
	}
	if req.SchemasMissing {
		t.Error("SchemasMissing is true for a body with SCHEMAS")
	}
}

func TestSchemasMissing(t *testing.T) {
	body := `{"Operations": [{"op": "replace", "value": {"active": false}}]}`
	req, err := Parse([]byte(body))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if !req.SchemasMissing {
		t.Fatal("SchemasMissing is false")
	}
	res, err := Apply(userType(), decode(t, smallUser), nil, req, Options{})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if !hasRule(res, RuleSchemasMissing.Name) {
		t.Errorf("fired %v, want %s", ruleNames(res), RuleSchemasMissing.Name)
	}
	_, err = Apply(userType(), decode(t, smallUser), nil, req, Options{Strict: true})
	if err == nil {
		t.Fatal("strict Apply accepted a body without schemas")
	}
	if se := asSCIM(t, err); se.ScimType != scim.InvalidSyntax {
		t.Errorf("scimType %q, want invalidSyntax", se.ScimType)
	}
}

func TestApplyErrors(t *testing.T) {
	tests := []struct {
		name       string
		rt         func() *schema.ResourceType
		ops        string
		strict     bool
		wantType   string
		wantDetail string
	}{
		{"unknown op", userType, `{"op": "move", "path": "title", "value": "x"}`, false,
			scim.InvalidSyntax, `Operations[0].op: "move" is not an operation: use "add", "remove" or "replace"`},
		{"op case when strict", userType, `{"op": "Add", "path": "title", "value": "x"}`, true,
			scim.InvalidSyntax, `Operations[0].op: "Add" is not an operation of RFC 7644 Section 3.5.2: use "add"`},
		{"remove without path", userType, `{"op": "remove"}`, false,
			scim.NoTarget, `Operations[0].path: remove needs a path (RFC 7644 Section 3.5.2.2), such as "members[value eq \"<id>\"]"`},
		{"add without value", userType, `{"op": "add", "path": "title"}`, false,
			scim.InvalidValue, `Operations[0].value: add needs a value`},
		{"path syntax", userType, `{"op": "add", "path": "emails[type eq", "value": "x"}`, false,
			scim.InvalidFilter, `Operations[0].path: unexpected end of input at 14: expected a value: a string in double quotes, a number, true, false or null`},
		{"unknown attribute path when strict", userType, `{"op": "add", "path": "nosuch", "value": 1}`, true,
			scim.InvalidPath, `Operations[0].path: unknown attribute "nosuch" for resource type User: GET /Schemas lists the attributes`},
		{"readOnly id", userType, `{"op": "replace", "path": "id", "value": "x"}`, false,
			scim.Mutability, `Operations[0].path: attribute "id" is readOnly and cannot be changed`},
		{"readOnly groups", userType, `{"op": "add", "path": "groups", "value": [{"value": "x"}]}`, false,
			scim.Mutability, `Operations[0].path: attribute "groups" is readOnly and cannot be changed`},
		{"readOnly manager.displayName", userType, `{"op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName", "value": "x"}`, false,
			scim.Mutability, `Operations[0].path: attribute "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName" is readOnly and cannot be changed`},
		{"readOnly key when strict", userType, `{"op": "replace", "value": {"id": "x"}}`, true,
			scim.Mutability, `Operations[0].value.id: attribute "id" is readOnly and cannot be changed`},
		{"wrong type", userType, `{"op": "add", "path": "title", "value": 5}`, false,
			scim.InvalidValue, `Operations[0].value: attribute "title" must be a string, not a number`},
		{"bad boolean", userType, `{"op": "add", "path": "active", "value": "yes"}`, false,
			scim.InvalidValue, `Operations[0].value: attribute "active" must be true or false, not the string "yes"`},
		{"string boolean when strict", userType, `{"op": "replace", "path": "active", "value": "False"}`, true,
			scim.InvalidValue, `Operations[0].value: attribute "active" must be true or false, not the string "False"`},
		{"path-less wrong type names key", userType, `{"op": "replace", "value": {"title": 5}}`, false,
			scim.InvalidValue, `Operations[0].value.title: attribute "title" must be a string, not a number`},
		{"removing required", userType, `{"op": "add", "path": "title", "value": "x"}, {"op": "remove", "path": "userName"}`, false,
			scim.InvalidValue, `the patched resource is invalid: missing required attribute "userName"`},
		{"sub-attribute of multi-valued", userType, `{"op": "add", "path": "emails.value", "value": "x"}`, false,
			scim.InvalidPath, `Operations[0].path: "emails.value" names a sub-attribute of every element of "emails": select elements with a filter, as in emails[type eq "work"].value`},
		{"filter on singular", userType, `{"op": "add", "path": "name[givenName eq \"x\"]", "value": "x"}`, false,
			scim.InvalidPath, `Operations[0].path: a value filter selects elements of a multi-valued complex attribute, and "name" is not one`},
		{"unknown sub after filter", userType, `{"op": "add", "path": "emails[type eq \"x\"].nosub", "value": "x"}`, false,
			scim.InvalidPath, `Operations[0].path: attribute "emails" has no sub-attribute "nosub"`},
		{"filter cannot create", userType, `{"op": "replace", "path": "emails[type eq \"x\" or type eq \"y\"].value", "value": "x"}`, false,
			scim.NoTarget, `Operations[0].path: filter "emails[(type eq \"x\" or type eq \"y\")].value" matches no value, and only a filter of eq terms joined by "and", such as [type eq "work"], can create one`},
		{"filter no match when strict", userType, `{"op": "replace", "path": "emails[type eq \"home\"].value", "value": "x"}`, true,
			scim.NoTarget, `Operations[0].path: filter "emails[type eq \"home\"].value" matches no value, so there is nothing to replace`},
		{"remove no match when strict", userType, `{"op": "remove", "path": "emails[type eq \"home\"]"}`, true,
			scim.NoTarget, `Operations[0].path: filter "emails[type eq \"home\"]" matches no value`},
		{"two primaries", userType, `{"op": "add", "path": "emails", "value": [{"value": "a", "primary": true}, {"value": "b", "primary": true}]}`, false,
			scim.InvalidValue, `Operations[0].value: the value sets "primary": true on 2 values of "emails"; at most one may be primary`},
		{"path-less string", userType, `{"op": "add", "value": "x"}`, false,
			scim.InvalidValue, `Operations[0].value: add without a path needs an object of attributes, not a string`},
		{"complex from string", userType, `{"op": "add", "path": "name", "value": "x"}`, false,
			scim.InvalidValue, `Operations[0].value: attribute "name" must be a JSON object, not a string`},
		{"extension path with string", userType, `{"op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "value": "x"}`, false,
			scim.InvalidValue, `Operations[0].value: extension urn:ietf:params:scim:schemas:extension:enterprise:2.0:User must be a JSON object, not a string`},
		{"extension path names key", userType, `{"op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "value": {"employeeNumber": 5}}`, false,
			scim.InvalidValue, `Operations[0].value.employeeNumber: attribute "employeeNumber" must be a string, not a number`},
		{"path-less extension names key", userType, `{"op": "replace", "value": {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": 5}}}`, false,
			scim.InvalidValue, `Operations[0].value.urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.employeeNumber: attribute "employeeNumber" must be a string, not a number`},
		{"unknown key when strict", userType, `{"op": "replace", "value": {"favoriteColor": "blue"}}`, true,
			scim.InvalidPath, `Operations[0].value.favoriteColor: unknown attribute "favoriteColor" for resource type User: GET /Schemas lists the attributes`},
		{"second operation index", userType, `{"op": "add", "path": "title", "value": "x"}, {"op": "add", "path": "title", "value": true}`, false,
			scim.InvalidValue, `Operations[1].value: attribute "title" must be a string, not the boolean true`},
		{"member without value", groupType, `{"op": "add", "path": "members", "value": [{"display": "x"}]}`, false,
			scim.InvalidValue, `Operations[0].value[0]: a member needs "value", the member's id, as a non-empty string`},
		{"member type", groupType, `{"op": "add", "path": "members", "value": [{"value": "x", "type": "Robot"}]}`, false,
			scim.InvalidValue, `Operations[0].value[0].type: "Robot" is not a member type: use "User" or "Group"`},
		{"members string", groupType, `{"op": "add", "path": "members", "value": "x"}`, false,
			scim.InvalidValue, `Operations[0].value: members must be an array of objects such as [{"value": "<id>"}], not a string`},
		{"member filter add", groupType, `{"op": "add", "path": "members[value eq \"x\"]", "value": [{"value": "x"}]}`, false,
			scim.InvalidPath, `Operations[0].path: add takes path "members", not a member filter; remove a member with members[value eq "<id>"]`},
		{"member sub-attribute", groupType, `{"op": "remove", "path": "members[value eq \"x\"].display"}`, false,
			scim.InvalidPath, `Operations[0].path: member sub-attributes are immutable: add, remove or replace whole members with path "members"`},
		{"path-less member names key", groupType, `{"op": "replace", "value": {"members": [{"value": 5}]}}`, false,
			scim.InvalidValue, `Operations[0].value.members[0]: a member needs "value", the member's id, as a non-empty string`},
		{"member remove list when strict", groupType, `{"op": "remove", "path": "members", "value": [{"value": "x"}]}`, true,
			scim.InvalidValue, `Operations[0].value: remove takes no value by RFC 7644 Section 3.5.2.2, and without one it removes every member; remove one member with path members[value eq "<id>"]`},
		{"member filter no match when strict", groupType, `{"op": "remove", "path": "members[type eq \"Group\"]"}`, true,
			scim.NoTarget, `Operations[0].path: filter "members[type eq \"Group\"]" matches no value`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := smallUser
			if tc.rt().Name == "Group" {
				doc = storedGroup
			}
			_, err := applyBody(t, tc.rt(), doc, patchOps(tc.ops), &staticMembers{}, Options{Strict: tc.strict})
			if err == nil {
				t.Fatal("Apply succeeded")
			}
			se := asSCIM(t, err)
			if se.Status != 400 {
				t.Errorf("status %d, want 400", se.Status)
			}
			if se.ScimType != tc.wantType {
				t.Errorf("scimType %q, want %q", se.ScimType, tc.wantType)
			}
			if se.Detail != tc.wantDetail {
				t.Errorf("detail:\n got %s\nwant %s", se.Detail, tc.wantDetail)
			}
		})
	}
}

// TestApplyLeavesInputAlone checks that Apply works on a copy of doc.
func TestApplyLeavesInputAlone(t *testing.T) {
	doc := decode(t, storedUser)
	before := canonical(t, doc)
	req, err := Parse([]byte(patchOps(`{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "x@example.com"}, {"op": "remove", "path": "name"}`)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(userType(), doc, nil, req, Options{}); err != nil {
		t.Fatal(err)
	}
	if after := canonical(t, doc); after != before {
		t.Errorf("Apply changed its input:\n got %s\nwant %s", after, before)
	}
}
