package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/scimdoctor/scimdoctor/scim/store"
)

// raceSize is how many goroutines race in the concurrency tests.
const raceSize = 20

// caseVariant returns name with the letters whose bit in i is set in upper
// case, so raceSize calls give raceSize spellings of one folded name.
func caseVariant(name string, i int) string {
	var b strings.Builder
	bit := 0
	for _, r := range name {
		if unicode.IsLetter(r) {
			if i&(1<<bit) != 0 {
				r = unicode.ToUpper(r)
			}
			bit++
		}
		b.WriteRune(r)
	}
	return b.String()
}

// raceCreate creates one userName in raceSize spellings at once, goroutine
// i on stores[i%len(stores)], and checks that exactly one create succeeds
// and the others get ErrConflict.
func raceCreate(t *testing.T, stores []store.Store) {
	const name = "race.winner@example.com"
	errs := make([]error, raceSize)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range raceSize {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = stores[i%len(stores)].Create(context.Background(), tenant, store.User, userDoc(caseVariant(name, i), nil), nil)
		}()
	}
	close(start)
	wg.Wait()

	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("create %d (%q): got %v, want success or ErrConflict", i, caseVariant(name, i), err)
		}
	}
	if wins != 1 {
		t.Errorf("%d of %d concurrent creates of one userName succeeded, want exactly 1", wins, raceSize)
	}
	page, err := stores[0].List(context.Background(), tenant, store.Query{Type: store.User, Count: -1,
		Where: &store.Condition{Field: store.FieldUserName, Op: store.Eq, Value: name}})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if page.Total != 1 {
		t.Errorf("after the race, %d users have the name, want 1", page.Total)
	}
}

func testUserNameRace(t *testing.T, open func(t testing.TB) store.Store) {
	raceCreate(t, []store.Store{open(t)})
}

// testUserNameRaceTwoStores races through two Store values on one database,
// as two serve processes sharing it would.
func testUserNameRaceTwoStores(t *testing.T, open func(t testing.TB) store.Store) {
	raceCreate(t, []store.Store{open(t), open(t)})
}

// counterDoc returns a User document with a counter, for the Update tests.
func counterDoc(n int) json.RawMessage {
	return userDoc("counter", map[string]any{"nickName": fmt.Sprint(n)})
}

// raceUpdate increments the counter in one User's document from raceSize
// goroutines, goroutine i on stores[i%len(stores)], and checks that no
// increment was lost.
func raceUpdate(t *testing.T, stores []store.Store) {
	ctx := context.Background()
	r := mustCreate(t, stores[0], tenant, store.User, counterDoc(0))
	increment := func(current store.Resource, _ store.MemberEditor) (json.RawMessage, error) {
		var doc struct{ NickName string }
		if err := json.Unmarshal(current.Doc, &doc); err != nil {
			return nil, err
		}
		var n int
		fmt.Sscan(doc.NickName, &n)
		return counterDoc(n + 1), nil
	}

	var wg sync.WaitGroup
	errs := make([]error, raceSize)
	start := make(chan struct{})
	for i := range raceSize {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = stores[i%len(stores)].Update(ctx, tenant, store.User, r.ID, increment)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Update %d: %v", i, err)
		}
	}

	got := mustGet(t, stores[0], tenant, store.User, r.ID)
	if string(got.Doc) != string(counterDoc(raceSize)) {
		t.Errorf("after %d concurrent increments the document is %s, want %s", raceSize, got.Doc, counterDoc(raceSize))
	}
	if got.Version != raceSize+1 {
		t.Errorf("after %d concurrent increments the version is %d, want %d", raceSize, got.Version, raceSize+1)
	}
}

func testUpdateConcurrent(t *testing.T, open func(t testing.TB) store.Store) {
	raceUpdate(t, []store.Store{open(t)})
}

func testUpdateConcurrentTwoStores(t *testing.T, open func(t testing.TB) store.Store) {
	raceUpdate(t, []store.Store{open(t), open(t)})
}

func testUpdateAbortAndMembers(t *testing.T, open func(t testing.TB) store.Store) {
	s := open(t)
	ctx := context.Background()
	u1 := mustCreate(t, s, tenant, store.User, userDoc("rita", nil))
	u2 := mustCreate(t, s, tenant, store.User, userDoc("sam", nil))
	g := mustCreate(t, s, tenant, store.Group, groupDoc("Before"), u1.ID)

	// An error from the function rolls back its member changes too.
	abort := errors.New("abort the patch")
	_, err := s.Update(ctx, tenant, store.Group, g.ID, func(current store.Resource, members store.MemberEditor) (json.RawMessage, error) {
		if err := members.Add(u2.ID); err != nil {
			return nil, err
		}
		return groupDoc("Changed"), abort
	})
	if err != abort {
		t.Errorf("Update returned %v, want the function's own error", err)
	}
	got := mustGet(t, s, tenant, store.Group, g.ID)
	if ids := memberIDs(got.Members); !equalStrings(ids, []string{u1.ID}) || got.Version != 1 || string(got.Doc) != string(groupDoc("Before")) {
		t.Errorf("after an aborted Update: members %v version %d doc %s; want [%s] 1 and the old document", ids, got.Version, got.Doc, u1.ID)
	}

	// The function gets the current version and can reject a stale If-Match.
	_, err = s.Update(ctx, tenant, store.Group, g.ID, func(current store.Resource, _ store.MemberEditor) (json.RawMessage, error) {
		if current.Version != 5 {
			return nil, store.ErrVersionMismatch
		}
		return nil, nil
	})
	wantErr(t, "Update with a stale version", err, store.ErrVersionMismatch)

	// A PATCH that renames and changes members in one transaction moves the
	// version once.
	r, err := s.Update(ctx, tenant, store.Group, g.ID, func(current store.Resource, members store.MemberEditor) (json.RawMessage, error) {
		if current.Members != nil {
			t.Errorf("Update passed members %v, want nil", current.Members)
		}
		if err := members.Remove(u1.ID); err != nil {
			return nil, err
		}
		if err := members.Add(u2.ID); err != nil {
			return nil, err
		}
		return groupDoc("After"), nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	got = mustGet(t, s, tenant, store.Group, g.ID)
	if ids := memberIDs(got.Members); !equalStrings(ids, []string{u2.ID}) || r.Version != 2 || got.Version != 2 || string(got.Doc) != string(groupDoc("After")) {
		t.Errorf("after Update: members %v, returned version %d, stored version %d, doc %s; want [%s], 2, 2, After", ids, r.Version, got.Version, got.Doc, u2.ID)
	}

	// Members alone move the version; an Update that changes nothing does not.
	r, err = s.Update(ctx, tenant, store.Group, g.ID, func(_ store.Resource, members store.MemberEditor) (json.RawMessage, error) {
		return nil, members.Replace(u1.ID, u2.ID)
	})
	if err != nil || r.Version != 3 {
		t.Errorf("Update of members only: version %d, %v; want 3", r.Version, err)
	}
	r, err = s.Update(ctx, tenant, store.Group, g.ID, func(current store.Resource, _ store.MemberEditor) (json.RawMessage, error) {
		return current.Doc, nil
	})
	if err != nil || r.Version != 3 {
		t.Errorf("Update that changes nothing: version %d, %v; want 3", r.Version, err)
	}

	// Users get no MemberEditor.
	_, err = s.Update(ctx, tenant, store.User, u1.ID, func(_ store.Resource, members store.MemberEditor) (json.RawMessage, error) {
		if members != nil {
			t.Errorf("Update of a User passed a MemberEditor")
		}
		return nil, nil
	})
	if err != nil {
		t.Errorf("Update of a User: %v", err)
	}
	// An invalid document from the function is rejected.
	_, err = s.Update(ctx, tenant, store.User, u1.ID, func(store.Resource, store.MemberEditor) (json.RawMessage, error) {
		return json.RawMessage(`{"userName":""}`), nil
	})
	wantErr(t, "Update to an empty userName", err, store.ErrInvalid)
}
