package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/scimdoctor/scimdoctor/scim/store"
)

// BenchmarkAddMember measures AddMembers of one User to a Group of 10 and
// of 100,000 members, each iteration adding a User that is not yet a
// member. The member is removed again outside the timer, so the group keeps
// its size. Building the large group takes tens of seconds.
func BenchmarkAddMember(b *testing.B, newDatabase NewDatabase) {
	for _, size := range []int{10, 100_000} {
		b.Run(fmt.Sprintf("group=%d", size), func(b *testing.B) {
			s := newDatabase(b)(b)
			ctx := context.Background()
			group := mustCreate(b, s, tenant, store.Group, groupDoc("bench"))
			members := createUsers(b, s, "member", size)
			for start := 0; start < len(members); start += 1000 {
				if _, err := s.AddMembers(ctx, tenant, group.ID, members[start:min(start+1000, len(members))]); err != nil {
					b.Fatalf("AddMembers: %v", err)
				}
			}
			extra := createUsers(b, s, "extra", 1)[0]

			b.ResetTimer()
			for b.Loop() {
				if _, err := s.AddMembers(ctx, tenant, group.ID, []string{extra}); err != nil {
					b.Fatalf("AddMembers: %v", err)
				}
				b.StopTimer()
				if _, err := s.RemoveMembers(ctx, tenant, group.ID, []string{extra}); err != nil {
					b.Fatalf("RemoveMembers: %v", err)
				}
				b.StartTimer()
			}
			b.StopTimer()

			page, err := s.ListMembers(ctx, tenant, group.ID, 1, 0)
			if err != nil || page.Total != size {
				b.Fatalf("group has %d members (%v), want %d", page.Total, err, size)
			}
		})
	}
}

// createUsers creates n Users named prefix-0 ... from 8 goroutines and
// returns their ids.
func createUsers(b *testing.B, s store.Store, prefix string, n int) []string {
	const workers = 8
	ids := make([]string, n)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				r, err := s.Create(context.Background(), tenant, store.User, userDoc(fmt.Sprintf("%s-%d", prefix, i), nil), nil)
				if err != nil {
					errs <- err
					return
				}
				ids[i] = r.ID
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatalf("creating users: %v", err)
	}
	return ids
}
