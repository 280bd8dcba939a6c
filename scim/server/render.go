package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/scimdoctor/scimdoctor/scim/schema"
	"github.com/scimdoctor/scimdoctor/scim/store"
)

// storeType returns the store's type of a registry resource type.
func storeType(rt *schema.ResourceType) store.ResourceType { return store.ResourceType(rt.Name) }

// etag returns the weak entity tag of a stored version, which is the
// whole tag of a Group and of a User in no group.
func etag(version int64) string { return weakTag(strconv.FormatInt(version, 10)) }

// weakTag returns the weak entity tag W/"opaque".
func weakTag(opaque string) string { return `W/"` + opaque + `"` }

// entityTag returns the opaque part of the entity tag of res as the
// server renders it with groups, the Groups a User is a direct member of.
//
// A User's "groups" (with each group's display name) is part of its
// representation but not of its stored document, so a membership change
// or a group rename leaves the User's version alone. RFC 7232 Section 2.3
// makes the tag change with the representation, so a User in any group
// gets the tag "<version>-<digest>". The digest is the first 16 hex digits
// of SHA-256 over each group's id and display name, in GroupsOf's order. A User in no group and every Group keep "<version>", the
// tag the store's version alone gives.
func entityTag(res store.Resource, groups []store.GroupRef) string {
	version := strconv.FormatInt(res.Version, 10)
	if res.Type != store.User || len(groups) == 0 {
		return version
	}
	h := sha256.New()
	for _, g := range groups {
		h.Write([]byte(g.ID))
		h.Write([]byte{0})
		h.Write([]byte(g.DisplayName))
		h.Write([]byte{0})
	}
	return version + "-" + hex.EncodeToString(h.Sum(nil)[:8])
}

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
	// NOTE: a User's lastModified does not move when its groups change,
	// although meta.version does (see entityTag). store.GroupRef carries
	// no time, and no stored time exists for a removal or a group deletion
	// at all; a membership table that records its changes per member
	// would be needed.
	m["meta"] = map[string]any{
		"resourceType": rt.Name,
		"created":      formatTime(res.Created),
		"lastModified": formatTime(res.LastModified),
		"location":     location,
		"version":      weakTag(entityTag(res, groups)),
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
// User's groups when the projection keeps them or the meta.version that
// depends on them.
func (s *Server) renderResource(ctx context.Context, rc *requestContext, rt *schema.ResourceType, res store.Resource, proj schema.Projection) (map[string]any, error) {
	var groups []store.GroupRef
	if res.Type == store.User && (wantsAttribute(rt, proj, "groups") || wantsVersion(rt, proj)) {
		byID, err := s.groupsOfUsers(ctx, rc.tenant, []store.Resource{res})
		if err != nil {
			return nil, err
		}
		groups = byID[res.ID]
	}
	return s.render(rc, rt, res, groups, proj)
}

// render returns the projected response body of res with the User's
// groups already read.
func (s *Server) render(rc *requestContext, rt *schema.ResourceType, res store.Resource, groups []store.GroupRef, proj schema.Projection) (map[string]any, error) {
	m, err := s.full(rc, rt, res, groups)
	if err != nil {
		return nil, err
	}
	return rt.Project(m, proj), nil
}

// wantsVersion reports whether a response under proj carries meta.version.
func wantsVersion(rt *schema.ResourceType, proj schema.Projection) bool {
	probe := map[string]any{"meta": map[string]any{"version": "x"}}
	meta, _ := rt.Project(probe, proj)["meta"].(map[string]any)
	_, ok := meta["version"]
	return ok
}

// groupsForTag reads the groups of a User for its entity tag, and returns
// nil for a Group, whose tag is its version alone.
func (s *Server) groupsForTag(ctx context.Context, rc *requestContext, res store.Resource) ([]store.GroupRef, error) {
	if res.Type != store.User {
		return nil, nil
	}
	return s.cfg.Store.GroupsOf(ctx, rc.tenant, res.ID)
}
