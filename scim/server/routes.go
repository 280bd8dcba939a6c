package server

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/scimdoctor/scimdoctor/scim"
	"github.com/scimdoctor/scimdoctor/scim/schema"
)

// BasePath is the SCIM base path of the default tenant routing, where the
// credential names the tenant.
const BasePath = "/scim/v2"

// tenantPattern is the form of a tenant id in a path or on a credential.
var tenantPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidTenant reports whether id may name a tenant: 1 to 64 ASCII
// letters, digits, ".", "_" and "-", starting with a letter or digit.
func ValidTenant(id string) bool { return tenantPattern.MatchString(id) }

// methods maps an HTTP method to its handler for one path.
type methods map[string]scimHandler

// scimHandler handles an authenticated SCIM request.
type scimHandler func(w http.ResponseWriter, r *http.Request, rc *requestContext)

// requestContext is what the routing and authentication found out about
// a SCIM request.
type requestContext struct {
	tenant string
	// base is the absolute SCIM base URL of the request, such as
	// https://host/tenants/acme/scim/v2, for meta.location and $ref.
	base string
	// principal is the credential that authenticated the request.
	principal principal
}

func (s *Server) routes() (*http.ServeMux, error) {
	mux := http.NewServeMux()
	for _, m := range s.cfg.Mounts {
		if err := mount(mux, m); err != nil {
			return nil, err
		}
	}
	mux.HandleFunc("/healthz", s.handleHealth)
	mux.HandleFunc("/metrics", s.handleMetricsWithExtra)
	mux.HandleFunc("/oauth/token", s.handleToken)

	for _, prefix := range []string{BasePath, "/tenants/{tenant}" + BasePath} {
		s.handle(mux, prefix, "/ServiceProviderConfig", "ServiceProviderConfig", methods{http.MethodGet: s.handleServiceProviderConfig})
		s.handle(mux, prefix, "/Schemas", "Schemas", methods{http.MethodGet: s.handleSchemas})
		s.handle(mux, prefix, "/Schemas/{id}", "Schemas", methods{http.MethodGet: s.handleSchema})
		s.handle(mux, prefix, "/ResourceTypes", "ResourceTypes", methods{http.MethodGet: s.handleResourceTypes})
		s.handle(mux, prefix, "/ResourceTypes/{id}", "ResourceTypes", methods{http.MethodGet: s.handleResourceType})
		s.handle(mux, prefix, "/Bulk", "Bulk", methods{http.MethodPost: s.handleBulk})
		s.handleMe(mux, prefix)
		for _, rt := range []*schema.ResourceType{s.users, s.groups} {
			s.registerResourceRoutes(mux, prefix, rt)
		}
		s.handle(mux, prefix, "/", "other", nil)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, scim.Errorf(http.StatusNotFound, "", "no endpoint at %s; the SCIM base path is %s (or /tenants/TENANT%s)", scim.Quote(r.URL.Path), BasePath, BasePath))
	})
	return mux, nil
}

// handleMetricsWithExtra serves /metrics with the series of
// Config.Metrics after the server's own.
func (s *Server) handleMetricsWithExtra(w http.ResponseWriter, r *http.Request) {
	s.handleMetrics(w, r)
	if s.cfg.Metrics != nil && r.Method == http.MethodGet {
		s.cfg.Metrics(w)
	}
}

// reservedPaths are the paths of the server's own routes. A Mount may not
// take over one of them or a path below it.
var reservedPaths = []string{BasePath, "/tenants", "/healthz", "/metrics", "/oauth"}

// mount registers m on mux. It returns an error for a pattern that
// http.ServeMux rejects (it would panic) and for one at or below a path of
// the server's own routes.
func mount(mux *http.ServeMux, m Mount) (err error) {
	path := m.Pattern
	if _, after, ok := strings.Cut(path, " "); ok {
		path = after // "METHOD /path"
	}
	if path == "/" || !strings.HasPrefix(path, "/") || m.Handler == nil {
		return fmt.Errorf("server: invalid mount %q: give a path below / and a handler", m.Pattern)
	}
	for _, reserved := range reservedPaths {
		if path == reserved || strings.HasPrefix(path, reserved+"/") {
			return fmt.Errorf("server: mount %q overlaps the server's route %s; choose another path", m.Pattern, reserved)
		}
	}

	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("server: invalid mount %q: %v", m.Pattern, p)
		}
	}()
	name := m.Name
	if name == "" {
		name = "mounted"
	}
	h := m.Handler
	mux.Handle(m.Pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		infoFrom(r.Context()).resource = name
		h.ServeHTTP(w, r)
	}))
	return nil
}

// registerResourceRoutes registers the routes of one resource type.
func (s *Server) registerResourceRoutes(mux *http.ServeMux, prefix string, rt *schema.ResourceType) {
	name := strings.TrimPrefix(rt.Endpoint, "/")
	s.handle(mux, prefix, rt.Endpoint, name, methods{
		http.MethodGet:  func(w http.ResponseWriter, r *http.Request, rc *requestContext) { s.handleList(w, r, rc, rt) },
		http.MethodPost: func(w http.ResponseWriter, r *http.Request, rc *requestContext) { s.handleCreate(w, r, rc, rt) },
	})
	s.handle(mux, prefix, rt.Endpoint+"/.search", name, methods{
		http.MethodPost: func(w http.ResponseWriter, r *http.Request, rc *requestContext) { s.handleSearch(w, r, rc, rt) },
	})
	s.handle(mux, prefix, rt.Endpoint+"/{id}", name, methods{
		http.MethodGet:    func(w http.ResponseWriter, r *http.Request, rc *requestContext) { s.handleGet(w, r, rc, rt) },
		http.MethodPut:    func(w http.ResponseWriter, r *http.Request, rc *requestContext) { s.handleReplace(w, r, rc, rt) },
		http.MethodPatch:  func(w http.ResponseWriter, r *http.Request, rc *requestContext) { s.handlePatch(w, r, rc, rt) },
		http.MethodDelete: func(w http.ResponseWriter, r *http.Request, rc *requestContext) { s.handleDelete(w, r, rc, rt) },
	})
}

// handleMe returns 501 for every method on /Me: RFC 7644 Section 3.11
// lets a service provider without an authenticated-subject mapping do so,
// and a credential of this server is not a User.
func (s *Server) handleMe(mux *http.ServeMux, prefix string) {
	me := func(w http.ResponseWriter, r *http.Request, rc *requestContext) {
		s.writeError(w, r, scim.Errorf(http.StatusNotImplemented, "", "/Me is not supported: the credential %s is not mapped to a User; use /Users/{id}", scim.Quote(rc.principal.name)))
	}
	all := methods{}
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		all[m] = me
	}
	s.handle(mux, prefix, "/Me", "Me", all)
	s.handle(mux, prefix, "/Me/{rest...}", "Me", all)
}

// handle registers a SCIM path: it authenticates the request, resolves
// the tenant, applies the rate limit and dispatches by method. A nil
// methods returns 404 for every method, after authentication.
func (s *Server) handle(mux *http.ServeMux, prefix, path, resource string, ms methods) {
	mux.HandleFunc(prefix+path, func(w http.ResponseWriter, r *http.Request) {
		info := infoFrom(r.Context())
		info.resource = resource

		p, err := s.authenticate(r)
		if err != nil {
			s.writeAuthError(w, r, err)
			return
		}
		info.principal = p.name
		info.tenant = p.tenant
		if pathTenant := r.PathValue("tenant"); pathTenant != "" && pathTenant != p.tenant {
			s.writeError(w, r, scim.Errorf(http.StatusForbidden, "", "the credential %s belongs to tenant %s, not to tenant %s of the URL; use %s or a credential of tenant %s",
				scim.Quote(p.name), scim.Quote(p.tenant), scim.Quote(pathTenant), "/tenants/"+p.tenant+BasePath, pathTenant))
			return
		}
		if s.limiter != nil {
			if wait, ok := s.limiter.allow(p.rateKey); !ok {
				s.metrics.rateLimited.Add(1)
				w.Header().Set("Retry-After", wait)
				s.writeError(w, r, scim.Errorf(http.StatusTooManyRequests, "", "rate limit of %g requests per second for credential %s exceeded; retry after %s", s.cfg.RatePerSecond, scim.Quote(p.name), secondsText(wait)))
				return
			}
		}

		rc := &requestContext{tenant: p.tenant, principal: p, base: baseURL(r)}
		if ms == nil {
			s.writeError(w, r, scim.Errorf(http.StatusNotFound, "", "no SCIM endpoint at %s; the endpoints are /Users, /Groups, /Bulk, /ServiceProviderConfig, /Schemas and /ResourceTypes", scim.Quote(r.URL.Path)))
			return
		}
		h, ok := ms[r.Method]
		if !ok {
			allowed := make([]string, 0, len(ms))
			for m := range ms {
				allowed = append(allowed, m)
			}
			sort.Strings(allowed)
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			s.writeError(w, r, scim.Errorf(http.StatusMethodNotAllowed, "", "method %s is not allowed on %s; use %s", r.Method, scim.Quote(r.URL.Path), strings.Join(allowed, ", ")))
			return
		}
		h(w, r, rc)
	})
}

// baseURL returns the absolute SCIM base URL of r: the scheme, the Host
// header and the path up to and including /scim/v2.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	path := BasePath
	if t := r.PathValue("tenant"); t != "" {
		path = "/tenants/" + t + BasePath
	}
	return scheme + "://" + r.Host + path
}

// infoKey is the context key of a request's *requestInfo.
type infoKey struct{}

// requestInfo is filled in while a request runs and read by the logging
// and metrics middleware after it.
type requestInfo struct {
	id        string
	resource  string
	tenant    string
	principal string
}

func infoFrom(ctx context.Context) *requestInfo {
	if info, ok := ctx.Value(infoKey{}).(*requestInfo); ok {
		return info
	}
	return &requestInfo{}
}
