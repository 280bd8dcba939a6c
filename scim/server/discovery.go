package server

import (
	"net/http"
	"strings"

	"github.com/scimdoctor/scimdoctor/scim"
	"github.com/scimdoctor/scimdoctor/scim/schema"
)

// ServiceProviderConfigURN is the schema of /ServiceProviderConfig (RFC
// 7643 Section 5).
const ServiceProviderConfigURN = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"

type supported struct {
	Supported bool `json:"supported"`
}

type bulkConfig struct {
	Supported      bool  `json:"supported"`
	MaxOperations  int   `json:"maxOperations"`
	MaxPayloadSize int64 `json:"maxPayloadSize"`
}

type filterConfig struct {
	Supported  bool `json:"supported"`
	MaxResults int  `json:"maxResults"`
}

type authScheme struct {
	Type        string `json:"type"`
	Name        string `json:"name"`
	Description string `json:"description"`
	SpecURI     string `json:"specUri,omitempty"`
	Primary     bool   `json:"primary,omitempty"`
}

type serviceProviderConfig struct {
	Schemas               []string     `json:"schemas"`
	DocumentationURI      string       `json:"documentationUri,omitempty"`
	Patch                 supported    `json:"patch"`
	Bulk                  bulkConfig   `json:"bulk"`
	Filter                filterConfig `json:"filter"`
	ChangePassword        supported    `json:"changePassword"`
	Sort                  supported    `json:"sort"`
	ETag                  supported    `json:"etag"`
	AuthenticationSchemes []authScheme `json:"authenticationSchemes"`
	Meta                  schema.Meta  `json:"meta"`
}

// handleServiceProviderConfig describes what this server implements. The
// password is never stored (see stripPassword), so changePassword is false.
func (s *Server) handleServiceProviderConfig(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	s.writeJSON(w, r, http.StatusOK, serviceProviderConfig{
		Schemas:        []string{ServiceProviderConfigURN},
		Patch:          supported{patchSupported},
		Bulk:           bulkConfig{Supported: true, MaxOperations: s.cfg.BulkMaxOperations, MaxPayloadSize: s.cfg.MaxBodyBytes},
		Filter:         filterConfig{Supported: true, MaxResults: s.cfg.MaxResults},
		ChangePassword: supported{false},
		Sort:           supported{true},
		ETag:           supported{true},
		AuthenticationSchemes: []authScheme{
			{Type: "oauthbearertoken", Name: "OAuth Bearer Token", Description: "A static token from scimdoctor serve token create, or a token from POST /oauth/token with the client-credentials grant", SpecURI: "https://www.rfc-editor.org/info/rfc6750", Primary: true},
			{Type: "httpbasic", Name: "HTTP Basic", Description: "A user from scimdoctor serve token create --basic USER", SpecURI: "https://www.rfc-editor.org/info/rfc7617"},
		},
		Meta: schema.Meta{ResourceType: "ServiceProviderConfig", Location: rc.base + "/ServiceProviderConfig"},
	})
}

func (s *Server) handleSchemas(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	if err := rejectListParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, s.registry.SchemasResponse(rc.base))
}

func (s *Server) handleSchema(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	id := r.PathValue("id")
	sch := s.registry.Schema(id)
	if sch == nil {
		ids := make([]string, 0, len(s.registry.Schemas()))
		for _, x := range s.registry.Schemas() {
			ids = append(ids, x.ID)
		}
		s.writeError(w, r, scim.Errorf(http.StatusNotFound, "", "no schema %s; the schemas are %s", scim.Quote(id), strings.Join(ids, ", ")))
		return
	}
	s.writeJSON(w, r, http.StatusOK, sch.Resource(rc.base))
}

func (s *Server) handleResourceTypes(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	if err := rejectListParams(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, s.registry.ResourceTypesResponse(rc.base))
}

func (s *Server) handleResourceType(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	name := r.PathValue("id")
	rt := s.registry.ResourceType(name)
	if rt == nil {
		s.writeError(w, r, scim.Errorf(http.StatusNotFound, "", "no resource type %s; the resource types are User and Group", scim.Quote(name)))
		return
	}
	s.writeJSON(w, r, http.StatusOK, rt.Resource(rc.base))
}

// rejectListParams rejects a filter on /Schemas or /ResourceTypes with
// 403, as RFC 7644 Section 4 recommends for a server that does not filter
// these endpoints.
func rejectListParams(r *http.Request) error {
	if r.URL.Query().Has("filter") {
		return scim.Errorf(http.StatusForbidden, "", "filtering /Schemas and /ResourceTypes is not supported; read the whole list")
	}
	return nil
}
