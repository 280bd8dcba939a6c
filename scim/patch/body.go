package patch

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/scimdoctor/scimdoctor/scim"
	"github.com/scimdoctor/scimdoctor/scim/schema"
)

// ReplaceBody reads the body of a PUT (RFC 7644 Section 3.5.1) against the
// stored document old and returns the new document, built on
// schema.ValidateReplace.
//
// Okta's whole-resource PUT carries "id", "meta" and "groups": they are
// readOnly, so they are ignored (RulePutReadOnly). "password" is writeOnly
// and never returned, so a body without it keeps the stored one and a body
// with it sets a new one. Boolean strings and a string "manager" are
// converted as in Apply. For a Group, "members" becomes Result.Members.Replace:
// a PUT without "members" leaves the group without members, because PUT
// replaces the whole resource.
//
// Errors are *scim.Error with status 400. The scimType is invalidSyntax
// for a body that is not a JSON object or lacks the resource type's schema
// in "schemas". It is invalidValue for a wrong type or a missing required
// attribute, and mutability for a changed immutable attribute.
func ReplaceBody(rt *schema.ResourceType, old map[string]any, body []byte, opts Options) (*Result, error) {
	return readBody(rt, old, body, opts, true)
}

// CreateBody reads the body of a POST (RFC 7644 Section 3.3) the way
// ReplaceBody reads a PUT, built on schema.ValidateCreate. For a Group,
// Result.Members.Replace holds the initial members, empty when the body
// has none.
func CreateBody(rt *schema.ResourceType, body []byte, opts Options) (*Result, error) {
	return readBody(rt, nil, body, opts, false)
}

func readBody(rt *schema.ResourceType, old map[string]any, body []byte, opts Options, replace bool) (*Result, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return nil, scim.Errorf(400, scim.InvalidSyntax, "body is not valid JSON: %s", jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, scim.Errorf(400, scim.InvalidSyntax, "body has data after the JSON object: send one %s", rt.Name)
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, scim.Errorf(400, scim.InvalidSyntax, "body must be a JSON object (a %s), not %s", rt.Name, jsonType(raw))
	}

	a := &applier{rt: rt, doc: obj, opts: opts}
	a.members.replace(nil)
	if err := a.normalizeBody(); err != nil {
		return nil, err
	}

	var res schema.Result
	var err error
	validate := schema.Options{RejectUnknown: opts.Strict}
	if replace {
		res, err = rt.ValidateReplace(a.doc, old, validate)
	} else {
		res, err = rt.ValidateCreate(a.doc, validate)
	}
	if err != nil {
		return nil, err
	}
	if len(res.Unknown) > 0 {
		a.fire(RuleUnknownAttribute)
	}
	out := &Result{Doc: res.Resource, Fired: a.fired.rules, Ignored: res.Ignored}
	if isGroup(rt) {
		out.Members = a.members
	}
	return out, nil
}

// isGroup reports whether rt keeps a "members" attribute outside the document.
func isGroup(rt *schema.ResourceType) bool {
	attr := rt.Schema.Attribute("members")
	return attr != nil && isMembers(rt, schema.Path{Schema: rt.Schema, Attribute: attr})
}

// normalizeBody converts the values of a whole resource body in place:
// boolean strings, string complex values and the Group members.
func (a *applier) normalizeBody() error {
	for _, key := range sortedKeys(a.doc) {
		value := a.doc[key]
		if strings.EqualFold(key, "schemas") {
			continue
		}
		if ext := a.rt.Extension(key); ext != nil {
			obj, ok := value.(map[string]any)
			if !ok {
				continue // schema validation reports the wrong type
			}
			for _, sub := range sortedKeys(obj) {
				attr := ext.Schema.Attribute(sub)
				if attr == nil {
					continue
				}
				v, err := a.normalizeValue(attr, obj[sub])
				if err != nil {
					return prefixed(ext.Schema.ID+":"+attr.Name, err)
				}
				obj[sub] = v
			}
			continue
		}

		attr := a.rt.Schema.Attribute(key)
		p := schema.Path{Schema: a.rt.Schema, Attribute: attr}
		if attr == nil {
			attr = a.rt.Common.Attribute(key)
			p = schema.Path{Schema: a.rt.Common, Attribute: attr}
		}
		if attr == nil {
			continue // schema validation ignores it and lists it in Ignored
		}
		if isMembers(a.rt, p) {
			delete(a.doc, key)
			if value == nil {
				continue
			}
			ms, err := a.parseMembers("members", value, false)
			if err != nil {
				return err
			}
			a.members.replace(ms)
			continue
		}
		if attr.Mutability == schema.ReadOnly {
			if !schema.IsEmpty(value) {
				a.fire(RulePutReadOnly)
			}
			continue
		}
		v, err := a.normalizeValue(attr, value)
		if err != nil {
			return prefixed(attr.Name, err)
		}
		a.doc[key] = v
	}
	return nil
}

// normalizeValue converts a whole attribute value; values of the wrong
// shape are left for schema validation to report.
func (a *applier) normalizeValue(attr *schema.Attribute, value any) (any, error) {
	if value == nil {
		return nil, nil
	}
	if !attr.MultiValued {
		return a.coerce(attr, value)
	}
	list, ok := value.([]any)
	if !ok {
		return value, nil
	}
	out := make([]any, len(list))
	for i, elem := range list {
		v, err := a.coerce(attr, elem)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}
