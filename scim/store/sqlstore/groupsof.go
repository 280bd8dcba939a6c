package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/scimdoctor/scimdoctor/scim/store"
)

// groupsOfChunk is how many resource ids one GroupsOfMany query reads.
const groupsOfChunk = 500

// GroupsOfMany returns, for each of ids, the Groups that it is a direct
// member of, ordered by group id as GroupsOf orders them. An id that is in
// no Group, or that is not a resource of the tenant, has no entry, so
// unlike GroupsOf it never returns store.ErrNotFound. A list page of 100
// Users reads its groups with one query instead of 100 transactions.
func (s *Store) GroupsOfMany(ctx context.Context, tenant string, ids []string) (map[string][]store.GroupRef, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	groups := make(map[string][]store.GroupRef)
	if len(ids) == 0 {
		return groups, nil
	}
	// One statement reads a consistent snapshot in both databases, so a
	// single chunk needs no transaction.
	read := func(q queryer, chunk []string) error {
		args := make([]any, 0, len(chunk)+1)
		args = append(args, tenant)
		for _, id := range chunk {
			args = append(args, id)
		}
		query := s.rebind(`SELECT u.id, g.id, g.display_name FROM resources u
    JOIN members m ON m.member_pk = u.pk JOIN resources g ON g.pk = m.group_pk
    WHERE u.tenant = ? AND u.id IN (` + placeholders(len(chunk)) + `) ORDER BY u.id, g.id`)
		var rows *sql.Rows
		var err error
		if len(chunk) == 1 {
			// The one-id shape of a single read is worth a prepared
			// statement; longer lists vary in length.
			rows, err = s.dbQuery(ctx, q, query, args...)
		} else {
			rows, err = q.QueryContext(ctx, query, args...)
		}
		if err != nil {
			return fmt.Errorf("sqlstore: reading the groups of %d resources: %w", len(chunk), err)
		}
		defer rows.Close()
		for rows.Next() {
			var member string
			var g store.GroupRef
			var name sql.NullString
			if err := rows.Scan(&member, &g.ID, &name); err != nil {
				return fmt.Errorf("sqlstore: reading the groups of %d resources: %w", len(chunk), err)
			}
			g.DisplayName = name.String
			groups[member] = append(groups[member], g)
		}
		return rows.Err()
	}
	if len(ids) <= groupsOfChunk {
		return groups, read(s.read, ids)
	}
	err := s.inReadTx(ctx, func(tx *sql.Tx) error {
		for start := 0; start < len(ids); start += groupsOfChunk {
			if err := read(tx, ids[start:min(start+groupsOfChunk, len(ids))]); err != nil {
				return err
			}
		}
		return nil
	})
	return groups, err
}

// dbQuery runs query with a cached prepared statement when q is the read
// pool and the cache has room, and as a plain query otherwise.
func (s *Store) dbQuery(ctx context.Context, q queryer, query string, args ...any) (*sql.Rows, error) {
	if db, ok := q.(*sql.DB); ok {
		st, err := s.stmts.prepared(ctx, db, query)
		if err != nil {
			return nil, err
		}
		if st != nil {
			return st.QueryContext(ctx, args...)
		}
	}
	return q.QueryContext(ctx, query, args...)
}
