package server

import (
	"context"

	"github.com/scimdoctor/scimdoctor/scim/store"
)

// groupsReader is a store that reads the Groups of many resources at once,
// as sqlstore.Store does with one query. GroupsOfMany leaves out ids that
// are in no Group or do not exist.
type groupsReader interface {
	GroupsOfMany(ctx context.Context, tenant string, ids []string) (map[string][]store.GroupRef, error)
}

// groupsOfUsers returns the Groups of each User among resources, keyed by
// id, for the "groups" attribute and the entity tag. A User in no Group
// maps to an empty list. Stores without GroupsOfMany cost one GroupsOf per
// User.
func (s *Server) groupsOfUsers(ctx context.Context, tenant string, resources []store.Resource) (map[string][]store.GroupRef, error) {
	var ids []string
	for _, res := range resources {
		if res.Type == store.User {
			ids = append(ids, res.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	if b, ok := s.cfg.Store.(groupsReader); ok {
		groups, err := b.GroupsOfMany(ctx, tenant, ids)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if groups[id] == nil {
				groups[id] = []store.GroupRef{}
			}
		}
		return groups, nil
	}
	groups := make(map[string][]store.GroupRef, len(ids))
	for _, id := range ids {
		g, err := s.cfg.Store.GroupsOf(ctx, tenant, id)
		if err != nil {
			return nil, err
		}
		groups[id] = g
	}
	return groups, nil
}
