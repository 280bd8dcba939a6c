package patch

import (
	"testing"

	"github.com/scimdoctor/scimdoctor/scim/store"
)

// addressUser is a stored User with a work and a home address, in the
// shape of the example User of RFC 7643 Section 8.2.
const addressUser = `{
	"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
	"userName": "bjensen@example.com",
	"name": {"givenName": "Barbara", "familyName": "Jensen"},
	"emails": [
		{"value": "bjensen@example.com", "type": "work", "primary": true},
		{"value": "babs@jensen.org", "type": "home"}
	],
	"addresses": [
		{"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood", "primary": true},
		{"type": "home", "streetAddress": "456 Hollywood Blvd", "locality": "Hollywood"}
	]
}`

const coreUser = `"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen@example.com"`

// TestRFCExamples applies the PATCH examples of RFC 7644 Section 3.5.2
// (ids shortened) and the RFC's rules around them. No dialect rule may fire.
func TestRFCExamples(t *testing.T) {
	tests := []struct {
		name string
		ops  string
		want string
	}{
		{
			name: "path-less add appends email and sets nickName",
			ops:  `{"op": "add", "value": {"emails": [{"value": "babs@example.org", "type": "other"}], "nickname": "Babs"}}`,
			want: `{` + coreUser + `, "nickName": "Babs", "name": {"givenName": "Barbara", "familyName": "Jensen"},
				"emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}, {"value": "babs@jensen.org", "type": "home"}, {"value": "babs@example.org", "type": "other"}],
				"addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood", "primary": true}, {"type": "home", "streetAddress": "456 Hollywood Blvd", "locality": "Hollywood"}]}`,
		},
		{
			// Okta's deactivation of a user of an OIN app.
			name: "Okta deactivate path-less replace",
			ops:  `{"op": "replace", "value": {"active": false}}`,
			want: `{` + coreUser + `, "active": false, "name": {"givenName": "Barbara", "familyName": "Jensen"},
				"emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}, {"value": "babs@jensen.org", "type": "home"}],
				"addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood", "primary": true}, {"type": "home", "streetAddress": "456 Hollywood Blvd", "locality": "Hollywood"}]}`,
		},
		{
			name: "add of a present value changes nothing",
			ops:  `{"op": "add", "path": "emails", "value": [{"value": "BJENSEN@example.com", "type": "work", "primary": true}]}`,
			want: addressUser,
		},
		{
			name: "add sub-attribute",
			ops:  `{"op": "add", "path": "name.middleName", "value": "Jane"}`,
			want: `{` + coreUser + `, "name": {"givenName": "Barbara", "familyName": "Jensen", "middleName": "Jane"},
				"emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}, {"value": "babs@jensen.org", "type": "home"}],
				"addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood", "primary": true}, {"type": "home", "streetAddress": "456 Hollywood Blvd", "locality": "Hollywood"}]}`,
		},
		{
			name: "remove by filter with and",
			ops:  `{"op": "remove", "path": "emails[type eq \"work\" and value ew \"example.com\"]"}`,
			want: `{` + coreUser + `, "name": {"givenName": "Barbara", "familyName": "Jensen"},
				"emails": [{"value": "babs@jensen.org", "type": "home"}],
				"addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood", "primary": true}, {"type": "home", "streetAddress": "456 Hollywood Blvd", "locality": "Hollywood"}]}`,
		},
		{
			name: "remove sub-attribute of filtered elements",
			ops:  `{"op": "remove", "path": "addresses[type eq \"home\"].locality"}`,
			want: `{` + coreUser + `, "name": {"givenName": "Barbara", "familyName": "Jensen"},
				"emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}, {"value": "babs@jensen.org", "type": "home"}],
				"addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood", "primary": true}, {"type": "home", "streetAddress": "456 Hollywood Blvd"}]}`,
		},
		{
			name: "remove singular attribute",
			ops:  `{"op": "remove", "path": "name"}`,
			want: `{` + coreUser + `,
				"emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}, {"value": "babs@jensen.org", "type": "home"}],
				"addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood", "primary": true}, {"type": "home", "streetAddress": "456 Hollywood Blvd", "locality": "Hollywood"}]}`,
		},
		{
			name: "remove absent attribute changes nothing",
			ops:  `{"op": "remove", "path": "nickName"}`,
			want: addressUser,
		},
		{
			name: "replace filtered element",
			ops:  `{"op": "replace", "path": "addresses[type eq \"work\"]", "value": {"type": "work", "streetAddress": "911 Universal City Plaza", "locality": "Hollywood", "region": "CA", "postalCode": "91608", "country": "US", "primary": true}}`,
			want: `{` + coreUser + `, "name": {"givenName": "Barbara", "familyName": "Jensen"},
				"emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}, {"value": "babs@jensen.org", "type": "home"}],
				"addresses": [{"type": "work", "streetAddress": "911 Universal City Plaza", "locality": "Hollywood", "region": "CA", "postalCode": "91608", "country": "US", "primary": true}, {"type": "home", "streetAddress": "456 Hollywood Blvd", "locality": "Hollywood"}]}`,
		},
		{
			name: "replace filtered sub-attribute",
			ops:  `{"op": "replace", "path": "addresses[type eq \"work\"].streetAddress", "value": "1010 Broadway Ave"}`,
			want: `{` + coreUser + `, "name": {"givenName": "Barbara", "familyName": "Jensen"},
				"emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}, {"value": "babs@jensen.org", "type": "home"}],
				"addresses": [{"type": "work", "streetAddress": "1010 Broadway Ave", "locality": "Hollywood", "primary": true}, {"type": "home", "streetAddress": "456 Hollywood Blvd", "locality": "Hollywood"}]}`,
		},
		{
			name: "path-less replace sets whole emails",
			ops:  `{"op": "replace", "value": {"emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}], "nickname": "Babs"}}`,
			want: `{` + coreUser + `, "nickName": "Babs", "name": {"givenName": "Barbara", "familyName": "Jensen"},
				"emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}],
				"addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood", "primary": true}, {"type": "home", "streetAddress": "456 Hollywood Blvd", "locality": "Hollywood"}]}`,
		},
		{
			name: "replace complex merges sub-attributes",
			ops:  `{"op": "replace", "path": "name", "value": {"givenName": "Babs"}}`,
			want: `{` + coreUser + `, "name": {"givenName": "Babs", "familyName": "Jensen"},
				"emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}, {"value": "babs@jensen.org", "type": "home"}],
				"addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood", "primary": true}, {"type": "home", "streetAddress": "456 Hollywood Blvd", "locality": "Hollywood"}]}`,
		},
		{
			name: "replace of absent attribute adds it",
			ops:  `{"op": "replace", "path": "title", "value": "Tour Guide"}`,
			want: `{` + coreUser + `, "title": "Tour Guide", "name": {"givenName": "Barbara", "familyName": "Jensen"},
				"emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}, {"value": "babs@jensen.org", "type": "home"}],
				"addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood", "primary": true}, {"type": "home", "streetAddress": "456 Hollywood Blvd", "locality": "Hollywood"}]}`,
		},
		{
			name: "remove whole extension",
			ops:  `{"op": "remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}`,
			want: addressUser,
		},
		{
			name: "add whole extension by URN path",
			ops:  `{"op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "value": {"department": "Tours", "manager": {"value": "26118915"}}}`,
			want: `{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"], "userName": "bjensen@example.com", "name": {"givenName": "Barbara", "familyName": "Jensen"},
				"emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}, {"value": "babs@jensen.org", "type": "home"}],
				"addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood", "primary": true}, {"type": "home", "streetAddress": "456 Hollywood Blvd", "locality": "Hollywood"}],
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Tours", "manager": {"value": "26118915"}}}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, strict := range []bool{false, true} {
				res, err := applyBody(t, userType(), addressUser, patchOps(tc.ops), nil, Options{Strict: strict})
				if err != nil {
					t.Fatalf("Apply (strict %v): %v", strict, err)
				}
				if got, want := canonical(t, res.Doc), canonical(t, decode(t, tc.want)); got != want {
					t.Errorf("doc (strict %v):\n got %s\nwant %s", strict, got, want)
				}
				for _, r := range res.Fired {
					if !r.Strict {
						t.Errorf("dialect rule %s fired on an RFC request", r.Name)
					}
				}
			}
		})
	}
}

// TestRFCMemberExamples applies the Group examples of RFC 7644 Section
// 3.5.2 and the Okta shapes, checking the MemberChange and its composition.
func TestRFCMemberExamples(t *testing.T) {
	empty := []store.Member{}
	tests := []struct {
		name string
		ops  string
		want MemberChange
	}{
		{
			name: "add member with ref and display",
			ops:  `{"op": "add", "path": "members", "value": [{"display": "Babs Jensen", "$ref": "https://example.com/v2/Users/2819c223", "value": "2819c223", "type": "User"}]}`,
			want: MemberChange{Add: []store.Member{{ID: "2819c223", Type: store.User}}},
		},
		{
			name: "remove all members",
			ops:  `{"op": "remove", "path": "members"}`,
			want: MemberChange{Replace: &empty},
		},
		{
			name: "remove one member by filter",
			ops:  `{"op": "remove", "path": "members[value eq \"2819c223-7f76-453a-919d-413861904646\"]"}`,
			want: MemberChange{Remove: []string{"2819c223-7f76-453a-919d-413861904646"}},
		},
		{
			name: "remove two members by or filter",
			ops:  `{"op": "remove", "path": "members[value eq \"a\" or value eq \"b\"]"}`,
			want: MemberChange{Remove: []string{"a", "b"}},
		},
		{
			name: "remove all then add",
			ops:  `{"op": "remove", "path": "members"}, {"op": "add", "path": "members", "value": [{"value": "08e1d05d", "type": "User"}, {"value": "90d3fc79", "type": "User"}]}`,
			want: MemberChange{Replace: &[]store.Member{{ID: "08e1d05d", Type: store.User}, {ID: "90d3fc79", Type: store.User}}},
		},
		{
			name: "replace members",
			ops:  `{"op": "replace", "path": "members", "value": [{"value": "2819c223", "type": "User"}, {"value": "902c246b", "type": "User"}]}`,
			want: MemberChange{Replace: &[]store.Member{{ID: "2819c223", Type: store.User}, {ID: "902c246b", Type: store.User}}},
		},
		{
			name: "Okta replace with empty list",
			ops:  `{"op": "replace", "path": "members", "value": []}`,
			want: MemberChange{Replace: &empty},
		},
		{
			name: "Okta remove by filter then add",
			ops:  `{"op": "remove", "path": "members[value eq \"00u2\"]"}, {"op": "add", "path": "members", "value": [{"value": "00u1", "display": "bjensen@example.com"}]}`,
			want: MemberChange{Add: []store.Member{{ID: "00u1"}}, Remove: []string{"00u2"}},
		},
		{
			name: "add is idempotent",
			ops:  `{"op": "add", "path": "members", "value": [{"value": "a"}, {"value": "a"}]}, {"op": "add", "path": "members", "value": [{"value": "a"}]}`,
			want: MemberChange{Add: []store.Member{{ID: "a"}}},
		},
		{
			name: "remove cancels an add of the same request",
			ops:  `{"op": "add", "path": "members", "value": [{"value": "a"}, {"value": "b"}]}, {"op": "remove", "path": "members[value eq \"a\"]"}`,
			want: MemberChange{Add: []store.Member{{ID: "b"}}, Remove: []string{"a"}},
		},
		{
			name: "replace then add then remove edits the list",
			ops:  `{"op": "replace", "path": "members", "value": [{"value": "a"}, {"value": "b"}]}, {"op": "add", "path": "members", "value": [{"value": "c"}]}, {"op": "remove", "path": "members[value eq \"a\"]"}`,
			want: MemberChange{Replace: &[]store.Member{{ID: "b"}, {ID: "c"}}},
		},
		{
			name: "Okta path-less replace with members list",
			ops:  `{"op": "replace", "value": {"id": "g1", "displayName": "Tour Guides", "members": []}}`,
			want: MemberChange{Replace: &empty},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := &staticMembers{}
			res, err := applyBody(t, groupType(), storedGroup, patchOps(tc.ops), src, Options{})
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if got, want := canonical(t, res.Members), canonical(t, tc.want); got != want {
				t.Errorf("members:\n got %s\nwant %s", got, want)
			}
			if src.calls != 0 {
				t.Errorf("MemberSource called %d times for id-only operations, want 0", src.calls)
			}
		})
	}
}

func TestMemberFilterUsesSource(t *testing.T) {
	src := &staticMembers{list: []store.Member{{ID: "u1", Type: store.User}, {ID: "g1", Type: store.Group}, {ID: "u2", Type: store.User}}}
	ops := `{"op": "add", "path": "members", "value": [{"value": "g2", "type": "Group"}]}, {"op": "remove", "path": "members[type eq \"Group\"]"},
		{"op": "remove", "path": "members[type eq \"User\" and value eq \"u1\"]"}`
	res, err := applyBody(t, groupType(), storedGroup, patchOps(ops), src, Options{})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	want := MemberChange{Remove: []string{"g1", "g2", "u1"}}
	if got := canonical(t, res.Members); got != canonical(t, want) {
		t.Errorf("members: got %s, want %s", got, canonical(t, want))
	}
	if src.calls != 1 {
		t.Errorf("MemberSource called %d times, want 1", src.calls)
	}
}

func TestMemberFilterNilSource(t *testing.T) {
	_, err := applyBody(t, groupType(), storedGroup, patchOps(`{"op": "remove", "path": "members[type eq \"Group\"]"}`), nil, Options{})
	if err == nil {
		t.Fatal("Apply succeeded without a MemberSource")
	}
}

// recordingEditor is a store.MemberEditor that records its calls.
type recordingEditor struct{ calls []string }

func (e *recordingEditor) Add(ids ...string) error {
	e.calls = append(e.calls, "add "+canonicalIDs(ids))
	return nil
}
func (e *recordingEditor) Remove(ids ...string) error {
	e.calls = append(e.calls, "remove "+canonicalIDs(ids))
	return nil
}
func (e *recordingEditor) Replace(ids ...string) error {
	e.calls = append(e.calls, "replace "+canonicalIDs(ids))
	return nil
}

func canonicalIDs(ids []string) string {
	out := "["
	for i, id := range ids {
		if i > 0 {
			out += " "
		}
		out += id
	}
	return out + "]"
}

func TestMemberChangeApplyTo(t *testing.T) {
	list := []store.Member{{ID: "b"}}
	tests := []struct {
		name   string
		change MemberChange
		want   []string
	}{
		{"empty", MemberChange{}, nil},
		{"add and remove", MemberChange{Add: []store.Member{{ID: "a"}}, Remove: []string{"c"}}, []string{"add [a]", "remove [c]"}},
		{"replace", MemberChange{Replace: &list}, []string{"replace [b]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ed := &recordingEditor{}
			if err := tc.change.ApplyTo(ed); err != nil {
				t.Fatal(err)
			}
			if got, want := canonical(t, ed.calls), canonical(t, tc.want); got != want {
				t.Errorf("calls %s, want %s", got, want)
			}
			if got := tc.change.Empty(); got != (tc.want == nil) {
				t.Errorf("Empty() = %v", got)
			}
		})
	}
}
