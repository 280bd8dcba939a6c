package patch

import (
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/scim"
	"github.com/scimdoctor/scimdoctor/scim/schema"
	"github.com/scimdoctor/scimdoctor/scim/store"
)

// smallUser is a short stored User for the rule tables.
const smallUser = `{
	"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	"userName": "bjensen",
	"active": true,
	"emails": [{"value": "b@work.example", "type": "work", "primary": true}],
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984"}
}`

// userDoc builds the expected validated User with the given members after
// "schemas" (core and enterprise).
func userDoc(members string) string {
	return `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"], ` + members + `}`
}

const (
	smallEmails = `"emails": [{"value": "b@work.example", "type": "work", "primary": true}]`
	smallExt    = `"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984"}`
)

type ruleCase struct {
	name string // rule name / case
	rule Rule
	rt   func() *schema.ResourceType
	doc  string
	ops  string
	// want is the whole expected document, for User cases.
	want string
	// wantMembers is the expected MemberChange, for Group cases.
	wantMembers *MemberChange
	// strictType is the scimType Apply returns under Options.Strict, or ""
	// when the case succeeds under Strict too.
	strictType string
}

var ruleCases = []ruleCase{
	{
		name: "op-case/Replace", rule: RuleOpCase, rt: userType, doc: smallUser,
		ops:        `{"op": "Replace", "path": "active", "value": false}`,
		want:       userDoc(`"userName": "bjensen", "active": false, ` + smallEmails + `, ` + smallExt),
		strictType: scim.InvalidSyntax,
	},
	{
		name: "op-case/ADD", rule: RuleOpCase, rt: userType, doc: smallUser,
		ops:        `{"op": "ADD", "path": "nickName", "value": "Babs"}`,
		want:       userDoc(`"userName": "bjensen", "nickName": "Babs", "active": true, ` + smallEmails + `, ` + smallExt),
		strictType: scim.InvalidSyntax,
	},
	{
		// Entra's disable: Replace active "False".
		name: "string-boolean/Entra disable", rule: RuleStringBoolean, rt: userType, doc: smallUser,
		ops:        `{"op": "replace", "path": "active", "value": "False"}`,
		want:       userDoc(`"userName": "bjensen", "active": false, ` + smallEmails + `, ` + smallExt),
		strictType: scim.InvalidValue,
	},
	{
		name: "string-boolean/path-less TRUE", rule: RuleStringBoolean, rt: userType, doc: smallUser,
		ops:        `{"op": "replace", "value": {"active": "TRUE"}}`,
		want:       userDoc(`"userName": "bjensen", "active": true, ` + smallEmails + `, ` + smallExt),
		strictType: scim.InvalidValue,
	},
	{
		name: "string-boolean/roles primary", rule: RuleStringBoolean, rt: userType, doc: smallUser,
		ops:        `{"op": "Add", "path": "roles", "value": [{"primary": "True", "value": "admin", "type": "WindowsAzureActiveDirectoryRole"}]}`,
		want:       userDoc(`"userName": "bjensen", "active": true, ` + smallEmails + `, "roles": [{"primary": true, "value": "admin", "type": "WindowsAzureActiveDirectoryRole"}], ` + smallExt),
		strictType: scim.InvalidSyntax, // "Add" fails first
	},
	{
		// Entra with aadOptscim062020: path-less replace with dotted keys.
		name: "pathless-dotted-key/name.givenName", rule: RulePathlessDottedKey, rt: userType, doc: smallUser,
		ops:        `{"op": "replace", "value": {"name.givenName": "Barbara", "name.familyName": "Jensen"}}`,
		want:       userDoc(`"userName": "bjensen", "name": {"givenName": "Barbara", "familyName": "Jensen"}, "active": true, ` + smallEmails + `, ` + smallExt),
		strictType: scim.InvalidPath,
	},
	{
		name: "pathless-urn-key/employeeNumber", rule: RulePathlessURNKey, rt: userType, doc: smallUser,
		ops:        `{"op": "replace", "value": {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "1234"}}`,
		want:       userDoc(`"userName": "bjensen", "active": true, ` + smallEmails + `, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "1234"}`),
		strictType: scim.InvalidPath,
	},
	{
		name: "pathless-urn-key/core URN", rule: RulePathlessURNKey, rt: userType, doc: smallUser,
		ops:        `{"op": "replace", "value": {"urn:ietf:params:scim:schemas:core:2.0:User:displayName": "Babs"}}`,
		want:       userDoc(`"userName": "bjensen", "displayName": "Babs", "active": true, ` + smallEmails + `, ` + smallExt),
		strictType: scim.InvalidPath,
	},
	{
		name: "pathless-urn-key/manager.value", rule: RulePathlessURNKey, rt: userType, doc: smallUser,
		ops:        `{"op": "Add", "value": {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value": "26118915"}}`,
		want:       userDoc(`"userName": "bjensen", "active": true, ` + smallEmails + `, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984", "manager": {"value": "26118915"}}`),
		strictType: scim.InvalidSyntax,
	},
	{
		// Okta's deactivation of an OIN app.
		name: "readonly-key-ignored/Okta id with active", rule: RuleReadOnlyKey, rt: userType, doc: smallUser,
		ops:        `{"op": "replace", "value": {"id": "2819c223", "active": false}}`,
		want:       userDoc(`"userName": "bjensen", "active": false, ` + smallEmails + `, ` + smallExt),
		strictType: scim.Mutability,
	},
	{
		name: "readonly-key-ignored/meta", rule: RuleReadOnlyKey, rt: userType, doc: smallUser,
		ops:        `{"op": "replace", "value": {"meta": {"resourceType": "User"}, "displayName": "Babs"}}`,
		want:       userDoc(`"userName": "bjensen", "displayName": "Babs", "active": true, ` + smallEmails + `, ` + smallExt),
		strictType: scim.Mutability,
	},
	{
		name: "unknown-attribute-ignored/custom attribute", rule: RuleUnknownAttribute, rt: userType, doc: smallUser,
		ops:        `{"op": "replace", "value": {"favoriteColor": "blue", "title": "Tour Guide"}}`,
		want:       userDoc(`"userName": "bjensen", "title": "Tour Guide", "active": true, ` + smallEmails + `, ` + smallExt),
		strictType: scim.InvalidPath,
	},
	{
		// Entra ID's directory extension attribute, whose schema this
		// server does not define, sent with a path.
		name: "unknown-attribute-ignored/entra custom extension path", rule: RuleUnknownAttribute, rt: userType, doc: smallUser,
		ops:        `{"op": "add", "path": "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User:costCenter", "value": "CC-42"}`,
		want:       userDoc(`"userName": "bjensen", "active": true, ` + smallEmails + `, ` + smallExt),
		strictType: scim.InvalidPath,
	},
	{
		name: "unknown-attribute-ignored/unknown core attribute path", rule: RuleUnknownAttribute, rt: userType, doc: smallUser,
		ops:        `{"op": "replace", "path": "favoriteColor", "value": "blue"}`,
		want:       userDoc(`"userName": "bjensen", "active": true, ` + smallEmails + `, ` + smallExt),
		strictType: scim.InvalidPath,
	},
	{
		// Entra's validator: add a work address the user does not have.
		name: "filter-creates-element/add emails type", rule: RuleFilterCreates, rt: userType, doc: smallUser,
		ops:        `{"op": "add", "path": "emails[type eq \"home\"].value", "value": "b@home.example"}`,
		want:       userDoc(`"userName": "bjensen", "active": true, "emails": [{"value": "b@work.example", "type": "work", "primary": true}, {"value": "b@home.example", "type": "home"}], ` + smallExt),
		strictType: scim.NoTarget,
	},
	{
		name: "filter-creates-element/replace on user without emails", rule: RuleFilterCreates, rt: userType,
		doc:        `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen"}`,
		ops:        `{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "b@work.example"}`,
		want:       `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen", "emails": [{"type": "work", "value": "b@work.example"}]}`,
		strictType: scim.NoTarget,
	},
	{
		name: "filter-creates-element/two eq terms", rule: RuleFilterCreates, rt: userType, doc: smallUser,
		ops:        `{"op": "replace", "path": "phoneNumbers[type eq \"mobile\" and primary eq true].value", "value": "+1 555 0100"}`,
		want:       userDoc(`"userName": "bjensen", "active": true, ` + smallEmails + `, "phoneNumbers": [{"type": "mobile", "primary": true, "value": "+1 555 0100"}], ` + smallExt),
		strictType: scim.NoTarget,
	},
	{
		name: "remove-no-match/emails type", rule: RuleRemoveNoMatch, rt: userType, doc: smallUser,
		ops:        `{"op": "remove", "path": "emails[type eq \"home\"]"}`,
		want:       userDoc(`"userName": "bjensen", "active": true, ` + smallEmails + `, ` + smallExt),
		strictType: scim.NoTarget,
	},
	{
		name: "remove-value-list/emails", rule: RuleRemoveValueList, rt: userType, doc: smallUser,
		ops:        `{"op": "remove", "path": "emails", "value": [{"value": "b@work.example"}]}`,
		want:       userDoc(`"userName": "bjensen", "active": true, ` + smallExt),
		strictType: scim.InvalidValue,
	},
	{
		name: "single-value-for-multi-valued/emails object", rule: RuleSingleForMulti, rt: userType, doc: smallUser,
		ops:        `{"op": "add", "path": "emails", "value": {"value": "b@home.example", "type": "home"}}`,
		want:       userDoc(`"userName": "bjensen", "active": true, "emails": [{"value": "b@work.example", "type": "work", "primary": true}, {"value": "b@home.example", "type": "home"}], ` + smallExt),
		strictType: scim.InvalidValue,
	},
	{
		name: "primary-exclusive/add new primary", rule: RulePrimaryExclusive, rt: userType, doc: smallUser,
		ops:  `{"op": "add", "path": "emails", "value": [{"value": "b@home.example", "type": "home", "primary": true}]}`,
		want: userDoc(`"userName": "bjensen", "active": true, "emails": [{"value": "b@work.example", "type": "work", "primary": false}, {"value": "b@home.example", "type": "home", "primary": true}], ` + smallExt),
	},
	{
		name: "primary-exclusive/filter sets primary", rule: RulePrimaryExclusive, rt: userType,
		doc:  userDoc(`"userName": "bjensen", "emails": [{"value": "a@x.example", "type": "work", "primary": true}, {"value": "b@x.example", "type": "home"}]`),
		ops:  `{"op": "replace", "path": "emails[type eq \"home\"].primary", "value": true}`,
		want: `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen", "emails": [{"value": "a@x.example", "type": "work", "primary": false}, {"value": "b@x.example", "type": "home", "primary": true}]}`,
	},
	{
		name: "empty-clears/empty string", rule: RuleEmptyClears, rt: userType,
		doc:  userDoc(`"userName": "bjensen", "nickName": "Babs"`),
		ops:  `{"op": "replace", "path": "nickName", "value": ""}`,
		want: `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen"}`,
	},
	{
		name: "empty-clears/null", rule: RuleEmptyClears, rt: userType,
		doc:  userDoc(`"userName": "bjensen", "nickName": "Babs", "title": "Guide"`),
		ops:  `{"op": "Replace", "path": "title", "value": null}`,
		want: `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen", "nickName": "Babs"}`,
		// "Replace" fails under Strict before the null is read.
		strictType: scim.InvalidSyntax,
	},
	{
		// Microsoft's validation template clears the manager with {"value": ""}.
		name: "empty-clears/manager value", rule: RuleEmptyClears, rt: userType,
		doc:  userDoc(`"userName": "bjensen", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"manager": {"value": "26118915"}}`),
		ops:  `{"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": {"value": ""}}`,
		want: `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen"}`,
	},
	{
		name: "empty-clears/path-less null", rule: RuleEmptyClears, rt: userType,
		doc:  userDoc(`"userName": "bjensen", "nickName": "Babs"`),
		ops:  `{"op": "replace", "value": {"nickName": null}}`,
		want: `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen"}`,
	},
	{
		// Entra's manager as a bare string.
		name: "manager-string/add by URN path", rule: RuleManagerString, rt: userType, doc: smallUser,
		ops:        `{"op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": "26118915-6090-4610-87e4-49d8ca9f808d"}`,
		want:       userDoc(`"userName": "bjensen", "active": true, ` + smallEmails + `, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984", "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d"}}`),
		strictType: scim.InvalidValue,
	},
	{
		name: "manager-string/path-less container", rule: RuleManagerString, rt: userType, doc: smallUser,
		ops:        `{"op": "replace", "value": {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"manager": "26118915"}}}`,
		want:       userDoc(`"userName": "bjensen", "active": true, ` + smallEmails + `, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984", "manager": {"value": "26118915"}}`),
		strictType: scim.InvalidValue,
	},
	{
		name: "member-type-missing/Okta add with display", rule: RuleMemberTypeMissing, rt: groupType, doc: storedGroup,
		ops:         `{"op": "add", "path": "members", "value": [{"value": "00u1", "display": "bjensen@example.com"}]}`,
		wantMembers: &MemberChange{Add: []store.Member{{ID: "00u1"}}},
	},
	{
		// Entra's member add.
		name: "member-ref-null/Entra add", rule: RuleMemberRefNull, rt: groupType, doc: storedGroup,
		ops:         `{"op": "Add", "path": "members", "value": [{"$ref": null, "value": "f648f8d5"}, {"$ref": null, "value": "a0d3d2c1", "type": "User"}]}`,
		wantMembers: &MemberChange{Add: []store.Member{{ID: "f648f8d5"}, {ID: "a0d3d2c1", Type: store.User}}},
		strictType:  scim.InvalidSyntax, // "Add"
	},
	{
		name: "member-ref-null/lowercase add", rule: RuleMemberRefNull, rt: groupType, doc: storedGroup,
		ops:         `{"op": "add", "path": "members", "value": [{"$ref": null, "value": "f648f8d5"}]}`,
		wantMembers: &MemberChange{Add: []store.Member{{ID: "f648f8d5"}}},
	},
	{
		// Entra's default member removal: the ids in "value".
		name: "member-remove-value-list/Entra", rule: RuleMemberRemoveList, rt: groupType, doc: storedGroup,
		ops:         `{"op": "Remove", "path": "members", "value": [{"value": "f648f8d5"}, {"$ref": null, "value": "a0d3d2c1"}]}`,
		wantMembers: &MemberChange{Remove: []string{"f648f8d5", "a0d3d2c1"}},
		strictType:  scim.InvalidSyntax,
	},
	{
		name: "member-remove-value-list/lowercase", rule: RuleMemberRemoveList, rt: groupType, doc: storedGroup,
		ops:         `{"op": "remove", "path": "members", "value": [{"value": "f648f8d5"}]}`,
		wantMembers: &MemberChange{Remove: []string{"f648f8d5"}},
		strictType:  scim.InvalidValue,
	},
	{
		name: "single-value-for-multi-valued/member object", rule: RuleSingleForMulti, rt: groupType, doc: storedGroup,
		ops:         `{"op": "add", "path": "members", "value": {"value": "f648f8d5", "type": "User"}}`,
		wantMembers: &MemberChange{Add: []store.Member{{ID: "f648f8d5", Type: store.User}}},
		strictType:  scim.InvalidValue,
	},
	{
		name: "empty-clears/members null", rule: RuleEmptyClears, rt: groupType, doc: storedGroup,
		ops:         `{"op": "replace", "path": "members", "value": null}`,
		wantMembers: &MemberChange{Replace: &[]store.Member{}},
	},
}

func TestRules(t *testing.T) {
	for _, tc := range ruleCases {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.HasPrefix(tc.name, tc.rule.Name+"/") {
				t.Fatalf("case name %q does not start with rule %q", tc.name, tc.rule.Name)
			}
			res, err := applyBody(t, tc.rt(), tc.doc, patchOps(tc.ops), nil, Options{})
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if !hasRule(res, tc.rule.Name) {
				t.Errorf("fired %v, want %s among them", ruleNames(res), tc.rule.Name)
			}
			if tc.want != "" {
				if got, want := canonical(t, res.Doc), canonical(t, decode(t, tc.want)); got != want {
					t.Errorf("doc:\n got %s\nwant %s", got, want)
				}
			}
			if tc.wantMembers != nil {
				if got, want := canonical(t, res.Members), canonical(t, *tc.wantMembers); got != want {
					t.Errorf("members:\n got %s\nwant %s", got, want)
				}
				if got, want := canonical(t, res.Doc), canonical(t, decode(t, tc.doc)); got != want {
					t.Errorf("member operation changed the doc:\n got %s\nwant %s", got, want)
				}
			}
		})
	}
}

func TestRulesStrict(t *testing.T) {
	for _, tc := range ruleCases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := applyBody(t, tc.rt(), tc.doc, patchOps(tc.ops), nil, Options{Strict: true})
			if tc.strictType == "" {
				if err != nil {
					t.Fatalf("Apply strict: %v; rule %s applies under Strict too", err, tc.rule.Name)
				}
				if !tc.rule.Strict {
					t.Errorf("rule %s has Strict false but the case succeeds under Strict", tc.rule.Name)
				}
				for _, r := range res.Fired {
					if !r.Strict {
						t.Errorf("dialect rule %s fired under Strict", r.Name)
					}
				}
				return
			}
			if err == nil {
				t.Fatalf("Apply strict succeeded with %v, want scimType %s", ruleNames(res), tc.strictType)
			}
			se := asSCIM(t, err)
			if se.Status != 400 || se.ScimType != tc.strictType {
				t.Errorf("error %d %s, want 400 %s (%s)", se.Status, se.ScimType, tc.strictType, se.Detail)
			}
			if !strings.HasPrefix(se.Detail, "Operations[0]") {
				t.Errorf("detail %q does not name the operation", se.Detail)
			}
		})
	}
}

// TestRulesCovered checks that every rule has a case in ruleCases, the
// body tests or the parse tests.
func TestRulesCovered(t *testing.T) {
	covered := map[string]bool{RuleSchemasMissing.Name: true, RulePutReadOnly.Name: true}
	for _, tc := range ruleCases {
		covered[tc.rule.Name] = true
	}
	seen := map[string]bool{}
	for _, r := range Rules() {
		if seen[r.Name] {
			t.Errorf("rule name %s is used twice", r.Name)
		}
		seen[r.Name] = true
		if !covered[r.Name] {
			t.Errorf("rule %s has no case in ruleCases", r.Name)
		}
		if r.Description == "" {
			t.Errorf("rule %s has no description", r.Name)
		}
	}
}
