package schema

import (
	"strings"

	"github.com/scimdoctor/scimdoctor/scim"
)

// Comparator returns a comparison of two resources by the attribute sortBy
// (RFC 7644 Section 3.4.2.3), for slices.SortStableFunc. It orders by the
// attribute's type as Compare does, so strings compare case-insensitively
// unless caseExact. For a multi-valued attribute it uses the value of the
// element with "primary": true, else the first element. A complex attribute
// without a sub-attribute sorts by its "value" sub-attribute.
//
// Resources without a value, or with a value of the wrong JSON type, sort
// last in ascending order and first in descending order, as RFC 7644
// Section 3.4.2.3 specifies. sortOrder is "ascending" (or empty) or "descending",
// compared case-insensitively.
//
// Errors are *scim.Error with status 400 and scimType invalidValue: an
// unknown attribute, a complex attribute without a "value" sub-attribute,
// or an unknown sortOrder.
func (rt *ResourceType) Comparator(sortBy scim.AttrPath, sortOrder string) (func(a, b map[string]any) int, error) {
	descending := false
	switch {
	case sortOrder == "" || strings.EqualFold(sortOrder, "ascending"):
	case strings.EqualFold(sortOrder, "descending"):
		descending = true
	default:
		return nil, scim.Errorf(400, scim.InvalidValue, "invalid sortOrder %s: use ascending or descending", scim.Quote(sortOrder))
	}
	path, err := rt.Resolve(sortBy, scim.InvalidValue)
	if err != nil {
		return nil, err
	}
	attr := path.Target()
	if attr == nil {
		return nil, scim.Errorf(400, scim.InvalidValue, "cannot sort by the schema extension %s: name one of its attributes", scim.Quote(sortBy.String()))
	}
	if attr.Type == Complex {
		value := attr.Sub("value")
		if value == nil {
			return nil, scim.Errorf(400, scim.InvalidValue, "cannot sort by complex attribute %s: name a sub-attribute such as %s.%s",
				scim.Quote(sortBy.String()), attr.Name, attr.SubAttributes[0].Name)
		}
		path.Sub, attr = value, value
	}

	key := func(res map[string]any) (any, bool) {
		v := sortValue(path, res)
		if v == nil {
			return nil, false
		}
		return v, true
	}
	return func(a, b map[string]any) int {
		av, aok := key(a)
		bv, bok := key(b)
		r := 0
		if aok && bok {
			var ok bool
			r, ok = Compare(attr, av, bv)
			if !ok {
				// A value of the wrong type counts as missing.
				_, aok = Compare(attr, av, av)
				_, bok = Compare(attr, bv, bv)
				r = 0
			}
		}
		switch {
		case aok && !bok:
			r = -1
		case !aok && bok:
			r = 1
		}
		if descending {
			r = -r
		}
		return r
	}, nil
}

// sortValue returns the value a resource sorts by: the primary or first
// element of a multi-valued attribute.
func sortValue(path Path, res map[string]any) any {
	c := path.container(res)
	if c == nil {
		return nil
	}
	top, _ := Lookup(c, path.Attribute.Name)
	if list, ok := top.([]any); ok {
		var chosen any
		for _, elem := range list {
			if IsEmpty(elem) {
				continue
			}
			if m, ok := elem.(map[string]any); ok && m["primary"] == true {
				chosen = elem
				break
			}
			if chosen == nil {
				chosen = elem
			}
		}
		top = chosen
	}
	if path.Sub == nil {
		if IsEmpty(top) {
			return nil
		}
		return top
	}
	m, ok := top.(map[string]any)
	if !ok {
		return nil
	}
	v, _ := Lookup(m, path.Sub.Name)
	if IsEmpty(v) {
		return nil
	}
	return v
}
