package schema

import "github.com/scimdoctor/scimdoctor/scim"

// Projection is the "attributes" or "excludedAttributes" query parameter
// of RFC 7644 Section 3.4.2.5, parsed with scim.ParseAttrPathList. At most
// one of the two lists is normally set; when both are, Attributes selects
// first and Excluded then removes.
type Projection struct {
	Attributes []scim.AttrPath
	Excluded   []scim.AttrPath
}

// selection is a projection resolved against a resource type: for each
// top-level attribute (or extension schema), whether it is named whole and
// which sub-attributes are named.
type selection map[any]*selected

type selected struct {
	whole bool
	subs  map[*Attribute]bool
}

func (rt *ResourceType) selection(paths []scim.AttrPath) selection {
	sel := selection{}
	for _, p := range paths {
		// NOTE: an unknown name selects nothing and is no error, because
		// Entra and Okta may ask for attributes of their own mappings.
		path, err := rt.Resolve(p, scim.InvalidValue)
		if err != nil {
			continue
		}
		var key any = path.Attribute
		if path.Attribute == nil {
			key = path.Schema
		}
		s := sel[key]
		if s == nil {
			s = &selected{subs: map[*Attribute]bool{}}
			sel[key] = s
		}
		if path.Sub == nil {
			s.whole = true
		} else {
			s.subs[path.Sub] = true
		}
	}
	return sel
}

// Project returns a copy of resource with the attributes a response
// carries (RFC 7643 Section 7, RFC 7644 Section 3.9):
//
//   - returned "never" (password) is always dropped;
//   - returned "always" (id, schemas, meta) is always kept;
//   - with Attributes set, only the named attributes (and sub-attributes)
//     are kept, and "request" attributes only when named;
//   - otherwise "default" attributes are kept and "request" ones dropped;
//   - Excluded then removes the named attributes and sub-attributes,
//     except "always" ones.
//
// The same rules apply to sub-attributes. Keys that no schema defines are
// kept unless Attributes is set. An extension object left empty is
// dropped. The result shares no maps or slices with resource.
func (rt *ResourceType) Project(resource map[string]any, p Projection) map[string]any {
	include := rt.selection(p.Attributes)
	exclude := rt.selection(p.Excluded)
	pr := projector{include: include, exclude: exclude, restricted: len(p.Attributes) > 0}

	out := map[string]any{}
	for key, value := range resource {
		if ext := rt.Extension(key); ext != nil {
			obj, ok := value.(map[string]any)
			if !ok {
				continue
			}
			projected := pr.extension(ext.Schema, obj)
			if len(projected) > 0 {
				out[key] = projected
			}
			continue
		}
		attr := rt.Schema.Attribute(key)
		if attr == nil {
			attr = rt.Common.Attribute(key)
		}
		if attr == nil {
			if !pr.restricted {
				out[key] = deepCopy(value)
			}
			continue
		}
		if v, ok := pr.attribute(attr, value, nil); ok && !IsEmpty(v) {
			out[key] = v
		}
	}
	return out
}

type projector struct {
	include, exclude selection
	restricted       bool
}

func (pr projector) extension(s *Schema, obj map[string]any) map[string]any {
	// Naming the extension URN alone selects or removes all of it.
	whole := pr.include[s] != nil && pr.include[s].whole
	if ex := pr.exclude[s]; ex != nil && ex.whole {
		return nil
	}
	out := map[string]any{}
	for key, value := range obj {
		attr := s.Attribute(key)
		if attr == nil {
			if !pr.restricted {
				out[key] = deepCopy(value)
			}
			continue
		}
		var parent *bool
		if whole {
			parent = &whole
		}
		if v, ok := pr.attribute(attr, value, parent); ok && !IsEmpty(v) {
			out[key] = v
		}
	}
	return out
}

// attribute projects one top-level attribute. parentWhole is non-nil when
// an enclosing extension was named whole.
func (pr projector) attribute(attr *Attribute, value any, parentWhole *bool) (any, bool) {
	switch attr.Returned {
	case ReturnedNever:
		return nil, false
	case ReturnedAlways:
		return pr.subs(attr, value, true), true
	}
	inc := pr.include[attr]
	if ex := pr.exclude[attr]; ex != nil && ex.whole {
		return nil, false
	}
	switch {
	case parentWhole != nil || (inc != nil && inc.whole):
		if attr.Returned == ReturnedRequest && inc == nil {
			return nil, false
		}
		return pr.subs(attr, value, true), true
	case inc != nil:
		return pr.subs(attr, value, false), true
	case pr.restricted || attr.Returned == ReturnedRequest:
		return nil, false
	}
	return pr.subs(attr, value, true), true
}

// subs projects the sub-attributes of one attribute value. all is true
// when every default sub-attribute is selected; else only the named ones.
func (pr projector) subs(attr *Attribute, value any, all bool) any {
	if attr.Type != Complex {
		return deepCopy(value)
	}
	inc, exc := pr.include[attr], pr.exclude[attr]
	one := func(v any) any {
		obj, ok := v.(map[string]any)
		if !ok {
			return deepCopy(v)
		}
		out := map[string]any{}
		for key, sv := range obj {
			sub := attr.Sub(key)
			switch {
			case sub == nil:
				if all {
					out[key] = deepCopy(sv)
				}
				continue
			case sub.Returned == ReturnedNever:
				continue
			case sub.Returned == ReturnedAlways:
			case exc != nil && exc.subs[sub]:
				continue
			case sub.Returned == ReturnedRequest && !(inc != nil && inc.subs[sub]):
				continue
			case !all && !(inc != nil && inc.subs[sub]):
				continue
			}
			out[key] = deepCopy(sv)
		}
		return out
	}
	if list, ok := value.([]any); ok {
		out := make([]any, 0, len(list))
		for _, v := range list {
			p := one(v)
			if m, ok := p.(map[string]any); !ok || len(m) > 0 {
				out = append(out, p)
			}
		}
		return out
	}
	return one(value)
}

// deepCopy copies the maps and slices of a decoded JSON value.
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
