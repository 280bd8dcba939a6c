package patch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/scimdoctor/scimdoctor/scim"
	"github.com/scimdoctor/scimdoctor/scim/schema"
)

// PatchOpURN is the schema URN of a PATCH request body (RFC 7644 Section 3.5.2).
const PatchOpURN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

// Request is a parsed PatchOp body. Parse keeps the operations as sent;
// Apply decides under its Options which spellings it accepts.
type Request struct {
	// SchemasMissing is true when the body has no "schemas" member. Apply
	// accepts it with RuleSchemasMissing, or rejects it when strict.
	SchemasMissing bool
	Operations     []Operation
}

// Operation is one element of "Operations".
type Operation struct {
	// Op is the "op" member exactly as sent, such as "add" or "Replace".
	Op string
	// Path is the "path" member; HasPath is false when it is absent.
	Path    string
	HasPath bool
	// Value is the "value" member as encoding/json decodes it with
	// UseNumber (numbers are json.Number); HasValue is false when it is
	// absent. A JSON null gives HasValue true and Value nil.
	Value    any
	HasValue bool
}

// Parse decodes a PatchOp body (RFC 7644 Section 3.5.2). Member names
// match case-insensitively, so "operations" and "Op" are accepted, as
// RFC 7643 Section 2.1 makes attribute names case-insensitive.
//
// "schemas" may be absent (see Request.SchemasMissing), but when present it
// must be an array of strings that contains PatchOpURN. "Operations" must
// be a non-empty array of objects, each with a string "op"; "path" must be
// a string when present. Parse does not check the op name or the path:
// Apply does.
//
// Errors are *scim.Error with status 400 and scimType invalidSyntax, with a
// detail that names the member, such as `Operations[2].op: ...`.
func Parse(body []byte) (*Request, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return nil, scim.Errorf(400, scim.InvalidSyntax, "PATCH body is not valid JSON: %s", jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, scim.Errorf(400, scim.InvalidSyntax, "PATCH body has data after the JSON object: send one PatchOp object")
	}
	top, ok := raw.(map[string]any)
	if !ok {
		return nil, scim.Errorf(400, scim.InvalidSyntax, "PATCH body must be a JSON object with \"schemas\" and \"Operations\", not %s", jsonType(raw))
	}

	req := &Request{}
	schemas, ok := schema.Lookup(top, "schemas")
	if !ok {
		req.SchemasMissing = true
	} else if err := checkPatchSchemas(schemas); err != nil {
		return nil, err
	}

	opsRaw, ok := schema.Lookup(top, "Operations")
	if !ok || opsRaw == nil {
		return nil, scim.Errorf(400, scim.InvalidSyntax, `PATCH body has no "Operations": send an array of {"op", "path", "value"} objects`)
	}
	ops, ok := opsRaw.([]any)
	if !ok {
		return nil, scim.Errorf(400, scim.InvalidSyntax, `"Operations" must be an array, not %s`, jsonType(opsRaw))
	}
	if len(ops) == 0 {
		return nil, scim.Errorf(400, scim.InvalidSyntax, `"Operations" is empty: RFC 7644 Section 3.5.2 requires at least one operation`)
	}
	for i, item := range ops {
		op, err := parseOperation(i, item)
		if err != nil {
			return nil, err
		}
		req.Operations = append(req.Operations, op)
	}
	return req, nil
}

func checkPatchSchemas(v any) error {
	list, ok := v.([]any)
	if !ok {
		return scim.Errorf(400, scim.InvalidSyntax, `"schemas" must be an array containing %q, not %s`, PatchOpURN, jsonType(v))
	}
	for _, item := range list {
		s, ok := item.(string)
		if !ok {
			return scim.Errorf(400, scim.InvalidSyntax, `"schemas" must contain only strings, not %s`, jsonType(item))
		}
		if strings.EqualFold(s, PatchOpURN) {
			return nil
		}
	}
	return scim.Errorf(400, scim.InvalidSyntax, `"schemas" must contain %q for a PATCH request`, PatchOpURN)
}

func parseOperation(i int, item any) (Operation, error) {
	obj, ok := item.(map[string]any)
	if !ok {
		return Operation{}, scim.Errorf(400, scim.InvalidSyntax, "Operations[%d]: an operation must be a JSON object, not %s", i, jsonType(item))
	}
	var op Operation
	opRaw, ok := schema.Lookup(obj, "op")
	if !ok {
		return Operation{}, scim.Errorf(400, scim.InvalidSyntax, `Operations[%d]: missing "op": use "add", "remove" or "replace"`, i)
	}
	if op.Op, ok = opRaw.(string); !ok {
		return Operation{}, scim.Errorf(400, scim.InvalidSyntax, `Operations[%d].op must be a string such as "add", not %s`, i, jsonType(opRaw))
	}
	if pathRaw, ok := schema.Lookup(obj, "path"); ok && pathRaw != nil {
		if op.Path, ok = pathRaw.(string); !ok {
			return Operation{}, scim.Errorf(400, scim.InvalidSyntax, `Operations[%d].path must be a string such as "emails[type eq \"work\"].value", not %s`, i, jsonType(pathRaw))
		}
		op.HasPath = true
	}
	op.Value, op.HasValue = schema.Lookup(obj, "value")
	return op, nil
}

// jsonProblem describes a decoding error without Go type names.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return fmt.Sprintf("%s at byte %d", syntax.Error(), syntax.Offset)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of input"
	}
	return err.Error()
}

// jsonType names the JSON type of a decoded value for a message.
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
	if _, ok := schema.Number(v); ok {
		return "a number"
	}
	return fmt.Sprintf("a %T", v)
}
