package sqlstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/scimdoctor/scimdoctor/scim/store"
)

// queryer is the query interface of both *sql.DB and *sql.Tx.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// resourceColumns are the columns that scanResource reads, in its order.
const resourceColumns = "r.pk, r.type, r.id, r.version, r.created, r.last_modified, r.doc"

type rowScanner interface {
	Scan(dest ...any) error
}

// scanResource reads the resourceColumns of one row.
func scanResource(row rowScanner) (int64, store.Resource, error) {
	var (
		pk, created, modified int64
		typ, doc              string
		r                     store.Resource
	)
	if err := row.Scan(&pk, &typ, &r.ID, &r.Version, &created, &modified, &doc); err != nil {
		return 0, r, err
	}
	r.Type = store.ResourceType(typ)
	r.Created = time.UnixMicro(created).UTC()
	r.LastModified = time.UnixMicro(modified).UTC()
	r.Doc = json.RawMessage(doc)
	return pk, r, nil
}

// now returns the current time at the precision the store keeps.
func now() time.Time {
	return time.Now().UTC().Truncate(time.Microsecond)
}

// newID returns a random (version 4) UUID in its canonical text form.
func newID() string {
	var b [16]byte
	rand.Read(b[:]) // crypto/rand.Read never returns an error since Go 1.24
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Create stores a new resource; see store.Store.
func (s *Store) Create(ctx context.Context, tenant string, typ store.ResourceType, doc json.RawMessage, members []string) (store.Resource, error) {
	if err := checkTenant(tenant); err != nil {
		return store.Resource{}, err
	}
	if err := checkType(typ); err != nil {
		return store.Resource{}, err
	}
	cols, err := extractColumns(typ, doc)
	if err != nil {
		return store.Resource{}, err
	}
	if typ == store.User && len(members) > 0 {
		return store.Resource{}, store.Invalidf("a User has no members, but %d member ids were passed", len(members))
	}

	t := now()
	r := store.Resource{Type: typ, ID: newID(), Version: 1, Created: t, LastModified: t, Doc: doc}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var pk int64
		err := tx.QueryRowContext(ctx, s.rebind(`INSERT INTO resources
    (tenant, type, id, version, created, last_modified, user_name, user_name_fold, external_id, display_name, display_name_fold, doc)
    VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING pk`),
			tenant, string(typ), r.ID, t.UnixMicro(), t.UnixMicro(),
			cols.userName, cols.userNameFold, cols.externalID, cols.displayName, cols.displayNameFold, string(doc)).Scan(&pk)
		if err != nil {
			return s.writeError(err, cols)
		}
		if err := s.writeEmails(ctx, tx, tenant, pk, cols.emails); err != nil {
			return err
		}
		if typ != store.Group {
			return nil
		}
		editor := &memberEditor{s: s, ctx: ctx, tx: tx, tenant: tenant, groupPK: pk, groupID: r.ID}
		if err := editor.Add(members...); err != nil {
			return err
		}
		r.Members, err = s.loadMembers(ctx, tx, pk)
		return err
	})
	if err != nil {
		return store.Resource{}, err
	}
	return r, nil
}

// writeError maps a failed write of a resource row to a store error.
func (s *Store) writeError(err error, cols columns) error {
	if s.dialect.isUserNameConflict(err) {
		return &store.ConflictError{Attribute: "userName", Value: cols.userName.String}
	}
	return fmt.Errorf("sqlstore: writing the resource: %w", err)
}

// writeEmails replaces the indexed email addresses of a resource.
func (s *Store) writeEmails(ctx context.Context, tx *sql.Tx, tenant string, pk int64, emails []string) error {
	if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM emails WHERE resource_pk = ?`), pk); err != nil {
		return fmt.Errorf("sqlstore: removing email addresses: %w", err)
	}
	for _, e := range emails {
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO emails (resource_pk, tenant, value_fold) VALUES (?, ?, ?)`), pk, tenant, e); err != nil {
			return fmt.Errorf("sqlstore: storing email address: %w", err)
		}
	}
	return nil
}

// Get returns one resource; see store.Store.
func (s *Store) Get(ctx context.Context, tenant string, typ store.ResourceType, id string, opts store.ReadOptions) (store.Resource, error) {
	if err := checkTenant(tenant); err != nil {
		return store.Resource{}, err
	}
	if err := checkType(typ); err != nil {
		return store.Resource{}, err
	}
	var r store.Resource
	err := s.inReadTx(ctx, func(tx *sql.Tx) error {
		pk, res, err := s.selectResource(ctx, tx, tenant, typ, id, "")
		if err != nil {
			return err
		}
		r = res
		if typ == store.Group && !opts.ExcludeMembers {
			r.Members, err = s.loadMembers(ctx, tx, pk)
		}
		return err
	})
	return r, err
}

// selectResource reads one resource row, with lock appended to the query
// (the dialect's FOR UPDATE clause, or "").
func (s *Store) selectResource(ctx context.Context, q queryer, tenant string, typ store.ResourceType, id, lock string) (int64, store.Resource, error) {
	row := q.QueryRowContext(ctx, s.rebind(`SELECT `+resourceColumns+` FROM resources r
    WHERE r.tenant = ? AND r.id = ? AND r.type = ?`+lock), tenant, id, string(typ))
	pk, r, err := scanResource(row)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, r, fmt.Errorf("%w: %s %q in tenant %q", store.ErrNotFound, typ, id, tenant)
	}
	if err != nil {
		return 0, r, fmt.Errorf("sqlstore: reading %s %q: %w", typ, id, err)
	}
	return pk, r, nil
}

// Replace stores a new document; see store.Store.
func (s *Store) Replace(ctx context.Context, tenant string, typ store.ResourceType, id string, doc json.RawMessage, ifVersion int64) (store.Resource, error) {
	if err := checkTenant(tenant); err != nil {
		return store.Resource{}, err
	}
	if err := checkType(typ); err != nil {
		return store.Resource{}, err
	}
	cols, err := extractColumns(typ, doc)
	if err != nil {
		return store.Resource{}, err
	}
	var r store.Resource
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		pk, current, err := s.selectResource(ctx, tx, tenant, typ, id, s.dialect.forUpdate())
		if err != nil {
			return err
		}
		if ifVersion != 0 && ifVersion != current.Version {
			return versionMismatch(typ, id, ifVersion, current.Version)
		}
		r = current
		if bytes.Equal(current.Doc, doc) {
			return nil
		}
		r, err = s.writeDoc(ctx, tx, tenant, pk, current, doc, cols)
		return err
	})
	return r, err
}

func versionMismatch(typ store.ResourceType, id string, expected, stored int64) error {
	return fmt.Errorf("%w: %s %q is at version %d, not %d; read it again and retry with the new ETag", store.ErrVersionMismatch, typ, id, stored, expected)
}

// writeDoc stores doc as the new document of the locked row pk and moves
// its version and lastModified.
func (s *Store) writeDoc(ctx context.Context, tx *sql.Tx, tenant string, pk int64, current store.Resource, doc json.RawMessage, cols columns) (store.Resource, error) {
	r := current
	r.Version++
	r.LastModified = now()
	r.Doc = doc
	_, err := tx.ExecContext(ctx, s.rebind(`UPDATE resources SET version = ?, last_modified = ?,
    user_name = ?, user_name_fold = ?, external_id = ?, display_name = ?, display_name_fold = ?, doc = ?
    WHERE pk = ?`),
		r.Version, r.LastModified.UnixMicro(),
		cols.userName, cols.userNameFold, cols.externalID, cols.displayName, cols.displayNameFold, string(doc), pk)
	if err != nil {
		return current, s.writeError(err, cols)
	}
	if current.Type == store.User {
		if err := s.writeEmails(ctx, tx, tenant, pk, cols.emails); err != nil {
			return current, err
		}
	}
	return r, nil
}

// bumpVersion moves the version and lastModified of the row pk after a
// change of membership.
func (s *Store) bumpVersion(ctx context.Context, tx *sql.Tx, pk int64, r store.Resource) (store.Resource, error) {
	r.Version++
	r.LastModified = now()
	_, err := tx.ExecContext(ctx, s.rebind(`UPDATE resources SET version = ?, last_modified = ? WHERE pk = ?`),
		r.Version, r.LastModified.UnixMicro(), pk)
	if err != nil {
		return r, fmt.Errorf("sqlstore: updating the version of %s %q: %w", r.Type, r.ID, err)
	}
	return r, nil
}

// Update runs a read-modify-write; see store.Store and store.UpdateFunc.
func (s *Store) Update(ctx context.Context, tenant string, typ store.ResourceType, id string, fn store.UpdateFunc) (store.Resource, error) {
	if err := checkTenant(tenant); err != nil {
		return store.Resource{}, err
	}
	if err := checkType(typ); err != nil {
		return store.Resource{}, err
	}
	var r store.Resource
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		pk, current, err := s.selectResource(ctx, tx, tenant, typ, id, s.dialect.forUpdate())
		if err != nil {
			return err
		}
		var editor *memberEditor
		var members store.MemberEditor
		if typ == store.Group {
			editor = &memberEditor{s: s, ctx: ctx, tx: tx, tenant: tenant, groupPK: pk, groupID: id}
			members = editor
		}

		doc, err := fn(current, members)
		if err != nil {
			return err
		}

		r = current
		if doc != nil && !bytes.Equal(doc, current.Doc) {
			cols, err := extractColumns(typ, doc)
			if err != nil {
				return err
			}
			r, err = s.writeDoc(ctx, tx, tenant, pk, current, doc, cols)
			return err
		}
		if editor != nil && editor.changed {
			r, err = s.bumpVersion(ctx, tx, pk, current)
		}
		return err
	})
	return r, err
}

// Delete removes a resource and its memberships; see store.Store.
func (s *Store) Delete(ctx context.Context, tenant string, typ store.ResourceType, id string, ifVersion int64) error {
	if err := checkTenant(tenant); err != nil {
		return err
	}
	if err := checkType(typ); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		pk, current, err := s.selectResource(ctx, tx, tenant, typ, id, s.dialect.forUpdate())
		if err != nil {
			return err
		}
		if ifVersion != 0 && ifVersion != current.Version {
			return versionMismatch(typ, id, ifVersion, current.Version)
		}

		// The groups that lose this member change, so their ETags must too.
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE resources SET version = version + 1, last_modified = ?
    WHERE pk IN (SELECT group_pk FROM members WHERE member_pk = ?)`), now().UnixMicro(), pk); err != nil {
			return fmt.Errorf("sqlstore: updating the groups of %s %q: %w", typ, id, err)
		}

		// The foreign keys delete the memberships and email addresses.
		if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM resources WHERE pk = ?`), pk); err != nil {
			return fmt.Errorf("sqlstore: deleting %s %q: %w", typ, id, err)
		}
		return nil
	})
}
