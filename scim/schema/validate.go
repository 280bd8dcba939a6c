package schema

import (
	"encoding/base64"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/scimdoctor/scimdoctor/scim"
)

// Options relax validation for what identity providers send. The zero
// value validates strictly by RFC 7643.
type Options struct {
	// RejectUnknown makes an attribute that no schema defines an error
	// (400 invalidValue). By default such attributes are dropped and listed
	// in Result.Ignored, because Okta and Entra send attributes of their own
	// mappings and expect the request to succeed.
	RejectUnknown bool
	// StringBooleans accepts "true" and "false" in any case for boolean
	// attributes, as Entra sends them ("True", "False").
	StringBooleans bool
}

// Result is a validated resource.
type Result struct {
	// Resource holds the attributes the client may write, under the
	// schema's spelling of each name, with "schemas" listing the core schema
	// and every extension that has values. readOnly attributes (id, meta,
	// groups, manager.displayName) are never in it, because the server
	// adds them.
	Resource map[string]any
	// Ignored is the sorted list of attribute paths dropped from the body:
	// readOnly ones and, unless Options.RejectUnknown, unknown ones.
	Ignored []string
	// Unknown is the sorted part of Ignored that no schema defines, so a
	// caller can log those apart from the readOnly ones.
	Unknown []string
}

// ValidateCreate validates the body of a POST (RFC 7644 Section 3.3).
//
// Keys match attribute names case-insensitively. "schemas" must list the
// resource type's schema. Other URNs in it are dropped, because Entra adds
// a schema URN of its own to groups. null, "", [] and {} mean absent.
// Every required attribute must have a value. At most one element of a
// multi-valued attribute may have "primary": true.
//
// Errors are *scim.Error with status 400: invalidSyntax when "schemas" is
// missing or wrong, invalidValue for a wrong type, a missing required value
// or, with Options.RejectUnknown, an unknown attribute.
func (rt *ResourceType) ValidateCreate(body map[string]any, opts Options) (Result, error) {
	return rt.validate(body, nil, opts)
}

// ValidateReplace validates the body of a PUT (RFC 7644 Section 3.5.1)
// against the stored resource old.
//
// Beyond the rules of ValidateCreate, an immutable attribute that has a
// value in old must keep it, or the error is 400 mutability. When the body
// omits it, it keeps the old value. An attribute that is never returned
// (password) also keeps its old value when the body omits it, because the
// client could not have read it. Other attributes the body omits are
// cleared, except the immutable sub-attributes of a singular complex
// attribute. Immutable sub-attributes
// of multi-valued attributes (Group members) are not compared, because
// elements may be added and removed.
func (rt *ResourceType) ValidateReplace(body, old map[string]any, opts Options) (Result, error) {
	if old == nil {
		old = map[string]any{}
	}
	return rt.validate(body, old, opts)
}

type validator struct {
	rt      *ResourceType
	opts    Options
	ignored []string
	// unknownPaths is the part of ignored that no schema defines.
	unknownPaths []string
}

func (rt *ResourceType) validate(body, old map[string]any, opts Options) (Result, error) {
	v := &validator{rt: rt, opts: opts}
	if err := rt.checkSchemas(body); err != nil {
		return Result{}, err
	}

	out := map[string]any{}
	core := map[string]any{}
	exts := map[*Schema]map[string]any{}
	for key, value := range body {
		if strings.EqualFold(key, "schemas") {
			continue
		}
		if ext := rt.Extension(key); ext != nil {
			obj, ok := value.(map[string]any)
			if !ok {
				if value == nil {
					continue
				}
				return Result{}, scim.Errorf(400, scim.InvalidValue, "extension %s must be a JSON object, not %s", key, jsonType(value))
			}
			if err := v.object(ext.Schema.ID+":", ext.Schema.Attributes, obj, exts, ext.Schema); err != nil {
				return Result{}, err
			}
			continue
		}
		attr := rt.Schema.Attribute(key)
		if attr == nil {
			attr = rt.Common.Attribute(key)
		}
		if attr == nil {
			if err := v.unknown(key); err != nil {
				return Result{}, err
			}
			continue
		}
		if err := v.attribute("", attr, value, core); err != nil {
			return Result{}, err
		}
	}

	if err := v.required(rt.Schema.Attributes, core, ""); err != nil {
		return Result{}, err
	}
	if old != nil {
		if err := v.keepOld(rt.Schema, false, old, core); err != nil {
			return Result{}, err
		}
		if err := v.keepOld(rt.Common, false, old, core); err != nil {
			return Result{}, err
		}
	}

	schemas := []any{rt.Schema.ID}
	for k, val := range core {
		out[k] = val
	}
	for _, ext := range rt.Extensions {
		obj := exts[ext.Schema]
		if obj == nil {
			obj = map[string]any{}
		}
		if old != nil {
			if err := v.keepOld(ext.Schema, true, old, obj); err != nil {
				return Result{}, err
			}
		}
		if len(obj) == 0 {
			if ext.Required {
				return Result{}, scim.Errorf(400, scim.InvalidValue, "missing required extension %s", ext.Schema.ID)
			}
			continue
		}
		if err := v.required(ext.Schema.Attributes, obj, ext.Schema.ID+":"); err != nil {
			return Result{}, err
		}
		out[ext.Schema.ID] = obj
		schemas = append(schemas, ext.Schema.ID)
	}
	out["schemas"] = schemas
	sort.Strings(v.ignored)
	sort.Strings(v.unknownPaths)
	return Result{Resource: out, Ignored: v.ignored, Unknown: v.unknownPaths}, nil
}

// checkSchemas checks that "schemas" is an array of strings with the
// resource type's schema URN.
func (rt *ResourceType) checkSchemas(body map[string]any) error {
	raw, ok := Lookup(body, "schemas")
	if !ok || raw == nil {
		return scim.Errorf(400, scim.InvalidSyntax, `missing "schemas": add "schemas":[%q]`, rt.Schema.ID)
	}
	list, ok := raw.([]any)
	if !ok {
		return scim.Errorf(400, scim.InvalidSyntax, `"schemas" must be an array of URNs, not %s`, jsonType(raw))
	}
	found := false
	for _, item := range list {
		s, ok := item.(string)
		if !ok {
			return scim.Errorf(400, scim.InvalidSyntax, `"schemas" must hold only strings, not %s`, jsonType(item))
		}
		if strings.EqualFold(s, rt.Schema.ID) {
			found = true
		}
	}
	if !found {
		return scim.Errorf(400, scim.InvalidSyntax, `"schemas" must contain %q for a %s`, rt.Schema.ID, rt.Name)
	}
	return nil
}

func (v *validator) unknown(path string) error {
	if v.opts.RejectUnknown {
		return scim.Errorf(400, scim.InvalidValue, "unknown attribute %s for resource type %s: GET /Schemas lists the attributes",
			scim.Quote(path), v.rt.Name)
	}
	v.ignored = append(v.ignored, path)
	v.unknownPaths = append(v.unknownPaths, path)
	return nil
}

// object validates the members of an extension object into exts[s].
func (v *validator) object(prefix string, attrs []*Attribute, obj map[string]any, exts map[*Schema]map[string]any, s *Schema) error {
	out := exts[s]
	if out == nil {
		out = map[string]any{}
		exts[s] = out
	}
	for key, value := range obj {
		attr := findAttribute(attrs, key)
		if attr == nil {
			if err := v.unknown(prefix + key); err != nil {
				return err
			}
			continue
		}
		if err := v.attribute(prefix, attr, value, out); err != nil {
			return err
		}
	}
	return nil
}

// attribute validates one top-level attribute and stores it in out under
// the schema's spelling of its name.
func (v *validator) attribute(prefix string, attr *Attribute, value any, out map[string]any) error {
	path := prefix + attr.Name
	if attr.Mutability == ReadOnly {
		if !IsEmpty(value) {
			v.ignored = append(v.ignored, path)
		}
		return nil
	}
	clean, err := v.value(path, attr, value)
	if err != nil {
		return err
	}
	if clean != nil && clean != "" {
		out[attr.Name] = clean
	}
	return nil
}

// value validates value against attr and returns its clean form, or nil
// when it counts as absent.
func (v *validator) value(path string, attr *Attribute, value any) (any, error) {
	if value == nil {
		return nil, nil
	}
	if !attr.MultiValued {
		return v.single(path, attr, value)
	}
	list, ok := value.([]any)
	if !ok {
		return nil, scim.Errorf(400, scim.InvalidValue, "attribute %s is multi-valued: send a JSON array, not %s", scim.Quote(path), jsonType(value))
	}
	var out []any
	primaries := 0
	for i, elem := range list {
		clean, err := v.single(fmt.Sprintf("%s[%d]", path, i), attr, elem)
		if err != nil {
			return nil, err
		}
		if clean == nil {
			continue
		}
		if m, ok := clean.(map[string]any); ok && m["primary"] == true {
			primaries++
		}
		out = append(out, clean)
	}
	if primaries > 1 {
		return nil, scim.Errorf(400, scim.InvalidValue, "attribute %s has %d values with \"primary\": true; at most one may be primary", scim.Quote(path), primaries)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// single validates one value of attr.
func (v *validator) single(path string, attr *Attribute, value any) (any, error) {
	if value == nil {
		return nil, nil
	}
	wrong := func(want string) error {
		return scim.Errorf(400, scim.InvalidValue, "attribute %s must be %s, not %s", scim.Quote(path), want, describeValue(value))
	}
	switch attr.Type {
	case Complex:
		obj, ok := value.(map[string]any)
		if !ok {
			return nil, wrong("a JSON object")
		}
		return v.complex(path, attr, obj)
	case String, Reference:
		s, ok := value.(string)
		if !ok {
			return nil, wrong("a string")
		}
		if err := checkText(path, attr, s); err != nil {
			return nil, err
		}
	case Binary:
		s, ok := value.(string)
		if !ok {
			return nil, wrong("a base64 string")
		}
		if _, err := base64.StdEncoding.DecodeString(s); err != nil {
			return nil, wrong("valid base64 (RFC 4648 Section 4, with padding)")
		}
	case DateTime:
		s, ok := value.(string)
		if !ok {
			return nil, wrong(`a dateTime string such as "2011-05-13T04:42:34Z"`)
		}
		if _, err := ParseDateTime(s); err != nil {
			return nil, wrong(`an xsd:dateTime with a time zone, such as "2011-05-13T04:42:34Z"`)
		}
	case Boolean:
		if s, ok := value.(string); ok && v.opts.StringBooleans {
			switch {
			case strings.EqualFold(s, "true"):
				return true, nil
			case strings.EqualFold(s, "false"):
				return false, nil
			}
		}
		if _, ok := value.(bool); !ok {
			return nil, wrong("true or false")
		}
	case Integer:
		f, ok := Number(value)
		if !ok || math.Trunc(f) != f || math.Abs(f) > 1<<53 {
			return nil, wrong("an integer")
		}
	case Decimal:
		f, ok := Number(value)
		if !ok || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, wrong("a number")
		}
	}
	return value, nil
}

// complex validates the sub-attributes of one complex value.
func (v *validator) complex(path string, attr *Attribute, obj map[string]any) (any, error) {
	out := map[string]any{}
	for key, value := range obj {
		sub := attr.Sub(key)
		if sub == nil {
			// Entra sends "$ref": null in member values; a null is no value.
			if value == nil {
				continue
			}
			if err := v.unknown(path + "." + key); err != nil {
				return nil, err
			}
			continue
		}
		subPath := path + "." + sub.Name
		if sub.Mutability == ReadOnly {
			if !IsEmpty(value) {
				v.ignored = append(v.ignored, subPath)
			}
			continue
		}
		clean, err := v.single(subPath, sub, value)
		if err != nil {
			return nil, err
		}
		if clean != nil && clean != "" {
			out[sub.Name] = clean
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	if err := v.required(attr.SubAttributes, out, path+"."); err != nil {
		return nil, err
	}
	return out, nil
}

// required checks that every required, writable attribute of attrs has a
// non-empty value in obj.
func (v *validator) required(attrs []*Attribute, obj map[string]any, prefix string) error {
	for _, a := range attrs {
		if !a.Required || a.Mutability == ReadOnly {
			continue
		}
		if val, ok := obj[a.Name]; !ok || IsEmpty(val) {
			return scim.Errorf(400, scim.InvalidValue, "missing required attribute %s", scim.Quote(prefix+a.Name))
		}
	}
	return nil
}

// keepOld applies the PUT rules for immutable and never-returned attributes
// of schema s: out holds the new values (the extension object when ext).
func (v *validator) keepOld(s *Schema, ext bool, old, out map[string]any) error {
	oldObj := old
	if ext {
		raw, _ := Lookup(old, s.ID)
		oldObj, _ = raw.(map[string]any)
		if oldObj == nil {
			return nil
		}
	}
	prefix := ""
	if ext {
		prefix = s.ID + ":"
	}
	for _, a := range s.Attributes {
		oldVal, _ := Lookup(oldObj, a.Name)
		if IsEmpty(oldVal) {
			continue
		}
		newVal, has := out[a.Name]
		switch {
		case a.Mutability == Immutable:
			if !has {
				out[a.Name] = oldVal
				continue
			}
			if !equalValues(a, oldVal, newVal) {
				return scim.Errorf(400, scim.Mutability, "attribute %s is immutable: it cannot change from %s to %s",
					scim.Quote(prefix+a.Name), describeValue(oldVal), describeValue(newVal))
			}
		case a.Returned == ReturnedNever && !has:
			out[a.Name] = oldVal
		case a.Type == Complex && !a.MultiValued:
			if !has {
				newVal = map[string]any{}
			}
			if err := keepOldSubs(prefix+a.Name, a, oldVal, newVal); err != nil {
				return err
			}
			if !IsEmpty(newVal) {
				out[a.Name] = newVal
			}
		}
	}
	return nil
}

// keepOldSubs applies the immutable rule to the sub-attributes of a
// singular complex attribute.
func keepOldSubs(path string, a *Attribute, oldVal, newVal any) error {
	oldObj, _ := oldVal.(map[string]any)
	newObj, _ := newVal.(map[string]any)
	if oldObj == nil || newObj == nil {
		return nil
	}
	for _, sub := range a.SubAttributes {
		if sub.Mutability != Immutable {
			continue
		}
		o, _ := Lookup(oldObj, sub.Name)
		if IsEmpty(o) {
			continue
		}
		n, has := newObj[sub.Name]
		if !has {
			newObj[sub.Name] = o
			continue
		}
		if !equalValues(sub, o, n) {
			return scim.Errorf(400, scim.Mutability, "attribute %s is immutable: it cannot change from %s to %s",
				scim.Quote(path+"."+sub.Name), describeValue(o), describeValue(n))
		}
	}
	return nil
}

// equalValues compares two values of attribute a, honouring caseExact.
func equalValues(a *Attribute, x, y any) bool {
	if a.MultiValued {
		xs, ok1 := x.([]any)
		ys, ok2 := y.([]any)
		if !ok1 || !ok2 || len(xs) != len(ys) {
			return false
		}
		single := *a
		single.MultiValued = false
		for i := range xs {
			if !equalValues(&single, xs[i], ys[i]) {
				return false
			}
		}
		return true
	}
	if a.Type == Complex {
		xm, ok1 := x.(map[string]any)
		ym, ok2 := y.(map[string]any)
		if !ok1 || !ok2 {
			return false
		}
		for _, sub := range a.SubAttributes {
			xv, _ := Lookup(xm, sub.Name)
			yv, _ := Lookup(ym, sub.Name)
			if IsEmpty(xv) != IsEmpty(yv) || (!IsEmpty(xv) && !equalValues(sub, xv, yv)) {
				return false
			}
		}
		return true
	}
	r, ok := Compare(a, x, y)
	return ok && r == 0
}

// jsonType names the JSON type of a decoded value.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	if _, ok := Number(v); ok {
		return "a number"
	}
	return fmt.Sprintf("a %T", v)
}

// describeValue names a value for an error message: its JSON type, and for
// scalars the value, cut to 32 bytes.
func describeValue(v any) string {
	switch v := v.(type) {
	case string:
		return "the string " + scim.Quote(v)
	case bool:
		return fmt.Sprintf("the boolean %t", v)
	}
	if f, ok := Number(v); ok {
		return fmt.Sprintf("the number %v", f)
	}
	return jsonType(v)
}

// checkText rejects string values that no IdP means to send: a NUL
// anywhere, which PostgreSQL cannot store in text or jsonb, and for an
// identifier (uniqueness server or global, such as userName) a value
// that is only white space or contains a control character, because such
// a value cannot be distinguished from another one in an admin UI or a log.
func checkText(path string, attr *Attribute, s string) error {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return scim.Errorf(400, scim.InvalidValue, "attribute %s contains a NUL character at byte %d; remove it", scim.Quote(path), i)
	}
	if attr.Uniqueness == UniqueNone || attr.Uniqueness == "" {
		return nil
	}
	if s != "" && strings.TrimSpace(s) == "" {
		return scim.Errorf(400, scim.InvalidValue, "attribute %s is only white space; send a visible identifier", scim.Quote(path))
	}
	for i, r := range s {
		if unicode.IsControl(r) {
			return scim.Errorf(400, scim.InvalidValue, "attribute %s contains the control character U+%04X at byte %d; remove it", scim.Quote(path), r, i)
		}
	}
	return nil
}
