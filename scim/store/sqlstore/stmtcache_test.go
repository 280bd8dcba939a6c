package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/scim/store"
)

// TestStatementCacheConcurrentReads runs more concurrent Lists and
// credential lookups than the SQLite read pool has connections, on a new
// store whose statements are not prepared yet. Preparing a statement must
// not wait for a connection while a transaction holds one: that would
// leave every request waiting for the others. The deadline turns such a
// hang into a failure instead of a stuck test.
func TestStatementCacheConcurrentReads(t *testing.T) {
	s := sqliteDatabase(t)(t).(*Store)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for i := range 20 {
		if _, err := s.Create(ctx, "t1", store.User, json.RawMessage(fmt.Sprintf(`{"userName":"u%d"}`, i)), nil); err != nil {
			t.Fatalf("Create: %v", err)
		}
	}

	// Filters of 1 to 40 alternatives are 40 SQL texts, so the goroutines
	// keep meeting statements that are not prepared yet.
	const shapes = 40
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	start := make(chan struct{})
	for g := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := range shapes {
				var or store.Or
				for k := range 1 + (g+i)%shapes {
					or = append(or, &store.Condition{Field: store.FieldUserName, Op: store.Eq, Value: fmt.Sprintf("u%d", k)})
				}
				q := store.Query{Type: store.User, StartIndex: 1 + i%5, Count: 5, Where: or}
				if _, err := s.List(ctx, "t1", q); err != nil {
					errs <- fmt.Errorf("List: %w", err)
					return
				}
				if _, err := s.FindCredential(ctx, store.BearerToken, "no-such-key", time.Now()); err != store.ErrNotFound {
					errs <- fmt.Errorf("FindCredential = %v, want ErrNotFound", err)
					return
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
