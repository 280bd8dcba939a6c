package server

import (
	"fmt"
	"net/url"
	"path/filepath"
	"testing"
)

// BenchmarkCreateAndLookup measures one Okta-style create followed by its
// userName lookup, through the whole handler on SQLite.
func BenchmarkCreateAndLookup(b *testing.B) {
	h := newHarness(b, filepath.Join(b.TempDir(), "scimdoctor.db"), nil)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		name := fmt.Sprintf("bench.user.%d@example.com", i)
		body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":%q,"name":{"givenName":"B","familyName":"U"},"emails":[{"primary":true,"value":%q,"type":"work"}],"active":true}`, name, name)
		if r := h.do("POST", "/scim/v2/Users", body); r.status != 201 {
			b.Fatalf("create: %d %s", r.status, r.body)
		}
		q := "/scim/v2/Users?filter=" + url.QueryEscape(fmt.Sprintf("userName eq %q", name)) + "&startIndex=1&count=100"
		if r := h.do("GET", q, ""); r.status != 200 || r.total(b) != 1 {
			b.Fatalf("lookup: %d %s", r.status, r.body)
		}
	}
}
