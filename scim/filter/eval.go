package filter

import (
	"fmt"
	"strings"

	"github.com/scimdoctor/scimdoctor/scim"
	"github.com/scimdoctor/scimdoctor/scim/schema"
)

// Predicate reports whether a resource matches a compiled filter. The
// resource is a JSON object as encoding/json decodes it (see scim/schema).
// Values whose JSON type does not fit the schema never match.
type Predicate func(resource map[string]any) bool

// Match compiles e for rt and applies it to one resource.
func Match(e Expr, rt *schema.ResourceType, resource map[string]any) (bool, error) {
	pred, err := Compile(e, rt)
	if err != nil {
		return false, err
	}
	return pred(resource), nil
}

// Compile checks e against the attributes of rt and returns a predicate.
// Comparison follows RFC 7644 Section 3.4.2.2 and the schema:
//
//   - Strings compare case-insensitively (as strings.EqualFold, see
//     schema.CompareFold) unless the attribute is caseExact. gt, ge, lt and
//     le on strings order by code point.
//   - dateTime values compare chronologically; the filter value must be an
//     xsd:dateTime such as "2011-05-13T04:42:34Z". co, sw and ew compare
//     the text.
//   - integer and decimal compare numerically; co, sw and ew are invalid.
//   - boolean allows only eq and ne; binary allows no ordering.
//   - A multi-valued attribute matches when any of its values matches.
//     "ne" is the negation of "eq": it matches when no value equals, also
//     when the attribute is absent.
//   - A complex attribute without a sub-attribute stands for its "value"
//     sub-attribute (emails co "example.com" means emails.value), or only
//     allows "pr" when it has none.
//   - "pr" matches a value that is not null, "", [] or an object of empty
//     members. "eq null" matches when the attribute is absent or empty and
//     "ne null" when it is present; other operators reject null.
//
// Errors are *scim.Error with status 400 and scimType invalidFilter, naming
// the attribute, the operator and the byte offset in the filter.
func Compile(e Expr, rt *schema.ResourceType) (Predicate, error) {
	c := compiler{rt: rt}
	m, err := c.compile(e, nil)
	if err != nil {
		return nil, err
	}
	return Predicate(m), nil
}

// CompileValueFilter compiles the filter of a value path into a predicate
// over one element of parent. For the PATCH path members[value eq "x"], a
// PATCH engine resolves "members" with rt.Resolve, compiles value eq "x"
// and applies the predicate to each member. parent must name a complex
// attribute without a sub-attribute.
// Errors are *scim.Error with status 400 and scimType invalidFilter.
func CompileValueFilter(e Expr, rt *schema.ResourceType, parent schema.Path) (Predicate, error) {
	if t := parent.Target(); t == nil || t.Type != schema.Complex || parent.Sub != nil {
		return nil, scim.Errorf(400, scim.InvalidFilter, "a value filter needs a complex attribute, and %s is not one", scim.Quote(parent.String()))
	}
	c := compiler{rt: rt}
	m, err := c.compile(e, &parent)
	if err != nil {
		return nil, err
	}
	return Predicate(m), nil
}

type compiler struct {
	rt *schema.ResourceType
}

// matcher reports whether a JSON object matches. The object is the
// resource at the top level and one element of a multi-valued attribute
// inside a value filter.
type matcher func(m map[string]any) bool

// getter returns the values of one attribute path in a JSON object.
type getter func(m map[string]any) []any

// compile compiles e. At the top level scope is nil. Inside a value filter
// it is the complex attribute whose elements the filter tests.
func (c *compiler) compile(e Expr, scope *schema.Path) (matcher, error) {
	switch e := e.(type) {
	case *Logical:
		return c.compileLogical(e, scope)
	case *Not:
		x, err := c.compile(e.X, scope)
		if err != nil {
			return nil, err
		}
		return func(m map[string]any) bool { return !x(m) }, nil
	case *Present:
		get, _, err := c.resolve(e.Path, e.Offset, scope, true)
		if err != nil {
			return nil, err
		}
		return func(m map[string]any) bool {
			for _, v := range get(m) {
				if !schema.IsEmpty(v) {
					return true
				}
			}
			return false
		}, nil
	case *Compare:
		return c.compileCompare(e, scope)
	case *ValuePath:
		return c.compileValuePath(e, scope)
	}
	return nil, fmt.Errorf("filter: unknown node %T", e) // unreachable: the parser builds only the types above
}

func (c *compiler) compileLogical(e *Logical, scope *schema.Path) (matcher, error) {
	terms := make([]matcher, len(e.Terms))
	for i, t := range e.Terms {
		m, err := c.compile(t, scope)
		if err != nil {
			return nil, err
		}
		terms[i] = m
	}
	if e.Op == And {
		return func(m map[string]any) bool {
			for _, t := range terms {
				if !t(m) {
					return false
				}
			}
			return true
		}, nil
	}
	return func(m map[string]any) bool {
		for _, t := range terms {
			if t(m) {
				return true
			}
		}
		return false
	}, nil
}

func (c *compiler) compileValuePath(e *ValuePath, scope *schema.Path) (matcher, error) {
	if scope != nil {
		return nil, scim.Errorf(400, scim.InvalidFilter, "value filter on %s at %d is inside another value filter", scim.Quote(e.Path.String()), e.Offset)
	}
	path, err := c.rt.Resolve(e.Path, scim.InvalidFilter)
	if err != nil {
		return nil, withOffset(err, e.Offset)
	}
	if t := path.Target(); t == nil || t.Type != schema.Complex || path.Sub != nil {
		return nil, scim.Errorf(400, scim.InvalidFilter, "value filter at %d needs a complex attribute, and %s is not one",
			e.Offset, scim.Quote(e.Path.String()))
	}
	inner, err := c.compile(e.Filter, &path)
	if err != nil {
		return nil, err
	}
	return func(m map[string]any) bool {
		for _, v := range path.Values(m) {
			if elem, ok := v.(map[string]any); ok && inner(elem) {
				return true
			}
		}
		return false
	}, nil
}

// resolve finds the attribute of p in the scope and returns a getter of its
// values and its definition. For a complex attribute, compare (allowPresent
// false) uses its "value" sub-attribute.
func (c *compiler) resolve(p scim.AttrPath, offset int, scope *schema.Path, allowPresent bool) (getter, *schema.Attribute, error) {
	if scope != nil {
		sub, err := c.rt.ResolveSub(*scope, p, scim.InvalidFilter)
		if err != nil {
			return nil, nil, withOffset(err, offset)
		}
		get := func(m map[string]any) []any {
			v, _ := schema.Lookup(m, sub.Name)
			if v == nil {
				return nil
			}
			return []any{v}
		}
		return get, sub, nil
	}

	path, err := c.rt.Resolve(p, scim.InvalidFilter)
	if err != nil {
		return nil, nil, withOffset(err, offset)
	}
	attr := path.Target()
	if !allowPresent {
		if attr == nil {
			return nil, nil, scim.Errorf(400, scim.InvalidFilter, "%s at %d names a whole schema extension: only pr applies to it",
				scim.Quote(p.String()), offset)
		}
		if attr.Type == schema.Complex {
			value := attr.Sub("value")
			if value == nil {
				return nil, nil, scim.Errorf(400, scim.InvalidFilter, "attribute %s at %d is complex: compare one of its sub-attributes, such as %s.%s",
					scim.Quote(p.String()), offset, attr.Name, attr.SubAttributes[0].Name)
			}
			path.Sub = value
			attr = value
		}
	}
	return path.Values, attr, nil
}

// withOffset adds the filter offset to a resolution error.
func withOffset(err error, offset int) error {
	if se, ok := err.(*scim.Error); ok {
		return &scim.Error{Status: se.Status, ScimType: se.ScimType, Detail: fmt.Sprintf("%s (at %d)", se.Detail, offset)}
	}
	return err
}

func (c *compiler) compileCompare(e *Compare, scope *schema.Path) (matcher, error) {
	get, attr, err := c.resolve(e.Path, e.Offset, scope, false)
	if err != nil {
		return nil, err
	}
	if e.Value.Kind == NullValue {
		return compareNull(e, get)
	}
	test, err := valueTest(e, attr)
	if err != nil {
		return nil, err
	}
	if e.Op == Ne {
		return func(m map[string]any) bool {
			for _, v := range get(m) {
				if test(v) {
					return false
				}
			}
			return true
		}, nil
	}
	return func(m map[string]any) bool {
		for _, v := range get(m) {
			if test(v) {
				return true
			}
		}
		return false
	}, nil
}

func compareNull(e *Compare, get getter) (matcher, error) {
	present := func(m map[string]any) bool {
		for _, v := range get(m) {
			if !schema.IsEmpty(v) {
				return true
			}
		}
		return false
	}
	switch e.Op {
	case Eq:
		return func(m map[string]any) bool { return !present(m) }, nil
	case Ne:
		return present, nil
	}
	return nil, scim.Errorf(400, scim.InvalidFilter, "operator %s at %d cannot compare %s with null: use eq null, ne null or pr",
		e.Op, e.Offset, scim.Quote(e.Path.String()))
}

// valueTest returns the test of one attribute value against the filter
// value. For "ne" it returns the "eq" test, which the caller negates.
func valueTest(e *Compare, attr *schema.Attribute) (func(v any) bool, error) {
	invalid := func(why string) error {
		return scim.Errorf(400, scim.InvalidFilter, "%s %s %s at %d: %s", e.Path.String(), e.Op, e.Value.String(), e.Offset, why)
	}
	wantKind := func(kind ValueKind, name string) error {
		if e.Value.Kind != kind {
			return invalid(fmt.Sprintf("attribute %s is of type %s, so compare it with %s", scim.Quote(e.Path.String()), attr.Type, name))
		}
		return nil
	}
	ordering := e.Op == Gt || e.Op == Ge || e.Op == Lt || e.Op == Le
	textual := e.Op == Co || e.Op == Sw || e.Op == Ew

	switch attr.Type {
	case schema.Boolean:
		if ordering || textual {
			return nil, invalid(fmt.Sprintf("operator %s is not defined for boolean attribute %s: use eq or ne", e.Op, scim.Quote(e.Path.String())))
		}
		if err := wantKind(BoolValue, "true or false"); err != nil {
			return nil, err
		}
		want := e.Value.Bool
		return func(v any) bool { b, ok := v.(bool); return ok && b == want }, nil

	case schema.Integer, schema.Decimal:
		if textual {
			return nil, invalid(fmt.Sprintf("operator %s is not defined for %s attribute %s", e.Op, attr.Type, scim.Quote(e.Path.String())))
		}
		if err := wantKind(NumberValue, "a number"); err != nil {
			return nil, err
		}
		want := e.Value.Any()
		return orderTest(e.Op, func(v any) (int, bool) { return schema.Compare(attr, v, want) }), nil

	case schema.DateTime:
		if err := wantKind(StringValue, `a string such as "2011-05-13T04:42:34Z"`); err != nil {
			return nil, err
		}
		if textual {
			return textTest(e.Op, e.Value.Text, false), nil
		}
		want, err := schema.ParseDateTime(e.Value.Text)
		if err != nil {
			return nil, invalid(fmt.Sprintf("%s is not an xsd:dateTime: use the form 2011-05-13T04:42:34Z", scim.Quote(e.Value.Text)))
		}
		return orderTest(e.Op, func(v any) (int, bool) {
			s, ok := v.(string)
			if !ok {
				return 0, false
			}
			t, err := schema.ParseDateTime(s)
			if err != nil {
				return 0, false
			}
			return t.Compare(want), true
		}), nil

	case schema.String, schema.Reference, schema.Binary:
		if attr.Type == schema.Binary && ordering {
			return nil, invalid(fmt.Sprintf("operator %s is not defined for binary attribute %s", e.Op, scim.Quote(e.Path.String())))
		}
		if err := wantKind(StringValue, "a string in double quotes"); err != nil {
			return nil, err
		}
		if textual {
			return textTest(e.Op, e.Value.Text, attr.CaseExact), nil
		}
		want := e.Value.Text
		if e.Op == Eq || e.Op == Ne {
			if attr.CaseExact {
				return func(v any) bool { s, ok := v.(string); return ok && s == want }, nil
			}
			return func(v any) bool { s, ok := v.(string); return ok && schema.CompareFold(s, want) == 0 }, nil
		}
		return orderTest(e.Op, func(v any) (int, bool) { return schema.Compare(attr, v, want) }), nil
	}
	return nil, invalid(fmt.Sprintf("attribute %s of type %s cannot be compared", scim.Quote(e.Path.String()), attr.Type))
}

// orderTest turns a three-way comparison of a value with the filter value
// into the test for op. For "ne" it tests equality (see valueTest).
func orderTest(op CompareOp, cmp func(v any) (int, bool)) func(v any) bool {
	return func(v any) bool {
		r, ok := cmp(v)
		if !ok {
			return false
		}
		switch op {
		case Gt:
			return r > 0
		case Ge:
			return r >= 0
		case Lt:
			return r < 0
		case Le:
			return r <= 0
		}
		return r == 0
	}
}

// textTest returns the co, sw or ew test against want. Without caseExact
// both sides are folded with schema.Fold.
func textTest(op CompareOp, want string, caseExact bool) func(v any) bool {
	if !caseExact {
		want = schema.Fold(want)
	}
	var fn func(s, sub string) bool
	switch op {
	case Co:
		fn = strings.Contains
	case Sw:
		fn = strings.HasPrefix
	default:
		fn = strings.HasSuffix
	}
	return func(v any) bool {
		s, ok := v.(string)
		if !ok {
			return false
		}
		if !caseExact {
			s = schema.Fold(s)
		}
		return fn(s, want)
	}
}
