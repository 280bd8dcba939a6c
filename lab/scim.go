package lab

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
)

// BearerToken is the token every lab endpoint accepts in
// "Authorization: Bearer lab-token". It guards nothing: it exists so that a
// client's authentication step runs as it would against a real SCIM server.
const BearerToken = "lab-token"

// SCIM paths and media type (RFC 7644, Sections 3.2, 3.8 and 4).
const (
	scimBasePath             = "/scim/v2"
	serviceProviderConfigURL = scimBasePath + "/ServiceProviderConfig"
	scimMediaType            = "application/scim+json"
	scimErrorSchema          = "urn:ietf:params:scim:api:messages:2.0:Error"
	serviceProviderSchema    = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
)

// supported is the {"supported": bool} object of a ServiceProviderConfig.
type supported struct {
	Supported bool `json:"supported"`
}

// serviceProviderConfig is the resource of RFC 7643, Section 5. The lab
// serves nothing but this resource, so it claims no optional feature.
type serviceProviderConfig struct {
	Schemas []string  `json:"schemas"`
	Patch   supported `json:"patch"`
	Bulk    struct {
		Supported      bool `json:"supported"`
		MaxOperations  int  `json:"maxOperations"`
		MaxPayloadSize int  `json:"maxPayloadSize"`
	} `json:"bulk"`
	Filter struct {
		Supported  bool `json:"supported"`
		MaxResults int  `json:"maxResults"`
	} `json:"filter"`
	ChangePassword        supported              `json:"changePassword"`
	Sort                  supported              `json:"sort"`
	ETag                  supported              `json:"etag"`
	AuthenticationSchemes []authenticationScheme `json:"authenticationSchemes"`
	Meta                  resourceMeta           `json:"meta"`
}

type authenticationScheme struct {
	Type        string `json:"type"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Primary     bool   `json:"primary"`
}

type resourceMeta struct {
	ResourceType string `json:"resourceType"`
	Location     string `json:"location"`
}

// scimError is the error response body of RFC 7644, Section 3.12. Status is
// a string there.
type scimError struct {
	Schemas []string `json:"schemas"`
	Status  string   `json:"status"`
	Detail  string   `json:"detail"`
}

// scimHandler serves GET /scim/v2/ServiceProviderConfig to a client that
// sends the lab bearer token, and SCIM errors for everything else.
type scimHandler struct {
	logger *slog.Logger
}

func (h *scimHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != scimBasePath && !strings.HasPrefix(r.URL.Path, scimBasePath+"/") {
		h.writeError(w, r, http.StatusNotFound, fmt.Sprintf("path %q is outside the SCIM base path %s", r.URL.Path, scimBasePath))
		return
	}

	// Authentication comes before routing, as in most SCIM servers, so a
	// client without the token learns nothing about the paths.
	if !validBearer(r.Header.Get("Authorization")) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="scimdoctor lab"`)
		h.writeError(w, r, http.StatusUnauthorized, "missing or invalid bearer token in the Authorization header")
		return
	}

	if r.URL.Path != serviceProviderConfigURL {
		h.writeError(w, r, http.StatusNotFound, fmt.Sprintf("resource %q not found: this lab endpoint serves only %s", r.URL.Path, serviceProviderConfigURL))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		h.writeError(w, r, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed on %s", r.Method, serviceProviderConfigURL))
		return
	}

	config := newServiceProviderConfig("https://" + r.Host + serviceProviderConfigURL)
	h.writeJSON(w, r, http.StatusOK, config)
}

// validBearer reports whether header is "Bearer lab-token". The scheme is
// case-insensitive (RFC 9110, Section 11.1).
func validBearer(header string) bool {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(BearerToken)) == 1
}

func newServiceProviderConfig(location string) *serviceProviderConfig {
	config := &serviceProviderConfig{
		Schemas: []string{serviceProviderSchema},
		AuthenticationSchemes: []authenticationScheme{{
			Type:        "oauthbearertoken",
			Name:        "OAuth Bearer Token",
			Description: "Static bearer token of the scimdoctor lab",
			Primary:     true,
		}},
		Meta: resourceMeta{ResourceType: "ServiceProviderConfig", Location: location},
	}
	return config
}

func (h *scimHandler) writeError(w http.ResponseWriter, r *http.Request, status int, detail string) {
	body := scimError{
		Schemas: []string{scimErrorSchema},
		Status:  strconv.Itoa(status),
		Detail:  detail,
	}
	h.writeJSON(w, r, status, body)
}

func (h *scimHandler) writeJSON(w http.ResponseWriter, r *http.Request, status int, body any) {
	data, err := json.MarshalIndent(body, "", "  ")
	if err != nil {
		// unreachable: the bodies are fixed structs of strings, bools and ints
		h.logger.Error("encode SCIM response", "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	data = append(data, '\n')

	w.Header().Set("Content-Type", scimMediaType)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	h.logger.Debug("sent SCIM response", "remote", r.RemoteAddr, "method", r.Method, "path", r.URL.Path, "status", status)
	if r.Method == http.MethodHead {
		return
	}
	if _, err := w.Write(data); err != nil {
		h.logger.Info("write SCIM response", "remote", r.RemoteAddr, "error", err)
	}
}
