// Command elimity is a peer SCIM 2.0 server for scimdoctor's conformance
// tests: the library github.com/elimity-com/scim with in-memory Users and
// Groups, written only against the library's public API. It lives in its own
// Go module so that scimdoctor's module does not depend on the library.
//
// Usage: elimity -token TOKEN [-addr 127.0.0.1:0]
//
// It listens on addr (loopback only), prints "listening on http://HOST:PORT"
// on stdout once it accepts connections, and serves the SCIM base URL at
// /scim/v2. Every request must carry "Authorization: Bearer TOKEN".
package main

import (
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"
	filterparser "github.com/scim2/filter-parser/v2"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "loopback address to listen on")
	token := flag.String("token", "", "bearer token every request must carry")
	flag.Parse()
	if *token == "" {
		fmt.Fprintln(os.Stderr, "elimity: error: -token is required")
		os.Exit(2)
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || (host != "127.0.0.1" && host != "::1" && host != "localhost") {
		fmt.Fprintf(os.Stderr, "elimity: error: invalid -addr %q: only loopback addresses are allowed\n", *addr)
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "elimity: error: %v\n", err)
		os.Exit(1)
	}
	base := "http://" + ln.Addr().String() + "/scim/v2"

	users := newStore("User")
	groups := newStore("Group")
	server, err := scim.NewServer(&scim.ServerArgs{
		ServiceProviderConfig: &scim.ServiceProviderConfig{
			SupportFiltering: true,
			SupportPatch:     true,
			MaxResults:       100,
		},
		ResourceTypes: []scim.ResourceType{
			{
				ID:          optional.NewString("User"),
				Name:        "User",
				Endpoint:    "/Users",
				Description: optional.NewString("User Account"),
				Schema:      schema.CoreUserSchema(),
				SchemaExtensions: []scim.SchemaExtension{
					{Schema: schema.ExtensionEnterpriseUser()},
				},
				Handler: &handler{store: users, unique: "userName"},
			},
			{
				ID:          optional.NewString("Group"),
				Name:        "Group",
				Endpoint:    "/Groups",
				Description: optional.NewString("Group"),
				Schema:      schema.CoreGroupSchema(),
				Handler:     &handler{store: groups, unique: "displayName"},
			},
		},
	}, scim.WithBaseURL(base))
	if err != nil {
		fmt.Fprintf(os.Stderr, "elimity: error: %v\n", err)
		os.Exit(1)
	}

	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", server))
	authed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+*token {
			w.Header().Set("Content-Type", "application/scim+json")
			w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","detail":"missing or invalid bearer token"}`)
			return
		}
		mux.ServeHTTP(w, r)
	})
	fmt.Printf("listening on http://%s\n", ln.Addr())
	srv := &http.Server{Handler: authed, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintf(os.Stderr, "elimity: error: %v\n", err)
		os.Exit(1)
	}
}

// store keeps the resources of one type in memory, in creation order.
type store struct {
	mu    sync.Mutex
	kind  string
	byID  map[string]scim.Resource
	order []string
}

func newStore(kind string) *store {
	return &store{kind: kind, byID: map[string]scim.Resource{}}
}

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// handler implements scim.ResourceHandler over a store. unique names the
// attribute that must be unique, compared without regard to case.
type handler struct {
	store  *store
	unique string
}

func (h *handler) conflict(attrs scim.ResourceAttributes, exceptID string) bool {
	want, _ := attrs[h.unique].(string)
	for id, r := range h.store.byID {
		if id == exceptID {
			continue
		}
		if have, _ := r.Attributes[h.unique].(string); strings.EqualFold(have, want) {
			return true
		}
	}
	return false
}

func (h *handler) Create(r *http.Request, attrs scim.ResourceAttributes) (scim.Resource, error) {
	h.store.mu.Lock()
	defer h.store.mu.Unlock()
	if h.conflict(attrs, "") {
		return scim.Resource{}, scimerrors.ScimErrorUniqueness
	}
	now := time.Now()
	res := scim.Resource{ID: newID(), Attributes: attrs, Meta: scim.Meta{Created: &now, LastModified: &now, Version: "W/\"1\""}}
	if ext, ok := attrs["externalId"].(string); ok {
		res.ExternalID = optional.NewString(ext)
	}
	h.store.byID[res.ID] = res
	h.store.order = append(h.store.order, res.ID)
	return res, nil
}

func (h *handler) Get(r *http.Request, id string) (scim.Resource, error) {
	h.store.mu.Lock()
	defer h.store.mu.Unlock()
	res, ok := h.store.byID[id]
	if !ok {
		return scim.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	return res, nil
}

func (h *handler) GetAll(r *http.Request, params scim.ListRequestParams) (scim.Page, error) {
	h.store.mu.Lock()
	defer h.store.mu.Unlock()
	var matched []scim.Resource
	for _, id := range h.store.order {
		res := h.store.byID[id]
		if params.FilterValidator != nil {
			attrs := map[string]interface{}{}
			for k, v := range res.Attributes {
				attrs[k] = v
			}
			attrs["id"] = res.ID
			if err := params.FilterValidator.PassesFilter(attrs); err != nil {
				continue
			}
		}
		matched = append(matched, res)
	}
	page := scim.Page{TotalResults: len(matched), Resources: []scim.Resource{}}
	start := params.StartIndex - 1
	if start < 0 {
		start = 0
	}
	for i := start; i < len(matched) && len(page.Resources) < params.Count; i++ {
		page.Resources = append(page.Resources, matched[i])
	}
	return page, nil
}

func (h *handler) Replace(r *http.Request, id string, attrs scim.ResourceAttributes) (scim.Resource, error) {
	h.store.mu.Lock()
	defer h.store.mu.Unlock()
	res, ok := h.store.byID[id]
	if !ok {
		return scim.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	if h.conflict(attrs, id) {
		return scim.Resource{}, scimerrors.ScimErrorUniqueness
	}
	res.Attributes = attrs
	if ext, ok := attrs["externalId"].(string); ok {
		res.ExternalID = optional.NewString(ext)
	}
	touch(&res)
	h.store.byID[id] = res
	return res, nil
}

func (h *handler) Delete(r *http.Request, id string) error {
	h.store.mu.Lock()
	defer h.store.mu.Unlock()
	if _, ok := h.store.byID[id]; !ok {
		return scimerrors.ScimErrorResourceNotFound(id)
	}
	delete(h.store.byID, id)
	for i, v := range h.store.order {
		if v == id {
			h.store.order = append(h.store.order[:i], h.store.order[i+1:]...)
			break
		}
	}
	return nil
}

// Patch applies the operations the library validated, because the library
// leaves applying them to the handler. It covers the shapes the IdPs send:
// path-less add and replace, simple and dotted paths, and add, replace and
// remove on multi-valued attributes with or without a value filter.
func (h *handler) Patch(r *http.Request, id string, ops []scim.PatchOperation) (scim.Resource, error) {
	h.store.mu.Lock()
	defer h.store.mu.Unlock()
	res, ok := h.store.byID[id]
	if !ok {
		return scim.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	attrs := scim.ResourceAttributes{}
	for k, v := range res.Attributes {
		attrs[k] = v
	}
	for _, op := range ops {
		if err := applyOp(attrs, op); err != nil {
			return scim.Resource{}, err
		}
	}
	if h.conflict(attrs, id) {
		return scim.Resource{}, scimerrors.ScimErrorUniqueness
	}
	res.Attributes = attrs
	if ext, ok := attrs["externalId"].(string); ok {
		res.ExternalID = optional.NewString(ext)
	}
	touch(&res)
	h.store.byID[id] = res
	return res, nil
}

func touch(res *scim.Resource) {
	now := time.Now()
	res.Meta.LastModified = &now
	res.Meta.Version = fmt.Sprintf("W/%q", newID()[:8])
}

func applyOp(attrs scim.ResourceAttributes, op scim.PatchOperation) error {
	opName := strings.ToLower(op.Op)
	if op.Path == nil {
		values, ok := op.Value.(map[string]interface{})
		if !ok {
			return scimerrors.ScimErrorInvalidValue
		}
		for k, v := range values {
			if k == "id" {
				continue
			}
			setPath(attrs, k, v, opName == "add")
		}
		return nil
	}
	name := op.Path.AttributePath.AttributeName
	if op.Path.AttributePath.URIPrefix != nil {
		ext, _ := attrs[*op.Path.AttributePath.URIPrefix].(map[string]interface{})
		if ext == nil {
			ext = map[string]interface{}{}
		}
		target := scim.ResourceAttributes(ext)
		inner := *op.Path
		inner.AttributePath.URIPrefix = nil
		if err := applyOp(target, scim.PatchOperation{Op: op.Op, Path: &inner, Value: op.Value}); err != nil {
			return err
		}
		attrs[*op.Path.AttributePath.URIPrefix] = map[string]interface{}(target)
		return nil
	}
	if op.Path.ValueExpression != nil {
		list, _ := attrs[name].([]interface{})
		var kept []interface{}
		for _, item := range list {
			m, _ := item.(map[string]interface{})
			if m != nil && matches(op.Path.ValueExpression, m) {
				switch {
				case opName == "remove":
					continue
				case op.Path.SubAttribute != nil:
					m[*op.Path.SubAttribute] = op.Value
				}
			}
			kept = append(kept, item)
		}
		if kept == nil {
			kept = []interface{}{}
		}
		attrs[name] = kept
		return nil
	}
	if sub := op.Path.AttributePath.SubAttribute; sub != nil {
		setPath(attrs, name+"."+*sub, op.Value, false)
		if opName == "remove" {
			if m, ok := attrs[name].(map[string]interface{}); ok {
				delete(m, *sub)
			}
		}
		return nil
	}
	switch opName {
	case "remove":
		values, isList := op.Value.([]interface{})
		current, _ := attrs[name].([]interface{})
		if !isList || current == nil {
			delete(attrs, name)
			return nil
		}
		var kept []interface{}
		for _, item := range current {
			if !containsValue(values, item) {
				kept = append(kept, item)
			}
		}
		if kept == nil {
			kept = []interface{}{}
		}
		attrs[name] = kept
	case "add":
		setPath(attrs, name, op.Value, true)
	default:
		setPath(attrs, name, op.Value, false)
	}
	return nil
}

// setPath sets a plain or dotted attribute. When merge is set and both the
// old and the new value are lists, the new items are appended.
func setPath(attrs scim.ResourceAttributes, path string, value interface{}, merge bool) {
	if head, tail, dotted := strings.Cut(path, "."); dotted && !strings.HasPrefix(path, "urn:") {
		m, _ := attrs[head].(map[string]interface{})
		if m == nil {
			m = map[string]interface{}{}
		}
		m[tail] = value
		attrs[head] = m
		return
	}
	if merge {
		if old, ok := attrs[path].([]interface{}); ok {
			if add, ok := value.([]interface{}); ok {
				attrs[path] = append(append([]interface{}{}, old...), add...)
				return
			}
		}
	}
	attrs[path] = value
}

func containsValue(values []interface{}, item interface{}) bool {
	m, _ := item.(map[string]interface{})
	for _, v := range values {
		if vm, ok := v.(map[string]interface{}); ok && m != nil && fmt.Sprint(vm["value"]) == fmt.Sprint(m["value"]) {
			return true
		}
	}
	return false
}

// matches evaluates the simple value filters of PATCH paths: eq on one
// sub-attribute, joined by and/or.
func matches(e filterparser.Expression, m map[string]interface{}) bool {
	switch e := e.(type) {
	case *filterparser.AttributeExpression:
		have := fmt.Sprint(m[e.AttributePath.AttributeName])
		want := fmt.Sprint(e.CompareValue)
		switch e.Operator {
		case filterparser.EQ:
			return strings.EqualFold(have, want)
		case filterparser.NE:
			return !strings.EqualFold(have, want)
		case filterparser.PR:
			return m[e.AttributePath.AttributeName] != nil
		}
	case *filterparser.LogicalExpression:
		if e.Operator == filterparser.AND {
			return matches(e.Left, m) && matches(e.Right, m)
		}
		return matches(e.Left, m) || matches(e.Right, m)
	}
	return false
}
