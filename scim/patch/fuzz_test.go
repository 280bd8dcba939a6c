package patch

import (
	"encoding/json"
	"errors"
	"strconv"
	"testing"

	"github.com/scimdoctor/scimdoctor/scim"
	"github.com/scimdoctor/scimdoctor/scim/schema"
)

// FuzzApply applies random PatchOp bodies to a fixed User and a fixed
// Group. Apply must not panic, and it returns either a *scim.Error or a
// document that validates again and holds no null or "" values.
func FuzzApply(f *testing.F) {
	for _, tc := range ruleCases {
		f.Add([]byte(patchOps(tc.ops)), false)
	}
	seeds := []string{
		`{"op": "add", "value": {"emails": [{"value": "babs@example.org", "type": "other"}], "nickname": "Babs"}}`,
		`{"op": "remove", "path": "emails[type eq \"work\" and value ew \"example.com\"]"}`,
		`{"op": "replace", "path": "addresses[type eq \"work\"].streetAddress", "value": "1010 Broadway Ave"}`,
		`{"op": "remove", "path": "members[value eq \"a\" or value eq \"b\"]"}`,
		`{"op": "remove", "path": "members[type eq \"Group\"]"}`,
		`{"op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "value": {"manager": {"value": ""}}}`,
		`{"op": "replace", "path": "emails[type eq \"home\"].primary", "value": true}, {"op": "add", "path": "emails", "value": [{"value": "x", "primary": true}]}`,
	}
	for _, s := range seeds {
		f.Add([]byte(patchOps(s)), false)
		f.Add([]byte(patchOps(s)), true)
	}

	user := decode(f, storedUser)
	group := decode(f, storedGroup)
	f.Fuzz(func(t *testing.T, body []byte, strict bool) {
		req, err := Parse(body)
		if err != nil {
			checkSCIMError(t, err)
			return
		}
		for _, target := range []struct {
			rt  *schema.ResourceType
			doc map[string]any
		}{{userType(), user}, {groupType(), group}} {
			src := &staticMembers{}
			res, err := Apply(target.rt, target.doc, src, req, Options{Strict: strict})
			if err != nil {
				checkSCIMError(t, err)
				continue
			}
			if _, err := target.rt.ValidateCreate(copyObject(res.Doc), schema.Options{RejectUnknown: true}); err != nil {
				t.Fatalf("result of %s does not validate: %v\ndoc: %s", body, err, canonical(t, res.Doc))
			}
			if path, ok := findEmpty(res.Doc, ""); ok {
				t.Fatalf("result of %s holds an empty value at %s", body, path)
			}
			if strict {
				for _, r := range res.Fired {
					if !r.Strict {
						t.Fatalf("dialect rule %s fired under Strict for %s", r.Name, body)
					}
				}
			}
		}
	})
}

func checkSCIMError(t *testing.T, err error) {
	t.Helper()
	var se *scim.Error
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *scim.Error", err, err)
	}
	if se.Status != 400 || se.ScimType == "" || se.Detail == "" {
		t.Fatalf("error %+v lacks status 400, scimType or detail", se)
	}
}

// findEmpty returns the path of a null or "" value in v.
func findEmpty(v any, path string) (string, bool) {
	switch v := v.(type) {
	case nil:
		return path, true
	case string:
		return path, v == ""
	case map[string]any:
		for k, x := range v {
			if p, ok := findEmpty(x, path+"."+k); ok {
				return p, true
			}
		}
	case []any:
		for _, x := range v {
			if p, ok := findEmpty(x, path+"[]"); ok {
				return p, true
			}
		}
	}
	return "", false
}

// FuzzApplyOperation builds two-operation bodies from fuzzed op, path and
// value members, so the fuzzer explores paths and values rather than JSON
// syntax. The checks are those of FuzzApply.
func FuzzApplyOperation(f *testing.F) {
	f.Add("replace", "emails[type eq \"work\"].value", `"x@example.com"`, "Remove", "members[value eq \"a\"]", `null`)
	f.Add("Add", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", `"26118915"`, "add", "emails", `[{"value": "y", "primary": "True"}]`)
	f.Add("replace", "", `{"name.givenName": "B", "id": "x", "members": []}`, "remove", "name.givenName", ``)
	f.Add("add", "addresses[type eq \"work\" and primary eq true].locality", `"Hollywood"`, "replace", "addresses[type eq \"work\"]", `{"primary": true}`)
	f.Add("Remove", "members", `[{"value": "a"}]`, "replace", "members", `[]`)
	f.Add("remove", "emails[not (type eq \"work\")]", ``, "add", "phoneNumbers[type eq \"mobile\"]", `{"value": "1"}`)

	user := decode(f, storedUser)
	group := decode(f, storedGroup)
	f.Fuzz(func(t *testing.T, op1, path1, value1, op2, path2, value2 string) {
		body := patchOps(operationJSON(op1, path1, value1) + ", " + operationJSON(op2, path2, value2))
		req, err := Parse([]byte(body))
		if err != nil {
			checkSCIMError(t, err)
			return
		}
		for _, strict := range []bool{false, true} {
			for _, target := range []struct {
				rt  *schema.ResourceType
				doc map[string]any
			}{{userType(), user}, {groupType(), group}} {
				res, err := Apply(target.rt, target.doc, &staticMembers{}, req, Options{Strict: strict})
				if err != nil {
					checkSCIMError(t, err)
					continue
				}
				if _, err := target.rt.ValidateCreate(copyObject(res.Doc), schema.Options{RejectUnknown: true}); err != nil {
					t.Fatalf("result of %s does not validate: %v\ndoc: %s", body, err, canonical(t, res.Doc))
				}
				if path, ok := findEmpty(res.Doc, ""); ok {
					t.Fatalf("result of %s holds an empty value at %s", body, path)
				}
			}
		}
	})
}

// operationJSON builds one operation. An empty path or value is left out,
// and a value that is not valid JSON is sent as a JSON string.
func operationJSON(op, path, value string) string {
	s := `{"op": ` + strconv.Quote(op)
	if path != "" {
		s += `, "path": ` + strconv.Quote(path)
	}
	if value != "" {
		if !json.Valid([]byte(value)) {
			value = strconv.Quote(value)
		}
		s += `, "value": ` + value
	}
	return s + "}"
}
