package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/scimdoctor/scimdoctor/scim/store"
)

// idChunk is how many ids one statement carries. SQLite allows 32766 bound
// parameters per statement since 3.32 and PostgreSQL 65535; an insert of
// a chunk binds two per id.
const idChunk = 500

// memberEditor changes the membership of one Group whose row the
// transaction has locked.
type memberEditor struct {
	s       *Store
	ctx     context.Context
	tx      *sql.Tx
	tenant  string
	groupPK int64
	groupID string
	// changed is set when a row of the members table was inserted or deleted.
	changed bool
}

// resolve returns the row keys of ids, without duplicates, in the order
// of first appearance. With strict set, an id that is not a resource of
// the tenant is a *store.MemberNotFoundError; otherwise it is skipped.
func (e *memberEditor) resolve(ids []string, strict bool) ([]int64, error) {
	found := make(map[string]int64, len(ids))
	for start := 0; start < len(ids); start += idChunk {
		chunk := ids[start:min(start+idChunk, len(ids))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, e.tenant)
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := e.tx.QueryContext(e.ctx, e.s.rebind(`SELECT id, pk FROM resources WHERE tenant = ? AND id IN (`+placeholders(len(chunk))+`)`), args...)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: looking up member ids: %w", err)
		}
		for rows.Next() {
			var id string
			var pk int64
			if err := rows.Scan(&id, &pk); err != nil {
				rows.Close()
				return nil, fmt.Errorf("sqlstore: looking up member ids: %w", err)
			}
			found[id] = pk
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("sqlstore: looking up member ids: %w", err)
		}
	}

	pks := make([]int64, 0, len(ids))
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		pk, ok := found[id]
		if !ok {
			if strict {
				return nil, &store.MemberNotFoundError{ID: id}
			}
			continue
		}
		if pk == e.groupPK {
			if strict {
				return nil, store.Invalidf("Group %q cannot be a member of itself; remove its own id from the member list", e.groupID)
			}
			continue
		}
		if !seen[pk] {
			seen[pk] = true
			pks = append(pks, pk)
		}
	}
	return pks, nil
}

// placeholders returns "?, ?, ..." with n placeholders.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// Add makes ids members; present members stay as they are.
func (e *memberEditor) Add(ids ...string) error {
	pks, err := e.resolve(ids, true)
	if err != nil {
		return err
	}
	return e.insert(pks)
}

func (e *memberEditor) insert(pks []int64) error {
	for start := 0; start < len(pks); start += idChunk {
		chunk := pks[start:min(start+idChunk, len(pks))]
		args := make([]any, 0, 2*len(chunk))
		for _, pk := range chunk {
			args = append(args, e.groupPK, pk)
		}
		values := strings.TrimSuffix(strings.Repeat("(?, ?), ", len(chunk)), ", ")
		result, err := e.tx.ExecContext(e.ctx, e.s.rebind(`INSERT INTO members (group_pk, member_pk) VALUES `+values+` ON CONFLICT DO NOTHING`), args...)
		if err != nil {
			return fmt.Errorf("sqlstore: adding members to Group %q: %w", e.groupID, err)
		}
		if n, err := result.RowsAffected(); err != nil || n > 0 {
			e.changed = true
		}
	}
	return nil
}

// Remove drops ids from the members. Ids that are not members, or not
// resources at all, are skipped: the caller's intent, that they are not
// members, holds already.
func (e *memberEditor) Remove(ids ...string) error {
	pks, err := e.resolve(ids, false)
	if err != nil {
		return err
	}
	return e.delete(pks)
}

func (e *memberEditor) delete(pks []int64) error {
	for start := 0; start < len(pks); start += idChunk {
		chunk := pks[start:min(start+idChunk, len(pks))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, e.groupPK)
		for _, pk := range chunk {
			args = append(args, pk)
		}
		result, err := e.tx.ExecContext(e.ctx, e.s.rebind(`DELETE FROM members WHERE group_pk = ? AND member_pk IN (`+placeholders(len(chunk))+`)`), args...)
		if err != nil {
			return fmt.Errorf("sqlstore: removing members from Group %q: %w", e.groupID, err)
		}
		if n, err := result.RowsAffected(); err != nil || n > 0 {
			e.changed = true
		}
	}
	return nil
}

// Replace makes ids the whole membership, touching only the rows that
// differ.
func (e *memberEditor) Replace(ids ...string) error {
	requested, err := e.resolve(ids, true)
	if err != nil {
		return err
	}
	keep := make(map[int64]bool, len(requested))
	for _, pk := range requested {
		keep[pk] = true
	}

	rows, err := e.tx.QueryContext(e.ctx, e.s.rebind(`SELECT member_pk FROM members WHERE group_pk = ?`), e.groupPK)
	if err != nil {
		return fmt.Errorf("sqlstore: reading the members of Group %q: %w", e.groupID, err)
	}
	var drop []int64
	for rows.Next() {
		var pk int64
		if err := rows.Scan(&pk); err != nil {
			rows.Close()
			return fmt.Errorf("sqlstore: reading the members of Group %q: %w", e.groupID, err)
		}
		if keep[pk] {
			delete(keep, pk)
		} else {
			drop = append(drop, pk)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlstore: reading the members of Group %q: %w", e.groupID, err)
	}

	var add []int64
	for _, pk := range requested {
		if keep[pk] {
			add = append(add, pk)
		}
	}
	if err := e.delete(drop); err != nil {
		return err
	}
	return e.insert(add)
}

// loadMembers returns every member of the group pk, ordered by the
// members' creation. The slice is empty, not nil, for a group without
// members.
func (s *Store) loadMembers(ctx context.Context, q queryer, groupPK int64) ([]store.Member, error) {
	rows, err := q.QueryContext(ctx, s.rebind(`SELECT r.id, r.type FROM members m JOIN resources r ON r.pk = m.member_pk
    WHERE m.group_pk = ? ORDER BY m.member_pk`), groupPK)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: reading members: %w", err)
	}
	return scanMembers(rows)
}

func scanMembers(rows *sql.Rows) ([]store.Member, error) {
	defer rows.Close()
	members := []store.Member{}
	for rows.Next() {
		var m store.Member
		var typ string
		if err := rows.Scan(&m.ID, &typ); err != nil {
			return nil, fmt.Errorf("sqlstore: reading members: %w", err)
		}
		m.Type = store.ResourceType(typ)
		members = append(members, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: reading members: %w", err)
	}
	return members, nil
}

// editMembers locks a Group, runs edit and moves the Group's version when
// the membership changed.
func (s *Store) editMembers(ctx context.Context, tenant, groupID string, edit func(*memberEditor) error) (store.Resource, error) {
	if err := checkTenant(tenant); err != nil {
		return store.Resource{}, err
	}
	var r store.Resource
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		pk, current, err := s.selectResource(ctx, tx, tenant, store.Group, groupID, s.dialect.forUpdate())
		if err != nil {
			return err
		}
		editor := &memberEditor{s: s, ctx: ctx, tx: tx, tenant: tenant, groupPK: pk, groupID: groupID}
		if err := edit(editor); err != nil {
			return err
		}
		r = current
		if editor.changed {
			r, err = s.bumpVersion(ctx, tx, pk, current)
		}
		return err
	})
	return r, err
}

// AddMembers adds members to a Group; see store.Store.
func (s *Store) AddMembers(ctx context.Context, tenant, groupID string, ids []string) (store.Resource, error) {
	return s.editMembers(ctx, tenant, groupID, func(e *memberEditor) error { return e.Add(ids...) })
}

// RemoveMembers removes members from a Group; see store.Store.
func (s *Store) RemoveMembers(ctx context.Context, tenant, groupID string, ids []string) (store.Resource, error) {
	return s.editMembers(ctx, tenant, groupID, func(e *memberEditor) error { return e.Remove(ids...) })
}

// ReplaceMembers sets the members of a Group; see store.Store.
func (s *Store) ReplaceMembers(ctx context.Context, tenant, groupID string, ids []string) (store.Resource, error) {
	return s.editMembers(ctx, tenant, groupID, func(e *memberEditor) error { return e.Replace(ids...) })
}

// ListMembers returns one page of a Group's members; see store.Store.
func (s *Store) ListMembers(ctx context.Context, tenant, groupID string, startIndex, count int) (store.MemberPage, error) {
	if err := checkTenant(tenant); err != nil {
		return store.MemberPage{}, err
	}
	var page store.MemberPage
	err := s.inReadTx(ctx, func(tx *sql.Tx) error {
		pk, _, err := s.selectResource(ctx, tx, tenant, store.Group, groupID, "")
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM members WHERE group_pk = ?`), pk).Scan(&page.Total); err != nil {
			return fmt.Errorf("sqlstore: counting the members of Group %q: %w", groupID, err)
		}
		if count == 0 {
			page.Members = []store.Member{}
			return nil
		}
		rows, err := tx.QueryContext(ctx, s.rebind(`SELECT r.id, r.type FROM members m JOIN resources r ON r.pk = m.member_pk
    WHERE m.group_pk = ? ORDER BY m.member_pk`+s.dialect.limit(count, max(startIndex, 1)-1)), pk)
		if err != nil {
			return fmt.Errorf("sqlstore: reading the members of Group %q: %w", groupID, err)
		}
		page.Members, err = scanMembers(rows)
		return err
	})
	return page, err
}

// GroupsOf returns the Groups a resource is a direct member of; see
// store.Store.
func (s *Store) GroupsOf(ctx context.Context, tenant, id string) ([]store.GroupRef, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	var groups []store.GroupRef
	err := s.inReadTx(ctx, func(tx *sql.Tx) error {
		var pk int64
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT pk FROM resources WHERE tenant = ? AND id = ?`), tenant, id).Scan(&pk)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: resource %q in tenant %q", store.ErrNotFound, id, tenant)
		}
		if err != nil {
			return fmt.Errorf("sqlstore: reading resource %q: %w", id, err)
		}
		rows, err := tx.QueryContext(ctx, s.rebind(`SELECT g.id, g.display_name FROM members m JOIN resources g ON g.pk = m.group_pk
    WHERE m.member_pk = ? ORDER BY g.id`), pk)
		if err != nil {
			return fmt.Errorf("sqlstore: reading the groups of %q: %w", id, err)
		}
		defer rows.Close()
		groups = []store.GroupRef{}
		for rows.Next() {
			var g store.GroupRef
			var name sql.NullString
			if err := rows.Scan(&g.ID, &name); err != nil {
				return fmt.Errorf("sqlstore: reading the groups of %q: %w", id, err)
			}
			g.DisplayName = name.String
			groups = append(groups, g)
		}
		return rows.Err()
	})
	return groups, err
}
