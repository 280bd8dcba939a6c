package schema

import (
	"strings"

	"github.com/scimdoctor/scimdoctor/scim"
)

// Meta is the "meta" attribute of a /Schemas or /ResourceTypes resource.
type Meta struct {
	ResourceType string `json:"resourceType"`
	Location     string `json:"location"`
}

// SchemaResource is the JSON form of a schema at /Schemas/{id} (RFC 7643
// Section 7).
type SchemaResource struct {
	Schemas     []string     `json:"schemas"`
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	Attributes  []*Attribute `json:"attributes"`
	Meta        Meta         `json:"meta"`
}

// SchemaExtensionRef names an extension in a resource type.
type SchemaExtensionRef struct {
	Schema   string `json:"schema"`
	Required bool   `json:"required"`
}

// ResourceTypeResource is the JSON form of a resource type at
// /ResourceTypes/{name} (RFC 7643 Section 6).
type ResourceTypeResource struct {
	Schemas          []string             `json:"schemas"`
	ID               string               `json:"id"`
	Name             string               `json:"name"`
	Endpoint         string               `json:"endpoint"`
	Description      string               `json:"description,omitempty"`
	Schema           string               `json:"schema"`
	SchemaExtensions []SchemaExtensionRef `json:"schemaExtensions,omitempty"`
	Meta             Meta                 `json:"meta"`
}

// location joins the server's base URL, such as
// "https://example.com/scim/v2" (a trailing slash is ignored), with a path.
func location(baseURL string, parts ...string) string {
	return strings.TrimRight(baseURL, "/") + "/" + strings.Join(parts, "/")
}

// Resource returns the /Schemas/{id} resource of s, with
// meta.location under baseURL.
func (s *Schema) Resource(baseURL string) SchemaResource {
	return SchemaResource{
		Schemas:     []string{SchemaURN},
		ID:          s.ID,
		Name:        s.Name,
		Description: s.Description,
		Attributes:  s.Attributes,
		Meta:        Meta{ResourceType: "Schema", Location: location(baseURL, "Schemas", s.ID)},
	}
}

// Resource returns the /ResourceTypes/{name} resource of rt, with
// meta.location under baseURL.
func (rt *ResourceType) Resource(baseURL string) ResourceTypeResource {
	r := ResourceTypeResource{
		Schemas:     []string{ResourceTypeURN},
		ID:          rt.Name,
		Name:        rt.Name,
		Endpoint:    rt.Endpoint,
		Description: rt.Description,
		Schema:      rt.Schema.ID,
		Meta:        Meta{ResourceType: "ResourceType", Location: location(baseURL, "ResourceTypes", rt.Name)},
	}
	for _, ext := range rt.Extensions {
		r.SchemaExtensions = append(r.SchemaExtensions, SchemaExtensionRef{Schema: ext.Schema.ID, Required: ext.Required})
	}
	return r
}

// SchemasResponse returns the body of GET /Schemas: a ListResponse of every
// schema, without the common attributes, which belong to no schema.
func (r *Registry) SchemasResponse(baseURL string) scim.ListResponse {
	var list []any
	for _, s := range r.schemas {
		list = append(list, s.Resource(baseURL))
	}
	return scim.ListResponse{TotalResults: len(list), StartIndex: 1, ItemsPerPage: len(list), Resources: list}
}

// ResourceTypesResponse returns the body of GET /ResourceTypes.
func (r *Registry) ResourceTypesResponse(baseURL string) scim.ListResponse {
	var list []any
	for _, rt := range r.types {
		list = append(list, rt.Resource(baseURL))
	}
	return scim.ListResponse{TotalResults: len(list), StartIndex: 1, ItemsPerPage: len(list), Resources: list}
}
