package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
	"github.com/scimdoctor/scimdoctor/scim/store"
)

// TestGroupsOfMany checks that GroupsOfMany returns what GroupsOf returns
// for each id, across chunks, and leaves out ids in no group, unknown ids
// and ids of another tenant.
func TestGroupsOfMany(t *testing.T) {
	dbs := map[string]func(t *testing.T) *Store{
		"sqlite": func(t *testing.T) *Store { return sqliteDatabase(t)(t).(*Store) },
		"postgres": func(t *testing.T) *Store {
			s, err := OpenPostgres(context.Background(), testservers.StartPostgres(t))
			if err != nil {
				t.Fatalf("OpenPostgres: %v", err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
	}
	for name, open := range dbs {
		t.Run(name, func(t *testing.T) {
			testGroupsOfMany(t, open(t))
		})
	}
}

func testGroupsOfMany(t *testing.T, s *Store) {
	ctx := context.Background()
	create := func(tenant string, typ store.ResourceType, doc string, members []string) string {
		t.Helper()
		r, err := s.Create(ctx, tenant, typ, json.RawMessage(doc), members)
		if err != nil {
			t.Fatalf("Create %s: %v", doc, err)
		}
		return r.ID
	}
	// More users than one query reads, so the chunked path runs too.
	n := groupsOfChunk + 20
	users := make([]string, n)
	for i := range users {
		users[i] = create("t1", store.User, fmt.Sprintf(`{"userName":"u%d"}`, i), nil)
	}
	create("t1", store.Group, `{"displayName":"Zeta"}`, []string{users[0], users[n-1]})
	create("t1", store.Group, `{"displayName":"Alpha"}`, []string{users[0], users[1]})
	create("t1", store.Group, `{}`, []string{users[1]})
	other := create("t2", store.User, `{"userName":"u0"}`, nil)
	create("t2", store.Group, `{"displayName":"Other"}`, []string{other})

	for _, ids := range [][]string{users[:1], users[:3], users, append([]string{"no-such-id", other}, users[n-2:]...)} {
		got, err := s.GroupsOfMany(ctx, "t1", ids)
		if err != nil {
			t.Fatalf("GroupsOfMany(%d ids): %v", len(ids), err)
		}
		for _, id := range ids {
			want, err := s.GroupsOf(ctx, "t1", id)
			if err != nil {
				want = nil // unknown in t1: no entry
			}
			if len(want) == 0 {
				if g, ok := got[id]; ok {
					t.Errorf("GroupsOfMany(%d ids)[%s] = %v, want no entry", len(ids), id, g)
				}
				continue
			}
			if !reflect.DeepEqual(got[id], want) {
				t.Errorf("GroupsOfMany(%d ids)[%s] = %v, want %v (GroupsOf)", len(ids), id, got[id], want)
			}
		}
	}
	if got, err := s.GroupsOfMany(ctx, "t1", nil); err != nil || len(got) != 0 {
		t.Errorf("GroupsOfMany(nil) = %v, %v, want an empty map", got, err)
	}
	if _, err := s.GroupsOfMany(ctx, "", users[:1]); err == nil {
		t.Error("GroupsOfMany with an empty tenant succeeded, want an error")
	}
}
