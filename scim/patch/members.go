package patch

import (
	"fmt"
	"strings"

	"github.com/scimdoctor/scimdoctor/scim"
	"github.com/scimdoctor/scimdoctor/scim/filter"
	"github.com/scimdoctor/scimdoctor/scim/schema"
	"github.com/scimdoctor/scimdoctor/scim/store"
)

// MemberSource returns the current members of the Group being patched.
// Apply calls it at most once per request, and only for a remove whose
// filter is more than value eq "id" terms joined by "or", such as
// members[type eq "Group"]. So a PATCH that adds or removes members by id
// never loads a group of 100,000 members. A nil MemberSource is allowed,
// and Apply then fails with a plain (non-SCIM) error when such a filter
// arrives.
type MemberSource interface {
	Members() ([]store.Member, error)
}

// MemberChange is the net effect of a request's member operations, to be
// applied through store.MemberEditor in the transaction that stores Doc.
//
// Apply composes the operations in request order, so the three fields are
// never all in use: after a replace, Replace holds the whole new membership
// and later adds and removes edit that list, leaving Add and Remove empty.
// Without a replace, Add and Remove are disjoint, so their order does not
// matter. A replace followed by an add therefore yields Replace = the
// replaced list plus the added members.
type MemberChange struct {
	// Replace, when not nil, is the whole new membership (empty to remove
	// every member).
	Replace *[]store.Member
	// Add lists the members to add, without duplicates.
	Add []store.Member
	// Remove lists the member ids to remove, without duplicates.
	Remove []string
}

// Empty reports whether the change leaves the membership alone.
func (c *MemberChange) Empty() bool {
	return c.Replace == nil && len(c.Add) == 0 && len(c.Remove) == 0
}

// ApplyTo applies the change through ed: Replace when set, else Add and
// Remove. It returns the first error of ed unchanged, such as a wrapped
// store.ErrMemberNotFound for an unknown member id.
func (c *MemberChange) ApplyTo(ed store.MemberEditor) error {
	if c.Replace != nil {
		return ed.Replace(memberIDs(*c.Replace)...)
	}
	if len(c.Add) > 0 {
		if err := ed.Add(memberIDs(c.Add)...); err != nil {
			return err
		}
	}
	if len(c.Remove) > 0 {
		return ed.Remove(c.Remove...)
	}
	return nil
}

func memberIDs(ms []store.Member) []string {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	return ids
}

func (c *MemberChange) replace(ms []store.Member) {
	list := appendNew(make([]store.Member, 0, len(ms)), ms)
	c.Replace = &list
	c.Add, c.Remove = nil, nil
}

func (c *MemberChange) add(ms []store.Member) {
	if c.Replace != nil {
		*c.Replace = appendNew(*c.Replace, ms)
		return
	}
	c.Add = appendNew(c.Add, ms)
	if len(c.Remove) > 0 {
		added := make(map[string]bool, len(ms))
		for _, m := range ms {
			added[m.ID] = true
		}
		c.Remove = dropStrings(c.Remove, added)
	}
}

// remove works in time linear in the sizes of the lists, so an Entra
// removal of thousands of ids stays cheap.
func (c *MemberChange) remove(ids []string) {
	drop := make(map[string]bool, len(ids))
	for _, id := range ids {
		drop[id] = true
	}
	if c.Replace != nil {
		list := dropMembers(*c.Replace, drop)
		c.Replace = &list
		return
	}
	c.Add = dropMembers(c.Add, drop)
	if len(c.Add) == 0 {
		c.Add = nil
	}
	present := make(map[string]bool, len(c.Remove))
	for _, id := range c.Remove {
		present[id] = true
	}
	for _, id := range ids {
		if !present[id] {
			present[id] = true
			c.Remove = append(c.Remove, id)
		}
	}
}

// effective returns the membership after the change so far, reading the
// stored members with load.
func (c *MemberChange) effective(load func() ([]store.Member, error)) ([]store.Member, error) {
	if c.Replace != nil {
		return *c.Replace, nil
	}
	current, err := load()
	if err != nil {
		return nil, err
	}
	out := appendNew(nil, current)
	out = appendNew(out, c.Add)
	drop := make(map[string]bool, len(c.Remove))
	for _, id := range c.Remove {
		drop[id] = true
	}
	return dropMembers(out, drop), nil
}

// appendNew appends the members of add whose id is not yet in list.
func appendNew(list, add []store.Member) []store.Member {
	var seen map[string]bool
	if len(list)+len(add) > 16 {
		seen = make(map[string]bool, len(list)+len(add))
		for _, m := range list {
			seen[m.ID] = true
		}
	}
	for _, m := range add {
		if seen != nil {
			if seen[m.ID] {
				continue
			}
			seen[m.ID] = true
		} else if containsMember(list, m.ID) {
			continue
		}
		list = append(list, m)
	}
	return list
}

func containsMember(list []store.Member, id string) bool {
	for _, m := range list {
		if m.ID == id {
			return true
		}
	}
	return false
}

// dropMembers returns the members of list whose id is not in drop, in a
// new slice that is empty but not nil when none remain.
func dropMembers(list []store.Member, drop map[string]bool) []store.Member {
	out := make([]store.Member, 0, len(list))
	for _, m := range list {
		if !drop[m.ID] {
			out = append(out, m)
		}
	}
	return out
}

// dropStrings returns the strings of list not in drop, or nil when none remain.
func dropStrings(list []string, drop map[string]bool) []string {
	var out []string
	for _, s := range list {
		if !drop[s] {
			out = append(out, s)
		}
	}
	return out
}

// isMembers reports whether p is the Group "members" attribute, which the
// store keeps outside the document.
func isMembers(rt *schema.ResourceType, p schema.Path) bool {
	return p.Attribute != nil && !p.Extension && p.Schema == rt.Schema && strings.EqualFold(p.Attribute.Name, "members")
}

// parseMembers reads a list of member objects such as
// [{"value": "id", "type": "User", "$ref": null}]. One object without a
// list is accepted with RuleSingleForMulti.
//
// For a removal only the ids matter, so RuleMemberTypeMissing and
// RuleMemberRefNull do not fire.
func (a *applier) parseMembers(field string, v any, removal bool) ([]store.Member, error) {
	list, ok := v.([]any)
	if !ok {
		if _, isObj := v.(map[string]any); !isObj {
			return nil, scim.Errorf(400, scim.InvalidValue, `%s: members must be an array of objects such as [{"value": "<id>"}], not %s`, field, jsonType(v))
		}
		if err := a.dialect(RuleSingleForMulti, scim.InvalidValue, "%s: members must be an array of objects, not one object", field); err != nil {
			return nil, err
		}
		list = []any{v}
	}
	out := make([]store.Member, 0, len(list))
	for i, item := range list {
		m, err := a.parseMember(fmt.Sprintf("%s[%d]", field, i), item, removal)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

func (a *applier) parseMember(field string, item any, removal bool) (store.Member, error) {
	obj, ok := item.(map[string]any)
	if !ok {
		return store.Member{}, scim.Errorf(400, scim.InvalidValue, `%s: a member must be an object such as {"value": "<id>"}, not %s`, field, jsonType(item))
	}
	raw, _ := schema.Lookup(obj, "value")
	id, ok := raw.(string)
	if !ok || id == "" {
		return store.Member{}, scim.Errorf(400, scim.InvalidValue, `%s: a member needs "value", the member's id, as a non-empty string`, field)
	}
	m := store.Member{ID: id}

	typ, _ := schema.Lookup(obj, "type")
	switch t := typ.(type) {
	case nil:
		if !removal {
			a.fire(RuleMemberTypeMissing)
		}
	case string:
		switch {
		case strings.EqualFold(t, string(store.User)):
			m.Type = store.User
		case strings.EqualFold(t, string(store.Group)):
			m.Type = store.Group
		default:
			return store.Member{}, scim.Errorf(400, scim.InvalidValue, `%s.type: %s is not a member type: use "User" or "Group"`, field, scim.Quote(t))
		}
	default:
		return store.Member{}, scim.Errorf(400, scim.InvalidValue, `%s.type must be "User" or "Group", not %s`, field, jsonType(typ))
	}

	if ref, ok := schema.Lookup(obj, "$ref"); ok {
		switch ref.(type) {
		case nil:
			if !removal {
				a.fire(RuleMemberRefNull)
			}
		case string:
		default:
			return store.Member{}, scim.Errorf(400, scim.InvalidValue, `%s.$ref must be a URI string, not %s`, field, jsonType(ref))
		}
	}
	return m, nil
}

// memberOp applies one operation on the Group "members" attribute.
func (a *applier) memberOp(op, field string, fp *filter.Path, p schema.Path, value any, hasValue bool) error {
	if p.Sub != nil || (fp != nil && fp.Sub != "") {
		return scim.Errorf(400, scim.InvalidPath, `path: member sub-attributes are immutable: add, remove or replace whole members with path "members"`)
	}
	if fp != nil && fp.Filter != nil {
		if op != "remove" {
			return scim.Errorf(400, scim.InvalidPath, `path: %s takes path "members", not a member filter; remove a member with members[value eq "<id>"]`, op)
		}
		return a.removeMembersByFilter(fp, p)
	}

	switch op {
	case "add":
		if !hasValue {
			return scim.Errorf(400, scim.InvalidValue, `%s: add on "members" needs a list of members`, field)
		}
		if value == nil {
			a.fire(RuleEmptyClears)
			return nil
		}
		ms, err := a.parseMembers(field, value, false)
		if err != nil {
			return err
		}
		a.members.add(ms)
	case "replace":
		if !hasValue {
			return scim.Errorf(400, scim.InvalidValue, `%s: replace on "members" needs the whole member list, or [] for none`, field)
		}
		if value == nil {
			a.fire(RuleEmptyClears)
			a.members.replace(nil)
			return nil
		}
		ms, err := a.parseMembers(field, value, false)
		if err != nil {
			return err
		}
		a.members.replace(ms)
	case "remove":
		if !hasValue || value == nil {
			a.members.replace(nil)
			return nil
		}
		if err := a.dialect(RuleMemberRemoveList, scim.InvalidValue,
			`%s: remove takes no value by RFC 7644 Section 3.5.2.2, and without one it removes every member; remove one member with path members[value eq "<id>"]`, field); err != nil {
			return err
		}
		if obj, ok := value.(map[string]any); ok {
			// Some clients wrap the list as {"members": [...]}.
			if inner, ok := schema.Lookup(obj, "members"); ok {
				value = inner
			}
		}
		ms, err := a.parseMembers(field, value, true)
		if err != nil {
			return err
		}
		a.members.remove(memberIDs(ms))
	}
	return nil
}

// storedMembers returns the Group's stored members, calling the
// MemberSource on first use only.
func (a *applier) storedMembers() ([]store.Member, error) {
	if a.loaded {
		return a.stored, nil
	}
	if a.source == nil {
		return nil, fmt.Errorf("patch: a member filter needs the group's current members, but Apply got a nil MemberSource")
	}
	list, err := a.source.Members()
	if err != nil {
		return nil, fmt.Errorf("patch: read the group's members: %w", err)
	}
	a.stored, a.loaded = list, true
	return list, nil
}

// removeMembersByFilter removes the members that a value filter selects.
// Filters of the form value eq "a" or value eq "b" give their ids directly;
// other filters are evaluated on the current members from MemberSource.
func (a *applier) removeMembersByFilter(fp *filter.Path, p schema.Path) error {
	if ids, ok := filterIDs(fp.Filter); ok {
		// NOTE: removing an id that is not a member is not reported as
		// noTarget even when strict, because checking would load the members.
		a.members.remove(ids)
		return nil
	}
	pred, err := filter.CompileValueFilter(fp.Filter, a.rt, p)
	if err != nil {
		return prefixed("path", err)
	}
	current, err := a.members.effective(a.storedMembers)
	if err != nil {
		return err
	}
	var ids []string
	for _, m := range current {
		elem := map[string]any{"value": m.ID}
		if m.Type != "" {
			elem["type"] = string(m.Type)
		}
		if pred(elem) {
			ids = append(ids, m.ID)
		}
	}
	if len(ids) == 0 {
		return prefixed("path", a.noMatch(fp.String()))
	}
	a.members.remove(ids)
	return nil
}

// filterIDs returns the ids of a filter made only of value eq "id" terms
// joined by "or".
func filterIDs(e filter.Expr) ([]string, bool) {
	switch e := e.(type) {
	case *filter.Compare:
		if e.Op != filter.Eq || e.Path.URI != "" || e.Path.Sub != "" || !strings.EqualFold(e.Path.Name, "value") || e.Value.Kind != filter.StringValue {
			return nil, false
		}
		return []string{e.Value.Text}, true
	case *filter.Logical:
		if e.Op != filter.Or {
			return nil, false
		}
		var ids []string
		for _, t := range e.Terms {
			sub, ok := filterIDs(t)
			if !ok {
				return nil, false
			}
			ids = append(ids, sub...)
		}
		return ids, true
	}
	return nil, false
}
