package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/scimdoctor/scimdoctor/scim/schema"
	"github.com/scimdoctor/scimdoctor/scim/store"
)

// storeType returns the store's type of a registry resource type.
func storeType(rt *schema.ResourceType) store.ResourceType { return store.ResourceType(rt.Name) }

// etag returns the weak entity tag of a stored version.
func etag(version int64) string { return `W/"` + strconv.FormatInt(version, 10) + `"` }

// formatTime writes a meta time with the store's microsecond precision,
// so a filter on meta.created compares the same instant in SQL and in
// memory.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// decodeDoc decodes a stored document with numbers as json.Number.
func decodeDoc(doc json.RawMessage) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("stored document does not decode: %w", err)
	}
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

// full returns a stored resource in its complete SCIM form, before
// projection: the document plus id, meta, a Group's members and, when
// groups is not nil, a User's groups. Absent values stay absent, never
// null or [].
func (s *Server) full(rc *requestContext, rt *schema.ResourceType, res store.Resource, groups []store.GroupRef) (map[string]any, error) {
	m, err := decodeDoc(res.Doc)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", rt.Name, res.ID, err)
	}
	location := rc.base + rt.Endpoint + "/" + res.ID
	m["id"] = res.ID
	m["meta"] = map[string]any{
		"resourceType": rt.Name,
		"created":      formatTime(res.Created),
		"lastModified": formatTime(res.LastModified),
		"location":     location,
		"version":      etag(res.Version),
	}
	if len(res.Members) > 0 {
		members := make([]any, 0, len(res.Members))
		for _, mem := range res.Members {
			endpoint := "/Users/"
			if mem.Type == store.Group {
				endpoint = "/Groups/"
			}
			members = append(members, map[string]any{
				"value": mem.ID,
				"$ref":  rc.base + endpoint + mem.ID,
				"type":  string(mem.Type),
			})
		}
		m["members"] = members
	}
	if len(groups) > 0 {
		list := make([]any, 0, len(groups))
		for _, g := range groups {
			entry := map[string]any{
				"value": g.ID,
				"$ref":  rc.base + "/Groups/" + g.ID,
				"type":  "direct",
			}
			if g.DisplayName != "" {
				entry["display"] = g.DisplayName
			}
			list = append(list, entry)
		}
		m["groups"] = list
	}
	return m, nil
}

// wantsAttribute reports whether a response under proj carries the
// top-level attribute name of rt's core schema, so the server skips
// reading members or groups that the client excluded.
func wantsAttribute(rt *schema.ResourceType, proj schema.Projection, name string) bool {
	attr := rt.Schema.Attribute(name)
	if attr == nil {
		return false
	}
	probe := map[string]any{attr.Name: []any{map[string]any{"value": "x"}}}
	_, ok := rt.Project(probe, proj)[attr.Name]
	return ok
}

// renderResource returns the projected response body of res, reading the
// User's groups when the projection keeps them.
func (s *Server) renderResource(ctx context.Context, rc *requestContext, rt *schema.ResourceType, res store.Resource, proj schema.Projection) (map[string]any, error) {
	var groups []store.GroupRef
	if res.Type == store.User && wantsAttribute(rt, proj, "groups") {
		var err error
		groups, err = s.cfg.Store.GroupsOf(ctx, rc.tenant, res.ID)
		if err != nil {
			return nil, err
		}
	}
	m, err := s.full(rc, rt, res, groups)
	if err != nil {
		return nil, err
	}
	return rt.Project(m, proj), nil
}
