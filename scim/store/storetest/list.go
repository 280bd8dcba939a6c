package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/scim/store"
)

func testListPaging(t *testing.T, open func(t testing.TB) store.Store) {
	s := open(t)
	ctx := context.Background()
	var all []string
	for i := range 25 {
		name := fmt.Sprintf("user%02d", i)
		mustCreate(t, s, tenant, store.User, userDoc(name, nil))
		all = append(all, name)
	}
	mustCreate(t, s, tenant, store.Group, groupDoc("not a user"))

	tests := []struct {
		name       string
		startIndex int
		count      int
		want       []string
	}{
		{"first page", 1, 10, all[0:10]},
		{"second page", 11, 10, all[10:20]},
		{"last partial page", 21, 10, all[20:25]},
		{"past the end", 26, 10, []string{}},
		{"startIndex 0 counts as 1", 0, 3, all[0:3]},
		{"negative startIndex counts as 1", -5, 2, all[0:2]},
		{"count 0 returns only the total", 1, 0, []string{}},
		{"negative count returns the rest", 24, -1, all[23:25]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := s.List(ctx, tenant, store.Query{Type: store.User, StartIndex: tt.startIndex, Count: tt.count})
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if page.Total != 25 {
				t.Errorf("Total = %d, want 25", page.Total)
			}
			if names := userNames(t, page.Resources); !equalStrings(names, tt.want) {
				t.Errorf("page = %v, want %v", names, tt.want)
			}
		})
	}
}

// filterFixture creates the users that the filter tests select from and
// returns them by userName.
func filterFixture(t testing.TB, s store.Store) map[string]store.Resource {
	users := map[string]store.Resource{}
	add := func(name string, extra map[string]any) {
		users[name] = mustCreate(t, s, tenant, store.User, userDoc(name, extra))
	}
	add("Alice.Archer", map[string]any{"externalId": "E-1", "displayName": "Alice",
		"emails": []map[string]any{{"value": "Alice@Example.com", "type": "work"}, {"value": "alice@home.test"}}})
	add("alice.baker", map[string]any{"externalId": "e-1",
		"emails": []map[string]any{{"value": "ab@example.com"}}})
	add("Bob_Carter", map[string]any{"externalId": "E-2"})
	add("bob%dunn", nil)
	add("Émile.Zola", map[string]any{"emails": []map[string]any{{"value": "EMILE@example.org"}}})
	return users
}

func testListFilter(t *testing.T, open func(t testing.TB) store.Store) {
	s := open(t)
	ctx := context.Background()
	users := filterFixture(t, s)
	future := time.Now().Add(time.Hour)
	past := users["Alice.Archer"].Created.Add(-time.Second)

	cond := func(f store.Field, op store.Op, v any) *store.Condition {
		return &store.Condition{Field: f, Op: op, Value: v}
	}
	tests := []struct {
		name  string
		where store.Expr
		want  []string
	}{
		{"userName eq ignores case", cond(store.FieldUserName, store.Eq, "ALICE.ARCHER"), []string{"Alice.Archer"}},
		{"userName eq non-ASCII", cond(store.FieldUserName, store.Eq, "émile.zola"), []string{"Émile.Zola"}},
		{"userName sw", cond(store.FieldUserName, store.Sw, "ALICE."), []string{"Alice.Archer", "alice.baker"}},
		{"userName sw empty prefix", cond(store.FieldUserName, store.Sw, ""), []string{"Alice.Archer", "alice.baker", "Bob_Carter", "bob%dunn", "Émile.Zola"}},
		{"userName sw is literal for _", cond(store.FieldUserName, store.Sw, "bob_"), []string{"Bob_Carter"}},
		{"userName co is literal for %", cond(store.FieldUserName, store.Co, "%D"), []string{"bob%dunn"}},
		{"userName co", cond(store.FieldUserName, store.Co, "ER"), []string{"Alice.Archer", "alice.baker", "Bob_Carter"}},
		{"userName ew", cond(store.FieldUserName, store.Ew, "ZOLA"), []string{"Émile.Zola"}},
		{"userName gt", cond(store.FieldUserName, store.Gt, "b"), []string{"Bob_Carter", "bob%dunn", "Émile.Zola"}},
		{"userName ne", cond(store.FieldUserName, store.Ne, "bob_carter"), []string{"Alice.Archer", "alice.baker", "bob%dunn", "Émile.Zola"}},
		{"externalId eq is case-exact", cond(store.FieldExternalID, store.Eq, "E-1"), []string{"Alice.Archer"}},
		{"externalId co is case-exact", cond(store.FieldExternalID, store.Co, "e"), []string{"alice.baker"}},
		{"externalId ew is case-exact", cond(store.FieldExternalID, store.Ew, "E-2"), []string{"Bob_Carter"}},
		{"externalId sw is case-exact", cond(store.FieldExternalID, store.Sw, "e-"), []string{"alice.baker"}},
		{"externalId pr", cond(store.FieldExternalID, store.Pr, nil), []string{"Alice.Archer", "alice.baker", "Bob_Carter"}},
		{"externalId ne includes absent", cond(store.FieldExternalID, store.Ne, "E-1"), []string{"alice.baker", "Bob_Carter", "bob%dunn", "Émile.Zola"}},
		{"not externalId pr", &store.Not{Expr: cond(store.FieldExternalID, store.Pr, nil)}, []string{"bob%dunn", "Émile.Zola"}},
		{"not externalId eq includes absent", &store.Not{Expr: cond(store.FieldExternalID, store.Eq, "E-2")}, []string{"Alice.Archer", "alice.baker", "bob%dunn", "Émile.Zola"}},
		{"displayName eq ignores case", cond(store.FieldDisplayName, store.Eq, "alice"), []string{"Alice.Archer"}},
		{"emails eq any element", cond(store.FieldEmail, store.Eq, "ALICE@HOME.TEST"), []string{"Alice.Archer"}},
		{"emails eq non-ASCII fold", cond(store.FieldEmail, store.Eq, "emile@EXAMPLE.ORG"), []string{"Émile.Zola"}},
		{"emails ew", cond(store.FieldEmail, store.Ew, "@example.com"), []string{"Alice.Archer", "alice.baker"}},
		{"emails sw", cond(store.FieldEmail, store.Sw, "AB@"), []string{"alice.baker"}},
		{"emails co", cond(store.FieldEmail, store.Co, "EXAMPLE"), []string{"Alice.Archer", "alice.baker", "Émile.Zola"}},
		{"emails pr", cond(store.FieldEmail, store.Pr, nil), []string{"Alice.Archer", "alice.baker", "Émile.Zola"}},
		{"emails ne", cond(store.FieldEmail, store.Ne, "ab@example.com"), []string{"Alice.Archer", "Bob_Carter", "bob%dunn", "Émile.Zola"}},
		{"id eq", cond(store.FieldID, store.Eq, users["bob%dunn"].ID), []string{"bob%dunn"}},
		{"created gt future", cond(store.FieldCreated, store.Gt, future), []string{}},
		{"created ge past", cond(store.FieldCreated, store.Ge, past), []string{"Alice.Archer", "alice.baker", "Bob_Carter", "bob%dunn", "Émile.Zola"}},
		{"lastModified lt future", cond(store.FieldLastModified, store.Lt, future), []string{"Alice.Archer", "alice.baker", "Bob_Carter", "bob%dunn", "Émile.Zola"}},
		{"and", store.And{cond(store.FieldUserName, store.Sw, "alice"), cond(store.FieldExternalID, store.Eq, "e-1")}, []string{"alice.baker"}},
		{"or", store.Or{cond(store.FieldUserName, store.Eq, "bob%DUNN"), cond(store.FieldExternalID, store.Eq, "E-2")}, []string{"Bob_Carter", "bob%dunn"}},
		{"nested and in or", store.Or{
			store.And{cond(store.FieldUserName, store.Sw, "a"), cond(store.FieldEmail, store.Co, "home")},
			cond(store.FieldUserName, store.Ew, "DUNN"),
		}, []string{"Alice.Archer", "bob%dunn"}},
		{"empty and is true", store.And{}, []string{"Alice.Archer", "alice.baker", "Bob_Carter", "bob%dunn", "Émile.Zola"}},
		{"empty or is false", store.Or{}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := s.List(ctx, tenant, store.Query{Type: store.User, Where: tt.where, Count: -1})
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if names := userNames(t, page.Resources); !equalStrings(names, tt.want) {
				t.Errorf("got %v, want %v", names, tt.want)
			}
			if page.Total != len(tt.want) {
				t.Errorf("Total = %d, want %d", page.Total, len(tt.want))
			}
		})
	}

	// A Replace that changes the emails changes what the filter finds.
	alice := users["Alice.Archer"]
	if _, err := s.Replace(ctx, tenant, store.User, alice.ID, userDoc("Alice.Archer", map[string]any{
		"emails": []map[string]any{{"value": "new@example.net"}}}), 0); err != nil {
		t.Fatalf("Replace: %v", err)
	}
	for value, want := range map[string]int{"alice@home.test": 0, "NEW@example.net": 1} {
		page, err := s.List(ctx, tenant, store.Query{Type: store.User, Count: -1,
			Where: &store.Condition{Field: store.FieldEmail, Op: store.Eq, Value: value}})
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		if page.Total != want {
			t.Errorf("after Replace, emails eq %q found %d users, want %d", value, page.Total, want)
		}
	}
}

func testListFilterInvalid(t *testing.T, open func(t testing.TB) store.Store) {
	s := open(t)
	ctx := context.Background()
	tests := []struct {
		name  string
		query store.Query
	}{
		{"unknown type", store.Query{Type: "Device"}},
		{"unindexed field", store.Query{Type: store.User, Where: &store.Condition{Field: "title", Op: store.Eq, Value: "x"}}},
		{"unknown operator", store.Query{Type: store.User, Where: &store.Condition{Field: store.FieldUserName, Op: "regex", Value: "x"}}},
		{"number for a string field", store.Query{Type: store.User, Where: &store.Condition{Field: store.FieldUserName, Op: store.Eq, Value: 3}}},
		{"string for a date field", store.Query{Type: store.User, Where: &store.Condition{Field: store.FieldCreated, Op: store.Gt, Value: "2026-01-01"}}},
		{"sw on a date", store.Query{Type: store.User, Where: &store.Condition{Field: store.FieldCreated, Op: store.Sw, Value: time.Now()}}},
		{"nil condition", store.Query{Type: store.User, Where: store.And{(*store.Condition)(nil)}}},
		{"not without expression", store.Query{Type: store.User, Where: &store.Not{}}},
		{"sort on emails", store.Query{Type: store.User, SortBy: store.FieldEmail}},
		{"sort on unknown field", store.Query{Type: store.User, SortBy: "title"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.List(ctx, tenant, tt.query)
			wantErr(t, "List", err, store.ErrInvalid)
		})
	}

	// A filter wider than the limit is rejected, not sent to the database.
	wide := store.Or{}
	for i := range 2000 {
		wide = append(wide, &store.Condition{Field: store.FieldUserName, Op: store.Eq, Value: fmt.Sprint(i)})
	}
	_, err := s.List(ctx, tenant, store.Query{Type: store.User, Where: wide})
	wantErr(t, "List with 2000 conditions", err, store.ErrInvalid)
}

func testListResidual(t *testing.T, open func(t testing.TB) store.Store) {
	s := open(t)
	ctx := context.Background()
	var want []string
	for i := range 30 {
		name := fmt.Sprintf("res%02d", i)
		mustCreate(t, s, tenant, store.User, userDoc(name, map[string]any{"title": fmt.Sprint(i % 3)}))
		if i%3 == 0 && i >= 6 {
			want = append(want, name)
		}
	}
	// title eq "0", which no index covers, combined with an indexed
	// condition that drops res00 and res03.
	residual := func(doc json.RawMessage) bool { return bytes.Contains(doc, []byte(`"title":"0"`)) }
	where := &store.Condition{Field: store.FieldUserName, Op: store.Ge, Value: "res05"}

	tests := []struct {
		name       string
		startIndex int
		count      int
		want       []string
	}{
		{"all", 1, -1, want},
		{"first page", 1, 3, want[0:3]},
		{"second page", 4, 3, want[3:6]},
		{"last page", 7, 3, want[6:8]},
		{"count 0", 1, 0, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := s.List(ctx, tenant, store.Query{Type: store.User, Where: where, Residual: residual,
				SortBy: store.FieldUserName, StartIndex: tt.startIndex, Count: tt.count})
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if page.Total != len(want) {
				t.Errorf("Total = %d, want %d (the matches of the residual predicate, not of the SQL part)", page.Total, len(want))
			}
			if names := userNames(t, page.Resources); !equalStrings(names, tt.want) {
				t.Errorf("page = %v, want %v", names, tt.want)
			}
		})
	}
}

func testListSort(t *testing.T, open func(t testing.TB) store.Store) {
	s := open(t)
	ctx := context.Background()
	// Created in an order that differs from every sort order below.
	mustCreate(t, s, tenant, store.User, userDoc("charlie", map[string]any{"externalId": "2", "nickName": "b"}))
	mustCreate(t, s, tenant, store.User, userDoc("Alpha", nil))
	mustCreate(t, s, tenant, store.User, userDoc("émile", map[string]any{"externalId": "1", "nickName": "c"}))
	mustCreate(t, s, tenant, store.User, userDoc("bravo", map[string]any{"nickName": "a"}))

	byNick := func(a, b json.RawMessage) int {
		var x, y struct{ NickName string }
		json.Unmarshal(a, &x)
		json.Unmarshal(b, &y)
		switch {
		case x.NickName == y.NickName:
			return 0
		case x.NickName == "":
			return 1
		case y.NickName == "":
			return -1
		case x.NickName < y.NickName:
			return -1
		}
		return 1
	}
	tests := []struct {
		name  string
		query store.Query
		want  []string
	}{
		{"creation order", store.Query{}, []string{"charlie", "Alpha", "émile", "bravo"}},
		{"userName ignores case", store.Query{SortBy: store.FieldUserName}, []string{"Alpha", "bravo", "charlie", "émile"}},
		{"userName descending", store.Query{SortBy: store.FieldUserName, Descending: true}, []string{"émile", "charlie", "bravo", "Alpha"}},
		{"externalId, absent last", store.Query{SortBy: store.FieldExternalID}, []string{"émile", "charlie", "Alpha", "bravo"}},
		{"externalId descending, absent last", store.Query{SortBy: store.FieldExternalID, Descending: true}, []string{"charlie", "émile", "Alpha", "bravo"}},
		{"created", store.Query{SortBy: store.FieldCreated}, []string{"charlie", "Alpha", "émile", "bravo"}},
		{"in memory", store.Query{Compare: byNick}, []string{"bravo", "charlie", "émile", "Alpha"}},
		{"in memory paged", store.Query{Compare: byNick, StartIndex: 2, Count: 2}, []string{"charlie", "émile"}},
		{"in memory descending", store.Query{Compare: byNick, Descending: true}, []string{"Alpha", "émile", "charlie", "bravo"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.query
			q.Type = store.User
			if q.Count == 0 {
				q.Count = -1
			}
			page, err := s.List(ctx, tenant, q)
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if names := userNames(t, page.Resources); !equalStrings(names, tt.want) {
				t.Errorf("got %v, want %v", names, tt.want)
			}
		})
	}
}

func testListGroupsMembers(t *testing.T, open func(t testing.TB) store.Store) {
	s := open(t)
	ctx := context.Background()
	u1 := mustCreate(t, s, tenant, store.User, userDoc("kim", nil))
	u2 := mustCreate(t, s, tenant, store.User, userDoc("lee", nil))
	mustCreate(t, s, tenant, store.Group, groupDoc("Zeta"), u1.ID, u2.ID)
	mustCreate(t, s, tenant, store.Group, groupDoc("alpha"))
	mustCreate(t, s, tenant, store.Group, groupDoc("Beta"), u2.ID)

	page, err := s.List(ctx, tenant, store.Query{Type: store.Group, SortBy: store.FieldDisplayName, Count: -1})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	var got []string
	for _, g := range page.Resources {
		got = append(got, fmt.Sprintf("%d", len(g.Members)))
		if g.Members == nil {
			t.Errorf("group %s has nil members, want a slice", g.Doc)
		}
	}
	if want := []string{"0", "1", "2"}; !equalStrings(got, want) {
		t.Errorf("member counts by displayName = %v, want %v", got, want)
	}

	page, err = s.List(ctx, tenant, store.Query{Type: store.Group, Count: -1, ExcludeMembers: true,
		Where: &store.Condition{Field: store.FieldDisplayName, Op: store.Eq, Value: "ZETA"}})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if page.Total != 1 || page.Resources[0].Members != nil {
		t.Errorf("displayName eq ZETA with ExcludeMembers: total %d, members %v; want 1 group without members", page.Total, page.Resources[0].Members)
	}
}
