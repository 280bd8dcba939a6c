package server

import (
	"time"

	"github.com/scimdoctor/scimdoctor/scim"
	"github.com/scimdoctor/scimdoctor/scim/filter"
	"github.com/scimdoctor/scimdoctor/scim/schema"
	"github.com/scimdoctor/scimdoctor/scim/store"
)

// queryPlan splits a filter into the part the store runs in SQL and the
// part that runs in memory. A resource matches the filter exactly when it
// matches where and residual, so residual is set whenever any part of the
// filter could not be pushed down exactly.
type queryPlan struct {
	where    store.Expr
	residual filter.Predicate
	// needsRendered is true when residual reads id, meta, members or
	// groups, which the stored document lacks. needsMembers is true when
	// it reads a Group's members.
	needsRendered bool
	needsMembers  bool
}

// plan compiles e for rt (so a bad filter is a 400 before any query) and
// splits it:
//
//   - a term that maps exactly to an indexed field (see exactCondition)
//     goes to SQL alone;
//   - the terms of a top-level "and" are split one by one, so the exact
//     ones still narrow the SQL query;
//   - an inexact term contributes a necessary condition to SQL when it has
//     one (Entra's emails[type eq "work"].value eq "x" implies
//     emails.value eq "x") and runs in memory in full.
func plan(rt *schema.ResourceType, e filter.Expr) (queryPlan, error) {
	if e == nil {
		return queryPlan{}, nil
	}
	if _, err := filter.Compile(e, rt); err != nil {
		return queryPlan{}, err
	}
	terms := []filter.Expr{e}
	if l, ok := e.(*filter.Logical); ok && l.Op == filter.And {
		terms = l.Terms
	}
	var p queryPlan
	var where store.And
	var rest []filter.Expr
	for _, t := range terms {
		if x, ok := exact(rt, t); ok {
			where = append(where, x)
			continue
		}
		if n := necessary(rt, t); n != nil {
			where = append(where, n)
		}
		rest = append(rest, t)
	}
	switch len(where) {
	case 0:
	case 1:
		p.where = where[0]
	default:
		p.where = where
	}
	if len(rest) > 0 {
		var residual filter.Expr = rest[0]
		if len(rest) > 1 {
			residual = &filter.Logical{Op: filter.And, Terms: rest}
		}
		pred, err := filter.Compile(residual, rt)
		if err != nil {
			return queryPlan{}, err // unreachable: the whole filter compiled
		}
		p.residual = pred
		p.needsRendered, p.needsMembers = readsRendered(rt, residual)
	}
	return p, nil
}

// readsRendered reports whether e reads an attribute that only the
// rendered resource has, and whether that is a Group's members.
func readsRendered(rt *schema.ResourceType, e filter.Expr) (rendered, members bool) {
	filter.Walk(e, func(x filter.Expr) bool {
		var p scim.AttrPath
		switch x := x.(type) {
		case *filter.Compare:
			p = x.Path
		case *filter.Present:
			p = x.Path
		case *filter.ValuePath:
			p = x.Path
		default:
			return true
		}
		path, err := rt.Resolve(p, scim.InvalidFilter)
		if err != nil || path.Attribute == nil {
			return true
		}
		name := path.Attribute.Name
		switch {
		case path.Schema == rt.Common && (name == "id" || name == "meta"):
			rendered = true
		case !path.Extension && path.Schema == rt.Schema && name == "members":
			rendered, members = true, true
		case !path.Extension && path.Schema == rt.Schema && name == "groups":
			rendered = true
		}
		// The sub-filter of a value path names sub-attributes, not
		// top-level ones.
		_, isValuePath := x.(*filter.ValuePath)
		return !isValuePath
	})
	return rendered, members
}

// indexedField returns the store field that the path names, or "".
func indexedField(rt *schema.ResourceType, p scim.AttrPath) store.Field {
	path, err := rt.Resolve(p, scim.InvalidFilter)
	if err != nil || path.Attribute == nil || path.Extension {
		return ""
	}
	name := path.Attribute.Name
	sub := ""
	if path.Sub != nil {
		sub = path.Sub.Name
	}
	if path.Schema == rt.Common {
		switch {
		case name == "id" && sub == "":
			return store.FieldID
		case name == "externalId" && sub == "":
			return store.FieldExternalID
		case name == "meta" && sub == "created":
			return store.FieldCreated
		case name == "meta" && sub == "lastModified":
			return store.FieldLastModified
		}
		return ""
	}
	switch {
	case rt.Name == "User" && name == "userName" && sub == "":
		return store.FieldUserName
	case name == "displayName" && sub == "":
		return store.FieldDisplayName
	case rt.Name == "User" && name == "emails" && (sub == "" || sub == "value"):
		return store.FieldEmail
	}
	return ""
}

// exact returns the store expression that selects exactly the resources
// that e matches, or false.
func exact(rt *schema.ResourceType, e filter.Expr) (store.Expr, bool) {
	switch e := e.(type) {
	case *filter.Compare:
		return exactCondition(rt, e)
	case *filter.Present:
		field := indexedField(rt, e.Path)
		// "emails pr" is true for an element without a value, which the
		// emails table does not hold, so only emails.value pr is exact.
		if field == "" || (field == store.FieldEmail && e.Path.Sub == "") {
			return nil, false
		}
		return &store.Condition{Field: field, Op: store.Pr}, true
	case *filter.Not:
		x, ok := exact(rt, e.X)
		if !ok {
			return nil, false
		}
		return &store.Not{Expr: x}, true
	case *filter.Logical:
		list := make([]store.Expr, 0, len(e.Terms))
		for _, t := range e.Terms {
			x, ok := exact(rt, t)
			if !ok {
				return nil, false
			}
			list = append(list, x)
		}
		if e.Op == filter.And {
			return store.And(list), true
		}
		return store.Or(list), true
	}
	return nil, false
}

// exactCondition maps one comparison to a store condition when the store
// compares as RFC 7644 and scim/filter do. String fields compare under the
// same folding (store.FoldCase and schema.Fold agree) or case-exact. The
// meta times compare as instants with the store's microsecond precision.
func exactCondition(rt *schema.ResourceType, c *filter.Compare) (store.Expr, bool) {
	field := indexedField(rt, c.Path)
	if field == "" {
		return nil, false
	}
	if c.Value.Kind != filter.StringValue {
		return nil, false
	}
	op := store.Op(c.Op)
	if field == store.FieldCreated || field == store.FieldLastModified {
		switch c.Op {
		case filter.Co, filter.Sw, filter.Ew:
			return nil, false
		}
		t, err := schema.ParseDateTime(c.Value.Text)
		if err != nil || !t.Equal(t.Truncate(time.Microsecond)) {
			return nil, false
		}
		return &store.Condition{Field: field, Op: op, Value: t}, true
	}
	return &store.Condition{Field: field, Op: op, Value: c.Value.Text}, true
}

// necessary returns a store expression that every resource matching e
// also matches, or nil: a superset the store can select by index.
func necessary(rt *schema.ResourceType, e filter.Expr) store.Expr {
	if x, ok := exact(rt, e); ok {
		return x
	}
	switch e := e.(type) {
	case *filter.Logical:
		var list []store.Expr
		for _, t := range e.Terms {
			n := necessary(rt, t)
			if e.Op == filter.Or && n == nil {
				return nil
			}
			if n != nil {
				list = append(list, n)
			}
		}
		switch {
		case len(list) == 0:
			return nil
		case e.Op == filter.Or:
			return store.Or(list)
		}
		return store.And(list)
	case *filter.ValuePath:
		// emails[... and value eq "x"]: the matching element's value is "x",
		// so some address of the User is "x". An "ne" term implies nothing
		// about the other addresses, so it is skipped.
		if indexedField(rt, scim.AttrPath{URI: e.Path.URI, Name: e.Path.Name}) != store.FieldEmail {
			return nil
		}
		terms := []filter.Expr{e.Filter}
		if l, ok := e.Filter.(*filter.Logical); ok && l.Op == filter.And {
			terms = l.Terms
		}
		for _, t := range terms {
			c, ok := t.(*filter.Compare)
			if !ok || c.Op == filter.Ne || c.Path.URI != "" || c.Path.Sub != "" || !equalFold(c.Path.Name, "value") || c.Value.Kind != filter.StringValue {
				continue
			}
			return &store.Condition{Field: store.FieldEmail, Op: store.Op(c.Op), Value: c.Value.Text}
		}
	}
	return nil
}

func equalFold(a, b string) bool { return schema.CompareFold(a, b) == 0 }
