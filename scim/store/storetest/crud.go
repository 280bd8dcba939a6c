package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/scim/store"
)

func testCreateAndGet(t *testing.T, open func(t testing.TB) store.Store) {
	s := open(t)
	ctx := context.Background()
	doc := userDoc("alice@example.com", map[string]any{"externalId": "ext-1", "active": true})
	created := mustCreate(t, s, tenant, store.User, doc)

	if created.Type != store.User || created.Version != 1 {
		t.Errorf("Create returned type %q version %d, want User version 1", created.Type, created.Version)
	}
	if len(created.ID) != 36 || strings.Count(created.ID, "-") != 4 {
		t.Errorf("Create returned id %q, want a UUID", created.ID)
	}
	if created.Created.IsZero() || !created.Created.Equal(created.LastModified) {
		t.Errorf("Create returned created %v lastModified %v, want equal non-zero times", created.Created, created.LastModified)
	}
	if created.Members != nil {
		t.Errorf("Create of a User returned members %v, want nil", created.Members)
	}

	got := mustGet(t, s, tenant, store.User, created.ID)
	if string(got.Doc) != string(doc) {
		t.Errorf("Get returned document %s, want %s", got.Doc, doc)
	}
	if got.Version != 1 || !got.Created.Equal(created.Created) || !got.LastModified.Equal(created.LastModified) {
		t.Errorf("Get returned %s, want the values Create returned, %s", describe(got), describe(created))
	}

	other := mustCreate(t, s, tenant, store.User, userDoc("bob@example.com", nil))
	if other.ID == created.ID {
		t.Errorf("two Creates returned the same id %q", other.ID)
	}

	group := mustCreate(t, s, tenant, store.Group, groupDoc("Admins"), created.ID, other.ID, created.ID)
	if group.Version != 1 {
		t.Errorf("Create of a Group with members returned version %d, want 1", group.Version)
	}
	if ids := memberIDs(group.Members); !equalStrings(ids, []string{created.ID, other.ID}) {
		t.Errorf("Create of a Group returned members %v, want %v (without the duplicate)", ids, []string{created.ID, other.ID})
	}
	gotGroup := mustGet(t, s, tenant, store.Group, group.ID)
	if ids := memberIDs(gotGroup.Members); !equalStrings(ids, []string{created.ID, other.ID}) {
		t.Errorf("Get of the Group returned members %v, want %v", ids, []string{created.ID, other.ID})
	}
	for _, m := range gotGroup.Members {
		if m.Type != store.User {
			t.Errorf("member %q has type %q, want User", m.ID, m.Type)
		}
	}
	excluded, err := s.Get(ctx, tenant, store.Group, group.ID, store.ReadOptions{ExcludeMembers: true})
	if err != nil {
		t.Fatalf("Get with ExcludeMembers: %v", err)
	}
	if excluded.Members != nil {
		t.Errorf("Get with ExcludeMembers returned members %v, want nil", excluded.Members)
	}

	empty := mustCreate(t, s, tenant, store.Group, groupDoc("Nobody"))
	if empty.Members == nil || len(empty.Members) != 0 {
		t.Errorf("Create of a Group without members returned members %#v, want an empty slice", empty.Members)
	}
}

func testCreateInvalid(t *testing.T, open func(t testing.TB) store.Store) {
	s := open(t)
	ctx := context.Background()
	user := mustCreate(t, s, tenant, store.User, userDoc("carol", nil))

	tests := []struct {
		name    string
		tenant  string
		typ     store.ResourceType
		doc     string
		members []string
		want    error
	}{
		{"empty tenant", "", store.User, `{"userName":"x"}`, nil, store.ErrInvalid},
		{"unknown type", tenant, "Device", `{"userName":"x"}`, nil, store.ErrInvalid},
		{"not JSON", tenant, store.User, `{"userName":`, nil, store.ErrInvalid},
		{"JSON array", tenant, store.User, `[1,2]`, nil, store.ErrInvalid},
		{"JSON null", tenant, store.User, `null`, nil, store.ErrInvalid},
		{"user without userName", tenant, store.User, `{"displayName":"x"}`, nil, store.ErrInvalid},
		{"user with empty userName", tenant, store.User, `{"userName":""}`, nil, store.ErrInvalid},
		{"user with numeric userName", tenant, store.User, `{"userName":42}`, nil, store.ErrInvalid},
		{"user with object externalId", tenant, store.User, `{"userName":"y","externalId":{}}`, nil, store.ErrInvalid},
		{"user with emails not an array", tenant, store.User, `{"userName":"y","emails":"a@b"}`, nil, store.ErrInvalid},
		{"user with members", tenant, store.User, `{"userName":"y"}`, []string{user.ID}, store.ErrInvalid},
		{"group with members key", tenant, store.Group, `{"displayName":"g","members":[]}`, nil, store.ErrInvalid},
		{"group with unknown member", tenant, store.Group, `{"displayName":"g"}`, []string{"no-such-id"}, store.ErrMemberNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Create(ctx, tt.tenant, tt.typ, json.RawMessage(tt.doc), tt.members)
			wantErr(t, "Create", err, tt.want)
		})
	}

	// A failed Create leaves nothing behind.
	page, err := s.List(ctx, tenant, store.Query{Type: store.Group, Count: -1})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if page.Total != 0 {
		t.Errorf("after failed Group creates, List found %d groups, want 0", page.Total)
	}
	var notFound *store.MemberNotFoundError
	_, err = s.Create(ctx, tenant, store.Group, groupDoc("g"), []string{user.ID, "missing-id"})
	if !errors.As(err, &notFound) || notFound.ID != "missing-id" {
		t.Errorf("Create with an unknown member: got %v, want a *MemberNotFoundError for \"missing-id\"", err)
	}
}

func testNotFound(t *testing.T, open func(t testing.TB) store.Store) {
	s := open(t)
	ctx := context.Background()
	user := mustCreate(t, s, tenant, store.User, userDoc("dave", nil))
	group := mustCreate(t, s, tenant, store.Group, groupDoc("G"))

	_, err := s.Get(ctx, tenant, store.User, "00000000-0000-4000-8000-000000000000", store.ReadOptions{})
	wantErr(t, "Get of an unknown id", err, store.ErrNotFound)
	_, err = s.Get(ctx, tenant, store.Group, user.ID, store.ReadOptions{})
	wantErr(t, "Get of a User id as a Group", err, store.ErrNotFound)
	_, err = s.Replace(ctx, tenant, store.User, group.ID, userDoc("x", nil), 0)
	wantErr(t, "Replace of a Group id as a User", err, store.ErrNotFound)
	_, err = s.Update(ctx, tenant, store.User, "missing", func(store.Resource, store.MemberEditor) (json.RawMessage, error) {
		t.Error("Update called its function for a missing resource")
		return nil, nil
	})
	wantErr(t, "Update of an unknown id", err, store.ErrNotFound)
	wantErr(t, "Delete of an unknown id", s.Delete(ctx, tenant, store.User, "missing", 0), store.ErrNotFound)
	_, err = s.AddMembers(ctx, tenant, user.ID, []string{user.ID})
	wantErr(t, "AddMembers on a User id", err, store.ErrNotFound)
	_, err = s.ListMembers(ctx, tenant, "missing", 1, 10)
	wantErr(t, "ListMembers of an unknown group", err, store.ErrNotFound)
	_, err = s.GroupsOf(ctx, tenant, "missing")
	wantErr(t, "GroupsOf an unknown id", err, store.ErrNotFound)

	if err := s.Delete(ctx, tenant, store.User, user.ID, 0); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	_, err = s.Get(ctx, tenant, store.User, user.ID, store.ReadOptions{})
	wantErr(t, "Get after Delete", err, store.ErrNotFound)
	wantErr(t, "second Delete", s.Delete(ctx, tenant, store.User, user.ID, 0), store.ErrNotFound)
}

func testUserNameCaseInsensitive(t *testing.T, open func(t testing.TB) store.Store) {
	s := open(t)
	ctx := context.Background()
	tests := []struct {
		name     string
		first    string
		second   string
		conflict bool
	}{
		{"ASCII case", "Bob.Smith@example.com", "bob.smith@EXAMPLE.COM", true},
		{"Latin-1 accents", "Émile", "éMILE", true},
		{"Greek", "Σωκράτης", "σΩΚΡΆΤΗΣ", true},
		{"Cyrillic", "Юлия", "юЛИЯ", true},
		{"Kelvin sign folds to K", "kelvin", "\u212aELVIN", true},
		{"sharp s is not SS", "straße", "STRASSE", false},
		{"different names", "erin", "erik", false},
		{"composed and decomposed differ", "jos\u00e9", "jose\u0301", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustCreate(t, s, tenant, store.User, userDoc(tt.first, nil))
			_, err := s.Create(ctx, tenant, store.User, userDoc(tt.second, nil), nil)
			if !tt.conflict {
				if err != nil {
					t.Errorf("Create %q after %q: %v, want success", tt.second, tt.first, err)
				}
				return
			}
			var conflict *store.ConflictError
			if !errors.As(err, &conflict) || conflict.Attribute != "userName" || conflict.Value != tt.second {
				t.Errorf("Create %q after %q: got %v, want a *ConflictError on userName %q", tt.second, tt.first, err, tt.second)
			}
			wantErr(t, "Create", err, store.ErrConflict)

			// The filter finds the first name under the second spelling.
			page, err := s.List(ctx, tenant, store.Query{Type: store.User, Count: 10,
				Where: &store.Condition{Field: store.FieldUserName, Op: store.Eq, Value: tt.second}})
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if names := userNames(t, page.Resources); !equalStrings(names, []string{tt.first}) {
				t.Errorf("userName eq %q found %v, want [%s]", tt.second, names, tt.first)
			}
		})
	}

	// A rename to a name that is taken under another case conflicts too.
	frank := mustCreate(t, s, tenant, store.User, userDoc("frank", nil))
	_, err := s.Replace(ctx, tenant, store.User, frank.ID, userDoc("BOB.SMITH@example.com", nil), 0)
	wantErr(t, "Replace to a taken userName", err, store.ErrConflict)
	_, err = s.Update(ctx, tenant, store.User, frank.ID, func(store.Resource, store.MemberEditor) (json.RawMessage, error) {
		return userDoc("ÉMILE", nil), nil
	})
	wantErr(t, "Update to a taken userName", err, store.ErrConflict)
	// A change of case of one's own name is no conflict.
	if _, err := s.Replace(ctx, tenant, store.User, frank.ID, userDoc("FRANK", nil), 0); err != nil {
		t.Errorf("Replace of frank with FRANK: %v", err)
	}
}

func testReplaceVersion(t *testing.T, open func(t testing.TB) store.Store) {
	s := open(t)
	ctx := context.Background()
	r := mustCreate(t, s, tenant, store.User, userDoc("grace", nil))

	_, err := s.Replace(ctx, tenant, store.User, r.ID, userDoc("grace", map[string]any{"title": "x"}), 7)
	wantErr(t, "Replace with a stale version", err, store.ErrVersionMismatch)
	if got := mustGet(t, s, tenant, store.User, r.ID); got.Version != 1 || string(got.Doc) != string(r.Doc) {
		t.Errorf("a rejected Replace changed the resource to version %d, document %s", got.Version, got.Doc)
	}

	newDoc := userDoc("grace", map[string]any{"title": "engineer"})
	replaced, err := s.Replace(ctx, tenant, store.User, r.ID, newDoc, 1)
	if err != nil {
		t.Fatalf("Replace with the current version: %v", err)
	}
	if replaced.Version != 2 || string(replaced.Doc) != string(newDoc) || replaced.LastModified.Before(r.LastModified) || !replaced.Created.Equal(r.Created) {
		t.Errorf("Replace returned %s, want version 2, the new document and the old created time", describe(replaced))
	}

	unconditional, err := s.Replace(ctx, tenant, store.User, r.ID, userDoc("grace", nil), 0)
	if err != nil || unconditional.Version != 3 {
		t.Errorf("Replace with version 0: version %d, error %v, want version 3", unconditional.Version, err)
	}
	same, err := s.Replace(ctx, tenant, store.User, r.ID, userDoc("grace", nil), 0)
	if err != nil || same.Version != 3 {
		t.Errorf("Replace with an identical document: version %d, error %v, want version 3 unchanged", same.Version, err)
	}
	_, err = s.Replace(ctx, tenant, store.User, r.ID, json.RawMessage(`{"title":"no userName"}`), 0)
	wantErr(t, "Replace without userName", err, store.ErrInvalid)
}

func testDeleteVersion(t *testing.T, open func(t testing.TB) store.Store) {
	s := open(t)
	ctx := context.Background()
	r := mustCreate(t, s, tenant, store.User, userDoc("heidi", nil))
	wantErr(t, "Delete with a stale version", s.Delete(ctx, tenant, store.User, r.ID, 2), store.ErrVersionMismatch)
	mustGet(t, s, tenant, store.User, r.ID)
	if err := s.Delete(ctx, tenant, store.User, r.ID, 1); err != nil {
		t.Fatalf("Delete with the current version: %v", err)
	}
	// The name is free again.
	mustCreate(t, s, tenant, store.User, userDoc("HEIDI", nil))
}

func testTenantSeparation(t *testing.T, open func(t testing.TB) store.Store) {
	s := open(t)
	ctx := context.Background()
	a := mustCreate(t, s, "tenant-a", store.User, userDoc("ivan", nil))
	b := mustCreate(t, s, "tenant-b", store.User, userDoc("IVAN", nil))
	group := mustCreate(t, s, "tenant-a", store.Group, groupDoc("G"), a.ID)

	_, err := s.Get(ctx, "tenant-b", store.User, a.ID, store.ReadOptions{})
	wantErr(t, "Get of tenant-a's user in tenant-b", err, store.ErrNotFound)
	_, err = s.Replace(ctx, "tenant-b", store.User, a.ID, userDoc("x", nil), 0)
	wantErr(t, "Replace across tenants", err, store.ErrNotFound)
	wantErr(t, "Delete across tenants", s.Delete(ctx, "tenant-b", store.User, a.ID, 0), store.ErrNotFound)
	_, err = s.AddMembers(ctx, "tenant-a", group.ID, []string{b.ID})
	wantErr(t, "AddMembers of tenant-b's user to tenant-a's group", err, store.ErrMemberNotFound)
	_, err = s.ListMembers(ctx, "tenant-b", group.ID, 1, 10)
	wantErr(t, "ListMembers across tenants", err, store.ErrNotFound)
	_, err = s.GroupsOf(ctx, "tenant-b", a.ID)
	wantErr(t, "GroupsOf across tenants", err, store.ErrNotFound)

	for _, tc := range []struct {
		tenant string
		want   string
	}{{"tenant-a", a.ID}, {"tenant-b", b.ID}} {
		page, err := s.List(ctx, tc.tenant, store.Query{Type: store.User, Count: 10,
			Where: &store.Condition{Field: store.FieldUserName, Op: store.Eq, Value: "Ivan"}})
		if err != nil {
			t.Fatalf("List in %s: %v", tc.tenant, err)
		}
		if page.Total != 1 || len(page.Resources) != 1 || page.Resources[0].ID != tc.want {
			t.Errorf("List in %s returned %d resources (total %d), want only %s", tc.tenant, len(page.Resources), page.Total, tc.want)
		}
	}
	page, err := s.List(ctx, "tenant-c", store.Query{Type: store.User, Count: -1})
	if err != nil || page.Total != 0 {
		t.Errorf("List in an unused tenant: total %d, error %v, want 0", page.Total, err)
	}
}

func testMigrationsReapplied(t *testing.T, open func(t testing.TB) store.Store) {
	first := open(t)
	r := mustCreate(t, first, tenant, store.User, userDoc("judy", nil))
	versioner, ok := first.(schemaVersioner)
	if !ok {
		t.Skipf("%T has no SchemaVersion method", first)
	}
	before, err := versioner.SchemaVersion(context.Background())
	if err != nil || before < 1 {
		t.Fatalf("SchemaVersion after the first open: %d, %v", before, err)
	}

	second := open(t)
	after, err := second.(schemaVersioner).SchemaVersion(context.Background())
	if err != nil || after != before {
		t.Errorf("SchemaVersion after a second open: %d, %v; want %d", after, err, before)
	}
	if got := mustGet(t, second, tenant, store.User, r.ID); string(got.Doc) != string(r.Doc) {
		t.Errorf("second Store read document %s, want %s", got.Doc, r.Doc)
	}
	third := open(t)
	mustGet(t, third, tenant, store.User, r.ID)
}
