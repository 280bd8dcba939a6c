package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/scimdoctor/scimdoctor/scim/store"
)

func testMembersIdempotent(t *testing.T, open func(t testing.TB) store.Store) {
	s := open(t)
	ctx := context.Background()
	u1 := mustCreate(t, s, tenant, store.User, userDoc("mia", nil))
	u2 := mustCreate(t, s, tenant, store.User, userDoc("ned", nil))
	g := mustCreate(t, s, tenant, store.Group, groupDoc("G"))

	steps := []struct {
		name        string
		run         func() (store.Resource, error)
		wantVersion int64
		wantMembers []string
	}{
		{"add one", func() (store.Resource, error) { return s.AddMembers(ctx, tenant, g.ID, []string{u1.ID}) }, 2, []string{u1.ID}},
		{"add the same again", func() (store.Resource, error) { return s.AddMembers(ctx, tenant, g.ID, []string{u1.ID}) }, 2, []string{u1.ID}},
		{"add both, one present", func() (store.Resource, error) {
			return s.AddMembers(ctx, tenant, g.ID, []string{u1.ID, u2.ID, u2.ID})
		}, 3, []string{u1.ID, u2.ID}},
		{"add none", func() (store.Resource, error) { return s.AddMembers(ctx, tenant, g.ID, nil) }, 3, []string{u1.ID, u2.ID}},
		{"remove one", func() (store.Resource, error) { return s.RemoveMembers(ctx, tenant, g.ID, []string{u1.ID}) }, 4, []string{u2.ID}},
		{"remove it again", func() (store.Resource, error) { return s.RemoveMembers(ctx, tenant, g.ID, []string{u1.ID}) }, 4, []string{u2.ID}},
		{"remove an unknown id", func() (store.Resource, error) {
			return s.RemoveMembers(ctx, tenant, g.ID, []string{"no-such-id"})
		}, 4, []string{u2.ID}},
		{"replace with the same", func() (store.Resource, error) { return s.ReplaceMembers(ctx, tenant, g.ID, []string{u2.ID}) }, 4, []string{u2.ID}},
		{"replace with the other", func() (store.Resource, error) { return s.ReplaceMembers(ctx, tenant, g.ID, []string{u1.ID}) }, 5, []string{u1.ID}},
		{"replace with none", func() (store.Resource, error) { return s.ReplaceMembers(ctx, tenant, g.ID, []string{}) }, 6, []string{}},
	}
	for _, step := range steps {
		r, err := step.run()
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if r.Version != step.wantVersion {
			t.Errorf("%s: version %d, want %d", step.name, r.Version, step.wantVersion)
		}
		got := mustGet(t, s, tenant, store.Group, g.ID)
		if ids := memberIDs(got.Members); !equalStrings(ids, step.wantMembers) {
			t.Errorf("%s: members %v, want %v", step.name, ids, step.wantMembers)
		}
		if got.Version != step.wantVersion {
			t.Errorf("%s: stored version %d, want %d", step.name, got.Version, step.wantVersion)
		}
	}
}

func testMembersInvalid(t *testing.T, open func(t testing.TB) store.Store) {
	s := open(t)
	ctx := context.Background()
	u := mustCreate(t, s, tenant, store.User, userDoc("olga", nil))
	g := mustCreate(t, s, tenant, store.Group, groupDoc("G"), u.ID)

	var notFound *store.MemberNotFoundError
	_, err := s.AddMembers(ctx, tenant, g.ID, []string{"missing"})
	if !errors.As(err, &notFound) || notFound.ID != "missing" {
		t.Errorf("AddMembers of an unknown id: got %v, want *MemberNotFoundError for \"missing\"", err)
	}
	_, err = s.ReplaceMembers(ctx, tenant, g.ID, []string{"missing"})
	wantErr(t, "ReplaceMembers with an unknown id", err, store.ErrMemberNotFound)
	_, err = s.AddMembers(ctx, tenant, g.ID, []string{g.ID})
	wantErr(t, "AddMembers of the group itself", err, store.ErrInvalid)
	_, err = s.AddMembers(ctx, "", g.ID, []string{u.ID})
	wantErr(t, "AddMembers with an empty tenant", err, store.ErrInvalid)

	// The failed calls left the membership and version alone.
	got := mustGet(t, s, tenant, store.Group, g.ID)
	if ids := memberIDs(got.Members); !equalStrings(ids, []string{u.ID}) || got.Version != 1 {
		t.Errorf("after failed member changes: members %v version %d, want [%s] version 1", ids, got.Version, u.ID)
	}

	// A Group may be a member of another Group.
	outer := mustCreate(t, s, tenant, store.Group, groupDoc("Outer"), g.ID)
	if outer.Members[0].Type != store.Group {
		t.Errorf("nested group member has type %q, want Group", outer.Members[0].Type)
	}
	groups, err := s.GroupsOf(ctx, tenant, g.ID)
	if err != nil || len(groups) != 1 || groups[0].ID != outer.ID || groups[0].DisplayName != "Outer" {
		t.Errorf("GroupsOf the nested group: %v, %v; want [%s Outer]", groups, err, outer.ID)
	}
}

func testMembersReplaceAndPage(t *testing.T, open func(t testing.TB) store.Store) {
	s := open(t)
	ctx := context.Background()
	var ids []string
	for i := range 12 {
		ids = append(ids, mustCreate(t, s, tenant, store.User, userDoc(fmt.Sprintf("m%02d", i), nil)).ID)
	}
	g := mustCreate(t, s, tenant, store.Group, groupDoc("Big"), ids[:8]...)
	r, err := s.ReplaceMembers(ctx, tenant, g.ID, ids[4:12])
	if err != nil {
		t.Fatalf("ReplaceMembers: %v", err)
	}
	if r.Version != 2 {
		t.Errorf("ReplaceMembers returned version %d, want 2", r.Version)
	}

	tests := []struct {
		name       string
		startIndex int
		count      int
		want       []string
	}{
		{"all", 1, -1, ids[4:12]},
		{"first page", 1, 3, ids[4:7]},
		{"middle page", 4, 3, ids[7:10]},
		{"last page", 7, 3, ids[10:12]},
		{"count 0", 1, 0, []string{}},
		{"past the end", 20, 5, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := s.ListMembers(ctx, tenant, g.ID, tt.startIndex, tt.count)
			if err != nil {
				t.Fatalf("ListMembers: %v", err)
			}
			if page.Total != 8 {
				t.Errorf("Total = %d, want 8", page.Total)
			}
			if got := memberIDs(page.Members); !equalStrings(got, tt.want) {
				t.Errorf("members %v, want %v", got, tt.want)
			}
		})
	}

	second := mustCreate(t, s, tenant, store.Group, groupDoc("Also"), ids[11])
	groups, err := s.GroupsOf(ctx, tenant, ids[11])
	if err != nil {
		t.Fatalf("GroupsOf: %v", err)
	}
	if len(groups) != 2 {
		t.Fatalf("GroupsOf returned %v, want 2 groups", groups)
	}
	found := map[string]string{}
	for _, ref := range groups {
		found[ref.ID] = ref.DisplayName
	}
	if found[g.ID] != "Big" || found[second.ID] != "Also" {
		t.Errorf("GroupsOf returned %v, want Big and Also", groups)
	}
	if groups[0].ID > groups[1].ID {
		t.Errorf("GroupsOf returned %v, want ordered by id", groups)
	}
	none, err := s.GroupsOf(ctx, tenant, ids[0])
	if err != nil || none == nil || len(none) != 0 {
		t.Errorf("GroupsOf a user in no group: %#v, %v; want an empty slice", none, err)
	}
}

func testDeleteCascades(t *testing.T, open func(t testing.TB) store.Store) {
	s := open(t)
	ctx := context.Background()
	u1 := mustCreate(t, s, tenant, store.User, userDoc("pat", nil))
	u2 := mustCreate(t, s, tenant, store.User, userDoc("quinn", nil))
	g1 := mustCreate(t, s, tenant, store.Group, groupDoc("One"), u1.ID, u2.ID)
	g2 := mustCreate(t, s, tenant, store.Group, groupDoc("Two"), u1.ID)
	untouched := mustCreate(t, s, tenant, store.Group, groupDoc("Three"), u2.ID)

	if err := s.Delete(ctx, tenant, store.User, u1.ID, 0); err != nil {
		t.Fatalf("Delete user: %v", err)
	}
	for _, tc := range []struct {
		group       store.Resource
		wantMembers []string
		wantVersion int64
	}{
		{g1, []string{u2.ID}, 2},
		{g2, []string{}, 2},
		{untouched, []string{u2.ID}, 1},
	} {
		got := mustGet(t, s, tenant, store.Group, tc.group.ID)
		if ids := memberIDs(got.Members); !equalStrings(ids, tc.wantMembers) {
			t.Errorf("group %s after deleting a member: members %v, want %v", got.Doc, ids, tc.wantMembers)
		}
		if got.Version != tc.wantVersion {
			t.Errorf("group %s after deleting a member: version %d, want %d", got.Doc, got.Version, tc.wantVersion)
		}
	}

	if err := s.Delete(ctx, tenant, store.Group, g1.ID, 0); err != nil {
		t.Fatalf("Delete group: %v", err)
	}
	groups, err := s.GroupsOf(ctx, tenant, u2.ID)
	if err != nil || len(groups) != 1 || groups[0].ID != untouched.ID {
		t.Errorf("GroupsOf after deleting a group: %v, %v; want only %s", groups, err, untouched.ID)
	}
	mustGet(t, s, tenant, store.User, u2.ID)
}
