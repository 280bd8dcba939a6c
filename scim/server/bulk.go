package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/scimdoctor/scimdoctor/scim"
	"github.com/scimdoctor/scimdoctor/scim/patch"
	"github.com/scimdoctor/scimdoctor/scim/schema"
	"github.com/scimdoctor/scimdoctor/scim/store"
)

// The message URNs of /Bulk (RFC 7644 Section 3.7).
const (
	BulkRequestURN  = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
	BulkResponseURN = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
)

// bulkRefPrefix starts a reference to the resource that an earlier
// operation of the same request created: "bulkId:ID".
const bulkRefPrefix = "bulkId:"

type bulkRequest struct {
	Schemas      []string        `json:"schemas"`
	FailOnErrors *json.Number    `json:"failOnErrors"`
	Operations   []bulkOperation `json:"Operations"`
}

type bulkOperation struct {
	Method  string          `json:"method"`
	BulkID  string          `json:"bulkId,omitempty"`
	Version string          `json:"version,omitempty"`
	Path    string          `json:"path"`
	Data    json.RawMessage `json:"data,omitempty"`
}

type bulkResult struct {
	Method   string      `json:"method"`
	BulkID   string      `json:"bulkId,omitempty"`
	Version  string      `json:"version,omitempty"`
	Location string      `json:"location,omitempty"`
	Status   string      `json:"status"`
	Response *scim.Error `json:"response,omitempty"`
}

// handleBulk runs the operations of a BulkRequest (RFC 7644 Section 3.7)
// one by one, each in its own transaction. An operation that references
// "bulkId:X" waits until the POST with bulkId X succeeded, whatever their
// order in the request. Operations whose references cannot be resolved
// fail with 409, as Section 3.7.1 prescribes for circular references.
// Processing stops once failOnErrors operations failed.
func (s *Server) handleBulk(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	raw, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req bulkRequest
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		s.writeError(w, r, jsonSyntaxError(err))
		return
	}
	if !containsFold(req.Schemas, BulkRequestURN) {
		s.writeError(w, r, scim.Errorf(http.StatusBadRequest, scim.InvalidSyntax, "the Bulk body's \"schemas\" must contain %s", BulkRequestURN))
		return
	}
	if len(req.Operations) > s.cfg.BulkMaxOperations {
		s.writeError(w, r, scim.Errorf(http.StatusRequestEntityTooLarge, "", "the Bulk request has %d operations, more than maxOperations %d; split it into several requests", len(req.Operations), s.cfg.BulkMaxOperations))
		return
	}
	failOnErrors := 0
	if req.FailOnErrors != nil {
		n, err := strconv.Atoi(req.FailOnErrors.String())
		if err != nil || n < 0 {
			s.writeError(w, r, scim.Errorf(http.StatusBadRequest, scim.InvalidValue, "invalid failOnErrors %s: give a non-negative integer", req.FailOnErrors.String()))
			return
		}
		failOnErrors = n
	}

	declared := map[string]bool{}
	for _, op := range req.Operations {
		if strings.EqualFold(op.Method, http.MethodPost) && op.BulkID != "" {
			declared[op.BulkID] = true
		}
	}
	created := map[string]string{}
	done := make([]bool, len(req.Operations))
	var results []bulkResult
	errorCount := 0

	for progress := true; progress; {
		progress = false
		for i, op := range req.Operations {
			if done[i] {
				continue
			}
			refs := bulkRefs(op)
			waiting := false
			for _, ref := range refs {
				if _, ok := created[ref]; !ok && declared[ref] {
					waiting = true
				}
			}
			if waiting {
				continue
			}
			done[i], progress = true, true
			res := s.bulkOperation(r.Context(), rc, op, created)
			results = append(results, res)
			if res.Response != nil {
				errorCount++
				if failOnErrors > 0 && errorCount >= failOnErrors {
					s.writeJSON(w, r, http.StatusOK, bulkResponse(results))
					return
				}
			}
		}
	}
	for i, op := range req.Operations {
		if done[i] {
			continue
		}
		results = append(results, bulkResult{Method: op.Method, BulkID: op.BulkID, Status: "409",
			Response: scim.Errorf(http.StatusConflict, scim.InvalidValue, "the bulkId references of this operation cannot be resolved: they are circular or name a POST that failed")})
		errorCount++
		if failOnErrors > 0 && errorCount >= failOnErrors {
			break
		}
	}
	s.writeJSON(w, r, http.StatusOK, bulkResponse(results))
}

func bulkResponse(results []bulkResult) any {
	if results == nil {
		results = []bulkResult{}
	}
	return struct {
		Schemas    []string     `json:"schemas"`
		Operations []bulkResult `json:"Operations"`
	}{[]string{BulkResponseURN}, results}
}

func containsFold(list []string, want string) bool {
	for _, v := range list {
		if strings.EqualFold(v, want) {
			return true
		}
	}
	return false
}

// bulkRefs returns the bulkIds that an operation's path and data
// reference.
func bulkRefs(op bulkOperation) []string {
	var refs []string
	if _, after, ok := strings.Cut(op.Path, bulkRefPrefix); ok {
		refs = append(refs, strings.Trim(after, "/"))
	}
	if len(op.Data) > 0 {
		var data any
		if json.Unmarshal(op.Data, &data) == nil {
			walkStrings(data, func(s string) string {
				if id, ok := strings.CutPrefix(s, bulkRefPrefix); ok {
					refs = append(refs, id)
				}
				return s
			})
		}
	}
	return refs
}

// walkStrings replaces every string in a decoded JSON value by fn's result.
func walkStrings(v any, fn func(string) string) any {
	switch v := v.(type) {
	case string:
		return fn(v)
	case map[string]any:
		for k, e := range v {
			v[k] = walkStrings(e, fn)
		}
	case []any:
		for i, e := range v {
			v[i] = walkStrings(e, fn)
		}
	}
	return v
}

// bulkOperation runs one operation with its bulkId references replaced by
// the ids that earlier operations created.
func (s *Server) bulkOperation(ctx context.Context, rc *requestContext, op bulkOperation, created map[string]string) bulkResult {
	res := bulkResult{Method: op.Method, BulkID: op.BulkID}
	fail := func(err error) bulkResult {
		se := toSCIMError(err)
		if se == nil {
			id := infoFrom(ctx).id
			s.log.Error("bulk operation failed", "request_id", id, "method", op.Method, "path", op.Path, "error", err)
			se = scim.Errorf(http.StatusInternalServerError, "", "internal server error; the server log has the cause under request id %s", id)
		}
		res.Status = strconv.Itoa(se.Status)
		res.Response = se
		return res
	}
	resolve := func(s string) string {
		if id, ok := strings.CutPrefix(s, bulkRefPrefix); ok {
			if real, ok := created[id]; ok {
				return real
			}
		}
		return s
	}

	path := op.Path
	if before, after, ok := strings.Cut(path, bulkRefPrefix); ok {
		path = before + resolve(bulkRefPrefix+strings.Trim(after, "/"))
	}
	rt, id, err := s.bulkTarget(path)
	if err != nil {
		return fail(err)
	}
	var data map[string]any
	if len(op.Data) > 0 && string(op.Data) != "null" {
		if data, err = decodeObject(op.Data); err != nil {
			return fail(err)
		}
		walkStrings(data, resolve)
	}
	if refs := bulkRefs(bulkOperation{Path: path, Data: mustJSON(data)}); len(refs) > 0 {
		return fail(scim.Errorf(http.StatusBadRequest, scim.InvalidValue, "bulkId %s is not defined by a POST of this request", scim.Quote(refs[0])))
	}
	pre := preconditions{ifMatch: parseEntityTags(op.Version)}

	method := strings.ToUpper(op.Method)
	res.Method = method
	var stored store.Resource
	switch {
	case method == http.MethodPost && id == "":
		if op.BulkID == "" {
			return fail(scim.Errorf(http.StatusBadRequest, scim.InvalidValue, "a POST in a Bulk request needs a \"bulkId\""))
		}
		if data == nil {
			return fail(scim.Errorf(http.StatusBadRequest, scim.InvalidSyntax, "the POST has no \"data\""))
		}
		if stored, err = s.create(ctx, rc, rt, mustJSON(data)); err != nil {
			return fail(err)
		}
		created[op.BulkID] = stored.ID
		res.Status = "201"
	case method == http.MethodPut && id != "":
		if data == nil {
			return fail(scim.Errorf(http.StatusBadRequest, scim.InvalidSyntax, "the PUT has no \"data\""))
		}
		if stored, err = s.replace(ctx, rc, rt, id, mustJSON(data), pre); err != nil {
			return fail(mapNotFound(err, rt, id))
		}
		res.Status = "200"
	case method == http.MethodPatch && id != "":
		req, err := patch.Parse(mustJSON(data))
		if err != nil {
			return fail(err)
		}
		if stored, err = s.patch(ctx, rc, rt, id, req, pre); err != nil {
			return fail(mapNotFound(err, rt, id))
		}
		res.Status = "200"
	case method == http.MethodDelete && id != "":
		if err := s.delete(ctx, rc, rt, id, pre); err != nil {
			return fail(mapNotFound(err, rt, id))
		}
		res.Status = "204"
		res.Location = rc.base + rt.Endpoint + "/" + id
		return res
	default:
		return fail(scim.Errorf(http.StatusBadRequest, scim.InvalidSyntax, "unsupported Bulk operation %s %s: use POST on /Users or /Groups, or PUT, PATCH or DELETE on /Users/{id} or /Groups/{id}", scim.Quote(op.Method), scim.Quote(op.Path)))
	}
	res.Location = rc.base + rt.Endpoint + "/" + stored.ID
	groups, err := s.groupsForTag(ctx, rc, stored)
	if err != nil {
		return fail(err)
	}
	res.Version = weakTag(entityTag(stored, groups))
	return res
}

// bulkTarget splits a Bulk path such as "/Users" or "/Groups/ID".
func (s *Server) bulkTarget(path string) (*schema.ResourceType, string, error) {
	trimmed := strings.TrimPrefix(path, "/")
	endpoint, id, _ := strings.Cut(trimmed, "/")
	for _, rt := range []*schema.ResourceType{s.users, s.groups} {
		if "/"+endpoint == rt.Endpoint && !strings.Contains(id, "/") {
			return rt, id, nil
		}
	}
	return nil, "", scim.Errorf(http.StatusBadRequest, scim.InvalidPath, "invalid Bulk path %s: use /Users, /Groups, /Users/{id} or /Groups/{id}", scim.Quote(path))
}

func mustJSON(v map[string]any) []byte {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil // unreachable: v was decoded from JSON
	}
	return b
}
