package patch

import (
	"strconv"
	"testing"

	"github.com/scimdoctor/scimdoctor/scim/store"
)

// entraPatch is a typical Entra ID user update: capitalised ops, a string
// boolean, a filtered email and an enterprise attribute by URN path.
var entraPatch = []byte(patchOps(`
	{"op": "Replace", "path": "active", "value": "False"},
	{"op": "Replace", "path": "name.familyName", "value": "Jensen-Smith"},
	{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "bjensen-smith@example.com"},
	{"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": "26118915-6090-4610-87e4-49d8ca9f808d"},
	{"op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Tours"}`))

func BenchmarkApplyEntraUser(b *testing.B) {
	doc := decode(b, storedUser)
	rt := userType()
	b.ReportAllocs()
	for b.Loop() {
		req, err := Parse(entraPatch)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Apply(rt, doc, nil, req, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMemberRemove removes members by id from a group of n members.
// The MemberSource is never called, so the cost must not grow with n.
func BenchmarkMemberRemove(b *testing.B) {
	for _, n := range []int{10, 100000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			src := &staticMembers{list: make([]store.Member, n)}
			body := []byte(patchOps(`{"op": "Remove", "path": "members", "value": [{"value": "u1"}]}, {"op": "remove", "path": "members[value eq \"u2\"]"}, {"op": "Add", "path": "members", "value": [{"$ref": null, "value": "u3"}]}`))
			doc := decode(b, storedGroup)
			rt := groupType()
			b.ReportAllocs()
			for b.Loop() {
				req, err := Parse(body)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Apply(rt, doc, src, req, Options{}); err != nil {
					b.Fatal(err)
				}
			}
			if src.calls != 0 {
				b.Fatalf("MemberSource called %d times", src.calls)
			}
		})
	}
}
