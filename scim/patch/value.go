package patch

import (
	"strings"

	"github.com/scimdoctor/scimdoctor/scim"
	"github.com/scimdoctor/scimdoctor/scim/schema"
)

// coerce converts one value of attr (one element when attr is
// multi-valued) to the JSON type of the schema, firing RuleStringBoolean
// and RuleManagerString where they apply. A complex value keeps its
// explicitly null sub-attributes as nil, so a merge can clear them.
// Errors are *scim.Error with invalidValue and no member prefix.
func (a *applier) coerce(attr *schema.Attribute, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if attr.Type != schema.Complex {
		return a.coerceScalar(attr, v)
	}
	if s, ok := v.(string); ok && !attr.MultiValued && attr.Sub("value") != nil {
		if err := a.dialect(RuleManagerString, scim.InvalidValue,
			`attribute %s is complex: send an object such as {"value": %s}, not a string`, scim.Quote(attr.Name), scim.Quote(s)); err != nil {
			return nil, err
		}
		v = map[string]any{"value": s}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, scim.Errorf(400, scim.InvalidValue, "attribute %s must be a JSON object, not %s", scim.Quote(attr.Name), jsonType(v))
	}
	out := make(map[string]any, len(obj))
	for k, sv := range obj {
		sub := attr.Sub(k)
		if sub == nil {
			if sv != nil {
				out[k] = sv // validation drops it and lists it in Ignored
			}
			continue
		}
		if sv == nil {
			out[sub.Name] = nil
			continue
		}
		cv, err := a.coerceScalar(sub, sv)
		if err != nil {
			return nil, err
		}
		out[sub.Name] = cv
	}
	return out, nil
}

func (a *applier) coerceScalar(attr *schema.Attribute, v any) (any, error) {
	wrong := func(want string) error {
		return scim.Errorf(400, scim.InvalidValue, "attribute %s must be %s, not %s", scim.Quote(attr.Name), want, describe(v))
	}
	switch attr.Type {
	case schema.Boolean:
		if s, ok := v.(string); ok && (strings.EqualFold(s, "true") || strings.EqualFold(s, "false")) {
			if err := a.dialect(RuleStringBoolean, scim.InvalidValue,
				"attribute %s must be true or false, not the string %s", scim.Quote(attr.Name), scim.Quote(s)); err != nil {
				return nil, err
			}
			return strings.EqualFold(s, "true"), nil
		}
		if _, ok := v.(bool); !ok {
			return nil, wrong("true or false")
		}
	case schema.String, schema.Reference, schema.DateTime, schema.Binary:
		if _, ok := v.(string); !ok {
			return nil, wrong("a string")
		}
	case schema.Integer, schema.Decimal:
		if _, ok := schema.Number(v); !ok {
			return nil, wrong("a number")
		}
	case schema.Complex:
		return nil, wrong("a JSON object") // unreachable: complex sub-attributes do not exist
	}
	return v, nil
}

// describe names a value for a message: its JSON type, and the value of a
// string or boolean.
func describe(v any) string {
	switch v := v.(type) {
	case string:
		return "the string " + scim.Quote(v)
	case bool:
		if v {
			return "the boolean true"
		}
		return "the boolean false"
	}
	return jsonType(v)
}

// isEmptyScalar reports whether v clears an attribute: null or "".
func isEmptyScalar(v any) bool {
	return v == nil || v == ""
}

// dropEmpty removes null and "" members from a complex value.
func dropEmpty(m map[string]any) map[string]any {
	for k, v := range m {
		if isEmptyScalar(v) {
			delete(m, k)
		}
	}
	return m
}

// sameValue reports whether two values of attr (elements when multi-valued)
// are equal under the schema, honouring caseExact.
func sameValue(attr *schema.Attribute, x, y any) bool {
	if attr.Type != schema.Complex {
		r, ok := schema.Compare(attr, x, y)
		return ok && r == 0
	}
	xm, ok1 := x.(map[string]any)
	ym, ok2 := y.(map[string]any)
	if !ok1 || !ok2 {
		return false
	}
	for _, sub := range attr.SubAttributes {
		xv, _ := schema.Lookup(xm, sub.Name)
		yv, _ := schema.Lookup(ym, sub.Name)
		if schema.IsEmpty(xv) != schema.IsEmpty(yv) {
			return false
		}
		if !schema.IsEmpty(xv) && !sameValue(sub, xv, yv) {
			return false
		}
	}
	return true
}

// setKey stores v under name, removing keys that differ from name only in
// case, so the document keeps one canonical spelling.
func setKey(m map[string]any, name string, v any) {
	deleteKey(m, name)
	m[name] = v
}

// deleteKey removes every key of m that equals name case-insensitively.
func deleteKey(m map[string]any, name string) {
	delete(m, name)
	for k := range m {
		if strings.EqualFold(k, name) {
			delete(m, k)
		}
	}
}

func copyObject(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = copyValue(v)
	}
	return out
}

func copyValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return copyObject(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = copyValue(e)
		}
		return out
	}
	return v
}
