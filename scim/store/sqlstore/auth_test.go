package sqlstore

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
	"github.com/scimdoctor/scimdoctor/scim/store"
)

// storeOpeners open a new, empty store of each database kind for one
// test: SQLite in a temp folder, PostgreSQL in a new database of a server
// started on 127.0.0.1.
var storeOpeners = map[string]func(t *testing.T) *Store{
	"sqlite": func(t *testing.T) *Store {
		s, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "scimdoctor.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	},
	"postgres": func(t *testing.T) *Store {
		s, err := OpenPostgres(context.Background(), testservers.CreatePostgresDatabase(t, testservers.StartPostgres(t)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	},
}

// TestCredentials stores, finds, expires and deletes credentials on both
// databases.
func TestCredentials(t *testing.T) {
	for name, open := range storeOpeners {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { s.Close() })
			ctx := context.Background()
			now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

			static := store.Credential{Kind: store.BearerToken, Key: "aa11", Tenant: "acme", Name: "okta"}
			if err := s.CreateCredential(ctx, static); err != nil {
				t.Fatalf("CreateCredential: %v", err)
			}
			if err := s.CreateCredential(ctx, static); !errors.Is(err, store.ErrCredentialExists) {
				t.Errorf("second CreateCredential = %v, want ErrCredentialExists", err)
			}
			basic := store.Credential{Kind: store.BasicUser, Key: "okta", SecretHash: []byte{1, 2, 3}, Tenant: "acme", Name: "basic:okta"}
			if err := s.CreateCredential(ctx, basic); err != nil {
				t.Fatalf("CreateCredential basic: %v", err)
			}
			issued := store.Credential{Kind: store.BearerToken, Key: "bb22", Tenant: "acme", Name: "oauth:c1", Expires: now.Add(time.Hour)}
			if err := s.CreateCredential(ctx, issued); err != nil {
				t.Fatalf("CreateCredential issued: %v", err)
			}

			got, err := s.FindCredential(ctx, store.BasicUser, "okta", now)
			if err != nil || got.Tenant != "acme" || string(got.SecretHash) != "\x01\x02\x03" || got.Name != "basic:okta" {
				t.Errorf("FindCredential basic = %+v, %v", got, err)
			}
			if _, err := s.FindCredential(ctx, store.BasicUser, "aa11", now); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("FindCredential of another kind = %v, want ErrNotFound", err)
			}
			if _, err := s.FindCredential(ctx, store.BearerToken, "bb22", now.Add(59*time.Minute)); err != nil {
				t.Errorf("FindCredential before expiry: %v", err)
			}
			if _, err := s.FindCredential(ctx, store.BearerToken, "bb22", now.Add(time.Hour)); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("FindCredential at expiry = %v, want ErrNotFound", err)
			}

			n, err := s.DeleteExpiredCredentials(ctx, now.Add(2*time.Hour))
			if err != nil || n != 1 {
				t.Errorf("DeleteExpiredCredentials = %d, %v, want 1", n, err)
			}
			if _, err := s.FindCredential(ctx, store.BearerToken, "aa11", now.Add(24*time.Hour)); err != nil {
				t.Errorf("a credential without expiry expired: %v", err)
			}
			if err := s.CreateCredential(ctx, store.Credential{Kind: "cookie", Key: "x", Tenant: "acme"}); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("CreateCredential of kind cookie = %v, want ErrInvalid", err)
			}
			if err := s.Ping(ctx); err != nil {
				t.Errorf("Ping: %v", err)
			}
		})
	}
}
