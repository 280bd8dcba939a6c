package sqlstore

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/scimdoctor/scimdoctor/scim/store"
)

var _ store.CredentialAdmin = (*Store)(nil)

// CreateCredential stores a credential; see store.CredentialStore.
func (s *Store) CreateCredential(ctx context.Context, c store.Credential) error {
	switch {
	case c.Kind != store.BearerToken && c.Kind != store.BasicUser && c.Kind != store.OAuthClient:
		return store.Invalidf("credential kind %q; use bearer, basic or client", string(c.Kind))
	case c.Key == "":
		return store.Invalidf("empty credential key")
	}
	if err := checkTenant(c.Tenant); err != nil {
		return err
	}
	created := c.Created
	if created.IsZero() {
		created = now()
	}
	var expires int64
	if !c.Expires.IsZero() {
		expires = c.Expires.UnixMicro()
	}

	var inserted int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO credentials (kind, lookup_key, secret_hash, tenant, name, created, expires)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, lookup_key) DO NOTHING`),
			string(c.Kind), c.Key, hex.EncodeToString(c.SecretHash), c.Tenant, c.Name, created.UnixMicro(), expires)
		if err != nil {
			return fmt.Errorf("sqlstore: storing a %s credential: %w", c.Kind, err)
		}
		inserted, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return err
	}
	if inserted == 0 {
		return fmt.Errorf("%w: a %s credential named %q", store.ErrCredentialExists, c.Kind, c.Key)
	}
	return nil
}

// FindCredential returns one credential; see store.CredentialStore.
func (s *Store) FindCredential(ctx context.Context, kind store.CredentialKind, key string, at time.Time) (store.Credential, error) {
	var (
		c                store.Credential
		secret           string
		created, expires int64
	)
	err := s.dbQueryRow(ctx, s.read, s.rebind(`SELECT secret_hash, tenant, name, created, expires FROM credentials WHERE kind = ? AND lookup_key = ?`),
		string(kind), key).Scan(&secret, &c.Tenant, &c.Name, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return c, store.ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("sqlstore: reading a %s credential: %w", kind, err)
	}
	if expires != 0 && expires <= at.UnixMicro() {
		return store.Credential{}, store.ErrNotFound
	}
	c.Kind, c.Key = kind, key
	if c.SecretHash, err = hex.DecodeString(secret); err != nil {
		return store.Credential{}, fmt.Errorf("sqlstore: the stored secret hash of %s credential %q is not hex: %w", kind, key, err)
	}
	c.Created = time.UnixMicro(created).UTC()
	if expires != 0 {
		c.Expires = time.UnixMicro(expires).UTC()
	}
	return c, nil
}

// DeleteExpiredCredentials removes expired credentials; see
// store.CredentialStore.
func (s *Store) DeleteExpiredCredentials(ctx context.Context, at time.Time) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM credentials WHERE expires > 0 AND expires <= ?`), at.UnixMicro())
		if err != nil {
			return fmt.Errorf("sqlstore: deleting expired credentials: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// ListCredentials returns credentials without their secret hashes; see
// store.CredentialAdmin.
func (s *Store) ListCredentials(ctx context.Context, kind store.CredentialKind) ([]store.Credential, error) {
	query := `SELECT kind, lookup_key, tenant, name, created, expires FROM credentials`
	var args []any
	if kind != "" {
		query += ` WHERE kind = ?`
		args = append(args, string(kind))
	}
	query += ` ORDER BY created, kind, lookup_key`
	rows, err := s.read.QueryContext(ctx, s.rebind(query), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: listing credentials: %w", err)
	}
	defer rows.Close()
	var out []store.Credential
	for rows.Next() {
		var (
			c                store.Credential
			k                string
			created, expires int64
		)
		if err := rows.Scan(&k, &c.Key, &c.Tenant, &c.Name, &created, &expires); err != nil {
			return nil, fmt.Errorf("sqlstore: reading a credential row: %w", err)
		}
		c.Kind = store.CredentialKind(k)
		c.Created = time.UnixMicro(created).UTC()
		if expires != 0 {
			c.Expires = time.UnixMicro(expires).UTC()
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: listing credentials: %w", err)
	}
	return out, nil
}

// DeleteCredential removes one credential; see store.CredentialAdmin.
func (s *Store) DeleteCredential(ctx context.Context, kind store.CredentialKind, key string) error {
	n, err := s.deleteCredentials(ctx, `DELETE FROM credentials WHERE kind = ? AND lookup_key = ?`, string(kind), key)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: no %s credential %q", store.ErrNotFound, kind, key)
	}
	return nil
}

// DeleteCredentialsNamed removes the credentials of kind with that name;
// see store.CredentialAdmin.
func (s *Store) DeleteCredentialsNamed(ctx context.Context, kind store.CredentialKind, name string) (int, error) {
	return s.deleteCredentials(ctx, `DELETE FROM credentials WHERE kind = ? AND name = ?`, string(kind), name)
}

func (s *Store) deleteCredentials(ctx context.Context, query string, args ...any) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(query), args...)
		if err != nil {
			return fmt.Errorf("sqlstore: deleting credentials: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// Ping checks that the database responds to a query, for a health check.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("sqlstore: the database did not respond to SELECT 1: %w", err)
	}
	return nil
}
