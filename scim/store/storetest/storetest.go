// Package storetest is the contract test suite of store.Store. Every
// implementation runs Run, and BenchmarkAddMember for the cost of a
// membership change against group size, so SQLite and PostgreSQL behave the
// same for the SCIM server.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/scimdoctor/scimdoctor/scim/store"
)

// NewDatabase creates an empty database for one test and returns a
// function that opens a Store on it. Every call of the returned function
// opens a new Store value on the same database, as a second serve process
// or a restart would. The Store is closed when the test ends.
type NewDatabase func(t testing.TB) (open func(t testing.TB) store.Store)

// schemaVersioner is implemented by stores whose schema is migrated at open.
type schemaVersioner interface {
	SchemaVersion(ctx context.Context) (int, error)
}

// Run runs the contract suite, one subtest per behaviour, each on a new
// database.
func Run(t *testing.T, newDatabase NewDatabase) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open func(t testing.TB) store.Store)
	}{
		{"CreateAndGet", testCreateAndGet},
		{"CreateInvalid", testCreateInvalid},
		{"NotFound", testNotFound},
		{"UserNameCaseInsensitive", testUserNameCaseInsensitive},
		{"UserNameRace", testUserNameRace},
		{"UserNameRaceTwoStores", testUserNameRaceTwoStores},
		{"ReplaceVersion", testReplaceVersion},
		{"DeleteVersion", testDeleteVersion},
		{"ListPaging", testListPaging},
		{"ListFilter", testListFilter},
		{"ListFilterInvalid", testListFilterInvalid},
		{"ListResidual", testListResidual},
		{"ListSort", testListSort},
		{"ListGroupsMembers", testListGroupsMembers},
		{"MembersIdempotent", testMembersIdempotent},
		{"MembersInvalid", testMembersInvalid},
		{"MembersReplaceAndPage", testMembersReplaceAndPage},
		{"DeleteCascades", testDeleteCascades},
		{"TenantSeparation", testTenantSeparation},
		{"UpdateConcurrent", testUpdateConcurrent},
		{"UpdateConcurrentTwoStores", testUpdateConcurrentTwoStores},
		{"UpdateAbortAndMembers", testUpdateAbortAndMembers},
		{"MigrationsReapplied", testMigrationsReapplied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			open := newDatabase(t)
			tt.fn(t, open)
		})
	}
}

const tenant = "tenant-a"

// userDoc returns a User document with the given userName and extra keys.
func userDoc(userName string, extra map[string]any) json.RawMessage {
	doc := map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName": userName,
	}
	for k, v := range extra {
		doc[k] = v
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err) // unreachable: the values are plain JSON types
	}
	return b
}

// groupDoc returns a Group document with the given displayName.
func groupDoc(displayName string) json.RawMessage {
	b, err := json.Marshal(map[string]any{
		"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:Group"},
		"displayName": displayName,
	})
	if err != nil {
		panic(err) // unreachable
	}
	return b
}

func mustCreate(t testing.TB, s store.Store, tenant string, typ store.ResourceType, doc json.RawMessage, members ...string) store.Resource {
	t.Helper()
	r, err := s.Create(context.Background(), tenant, typ, doc, members)
	if err != nil {
		t.Fatalf("Create(%s, %s): %v", typ, doc, err)
	}
	return r
}

func mustGet(t testing.TB, s store.Store, tenant string, typ store.ResourceType, id string) store.Resource {
	t.Helper()
	r, err := s.Get(context.Background(), tenant, typ, id, store.ReadOptions{})
	if err != nil {
		t.Fatalf("Get(%s %s): %v", typ, id, err)
	}
	return r
}

// memberIDs returns the ids of members, in order.
func memberIDs(members []store.Member) []string {
	ids := []string{}
	for _, m := range members {
		ids = append(ids, m.ID)
	}
	return ids
}

// userNames returns the userName of each resource, in order.
func userNames(t testing.TB, resources []store.Resource) []string {
	t.Helper()
	names := []string{}
	for _, r := range resources {
		var doc struct {
			UserName string `json:"userName"`
		}
		if err := json.Unmarshal(r.Doc, &doc); err != nil {
			t.Fatalf("stored document %s: %v", r.Doc, err)
		}
		names = append(names, doc.UserName)
	}
	return names
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// wantErr fails the test unless errors.Is(err, target).
func wantErr(t testing.TB, call string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: got error %v, want %v", call, err, target)
	}
}

func describe(v any) string { return fmt.Sprintf("%+v", v) }
