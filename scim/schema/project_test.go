package schema

import (
	"slices"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/scim"
)

const storedUser = `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
  "id": "u1",
  "externalId": "e1",
  "userName": "bjensen",
  "password": "secret",
  "name": {"givenName": "Barbara", "familyName": "Jensen"},
  "emails": [{"value": "b@example.com", "type": "work", "primary": true}, {"value": "b@home.org", "type": "home"}],
  "meta": {"resourceType": "User", "location": "https://example.com/v2/Users/u1"},
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "7", "manager": {"value": "m1", "displayName": "Boss"}}
}`

func paths(t *testing.T, list string) []scim.AttrPath {
	t.Helper()
	if list == "" {
		return nil
	}
	ps, err := scim.ParseAttrPathList(list, scim.InvalidValue)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestProject(t *testing.T) {
	rt := Default().ResourceType("User")
	const (
		always = `"id":"u1","meta":{"location":"https://example.com/v2/Users/u1","resourceType":"User"},` +
			`"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]`
		ext = `"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"7","manager":{"displayName":"Boss","value":"m1"}}`
	)
	cases := []struct {
		name       string
		attributes string
		excluded   string
		want       string
	}{
		{name: "default drops password", want: `{"emails":[{"primary":true,"type":"work","value":"b@example.com"},{"type":"home","value":"b@home.org"}],` +
			`"externalId":"e1",` + always + `,"name":{"familyName":"Jensen","givenName":"Barbara"},` + ext + `,"userName":"bjensen"}`},
		{name: "attributes userName", attributes: "userName", want: `{` + always + `,"userName":"bjensen"}`},
		{name: "attributes case-insensitive", attributes: "USERNAME", want: `{` + always + `,"userName":"bjensen"}`},
		{name: "attributes sub-attribute", attributes: "name.givenName", want: `{` + always + `,"name":{"givenName":"Barbara"}}`},
		{name: "attributes multi-valued sub-attribute", attributes: "emails.value",
			want: `{"emails":[{"value":"b@example.com"},{"value":"b@home.org"}],` + always + `}`},
		{name: "attributes password stays hidden", attributes: "password,userName", want: `{` + always + `,"userName":"bjensen"}`},
		{name: "attributes extension attribute", attributes: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
			want: `{` + always + `,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"7"}}`},
		{name: "attributes extension sub-attribute", attributes: "manager.value",
			want: `{` + always + `,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m1"}}}`},
		{name: "attributes whole extension", attributes: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
			want: `{` + always + `,` + ext + `}`},
		{name: "attributes unknown ignored", attributes: "favoriteColor", want: `{` + always + `}`},
		{name: "attributes id only", attributes: "id", want: `{` + always + `}`},
		{name: "excluded emails", excluded: "emails", want: `{"externalId":"e1",` + always +
			`,"name":{"familyName":"Jensen","givenName":"Barbara"},` + ext + `,"userName":"bjensen"}`},
		{name: "excluded always attributes stay", excluded: "id,meta,schemas,userName,name,emails,externalId",
			want: `{` + always + `,` + ext + `}`},
		{name: "excluded sub-attribute", excluded: "name.familyName,emails.type,emails.primary,externalId,userName",
			want: `{"emails":[{"value":"b@example.com"},{"value":"b@home.org"}],` + always + `,"name":{"givenName":"Barbara"},` + ext + `}`},
		{name: "excluded whole extension", excluded: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User,emails,name,externalId",
			want: `{` + always + `,"userName":"bjensen"}`},
		{name: "excluded extension attributes leave no empty object",
			excluded: "employeeNumber,manager,emails,name,externalId", want: `{` + always + `,"userName":"bjensen"}`},
		{name: "attributes then excluded", attributes: "name", excluded: "name.familyName",
			want: `{` + always + `,"name":{"givenName":"Barbara"}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := decodeJSON(t, storedUser)
			got := rt.Project(res, Projection{Attributes: paths(t, tc.attributes), Excluded: paths(t, tc.excluded)})
			if s, want := canonicalJSON(t, got), canonicalJSON(t, decodeJSON(t, tc.want)); s != want {
				t.Errorf("Project\n got %s\nwant %s", s, want)
			}
			if s := canonicalJSON(t, res); s != canonicalJSON(t, decodeJSON(t, storedUser)) {
				t.Errorf("Project changed its input: %s", s)
			}
		})
	}
}

func TestProjectGroupExcludedMembers(t *testing.T) {
	rt := Default().ResourceType("Group")
	res := decodeJSON(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"g1","displayName":"Eng",
		"members":[{"value":"u1","display":"a"}],"meta":{"resourceType":"Group"}}`)
	got := canonicalJSON(t, rt.Project(res, Projection{Excluded: paths(t, "members")}))
	want := `{"displayName":"Eng","id":"g1","meta":{"resourceType":"Group"},"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"]}`
	if got != want {
		t.Errorf("Project\n got %s\nwant %s", got, want)
	}
}

func TestProjectReturnedRequest(t *testing.T) {
	s, err := ParseSchema([]byte(`{"id":"urn:example:Thing","attributes":[{"name":"plain"},{"name":"heavy","returned":"request"},
		{"name":"box","type":"complex","subAttributes":[{"name":"a"},{"name":"b","returned":"request"},{"name":"c","returned":"never"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	rt := &ResourceType{Name: "Thing", Endpoint: "/Things", Schema: s, Common: Default().ResourceType("User").Common}
	res := decodeJSON(t, `{"id":"t1","plain":"p","heavy":"h","box":{"a":"1","b":"2","c":"3"}}`)
	cases := []struct {
		attributes, want string
	}{
		{"", `{"box":{"a":"1"},"id":"t1","plain":"p"}`},
		{"heavy", `{"heavy":"h","id":"t1"}`},
		{"box", `{"box":{"a":"1"},"id":"t1"}`},
		{"box.b", `{"box":{"b":"2"},"id":"t1"}`},
		{"box.c", `{"id":"t1"}`},
	}
	for _, tc := range cases {
		got := canonicalJSON(t, rt.Project(res, Projection{Attributes: paths(t, tc.attributes)}))
		if got != tc.want {
			t.Errorf("attributes=%s\n got %s\nwant %s", tc.attributes, got, tc.want)
		}
	}
}

func TestComparator(t *testing.T) {
	rt := Default().ResourceType("User")
	users := []string{
		`{"id":"C","userName":"carol","name":{"familyName":"zeta"},"emails":[{"value":"c@x.org"},{"value":"a@x.org","primary":true}],"meta":{"lastModified":"2020-01-01T12:00:00+05:00"}}`,
		`{"id":"a","userName":"Alice","name":{"familyName":"Beta"},"emails":[{"value":"b@x.org"}],"meta":{"lastModified":"2020-01-01T08:00:00Z"}}`,
		`{"id":"B","userName":"bob","meta":{"lastModified":"2019-12-31T23:00:00Z"}}`,
		`{"id":"d","name":{"familyName":"alpha"},"emails":[{"value":"d@x.org"}]}`,
	}
	cases := []struct {
		sortBy, order, want string
	}{
		{"userName", "", "a B C d"},
		{"userName", "ascending", "a B C d"},
		{"userName", "DESCENDING", "d C B a"},
		{"id", "", "B C a d"},
		{"name.familyName", "", "d a C B"},
		{"emails", "", "C a d B"},
		{"emails.value", "descending", "B d a C"},
		{"meta.lastModified", "", "B C a d"},
		{"meta.lastModified", "descending", "d a C B"},
	}
	for _, tc := range cases {
		t.Run(tc.sortBy+" "+tc.order, func(t *testing.T) {
			var list []map[string]any
			for _, u := range users {
				list = append(list, decodeJSON(t, u))
			}
			p, err := scim.ParseAttrPath(tc.sortBy, 0, scim.InvalidValue)
			if err != nil {
				t.Fatal(err)
			}
			cmp, err := rt.Comparator(p, tc.order)
			if err != nil {
				t.Fatal(err)
			}
			slices.SortStableFunc(list, cmp)
			var ids []string
			for _, u := range list {
				ids = append(ids, u["id"].(string))
			}
			if got := strings.Join(ids, " "); got != tc.want {
				t.Errorf("order = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestComparatorErrors(t *testing.T) {
	rt := Default().ResourceType("User")
	cases := []struct {
		sortBy, order, detail string
	}{
		{"nope", "", `unknown attribute "nope" for resource type User: GET /Schemas lists the attributes`},
		{"name", "", `cannot sort by complex attribute "name": name a sub-attribute such as name.formatted`},
		{"userName", "up", `invalid sortOrder "up": use ascending or descending`},
		{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "", `cannot sort by the schema extension "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": name one of its attributes`},
	}
	for _, tc := range cases {
		p, err := scim.ParseAttrPath(tc.sortBy, 0, scim.InvalidValue)
		if err != nil {
			t.Fatal(err)
		}
		_, err = rt.Comparator(p, tc.order)
		se, ok := err.(*scim.Error)
		if !ok || se.ScimType != scim.InvalidValue || se.Detail != tc.detail {
			t.Errorf("Comparator(%s, %q) error = %v, want %q", tc.sortBy, tc.order, err, tc.detail)
		}
	}
}
