package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// concurrentPatches is the number of PATCH requests that
// TestConcurrentMemberAdds sends at once.
const concurrentPatches = 50

// TestConcurrentMemberAdds sends 50 PATCH requests at once, each adding
// a different user to one group, and checks that the group ends with all
// 50 members, on both stores.
func TestConcurrentMemberAdds(t *testing.T) {
	for dbName, newDB := range databases(t) {
		t.Run(dbName, func(t *testing.T) {
			h := newHarness(t, newDB(t), nil)
			group := h.do("POST", "/scim/v2/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"everyone"}`).
				want(t, http.StatusCreated).str("id")
			ids := make([]string, concurrentPatches)
			for i := range ids {
				body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"member-%d@example.com"}`, i)
				ids[i] = h.do("POST", "/scim/v2/Users", body).want(t, http.StatusCreated).str("id")
			}

			statuses := make([]int, concurrentPatches)
			bodies := make([]string, concurrentPatches)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, id := range ids {
				wg.Add(1)
				go func() {
					defer wg.Done()
					body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"` + id + `"}]}]}`
					req := httptest.NewRequest("PATCH", "http://scim.test/scim/v2/Groups/"+group, strings.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+h.token)
					req.Header.Set("Content-Type", "application/scim+json")
					rec := httptest.NewRecorder()
					<-start
					h.srv.Handler().ServeHTTP(rec, req)
					statuses[i], bodies[i] = rec.Code, rec.Body.String()
				}()
			}
			close(start)
			wg.Wait()

			for i, status := range statuses {
				if status != http.StatusOK && status != http.StatusNoContent {
					t.Errorf("PATCH %d adding %s: status %d: %s", i, ids[i], status, bodies[i])
				}
			}
			res := h.do("GET", "/scim/v2/Groups/"+group, "").want(t, http.StatusOK)
			members, _ := res.get("members").([]any)
			if len(members) != concurrentPatches {
				t.Errorf("group has %d members after %d concurrent adds, want %d", len(members), concurrentPatches, concurrentPatches)
			}
			got := map[string]bool{}
			for _, m := range members {
				if value, ok := m.(map[string]any)["value"].(string); ok {
					got[value] = true
				}
			}
			for i, id := range ids {
				if !got[id] {
					t.Errorf("member %d (%s) is missing from the group", i, id)
				}
			}
		})
	}
}
