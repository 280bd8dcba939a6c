package sqlstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/scim/store"
)

// TestCredentialAdmin lists and deletes credentials on both databases.
func TestCredentialAdmin(t *testing.T) {
	for name, open := range storeOpeners {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { s.Close() })
			ctx := context.Background()
			start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

			creds := []store.Credential{
				{Kind: store.BearerToken, Key: "aa11", Tenant: "acme", Name: "okta", Created: start},
				{Kind: store.BasicUser, Key: "entra", SecretHash: []byte{1, 2}, Tenant: "acme", Name: "basic:entra", Created: start.Add(time.Second)},
				{Kind: store.OAuthClient, Key: "client-1", SecretHash: []byte{3, 4}, Tenant: "beta", Name: "gallery", Created: start.Add(2 * time.Second)},
				{Kind: store.BearerToken, Key: "bb22", Tenant: "beta", Name: "oauth:client-1", Created: start.Add(3 * time.Second), Expires: start.Add(time.Hour)},
				{Kind: store.BearerToken, Key: "cc33", Tenant: "beta", Name: "oauth:client-1", Created: start.Add(4 * time.Second), Expires: start.Add(time.Hour)},
			}
			for _, c := range creds {
				if err := s.CreateCredential(ctx, c); err != nil {
					t.Fatalf("CreateCredential %s %s: %v", c.Kind, c.Key, err)
				}
			}

			all, err := s.ListCredentials(ctx, "")
			if err != nil {
				t.Fatalf("ListCredentials: %v", err)
			}
			if len(all) != len(creds) {
				t.Fatalf("ListCredentials returned %d credentials, want %d: %+v", len(all), len(creds), all)
			}
			for i, c := range all {
				if c.Key != creds[i].Key || c.Kind != creds[i].Kind {
					t.Errorf("credential %d = %s %s, want %s %s (oldest first)", i, c.Kind, c.Key, creds[i].Kind, creds[i].Key)
				}
				if c.SecretHash != nil {
					t.Errorf("listed credential %s carries its secret hash", c.Key)
				}
				if !c.Created.Equal(creds[i].Created) || !c.Expires.Equal(creds[i].Expires) || c.Tenant != creds[i].Tenant || c.Name != creds[i].Name {
					t.Errorf("listed credential %s = %+v, want %+v", c.Key, c, creds[i])
				}
			}

			bearers, err := s.ListCredentials(ctx, store.BearerToken)
			if err != nil || len(bearers) != 3 {
				t.Errorf("ListCredentials(bearer) = %d credentials, %v, want 3", len(bearers), err)
			}

			if err := s.DeleteCredential(ctx, store.BasicUser, "entra"); err != nil {
				t.Errorf("DeleteCredential basic: %v", err)
			}
			if _, err := s.FindCredential(ctx, store.BasicUser, "entra", start); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("FindCredential after delete = %v, want ErrNotFound", err)
			}
			if err := s.DeleteCredential(ctx, store.BasicUser, "entra"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("second DeleteCredential = %v, want ErrNotFound", err)
			}
			if err := s.DeleteCredential(ctx, store.BearerToken, "entra"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("DeleteCredential of another kind = %v, want ErrNotFound", err)
			}

			n, err := s.DeleteCredentialsNamed(ctx, store.BearerToken, "oauth:client-1")
			if err != nil || n != 2 {
				t.Errorf("DeleteCredentialsNamed = %d, %v, want 2", n, err)
			}
			left, err := s.ListCredentials(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(left) != 2 || left[0].Key != "aa11" || left[1].Key != "client-1" {
				t.Errorf("credentials left = %+v, want the token aa11 and the client client-1", left)
			}
		})
	}
}
