// Package schema is the registry of SCIM resource types and their schemas
// (RFC 7643): the core User and Group schemas, the Enterprise User extension
// and the common attributes id, externalId, schemas and meta.
//
// Resources are JSON objects decoded by encoding/json into map[string]any:
// strings, bools, float64 or json.Number, nil, []any and map[string]any.
// Attribute names match case-insensitively (RFC 7643 Section 2.1), and
// extension attributes live in an object under the extension's schema URN
// (RFC 7643 Section 3.3).
//
// The registry drives validation of request bodies ([ResourceType.ValidateCreate],
// [ResourceType.ValidateReplace]), projection with "attributes" and
// "excludedAttributes" ([ResourceType.Project]), sorting ([ResourceType.Comparator]),
// attribute lookup for filters and PATCH paths ([ResourceType.Resolve]) and
// the /Schemas and /ResourceTypes endpoints.
package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Type is an attribute data type (RFC 7643 Section 2.3).
type Type string

// The data types of RFC 7643 Section 2.3.
const (
	String    Type = "string"
	Boolean   Type = "boolean"
	Decimal   Type = "decimal"
	Integer   Type = "integer"
	DateTime  Type = "dateTime"
	Binary    Type = "binary"
	Reference Type = "reference"
	Complex   Type = "complex"
)

// Mutability is the rule for when a client may write an attribute (RFC 7643
// Section 7).
type Mutability string

// The mutability values of RFC 7643 Section 7.
const (
	ReadOnly  Mutability = "readOnly"  // set by the service provider; input is ignored
	ReadWrite Mutability = "readWrite" // may be changed at any time
	Immutable Mutability = "immutable" // set on create or when unset; never changed after
	WriteOnly Mutability = "writeOnly" // may be written, never returned (passwords)
)

// Returned is the rule for when a response carries an attribute (RFC 7643
// Section 7).
type Returned string

// The returned values of RFC 7643 Section 7.
const (
	ReturnedAlways  Returned = "always"  // in every response, whatever "attributes" and "excludedAttributes" name
	ReturnedNever   Returned = "never"   // in no response
	ReturnedDefault Returned = "default" // unless excluded, or unless "attributes" omits it
	ReturnedRequest Returned = "request" // only when "attributes" names it
)

// Uniqueness says how unique values must be (RFC 7643 Section 7).
type Uniqueness string

// The uniqueness values of RFC 7643 Section 7.
const (
	UniqueNone   Uniqueness = "none"
	UniqueServer Uniqueness = "server"
	UniqueGlobal Uniqueness = "global"
)

// Attribute is an attribute definition (RFC 7643 Section 7). Its JSON form
// is the one /Schemas returns.
type Attribute struct {
	Name            string       `json:"name"`
	Type            Type         `json:"type"`
	MultiValued     bool         `json:"multiValued"`
	Description     string       `json:"description,omitempty"`
	Required        bool         `json:"required"`
	CaseExact       bool         `json:"caseExact"`
	CanonicalValues []string     `json:"canonicalValues,omitempty"`
	ReferenceTypes  []string     `json:"referenceTypes,omitempty"`
	Mutability      Mutability   `json:"mutability"`
	Returned        Returned     `json:"returned"`
	Uniqueness      Uniqueness   `json:"uniqueness"`
	SubAttributes   []*Attribute `json:"subAttributes,omitempty"`
}

// Sub returns the sub-attribute with the given name, compared
// case-insensitively, or nil.
func (a *Attribute) Sub(name string) *Attribute {
	return findAttribute(a.SubAttributes, name)
}

func findAttribute(attrs []*Attribute, name string) *Attribute {
	for _, attr := range attrs {
		if strings.EqualFold(attr.Name, name) {
			return attr
		}
	}
	return nil
}

// Schema is a schema definition (RFC 7643 Section 7).
type Schema struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	Attributes  []*Attribute `json:"attributes"`
}

// Attribute returns the top-level attribute with the given name, compared
// case-insensitively, or nil.
func (s *Schema) Attribute(name string) *Attribute {
	return findAttribute(s.Attributes, name)
}

// ParseSchema decodes a schema in the JSON form of RFC 7643 Section 7 and
// fills in the defaults of RFC 7643 Section 2.2 for missing
// characteristics (type string, mutability readWrite, returned default,
// uniqueness none). It rejects unknown members, unknown keywords, invalid
// or duplicate names, complex attributes without sub-attributes and complex
// sub-attributes, which RFC 7643 Section 2.3.8 forbids.
func ParseSchema(data []byte) (*Schema, error) {
	var doc struct {
		Schemas []string `json:"schemas"`
		Schema
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("schema: invalid schema JSON: %w", err)
	}
	s := &doc.Schema
	if s.ID == "" {
		return nil, fmt.Errorf("schema: schema %q has no id", s.Name)
	}
	if err := checkAttributes(s.ID, s.Attributes, false); err != nil {
		return nil, err
	}
	return s, nil
}

func checkAttributes(where string, attrs []*Attribute, sub bool) error {
	seen := map[string]bool{}
	for _, a := range attrs {
		if err := checkAttribute(where, a, sub); err != nil {
			return err
		}
		key := strings.ToLower(a.Name)
		if seen[key] {
			return fmt.Errorf("schema: %s defines attribute %q twice (names compare case-insensitively)", where, a.Name)
		}
		seen[key] = true
	}
	return nil
}

func checkAttribute(where string, a *Attribute, sub bool) error {
	if !validName(a.Name) {
		return fmt.Errorf("schema: %s has invalid attribute name %q: use a letter or $ followed by letters, digits, - _ $", where, a.Name)
	}
	path := where + ":" + a.Name

	if a.Type == "" {
		a.Type = String
	}
	if a.Mutability == "" {
		a.Mutability = ReadWrite
	}
	if a.Returned == "" {
		a.Returned = ReturnedDefault
	}
	if a.Uniqueness == "" {
		a.Uniqueness = UniqueNone
	}

	switch a.Type {
	case String, Boolean, Decimal, Integer, DateTime, Binary, Reference, Complex:
	default:
		return fmt.Errorf("schema: attribute %s has unknown type %q", path, a.Type)
	}
	switch a.Mutability {
	case ReadOnly, ReadWrite, Immutable, WriteOnly:
	default:
		return fmt.Errorf("schema: attribute %s has unknown mutability %q", path, a.Mutability)
	}
	switch a.Returned {
	case ReturnedAlways, ReturnedNever, ReturnedDefault, ReturnedRequest:
	default:
		return fmt.Errorf("schema: attribute %s has unknown returned value %q", path, a.Returned)
	}
	switch a.Uniqueness {
	case UniqueNone, UniqueServer, UniqueGlobal:
	default:
		return fmt.Errorf("schema: attribute %s has unknown uniqueness %q", path, a.Uniqueness)
	}

	if a.Type != Complex {
		if len(a.SubAttributes) > 0 {
			return fmt.Errorf("schema: attribute %s of type %s has sub-attributes; only complex attributes may", path, a.Type)
		}
		return nil
	}
	if sub {
		return fmt.Errorf("schema: sub-attribute %s is complex; RFC 7643 Section 2.3.8 forbids complex sub-attributes", path)
	}
	if len(a.SubAttributes) == 0 {
		return fmt.Errorf("schema: complex attribute %s has no sub-attributes", path)
	}
	return checkAttributes(path, a.SubAttributes, true)
}

func validName(name string) bool {
	if name == "" {
		return false
	}
	c := name[0]
	if !('a' <= c|0x20 && c|0x20 <= 'z') && c != '$' {
		return false
	}
	for i := 1; i < len(name); i++ {
		c := name[i]
		if !('a' <= c|0x20 && c|0x20 <= 'z') && !('0' <= c && c <= '9') && c != '-' && c != '_' && c != '$' {
			return false
		}
	}
	return true
}

// Extension is a schema extension of a resource type.
type Extension struct {
	Schema   *Schema
	Required bool
}

// ResourceType is a resource type (RFC 7643 Section 6) with its schemas.
type ResourceType struct {
	Name        string // also the id, such as "User"
	Endpoint    string // such as "/Users"
	Description string
	Schema      *Schema
	Extensions  []Extension
	// Common holds the attributes of every resource: id, externalId,
	// schemas and meta (RFC 7643 Section 3.1).
	Common *Schema
}

// Extension returns the extension with the schema URN id, compared
// case-insensitively, or nil.
func (rt *ResourceType) Extension(id string) *Extension {
	for i := range rt.Extensions {
		if strings.EqualFold(rt.Extensions[i].Schema.ID, id) {
			return &rt.Extensions[i]
		}
	}
	return nil
}

// Registry holds the resource types a server offers and their schemas.
type Registry struct {
	types   []*ResourceType
	schemas []*Schema
}

// NewRegistry returns a registry of the given resource types. Every schema
// they use is listed once by /Schemas, in order of first use. It rejects
// duplicate names or endpoints and one URN used for two different schemas.
func NewRegistry(types ...*ResourceType) (*Registry, error) {
	r := &Registry{}
	byID := map[string]*Schema{}
	names := map[string]bool{}
	add := func(s *Schema) error {
		key := strings.ToLower(s.ID)
		if prev, ok := byID[key]; ok {
			if prev != s {
				return fmt.Errorf("schema: two different schemas share the id %q", s.ID)
			}
			return nil
		}
		byID[key] = s
		r.schemas = append(r.schemas, s)
		return nil
	}
	for _, rt := range types {
		if rt.Name == "" || !strings.HasPrefix(rt.Endpoint, "/") || rt.Schema == nil || rt.Common == nil {
			return nil, fmt.Errorf("schema: resource type %q needs a name, an endpoint starting with /, a schema and the common attributes", rt.Name)
		}
		for _, key := range []string{"name:" + strings.ToLower(rt.Name), "endpoint:" + strings.ToLower(rt.Endpoint)} {
			if names[key] {
				return nil, fmt.Errorf("schema: resource type %q repeats a name or endpoint of another resource type", rt.Name)
			}
			names[key] = true
		}
		if err := add(rt.Schema); err != nil {
			return nil, err
		}
		for _, ext := range rt.Extensions {
			if err := add(ext.Schema); err != nil {
				return nil, err
			}
		}
		r.types = append(r.types, rt)
	}
	return r, nil
}

// ResourceTypes returns the resource types in registration order.
func (r *Registry) ResourceTypes() []*ResourceType { return r.types }

// Schemas returns every schema of the registry's resource types.
func (r *Registry) Schemas() []*Schema { return r.schemas }

// ResourceType returns the resource type with the given name, such as
// "User", compared case-insensitively, or nil.
func (r *Registry) ResourceType(name string) *ResourceType {
	for _, rt := range r.types {
		if strings.EqualFold(rt.Name, name) {
			return rt
		}
	}
	return nil
}

// Schema returns the schema with the URN id, compared case-insensitively,
// or nil.
func (r *Registry) Schema(id string) *Schema {
	for _, s := range r.schemas {
		if strings.EqualFold(s.ID, id) {
			return s
		}
	}
	return nil
}
