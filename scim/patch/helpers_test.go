package patch

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/scimdoctor/scimdoctor/scim"
	"github.com/scimdoctor/scimdoctor/scim/schema"
	"github.com/scimdoctor/scimdoctor/scim/store"
)

const enterprise = schema.EnterpriseUserURN

var registry = schema.Default()

func userType() *schema.ResourceType  { return registry.ResourceType("User") }
func groupType() *schema.ResourceType { return registry.ResourceType("Group") }

// storedUser is a User document as the store keeps it: validated, without
// id and meta.
const storedUser = `{
	"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	"userName": "bjensen@example.com",
	"name": {"givenName": "Barbara", "familyName": "Jensen"},
	"displayName": "Babs Jensen",
	"active": true,
	"emails": [
		{"value": "bjensen@example.com", "type": "work", "primary": true},
		{"value": "babs@jensen.org", "type": "home"}
	],
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984", "department": "Tour Operations"}
}`

const storedGroup = `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Tour Guides"}`

// decode decodes a JSON object as the server does, with json.Number.
func decode(t testing.TB, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode test JSON: %v\n%s", err, s)
	}
	return m
}

// canonical returns v as JSON with sorted keys, for comparisons.
func canonical(t testing.TB, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return string(data)
}

// patchOps wraps operations in a PatchOp body.
func patchOps(ops string) string {
	return `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [` + ops + `]}`
}

// staticMembers is a MemberSource with fixed members that counts calls.
type staticMembers struct {
	list  []store.Member
	calls int
}

func (s *staticMembers) Members() ([]store.Member, error) {
	s.calls++
	return s.list, nil
}

func applyBody(t testing.TB, rt *schema.ResourceType, doc, body string, src MemberSource, opts Options) (*Result, error) {
	t.Helper()
	req, err := Parse([]byte(body))
	if err != nil {
		return nil, err
	}
	return Apply(rt, decode(t, doc), src, req, opts)
}

func hasRule(res *Result, name string) bool {
	for _, r := range res.Fired {
		if r.Name == name {
			return true
		}
	}
	return false
}

func ruleNames(res *Result) []string {
	var out []string
	for _, r := range res.Fired {
		out = append(out, r.Name)
	}
	return out
}

func asSCIM(t testing.TB, err error) *scim.Error {
	t.Helper()
	var se *scim.Error
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *scim.Error", err, err)
	}
	return se
}
