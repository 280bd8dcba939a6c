package patch

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/scimdoctor/scimdoctor/scim"
	"github.com/scimdoctor/scimdoctor/scim/filter"
	"github.com/scimdoctor/scimdoctor/scim/schema"
	"github.com/scimdoctor/scimdoctor/scim/store"
)

// Options selects how Apply and the body functions read a request.
type Options struct {
	// Strict disables every Rule whose Strict field is false: the input those
	// rules accept gets the RFC 7644 error instead (for example
	// `"Replace"` fails with invalidSyntax, and a path-less value with the
	// key "id" fails with mutability). It is the server's rfc conformance
	// mode.
	Strict bool
	// ID is the id of the resource the request changes. A readOnly "id"
	// in the request that equals it is not a modification (RFC 7643
	// Section 2.2), so it is accepted without a rule, in strict mode too.
	// Empty means the id is unknown, and every "id" counts as a change.
	ID string
}

// Result is the outcome of Apply, ReplaceBody or CreateBody.
type Result struct {
	// Doc is the new document, validated by scim/schema: canonical
	// attribute names, "schemas" listing the core schema and every extension
	// that has values, JSON booleans for boolean attributes, and no null or
	// "" values. It never holds readOnly attributes (id, meta, groups) or
	// Group members.
	Doc map[string]any
	// Members is the change of a Group's membership. It is empty for Users.
	Members MemberChange
	// Fired lists the rules that fired, each once, in order of first firing.
	Fired []Rule
	// Ignored lists the attribute paths that validation dropped from the
	// document: readOnly and unknown attributes (see schema.Result.Ignored).
	Ignored []string
}

// applier holds the state of one Apply call.
type applier struct {
	rt      *schema.ResourceType
	doc     map[string]any
	source  MemberSource
	opts    Options
	members MemberChange
	fired   fired

	// unknown lists the PATCH paths dropped by RuleUnknownAttribute.
	unknown []string

	// stored caches the MemberSource result once loaded is true.
	stored []store.Member
	loaded bool
}

// Apply applies the operations of req in order to a copy of doc and returns
// the validated result (RFC 7644 Section 3.5.2). doc is the stored document:
// canonical names, without id, meta and Group members; Apply does not
// change it. members supplies the current Group members when a remove
// filter needs them (see MemberSource) and may be nil for Users.
//
// Operations on the Group "members" attribute do not touch Doc; they become
// Result.Members. Every other operation edits the document, then "primary"
// exclusivity is restored on the attribute it touched. After the last
// operation the document is validated with schema.ValidateCreate (types,
// required attributes, at most one primary).
//
// Errors are *scim.Error with status 400, and the detail starts with the
// operation, such as `Operations[2].path: ...`. The scimType is
// invalidSyntax for an unknown op, invalidPath for a bad or unknown path,
// invalidFilter inside a value filter and invalidValue for a wrong or
// missing value. It is noTarget when a filter matches nothing and no rule
// applies, and mutability for a readOnly or immutable target. Errors found
// by the final validation start with "the patched resource is invalid". A
// failing MemberSource gives its error wrapped, not a *scim.Error.
func Apply(rt *schema.ResourceType, doc map[string]any, members MemberSource, req *Request, opts Options) (*Result, error) {
	a := &applier{rt: rt, doc: copyObject(doc), source: members, opts: opts}
	if a.doc == nil {
		a.doc = map[string]any{}
	}
	if req.SchemasMissing {
		if err := a.dialect(RuleSchemasMissing, scim.InvalidSyntax, `PATCH body has no "schemas": add "schemas":[%q]`, PatchOpURN); err != nil {
			return nil, err
		}
	}
	for i, op := range req.Operations {
		if err := a.operation(op); err != nil {
			var se *scim.Error
			if errors.As(err, &se) {
				return nil, &scim.Error{Status: se.Status, ScimType: se.ScimType, Detail: fmt.Sprintf("Operations[%d]%s", i, joinDetail(se.Detail))}
			}
			return nil, err
		}
	}
	return a.finish()
}

// joinDetail puts a detail after "Operations[i]": a detail that starts with
// a member name ("path: ...") becomes ".path: ...".
func joinDetail(d string) string {
	if namesMember(d) {
		return "." + d
	}
	return ": " + d
}

// namesMember reports whether a detail starts with an operation member,
// as in "path: ..." or "value.title: ...".
func namesMember(d string) bool {
	for _, member := range []string{"op", "path", "value"} {
		if strings.HasPrefix(d, member+":") || strings.HasPrefix(d, member+"[") || strings.HasPrefix(d, member+".") {
			return true
		}
	}
	return false
}

// prefixed adds "member: " before the detail of a *scim.Error, unless the
// detail already names an operation member.
func prefixed(member string, err error) error {
	var se *scim.Error
	if errors.As(err, &se) && !namesMember(se.Detail) {
		return &scim.Error{Status: se.Status, ScimType: se.ScimType, Detail: member + ": " + se.Detail}
	}
	return err
}

func (a *applier) fire(r Rule) { a.fired.add(r) }

// dialect fires r, or when strict and r is a dialect rule returns the RFC
// error described by scimType and the message.
func (a *applier) dialect(r Rule, scimType, format string, args ...any) error {
	if a.opts.Strict && !r.Strict {
		return scim.Errorf(400, scimType, format, args...)
	}
	a.fire(r)
	return nil
}

// finish validates the document and builds the result.
func (a *applier) finish() (*Result, error) {
	body := make(map[string]any, len(a.doc)+1)
	for k, v := range a.doc {
		body[k] = v
	}
	schemas := []any{a.rt.Schema.ID}
	for _, ext := range a.rt.Extensions {
		if _, ok := schema.Lookup(a.doc, ext.Schema.ID); ok {
			schemas = append(schemas, ext.Schema.ID)
		}
	}
	for k := range body {
		if strings.EqualFold(k, "schemas") {
			delete(body, k)
		}
	}
	body["schemas"] = schemas
	res, err := a.rt.ValidateCreate(body, schema.Options{})
	if err != nil {
		var se *scim.Error
		if errors.As(err, &se) {
			return nil, &scim.Error{Status: se.Status, ScimType: se.ScimType, Detail: "the patched resource is invalid: " + se.Detail}
		}
		return nil, err
	}
	ignored := append(res.Ignored, a.unknown...)
	sort.Strings(ignored)
	return &Result{Doc: res.Resource, Members: a.members, Fired: a.fired.rules, Ignored: ignored}, nil
}

// operation applies one operation.
func (a *applier) operation(op Operation) error {
	name, err := a.opName(op.Op)
	if err != nil {
		return err
	}
	if !op.HasPath {
		if name == "remove" {
			return scim.Errorf(400, scim.NoTarget, `path: remove needs a path (RFC 7644 Section 3.5.2.2), such as "members[value eq \"<id>\"]"`)
		}
		return a.pathless(name, op.Value, op.HasValue)
	}
	if name != "remove" && !op.HasValue {
		return scim.Errorf(400, scim.InvalidValue, `value: %s needs a value`, name)
	}

	fp, err := filter.ParsePath(op.Path)
	if err != nil {
		return prefixed("path", err)
	}
	t, err := a.resolve(fp)
	if err != nil {
		if !a.opts.Strict && a.rt.Undefined(fp.Attr) {
			// The same rule drops an unknown attribute in a POST or PUT
			// body and in a path-less value, so an IdP whose mapping has
			// an attribute this server lacks gets the same outcome from
			// every kind of write.
			a.fire(RuleUnknownAttribute)
			a.unknown = append(a.unknown, fp.String())
			return nil
		}
		return prefixed("path", err)
	}
	if isMembers(a.rt, t.path) {
		return a.memberOp(name, "value", fp, t.path, op.Value, op.HasValue)
	}
	if target := t.target(); target != nil && target.Mutability == schema.ReadOnly {
		if name == "replace" && a.sameID(t.path, op.Value) {
			return nil
		}
		return scim.Errorf(400, scim.Mutability, "path: attribute %s is readOnly and cannot be changed", scim.Quote(t.String()))
	}
	if err := a.apply(name, t, op.Value, op.HasValue); err != nil {
		var se *scim.Error
		if errors.As(err, &se) && se.ScimType == scim.InvalidValue {
			return prefixed("value", err)
		}
		return prefixed("path", err)
	}
	return nil
}

// opName returns "add", "remove" or "replace".
func (a *applier) opName(op string) (string, error) {
	switch op {
	case "add", "remove", "replace":
		return op, nil
	}
	lower := strings.ToLower(op)
	switch lower {
	case "add", "remove", "replace":
		if err := a.dialect(RuleOpCase, scim.InvalidSyntax, `op: %s is not an operation of RFC 7644 Section 3.5.2: use %q`, scim.Quote(op), lower); err != nil {
			return "", err
		}
		return lower, nil
	}
	return "", scim.Errorf(400, scim.InvalidSyntax, `op: %s is not an operation: use "add", "remove" or "replace"`, scim.Quote(op))
}

// pathless applies an add or replace without a path: value is a resource
// fragment whose keys name attributes (RFC 7644 Sections 3.5.2.1 and
// 3.5.2.3). Keys are applied in sorted order, so the outcome never depends
// on map order.
func (a *applier) pathless(op string, value any, hasValue bool) error {
	obj, ok := value.(map[string]any)
	if !ok {
		if !hasValue {
			return scim.Errorf(400, scim.InvalidValue, `value: %s without a path needs an object value such as {"active": false}`, op)
		}
		return scim.Errorf(400, scim.InvalidValue, `value: %s without a path needs an object of attributes, not %s`, op, jsonType(value))
	}
	for _, key := range sortedKeys(obj) {
		if strings.EqualFold(key, "schemas") {
			continue // "schemas" is derived from the attributes present
		}
		if ext := a.rt.Extension(key); ext != nil {
			if err := a.pathlessExtension(op, ext, "value."+key, obj[key]); err != nil {
				return err
			}
			continue
		}
		if err := a.pathlessKey(op, "value", key, "", obj[key]); err != nil {
			return err
		}
	}
	return nil
}

// pathlessExtension applies the object under an extension URN, found at
// field ("value" for a path that names the extension).
func (a *applier) pathlessExtension(op string, ext *schema.Extension, field string, value any) error {
	if value == nil {
		a.fire(RuleEmptyClears)
		deleteKey(a.doc, ext.Schema.ID)
		return nil
	}
	obj, ok := value.(map[string]any)
	if !ok {
		return scim.Errorf(400, scim.InvalidValue, "%s: extension %s must be a JSON object, not %s", field, ext.Schema.ID, jsonType(value))
	}
	for _, sub := range sortedKeys(obj) {
		if err := a.pathlessKey(op, field, sub, ext.Schema.ID, obj[sub]); err != nil {
			return err
		}
	}
	return nil
}

// pathlessKey applies one key of a path-less value found at parent. uri is
// the extension whose object holds the key, or empty at the top level.
func (a *applier) pathlessKey(op, parent, key, uri string, value any) error {
	field := parent + "." + key
	ap, err := scim.ParseAttrPath(key, 0, scim.InvalidPath)
	if err != nil {
		return a.unknownKey(field, err)
	}
	if uri != "" {
		if ap.URI != "" {
			return a.unknownKey(field, scim.Errorf(400, scim.InvalidPath, "key %s inside extension %s must be an attribute name", scim.Quote(key), uri))
		}
		ap.URI = uri
	} else if ap.URI != "" {
		if err := a.dialect(RulePathlessURNKey, scim.InvalidPath,
			`%s: a path-less value holds attribute names, and extension attributes go in an object under the extension URN`, field); err != nil {
			return err
		}
	}
	if ap.Sub != "" {
		if err := a.dialect(RulePathlessDottedKey, scim.InvalidPath,
			`%s: a path-less value holds attribute names; set a sub-attribute with an object, as in {"name": {"givenName": "..."}}, or with a path`, field); err != nil {
			return err
		}
	}

	p, err := a.rt.Resolve(ap, scim.InvalidPath)
	if err != nil {
		return a.unknownKey(field, err)
	}
	if p.Attribute == nil {
		return a.pathlessExtension(op, a.rt.Extension(p.Schema.ID), field, value)
	}
	if isMembers(a.rt, p) {
		return a.memberOp(op, field, nil, p, value, true)
	}

	t := target{path: p}
	if tgt := t.target(); tgt.Mutability == schema.ReadOnly {
		if a.sameID(p, value) {
			return nil
		}
		return a.dialect(RuleReadOnlyKey, scim.Mutability, "%s: attribute %s is readOnly and cannot be changed", field, scim.Quote(p.String()))
	}
	return prefixed(field, a.apply(op, t, value, true))
}

// unknownKey ignores a key of a path-less value that names no attribute,
// or returns err with the key when strict.
func (a *applier) unknownKey(field string, err error) error {
	if a.opts.Strict {
		return prefixed(field, err)
	}
	a.fire(RuleUnknownAttribute)
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// sameID reports whether p is the core "id" attribute and value is the id
// of the resource being changed, as Okta sends it with a Group rename.
// Setting a readOnly attribute to its current value changes nothing.
func (a *applier) sameID(p schema.Path, value any) bool {
	if a.opts.ID == "" || p.Attribute == nil || p.Sub != nil || p.Extension || p.Attribute.Name != "id" {
		return false
	}
	id, ok := value.(string)
	return ok && id == a.opts.ID
}
