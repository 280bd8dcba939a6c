package server

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/scim/filter"
	"github.com/scimdoctor/scimdoctor/scim/schema"
)

// TestPlanSplit checks which filters run fully in SQL, which need a
// residual, and which need the rendered resources.
func TestPlanSplit(t *testing.T) {
	reg := schema.Default()
	users, groups := reg.ResourceType("User"), reg.ResourceType("Group")
	tests := []struct {
		name         string
		rt           *schema.ResourceType
		filter       string
		wantWhere    bool
		wantResidual bool
		wantRendered bool
	}{
		{"okta userName eq", users, `userName eq "a@example.com"`, true, false, false},
		{"externalId eq", users, `externalId eq "00u1"`, true, false, false},
		{"emails value", users, `emails.value co "example"`, true, false, false},
		{"emails pr is not exact", users, `emails pr`, false, true, false},
		{"emails value pr", users, `emails.value pr`, true, false, false},
		{"entra email value filter", users, `emails[type eq "work"].value eq "x"`, true, true, false},
		{"value filter ne implies nothing", users, `emails[type eq "work" and value ne "x"]`, false, true, false},
		{"and splits", users, `userName sw "a" and title eq "x"`, true, true, false},
		{"or with an unindexed term", users, `userName eq "a" or title eq "x"`, false, true, false},
		{"not of indexed", users, `not (userName eq "a")`, true, false, false},
		{"meta created", users, `meta.created ge "2026-01-01T00:00:00Z"`, true, false, false},
		{"meta created nanoseconds", users, `meta.created eq "2026-01-01T00:00:00.0000001Z"`, false, true, true},
		{"meta version", users, `meta.version eq "W/\"1\""`, false, true, true},
		{"group displayName", groups, `displayName eq "Sales"`, true, false, false},
		{"group members", groups, `members[value eq "x"]`, false, true, true},
		{"user groups", users, `groups.value eq "x"`, false, true, true},
		{"boolean", users, `active eq true`, false, true, false},
		{"enterprise extension", users, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1"`, false, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := filter.Parse(tt.filter)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.filter, err)
			}
			p, err := plan(tt.rt, e)
			if err != nil {
				t.Fatalf("plan(%q): %v", tt.filter, err)
			}
			if got := p.where != nil; got != tt.wantWhere {
				t.Errorf("where set = %v, want %v (%#v)", got, tt.wantWhere, p.where)
			}
			if got := p.residual != nil; got != tt.wantResidual {
				t.Errorf("residual set = %v, want %v", got, tt.wantResidual)
			}
			if p.needsRendered != tt.wantRendered {
				t.Errorf("needsRendered = %v, want %v", p.needsRendered, tt.wantRendered)
			}
		})
	}
}

// FuzzCreateUser sends arbitrary bodies to POST /Users: the server must
// return a 2xx or 4xx SCIM response, never a 500 or a panic.
func FuzzCreateUser(f *testing.F) {
	for _, seed := range []string{oktaCreateUser, entraCreateUser, `{}`, `[]`, `null`, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":7}`, "{\"userName\":\"\xff\"}", strings.Repeat("{", 100)} {
		f.Add(seed)
	}
	h := newHarness(f, filepath.Join(f.TempDir(), "scimdoctor.db"), nil)
	f.Fuzz(func(t *testing.T, body string) {
		if body == "" {
			return
		}
		h.t = t
		r := h.do("POST", "/scim/v2/Users", body)
		if r.status >= 500 || r.status == 0 {
			t.Fatalf("status %d for body %q: %s", r.status, body, r.body)
		}
		if r.status >= 400 && !strings.Contains(r.body, fmt.Sprintf(`"status":"%d"`, r.status)) {
			t.Fatalf("error without a SCIM body for %q: %s", body, r.body)
		}
		if r.status == http.StatusCreated {
			h.do("DELETE", "/scim/v2/Users/"+r.str("id"), "")
		}
	})
}
