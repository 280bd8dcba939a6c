package patch

import (
	"reflect"

	"github.com/scimdoctor/scimdoctor/scim"
	"github.com/scimdoctor/scimdoctor/scim/filter"
	"github.com/scimdoctor/scimdoctor/scim/schema"
)

// target is a resolved PATCH path.
type target struct {
	// path is the attribute, with path.Sub set for "name.givenName". Its
	// Attribute is nil when the path names a whole extension.
	path schema.Path
	// expr and pred are the value filter of "emails[type eq "work"]", or nil.
	expr filter.Expr
	pred filter.Predicate
	// sub is the sub-attribute after the filter ("value" in
	// emails[type eq "work"].value), or nil.
	sub  *schema.Attribute
	text string
}

// target returns the attribute the path ends at, or nil for an extension.
func (t target) target() *schema.Attribute {
	if t.sub != nil {
		return t.sub
	}
	return t.path.Target()
}

func (t target) String() string {
	if t.text != "" {
		return t.text
	}
	return t.path.String()
}

// resolve resolves a parsed PATCH path against the resource type.
func (a *applier) resolve(fp *filter.Path) (target, error) {
	p, err := a.rt.Resolve(fp.Attr, scim.InvalidPath)
	if err != nil {
		return target{}, err
	}
	t := target{path: p, expr: fp.Filter, text: fp.String()}
	if fp.Filter == nil || isMembers(a.rt, p) {
		return t, nil
	}
	if p.Attribute == nil || !p.Attribute.MultiValued || p.Attribute.Type != schema.Complex {
		return target{}, scim.Errorf(400, scim.InvalidPath, "a value filter selects elements of a multi-valued complex attribute, and %s is not one", scim.Quote(p.String()))
	}
	t.pred, err = filter.CompileValueFilter(fp.Filter, a.rt, p)
	if err != nil {
		return target{}, err
	}
	if fp.Sub != "" {
		t.sub = p.Attribute.Sub(fp.Sub)
		if t.sub == nil {
			return target{}, scim.Errorf(400, scim.InvalidPath, "attribute %s has no sub-attribute %s", scim.Quote(p.Attribute.Name), scim.Quote(fp.Sub))
		}
	}
	return t, nil
}

// container returns the object that holds the path's attribute: the
// document or the extension object, created when create is true.
func (a *applier) container(p schema.Path, create bool) map[string]any {
	if !p.Extension {
		return a.doc
	}
	v, _ := schema.Lookup(a.doc, p.Schema.ID)
	m, ok := v.(map[string]any)
	if !ok {
		if !create {
			return nil
		}
		m = map[string]any{}
		setKey(a.doc, p.Schema.ID, m)
	}
	return m
}

// apply runs one add, replace or remove on t, then restores primary
// exclusivity on the attribute it touched.
func (a *applier) apply(op string, t target, value any, hasValue bool) error {
	attr := t.path.Attribute
	if attr == nil {
		if op == "remove" {
			deleteKey(a.doc, t.path.Schema.ID)
			return nil
		}
		return a.pathlessExtension(op, a.rt.Extension(t.path.Schema.ID), "value", value)
	}
	if t.pred == nil && t.path.Sub != nil && attr.MultiValued {
		return scim.Errorf(400, scim.InvalidPath, `%s names a sub-attribute of every element of %s: select elements with a filter, as in %s[type eq "work"].%s`,
			scim.Quote(t.String()), scim.Quote(attr.Name), attr.Name, t.path.Sub.Name)
	}

	primary := attr.MultiValued && attr.Type == schema.Complex && attr.Sub("primary") != nil
	var before map[uintptr]bool
	if primary {
		before = primaries(a.container(t.path, false), attr)
	}

	var err error
	switch {
	case op == "remove":
		err = a.remove(t, value, hasValue)
	case t.pred != nil:
		err = a.setFiltered(op, t, value)
	case t.path.Sub != nil:
		err = a.setSub(t, value)
	default:
		err = a.setAttr(op, a.container(t.path, true), attr, value)
	}
	if err != nil || !primary {
		return err
	}
	return a.exclusivePrimary(a.container(t.path, false), attr, before)
}

// setAttr runs add or replace on a whole attribute of container c
// (RFC 7644 Sections 3.5.2.1 and 3.5.2.3).
func (a *applier) setAttr(op string, c map[string]any, attr *schema.Attribute, value any) error {
	old, _ := schema.Lookup(c, attr.Name)
	if attr.MultiValued {
		return a.setMulti(op, c, attr, old, value)
	}
	if isEmptyScalar(value) {
		a.fire(RuleEmptyClears)
		deleteKey(c, attr.Name)
		return nil
	}
	v, err := a.coerce(attr, value)
	if err != nil {
		return err
	}

	if attr.Type == schema.Complex {
		// Both add and replace merge sub-attributes into a singular complex
		// attribute; sub-attributes the value omits stay.
		merged := map[string]any{}
		if om, ok := old.(map[string]any); ok {
			for k, x := range om {
				merged[k] = x
			}
		}
		for k, x := range v.(map[string]any) {
			if sub := attr.Sub(k); sub != nil {
				if err := checkImmutable(attr.Name+"."+sub.Name, sub, merged[sub.Name], x); err != nil {
					return err
				}
			}
			if isEmptyScalar(x) {
				a.fire(RuleEmptyClears)
				deleteKey(merged, k)
				continue
			}
			setKey(merged, k, x)
		}
		if len(merged) == 0 {
			deleteKey(c, attr.Name)
			return nil
		}
		setKey(c, attr.Name, merged)
		return nil
	}

	if err := checkImmutable(attr.Name, attr, old, v); err != nil {
		return err
	}
	setKey(c, attr.Name, v)
	return nil
}

// checkImmutable rejects a change of an immutable attribute that has a
// value (RFC 7643 Section 7). Setting the same value again is allowed.
func checkImmutable(path string, attr *schema.Attribute, old, v any) error {
	if attr.Mutability != schema.Immutable || schema.IsEmpty(old) {
		return nil
	}
	if v != nil && sameValue(attr, old, v) {
		return nil
	}
	return scim.Errorf(400, scim.Mutability, "attribute %s is immutable: it cannot change from %s to %s", scim.Quote(path), describe(old), describe(v))
}

// setMulti runs add (append the values not present yet) or replace (set
// the whole list) on a multi-valued attribute.
func (a *applier) setMulti(op string, c map[string]any, attr *schema.Attribute, old, value any) error {
	if value == nil {
		a.fire(RuleEmptyClears)
		if op == "replace" {
			deleteKey(c, attr.Name)
		}
		return nil
	}
	list, ok := value.([]any)
	if !ok {
		if err := a.dialect(RuleSingleForMulti, scim.InvalidValue,
			"attribute %s is multi-valued: send a JSON array, not %s", scim.Quote(attr.Name), jsonType(value)); err != nil {
			return err
		}
		list = []any{value}
	}
	var values []any
	if op == "add" {
		values, _ = old.([]any)
	}
	for _, elem := range list {
		v, err := a.coerce(attr, elem)
		if err != nil {
			return err
		}
		if m, ok := v.(map[string]any); ok {
			v = dropEmpty(m)
		}
		if schema.IsEmpty(v) {
			continue
		}
		if containsValue(attr, values, v) {
			continue // RFC 7644 Section 3.5.2.1: a value already present is not added twice
		}
		values = append(values, v)
	}
	if len(values) == 0 {
		deleteKey(c, attr.Name)
		return nil
	}
	setKey(c, attr.Name, values)
	return nil
}

func containsValue(attr *schema.Attribute, list []any, v any) bool {
	for _, x := range list {
		if sameValue(attr, x, v) {
			return true
		}
	}
	return false
}

// setSub sets one sub-attribute of a singular complex attribute, as in
// path "name.givenName".
func (a *applier) setSub(t target, value any) error {
	c := a.container(t.path, true)
	attr, sub := t.path.Attribute, t.path.Sub
	obj := map[string]any{}
	if old, ok := schema.Lookup(c, attr.Name); ok {
		if om, ok := old.(map[string]any); ok {
			obj = om
		}
	}
	oldSub, _ := schema.Lookup(obj, sub.Name)
	if isEmptyScalar(value) {
		if err := checkImmutable(attr.Name+"."+sub.Name, sub, oldSub, nil); err != nil {
			return err
		}
		a.fire(RuleEmptyClears)
		deleteKey(obj, sub.Name)
	} else {
		v, err := a.coerceScalar(sub, value)
		if err != nil {
			return err
		}
		if err := checkImmutable(attr.Name+"."+sub.Name, sub, oldSub, v); err != nil {
			return err
		}
		setKey(obj, sub.Name, v)
	}
	if len(obj) == 0 {
		deleteKey(c, attr.Name)
		return nil
	}
	setKey(c, attr.Name, obj)
	return nil
}

// setFiltered runs add or replace at a value filter, such as
// emails[type eq "work"] or emails[type eq "work"].value.
func (a *applier) setFiltered(op string, t target, value any) error {
	c := a.container(t.path, true)
	attr := t.path.Attribute
	list := listOf(c, attr)
	matches := matching(list, t.pred)

	if t.sub != nil {
		if isEmptyScalar(value) {
			a.fire(RuleEmptyClears)
			for _, i := range matches {
				deleteKey(list[i].(map[string]any), t.sub.Name)
			}
			storeList(c, attr, list)
			return nil
		}
		v, err := a.coerceScalar(t.sub, value)
		if err != nil {
			return err
		}
		if len(matches) == 0 {
			elem, err := a.createElement(op, t)
			if err != nil {
				return err
			}
			elem[t.sub.Name] = v
			storeList(c, attr, append(list, elem))
			return nil
		}
		for _, i := range matches {
			setKey(list[i].(map[string]any), t.sub.Name, v)
		}
		storeList(c, attr, list)
		return nil
	}

	if value == nil {
		// Replacing the selected elements with nothing removes them.
		a.fire(RuleEmptyClears)
		return a.removeElements(c, attr, list, matches)
	}
	cv, err := a.coerce(attr, value)
	if err != nil {
		return err
	}
	v := cv.(map[string]any)
	if len(matches) == 0 {
		elem, err := a.createElement(op, t)
		if err != nil {
			return err
		}
		for k, x := range v {
			elem[k] = x
		}
		storeList(c, attr, append(list, dropEmpty(elem)))
		return nil
	}
	for _, i := range matches {
		elem := list[i].(map[string]any)
		if op == "replace" {
			// RFC 7644 Section 3.5.2.3: matching values are replaced.
			for k := range elem {
				delete(elem, k)
			}
		}
		for k, x := range v {
			if isEmptyScalar(x) {
				deleteKey(elem, k)
				continue
			}
			setKey(elem, k, x)
		}
	}
	storeList(c, attr, list)
	return nil
}

// createElement returns a new element built from the eq terms of t's
// filter, for an add or replace whose filter matched nothing.
func (a *applier) createElement(op string, t target) (map[string]any, error) {
	if err := a.dialect(RuleFilterCreates, scim.NoTarget, "filter %s matches no value, so there is nothing to %s", scim.Quote(t.String()), op); err != nil {
		return nil, err
	}
	elem := map[string]any{}
	if !eqTerms(t.expr, t.path.Attribute, elem) {
		return nil, scim.Errorf(400, scim.NoTarget,
			`filter %s matches no value, and only a filter of eq terms joined by "and", such as [type eq "work"], can create one`, scim.Quote(t.String()))
	}
	return elem, nil
}

// eqTerms stores the values of e's "sub eq value" terms in elem and
// reports whether e consists only of such terms joined by "and".
func eqTerms(e filter.Expr, attr *schema.Attribute, elem map[string]any) bool {
	switch e := e.(type) {
	case *filter.Compare:
		if e.Op != filter.Eq || e.Path.URI != "" || e.Path.Sub != "" || e.Value.Kind == filter.NullValue {
			return false
		}
		sub := attr.Sub(e.Path.Name)
		if sub == nil {
			return false
		}
		elem[sub.Name] = e.Value.Any()
		return true
	case *filter.Logical:
		if e.Op != filter.And {
			return false
		}
		for _, term := range e.Terms {
			if !eqTerms(term, attr, elem) {
				return false
			}
		}
		return true
	}
	return false
}

// remove runs a remove (RFC 7644 Section 3.5.2.2).
func (a *applier) remove(t target, value any, hasValue bool) error {
	attr := t.path.Attribute
	c := a.container(t.path, false)
	if c == nil {
		if t.pred != nil {
			return a.noMatch(t.String())
		}
		return nil
	}

	switch {
	case t.pred != nil:
		list := listOf(c, attr)
		matches := matching(list, t.pred)
		if len(matches) == 0 {
			return a.noMatch(t.String())
		}
		if t.sub == nil {
			return a.removeElements(c, attr, list, matches)
		}
		for _, i := range matches {
			deleteKey(list[i].(map[string]any), t.sub.Name)
		}
		storeList(c, attr, list)
	case t.path.Sub != nil:
		old, _ := schema.Lookup(c, attr.Name)
		if om, ok := old.(map[string]any); ok {
			deleteKey(om, t.path.Sub.Name)
			if len(om) == 0 {
				deleteKey(c, attr.Name)
			}
		}
	case hasValue && value != nil && attr.MultiValued:
		if err := a.dialect(RuleRemoveValueList, scim.InvalidValue,
			`remove takes no value by RFC 7644 Section 3.5.2.2; select the values to remove with a filter, as in %s[value eq "..."]`, attr.Name); err != nil {
			return err
		}
		return a.removeValues(c, attr, value)
	default:
		old, _ := schema.Lookup(c, attr.Name)
		if err := checkImmutable(attr.Name, attr, old, nil); err != nil {
			return err
		}
		deleteKey(c, attr.Name)
	}
	return nil
}

// removeValues removes the elements of a multi-valued attribute equal to
// one of the given values.
func (a *applier) removeValues(c map[string]any, attr *schema.Attribute, value any) error {
	listed, ok := value.([]any)
	if !ok {
		listed = []any{value}
	}
	var drop []any
	for _, item := range listed {
		v, err := a.coerce(attr, item)
		if err != nil {
			return err
		}
		if m, ok := v.(map[string]any); ok {
			v = dropEmpty(m)
		}
		drop = append(drop, v)
	}
	list := listOf(c, attr)
	var matches []int
	for i, elem := range list {
		for _, d := range drop {
			if removeMatches(attr, elem, d) {
				matches = append(matches, i)
				break
			}
		}
	}
	return a.removeElements(c, attr, list, matches)
}

// removeMatches reports whether elem is selected by the removal value d:
// every sub-attribute that d sets has the same value in elem.
func removeMatches(attr *schema.Attribute, elem, d any) bool {
	if attr.Type != schema.Complex {
		return sameValue(attr, elem, d)
	}
	em, ok1 := elem.(map[string]any)
	dm, ok2 := d.(map[string]any)
	if !ok1 || !ok2 || len(dm) == 0 {
		return false
	}
	for k, dv := range dm {
		sub := attr.Sub(k)
		if sub == nil {
			continue
		}
		ev, _ := schema.Lookup(em, sub.Name)
		if !sameValue(sub, ev, dv) {
			return false
		}
	}
	return true
}

func (a *applier) removeElements(c map[string]any, attr *schema.Attribute, list []any, drop []int) error {
	if len(drop) == 0 {
		return nil
	}
	out := make([]any, 0, len(list))
	next := 0
	for i, elem := range list {
		if next < len(drop) && drop[next] == i {
			next++
			continue
		}
		out = append(out, elem)
	}
	storeList(c, attr, out)
	return nil
}

// noMatch handles a remove whose filter selects nothing.
func (a *applier) noMatch(path string) error {
	return a.dialect(RuleRemoveNoMatch, scim.NoTarget, "filter %s matches no value", scim.Quote(path))
}

// listOf returns the elements of a multi-valued attribute.
func listOf(c map[string]any, attr *schema.Attribute) []any {
	v, _ := schema.Lookup(c, attr.Name)
	list, _ := v.([]any)
	return list
}

// matching returns the indexes of the object elements that pred selects.
func matching(list []any, pred filter.Predicate) []int {
	var out []int
	for i, elem := range list {
		if m, ok := elem.(map[string]any); ok && pred(m) {
			out = append(out, i)
		}
	}
	return out
}

// storeList stores list without its empty elements, or removes the
// attribute when none remain.
func storeList(c map[string]any, attr *schema.Attribute, list []any) {
	out := list[:0:0]
	for _, elem := range list {
		if !schema.IsEmpty(elem) {
			out = append(out, elem)
		}
	}
	if len(out) == 0 {
		deleteKey(c, attr.Name)
		return
	}
	setKey(c, attr.Name, out)
}

// primaries returns the identities of the elements of attr that have
// "primary": true.
func primaries(c map[string]any, attr *schema.Attribute) map[uintptr]bool {
	out := map[uintptr]bool{}
	if c == nil {
		return out
	}
	for _, elem := range listOf(c, attr) {
		if m, ok := elem.(map[string]any); ok && isPrimary(m) {
			out[reflect.ValueOf(m).Pointer()] = true
		}
	}
	return out
}

func isPrimary(m map[string]any) bool {
	v, _ := schema.Lookup(m, "primary")
	return v == true
}

// exclusivePrimary keeps at most one element of attr primary. RFC 7644
// Section 3.5.2 requires it: a PATCH that sets "primary" to true on one
// value makes the server set it to false on the others.
func (a *applier) exclusivePrimary(c map[string]any, attr *schema.Attribute, before map[uintptr]bool) error {
	if c == nil {
		return nil
	}
	var all, fresh []map[string]any
	for _, elem := range listOf(c, attr) {
		m, ok := elem.(map[string]any)
		if !ok || !isPrimary(m) {
			continue
		}
		all = append(all, m)
		if !before[reflect.ValueOf(m).Pointer()] {
			fresh = append(fresh, m)
		}
	}
	if len(all) <= 1 || len(fresh) == 0 {
		return nil // with len(fresh) == 0, final validation reports the stored duplicates
	}
	if len(fresh) > 1 {
		return scim.Errorf(400, scim.InvalidValue, `the value sets "primary": true on %d values of %s; at most one may be primary`, len(fresh), scim.Quote(attr.Name))
	}
	for _, m := range all {
		if reflect.ValueOf(m).Pointer() != reflect.ValueOf(fresh[0]).Pointer() {
			setKey(m, "primary", false)
		}
	}
	a.fire(RulePrimaryExclusive)
	return nil
}
