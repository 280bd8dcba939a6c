package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/scimdoctor/scimdoctor/scim"
	"github.com/scimdoctor/scimdoctor/scim/patch"
	"github.com/scimdoctor/scimdoctor/scim/schema"
	"github.com/scimdoctor/scimdoctor/scim/store"
)

// parseProjection reads "attributes" and "excludedAttributes" from the
// query string.
func parseProjection(r *http.Request) (schema.Projection, error) {
	var p schema.Projection
	q := r.URL.Query()
	var err error
	if v := q.Get("attributes"); v != "" {
		if p.Attributes, err = scim.ParseAttrPathList(v, scim.InvalidValue); err != nil {
			return p, err
		}
	}
	if v := q.Get("excludedAttributes"); v != "" {
		if p.Excluded, err = scim.ParseAttrPathList(v, scim.InvalidValue); err != nil {
			return p, err
		}
	}
	return p, nil
}

// notFound returns the 404 of a resource id.
func notFound(rt *schema.ResourceType, id string) error {
	return scim.Errorf(http.StatusNotFound, "", "%s %s not found", rt.Name, scim.Quote(id))
}

// mapNotFound turns store.ErrNotFound into the 404 that names the id.
func mapNotFound(err error, rt *schema.ResourceType, id string) error {
	if isNotFound(err) {
		return notFound(rt, id)
	}
	return err
}

func (s *Server) handleGet(w http.ResponseWriter, r *http.Request, rc *requestContext, rt *schema.ResourceType) {
	id := r.PathValue("id")
	proj, err := parseProjection(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	opts := store.ReadOptions{ExcludeMembers: rt == s.groups && !wantsAttribute(rt, proj, "members")}
	res, err := s.cfg.Store.Get(r.Context(), rc.tenant, storeType(rt), id, opts)
	if err != nil {
		s.writeError(w, r, mapNotFound(err, rt, id))
		return
	}
	groups, err := s.groupsForTag(r.Context(), rc, res)
	if err != nil {
		s.writeError(w, r, mapNotFound(err, rt, id))
		return
	}
	tag := entityTag(res, groups)
	w.Header().Set("ETag", weakTag(tag))
	if inm := parseEntityTags(r.Header.Get("If-None-Match")); inm.present && inm.matches(tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if im := parseEntityTags(r.Header.Get("If-Match")); im.present && !im.matches(tag) {
		s.writeError(w, r, scim.Errorf(http.StatusPreconditionFailed, "", "If-Match %s does not match the current version %s", im.sentText(), weakTag(tag)))
		return
	}
	body, err := s.render(rc, rt, res, groups, proj)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, body)
}

func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request, rc *requestContext, rt *schema.ResourceType) {
	raw, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.create(r.Context(), rc, rt, raw)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeWritten(w, r, rc, rt, res, http.StatusCreated)
}

// writeWritten responds to a successful write with the resource, its ETag
// and, for a create, its Location (RFC 7644 Section 3.3).
func (s *Server) writeWritten(w http.ResponseWriter, r *http.Request, rc *requestContext, rt *schema.ResourceType, res store.Resource, status int) {
	proj, err := parseProjection(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if res.Type == store.Group && res.Members == nil && wantsAttribute(rt, proj, "members") {
		full, err := s.cfg.Store.Get(r.Context(), rc.tenant, store.Group, res.ID, store.ReadOptions{})
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		res = full
	}
	groups, err := s.groupsForTag(r.Context(), rc, res)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body, err := s.render(rc, rt, res, groups, proj)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("ETag", weakTag(entityTag(res, groups)))
	if status == http.StatusCreated {
		w.Header().Set("Location", rc.base+rt.Endpoint+"/"+res.ID)
	}
	s.writeJSON(w, r, status, body)
}

// create reads a POST body with the PATCH engine's dialect rules and
// stores it. The password, which RFC 7643 makes writeOnly, is dropped:
// this server never stores it.
func (s *Server) create(ctx context.Context, rc *requestContext, rt *schema.ResourceType, body []byte) (store.Resource, error) {
	result, err := patch.CreateBody(rt, body, patch.Options{Strict: s.cfg.Strict})
	if err != nil {
		return store.Resource{}, err
	}
	dropped := dropPassword(result.Doc)
	var members []string
	if result.Members.Replace != nil {
		members = memberIDs(*result.Members.Replace)
	}
	encoded, err := json.Marshal(result.Doc)
	if err != nil {
		return store.Resource{}, fmt.Errorf("encoding the %s document: %w", rt.Name, err)
	}
	res, err := s.cfg.Store.Create(ctx, rc.tenant, storeType(rt), encoded, members)
	if err != nil {
		return store.Resource{}, err
	}
	s.logRules(ctx, "POST", rt, res.ID, result.Fired, result.Ignored)
	s.logPasswordDropped(ctx, "POST", rt, res.ID, dropped)
	return res, nil
}

// memberIDs returns the ids of members.
func memberIDs(members []store.Member) []string {
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.ID
	}
	return ids
}

// logRules logs the IdP dialect rules that a request needed and the
// attributes it dropped, with the request id, so an admin can see what an
// IdP sends that RFC 7644 does not define.
func (s *Server) logRules(ctx context.Context, method string, rt *schema.ResourceType, id string, fired []patch.Rule, ignored []string) {
	if len(fired) > 0 {
		names := make([]string, len(fired))
		for i, rule := range fired {
			names[i] = rule.Name
		}
		s.log.Info(method+" accepted with IdP dialect rules", "request_id", infoFrom(ctx).id, "resource", rt.Name, "id", id, "rules", names)
	}
	if len(ignored) > 0 {
		s.log.Info(method+" ignored attributes", "request_id", infoFrom(ctx).id, "resource", rt.Name, "id", id, "ignored", ignored)
	}
}

func (s *Server) handleReplace(w http.ResponseWriter, r *http.Request, rc *requestContext, rt *schema.ResourceType) {
	id := r.PathValue("id")
	raw, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.replace(r.Context(), rc, rt, id, raw, readPreconditions(r))
	if err != nil {
		s.writeError(w, r, mapNotFound(err, rt, id))
		return
	}
	s.writeWritten(w, r, rc, rt, res, http.StatusOK)
}

// replace stores a PUT body as the whole new resource (RFC 7644 Section
// 3.5.1) inside one locked read-modify-write, so the preconditions and
// the immutability checks see the version that is replaced. A Group's
// membership becomes exactly the body's "members".
func (s *Server) replace(ctx context.Context, rc *requestContext, rt *schema.ResourceType, id string, body []byte, pre preconditions) (store.Resource, error) {
	var result *patch.Result
	var dropped bool
	tagOf, err := s.currentTag(ctx, rc, rt, id, pre)
	if err != nil {
		return store.Resource{}, err
	}
	res, err := s.cfg.Store.Update(ctx, rc.tenant, storeType(rt), id, func(current store.Resource, members store.MemberEditor) (json.RawMessage, error) {
		if err := pre.check(tagOf(current)); err != nil {
			return nil, err
		}
		old, err := decodeDoc(current.Doc)
		if err != nil {
			return nil, err
		}
		result, err = patch.ReplaceBody(rt, old, body, patch.Options{Strict: s.cfg.Strict})
		if err != nil {
			return nil, err
		}
		if members != nil && !result.Members.Empty() {
			if err := result.Members.ApplyTo(members); err != nil {
				return nil, err
			}
		}
		dropped = dropPassword(result.Doc)
		return json.Marshal(result.Doc)
	})
	if err != nil {
		return store.Resource{}, err
	}
	s.logRules(ctx, "PUT", rt, id, result.Fired, result.Ignored)
	s.logPasswordDropped(ctx, "PUT", rt, id, dropped)
	return res, nil
}

func (s *Server) handleDelete(w http.ResponseWriter, r *http.Request, rc *requestContext, rt *schema.ResourceType) {
	id := r.PathValue("id")
	if err := s.delete(r.Context(), rc, rt, id, readPreconditions(r)); err != nil {
		s.writeError(w, r, mapNotFound(err, rt, id))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// delete removes a resource. With conditions beyond one If-Match tag on a
// Group, it reads the version (and a User's groups) first. The store's own
// version check then makes the read and the delete one step.
func (s *Server) delete(ctx context.Context, rc *requestContext, rt *schema.ResourceType, id string, pre preconditions) error {
	var version int64
	if v, ok := pre.singleVersion(); ok && storeType(rt) == store.Group {
		version = v
	} else if pre.any() {
		cur, err := s.cfg.Store.Get(ctx, rc.tenant, storeType(rt), id, store.ReadOptions{ExcludeMembers: true})
		if err != nil {
			return err
		}
		groups, err := s.groupsForTag(ctx, rc, cur)
		if err != nil {
			return err
		}
		if err := pre.check(entityTag(cur, groups)); err != nil {
			return err
		}
		version = cur.Version
	}
	err := s.cfg.Store.Delete(ctx, rc.tenant, storeType(rt), id, version)
	if isVersionMismatch(err) {
		return scim.Errorf(http.StatusPreconditionFailed, "", "If-Match does not match the current version of %s %s; read it again and retry with its ETag", rt.Name, scim.Quote(id))
	}
	return err
}

// currentTag returns the function that builds the entity tag of the
// resource id from the version that an Update reads. A User's groups,
// which the tag includes, are read before the Update when pre has a
// condition, because the update function may not call the store.
//
// NOTE: a membership change between that read and the Update is not
// seen by the condition, so If-Match can pass on a User whose groups just
// changed. The document change itself is still never lost.
func (s *Server) currentTag(ctx context.Context, rc *requestContext, rt *schema.ResourceType, id string, pre preconditions) (func(store.Resource) string, error) {
	var groups []store.GroupRef
	if pre.any() && storeType(rt) == store.User {
		var err error
		if groups, err = s.cfg.Store.GroupsOf(ctx, rc.tenant, id); err != nil {
			return nil, err
		}
	}
	return func(current store.Resource) string {
		current.Type = storeType(rt)
		return entityTag(current, groups)
	}, nil
}

// rulePasswordNotStored names, in the log, the dropping of a "password"
// that a POST, PUT or PATCH carried. This server stores no passwords,
// and /ServiceProviderConfig states it with changePassword.supported false.
const rulePasswordNotStored = "password-not-stored"

// dropPassword removes "password" from a validated document and reports
// whether it was there.
func dropPassword(doc map[string]any) bool {
	_, ok := doc["password"]
	delete(doc, "password")
	return ok
}

// logPasswordDropped logs that a write carried a password that the server
// dropped, without the value.
func (s *Server) logPasswordDropped(ctx context.Context, method string, rt *schema.ResourceType, id string, dropped bool) {
	if dropped {
		s.log.Info(method+" dropped the password", "request_id", infoFrom(ctx).id, "resource", rt.Name, "id", id, "rule", rulePasswordNotStored)
	}
}
