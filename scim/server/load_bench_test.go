package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/scimdoctor/scimdoctor/scim/store"
)

// benchUsers is the number of Users that the load benchmarks seed. It is
// small next to bench/serve.sh's 100,000, so the benchmarks start in
// seconds; they exist for profiling with -cpuprofile.
const benchUsers = 5000

// seededHarness returns a harness on a new SQLite database with benchUsers
// Users named bench.user.N@example.com, stored through the store directly.
func seededHarness(b *testing.B) (*harness, []string) {
	h := newHarness(b, filepath.Join(b.TempDir(), "scimdoctor.db"), nil)
	ids := make([]string, benchUsers)
	for i := range ids {
		name := fmt.Sprintf("bench.user.%06d@example.com", i)
		doc, _ := json.Marshal(map[string]any{
			"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
			"userName":    name,
			"displayName": "User Bench",
			"name":        map[string]any{"givenName": "User", "familyName": "Bench"},
			"emails":      []map[string]any{{"value": name, "type": "work", "primary": true}},
			"active":      true,
		})
		r, err := h.st.Create(context.Background(), "default", store.User, doc, nil)
		if err != nil {
			b.Fatalf("seeding User %d: %v", i, err)
		}
		ids[i] = r.ID
	}
	return h, ids
}

// BenchmarkLookupUserName measures GET /Users?filter=userName eq "..." for
// an existing name, through the whole handler.
func BenchmarkLookupUserName(b *testing.B) {
	h, _ := seededHarness(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		q := "/scim/v2/Users?filter=" + url.QueryEscape(fmt.Sprintf("userName eq %q", fmt.Sprintf("bench.user.%06d@example.com", i%benchUsers)))
		if r := h.do("GET", q, ""); r.status != 200 || r.total(b) != 1 {
			b.Fatalf("lookup: %d %s", r.status, r.body)
		}
	}
}

// BenchmarkListPage100 measures GET /Users?startIndex=N&count=100.
func BenchmarkListPage100(b *testing.B) {
	h, _ := seededHarness(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		q := fmt.Sprintf("/scim/v2/Users?startIndex=%d&count=100", 1+(i*397)%(benchUsers-100))
		if r := h.do("GET", q, ""); r.status != 200 {
			b.Fatalf("list: %d %s", r.status, r.body)
		}
	}
}

// BenchmarkPatchAddMember measures a PATCH that adds one member to a Group
// of 10 and of 4,000 members, then removes it again untimed.
func BenchmarkPatchAddMember(b *testing.B) {
	h, ids := seededHarness(b)
	for _, size := range []int{10, 4000} {
		b.Run(fmt.Sprintf("members=%d", size), func(b *testing.B) {
			g, err := h.st.Create(context.Background(), "default", store.Group, json.RawMessage(fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"g%d"}`, size)), ids[:size])
			if err != nil {
				b.Fatal(err)
			}
			spare := ids[size:]
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				id := spare[i%len(spare)]
				body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":%q}]}]}`, id)
				if r := h.do("PATCH", "/scim/v2/Groups/"+g.ID, body); r.status != 200 && r.status != 204 {
					b.Fatalf("patch: %d %s", r.status, r.body)
				}
				b.StopTimer()
				if _, err := h.st.RemoveMembers(context.Background(), "default", g.ID, []string{id}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}
