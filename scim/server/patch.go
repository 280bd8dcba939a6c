package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/scimdoctor/scimdoctor/scim/patch"
	"github.com/scimdoctor/scimdoctor/scim/schema"
	"github.com/scimdoctor/scimdoctor/scim/store"
)

// patchSupported is published as patch.supported in
// /ServiceProviderConfig.
const patchSupported = true

// errNeedMembers stops a PATCH transaction whose remove filter needs the
// Group's current members, which the update function may not read from
// the store.
var errNeedMembers = errors.New("server: the PATCH needs the group's members")

// memberList is a patch.MemberSource over members read before the update.
// A nil list makes Members fail with errNeedMembers.
type memberList struct{ members *[]store.Member }

func (m memberList) Members() ([]store.Member, error) {
	if m.members == nil {
		return nil, errNeedMembers
	}
	return *m.members, nil
}

func (s *Server) handlePatch(w http.ResponseWriter, r *http.Request, rc *requestContext, rt *schema.ResourceType) {
	id := r.PathValue("id")
	raw, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	req, err := patch.Parse(raw)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.patch(r.Context(), rc, rt, id, req, readPreconditions(r))
	if err != nil {
		s.writeError(w, r, mapNotFound(err, rt, id))
		return
	}
	// A Group PATCH returns 204 unless the request names attributes,
	// because RFC 7644 Section 3.5.2 allows it, Entra ID prefers it, and
	// the whole resource of a large group is a large response.
	if res.Type == store.Group && r.URL.Query().Get("attributes") == "" {
		w.Header().Set("ETag", etag(res.Version))
		w.WriteHeader(http.StatusNoContent)
		return
	}
	s.writeWritten(w, r, rc, rt, res, http.StatusOK)
}

// patch applies a PatchOp request inside the store's locked
// read-modify-write and logs the IdP dialect rules that fired.
//
// NOTE: a remove whose filter needs the Group's members (such as
// members[type eq "Group"]) reads them before the locked update, so a
// member added between that read and the update is not matched.
func (s *Server) patch(ctx context.Context, rc *requestContext, rt *schema.ResourceType, id string, req *patch.Request, pre preconditions) (store.Resource, error) {
	var source memberList
	tagOf, err := s.currentTag(ctx, rc, rt, id, pre)
	if err != nil {
		return store.Resource{}, err
	}
	for attempt := 0; attempt < 2; attempt++ {
		var fired []patch.Rule
		var ignored []string
		var dropped bool
		res, err := s.cfg.Store.Update(ctx, rc.tenant, storeType(rt), id, func(current store.Resource, members store.MemberEditor) (json.RawMessage, error) {
			if err := pre.check(tagOf(current)); err != nil {
				return nil, err
			}
			doc, err := decodeDoc(current.Doc)
			if err != nil {
				return nil, err
			}
			result, err := patch.Apply(rt, doc, source, req, patch.Options{Strict: s.cfg.Strict, ID: current.ID})
			if err != nil {
				return nil, err
			}
			if members != nil && !result.Members.Empty() {
				if err := result.Members.ApplyTo(members); err != nil {
					return nil, err
				}
			}
			fired, ignored = result.Fired, result.Ignored
			dropped = dropPassword(result.Doc)
			return json.Marshal(result.Doc)
		})
		if errors.Is(err, errNeedMembers) && source.members == nil {
			page, err := s.cfg.Store.ListMembers(ctx, rc.tenant, id, 1, -1)
			if err != nil {
				return store.Resource{}, err
			}
			source.members = &page.Members
			continue
		}
		if err != nil {
			return store.Resource{}, err
		}
		s.logRules(ctx, "PATCH", rt, id, fired, ignored)
		s.logPasswordDropped(ctx, "PATCH", rt, id, dropped)
		return res, nil
	}
	return store.Resource{}, errors.New("server: the PATCH needed the group's members twice") // unreachable: the second attempt has them
}
